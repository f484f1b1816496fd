"""Database faults the bot survives: a PostgreSQL restart, SQLite locked by a backup or another
process, an import killed half-way. Real databases, real processes, the real bot over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, make_url, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from telegram.error import NetworkError

from bot import inbox
from botapi_emulator import BotApiEmulator
from handlers import base
from storage import basket, meetings, teams
from storage.basket.vocabulary import CATEGORIES
from storage.db import Database, connection_lost
from storage.members import find_member
from storage.models import (
    Answer,
    AuditEntry,
    Delivery,
    Institution,
    Meeting,
    Municipality,
    ScheduledKind,
    ScheduledMessage,
    Service,
)
from tests import arrange, processes
from tests.conftest import Harness, running_bot
from tests.tcp_proxy import TcpProxy

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0, tzinfo=WARSAW)
KASIA, MAREK, OLA = 2001, 2002, 2003
APOLOGY = "Przepraszam, wystąpił błąd"
CALLED = "Spotkanie zwołane"
RETRIED = "handling the update again"
KEPT = "updates kept at Telegram"


async def _team(harness: Harness) -> int:
    """A PZK of a coordinator and two members (no group), the clock on a Monday morning."""
    people = arrange.three(KASIA, MAREK, OLA, institutions=False)
    return (await arrange.linked_team(harness, people, clock=MONDAY_9.astimezone(UTC))).team_id


async def _call_meeting(harness: Harness, day: int = 1) -> dict[str, Any]:
    """Kasia calls a meeting in one line; returns Marek's card (with the answer buttons)."""
    assert CALLED in (await harness.say(KASIA, f"/nowe {day}.12 o 10; MOPS"))["text"]
    await harness.emu.next_message(KASIA)  # her own card
    await harness.emu.next_message(OLA)
    return await harness.emu.next_message(MAREK)


async def _eventually(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what} after {timeout} s"
        await asyncio.sleep(0.05)


def _retried(caplog: pytest.LogCaptureFixture) -> Callable[[], bool]:
    """The update handled again, or (the inbox could not store it) left at Telegram for the
    next getUpdates: either way, tried again rather than apologised for."""
    return lambda: any(
        RETRIED in record.getMessage() or KEPT in record.getMessage() for record in caplog.records
    )


def _texts(harness: Harness, chat_id: int) -> list[str]:
    return [m.get("text", "") for m in harness.emu.messages(chat_id)]


def _no_apology(harness: Harness) -> None:
    for chat_id in (KASIA, MAREK, OLA):
        assert not [t for t in _texts(harness, chat_id) if APOLOGY in t], chat_id
    answers = [c for c in harness.emu.calls if c.method == "answerCallbackQuery"]
    assert not [c for c in answers if APOLOGY in str(c.params.get("text"))]


async def _press(harness: Harness, user_id: int, card: dict[str, Any], label: str) -> str:
    """Press a button (as labelled on the card when it came: "Będę" turns into "✓ Będę") and
    wait, generously, for its toast."""
    data = {shown: key for row in harness.emu.buttons(card) for shown, key in row}[label]
    assert data is not None
    query_id = harness.emu.press_button(user_id, card, data)
    answer = await harness.emu.callback_answer(query_id, timeout=60)
    return str(answer.get("text"))


# ------------------------------------------------------------- A. PostgreSQL restarted


def test_what_counts_as_a_lost_database_connection() -> None:
    refused = ConnectionRefusedError(111, "Connect call failed")
    assert connection_lost(refused)  # asyncpg raises it as is while connecting
    assert connection_lost(
        OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked"))
    )
    assert not connection_lost(IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE")))
    assert not connection_lost(ValueError("not the database"))
    # Telegram unreachable inside a handler is no reason to run the update again.
    network = NetworkError("httpx.ConnectError")
    network.__cause__ = refused
    assert not connection_lost(network)


@pytest.fixture
async def proxied(
    emulator: BotApiEmulator, db: Database, db_url: str
) -> AsyncIterator[tuple[Harness, TcpProxy]]:
    """The bot reaching PostgreSQL through a proxy that can play a server restart; the test's
    own `harness.session()` goes straight to the server."""
    if not db_url.startswith("postgresql"):
        pytest.skip("a database server to restart: PostgreSQL only")
    url = make_url(db_url)
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    try:
        async with running_bot(emulator, proxy.url_for(db_url)) as app:
            yield Harness(emulator, db, app), proxy
    finally:
        await proxy.close()


async def test_a_message_sent_while_postgres_restarts_is_answered_after_it(
    proxied: tuple[Harness, TcpProxy], caplog: pytest.LogCaptureFixture
) -> None:
    harness, proxy = proxied
    await _team(harness)
    assert "Brak nadchodzących" in (await harness.say(MAREK, "/spotkania"))["text"]
    async with proxy.outage():
        harness.emu.send_message(KASIA, "/nowe 1.12 o 10; MOPS")
        await _eventually(_retried(caplog), "the bot to meet the outage")
        await asyncio.sleep(2)  # the server stays down a little longer
        assert not harness.emu.messages(KASIA)  # neither an answer nor an apology yet
    called = await harness.emu.next_message(KASIA, timeout=60)
    assert CALLED in called["text"]
    await harness.emu.next_message(KASIA)  # her card
    # Ordinary use afterwards, several people at once: the pool has new connections.
    cards = {
        user_id: await harness.emu.next_message(user_id, timeout=30) for user_id in (MAREK, OLA)
    }
    toasts = await asyncio.gather(
        _press(harness, MAREK, cards[MAREK], "Będę"),
        _press(harness, OLA, cards[OLA], "Nie będę"),
        harness.say(KASIA, "/spotkania"),
    )
    assert toasts[0] == "Zapisano: Będę" and toasts[1] == "Zapisano: Nie będę"
    assert "1 nadchodzące spotkanie" in toasts[2]["text"]
    async with harness.session() as session:
        called_once = await session.scalar(select(func.count()).select_from(Meeting))
    assert called_once == 1
    _no_apology(harness)


async def _waiting_on_a_lock(harness: Harness) -> Callable[[], Any]:
    async def check() -> bool:
        async with harness.session() as session:
            waiting = await session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            )
        return bool(waiting)

    return check


async def _until(check: Callable[[], Any], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"still waiting for {what} after {timeout} s"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def _meetings_locked(db_url: str) -> AsyncIterator[None]:
    """Another transaction holds the meeting table: an update that reads it stops mid-flight."""
    holder = Database(db_url)
    try:
        async with holder.session() as session:
            await session.execute(text("LOCK TABLE meeting IN ACCESS EXCLUSIVE MODE"))
            yield
    finally:
        await holder.dispose()


async def test_an_update_in_flight_when_the_connection_drops_is_handled_again(
    proxied: tuple[Harness, TcpProxy], db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    harness, proxy = proxied
    await _team(harness)
    card = await _call_meeting(harness)
    async with _meetings_locked(db_url):
        query_id = harness.emu.press_button(MAREK, card, "Będę")
        # In the middle of its transaction: the member was read, the meeting is being read.
        await _until(await _waiting_on_a_lock(harness), "the update to wait for the meeting")
        async with proxy.outage():
            await _eventually(_retried(caplog), "the update to be tried again")
            await asyncio.sleep(2)
    answer = await harness.emu.callback_answer(query_id, timeout=60)
    assert answer.get("text") == "Zapisano: Będę"
    assert "Twoja odpowiedź: Będę" in (await harness.edited(card))["text"]
    _no_apology(harness)


async def test_backends_terminated_by_the_server_are_replaced(
    harness: Harness, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """pg_terminate_backend, as an administrator or a failover does: the update that was on
    the terminated connection runs again; the other pooled connections are replaced."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    await _team(harness)
    card = await _call_meeting(harness)
    # The scheduler's housekeeping (hourly) touches meetings too: done now, so that the one
    # waiting on the lock below is the update, not a tick.
    await harness.app.bot_data["scheduler"].tick()
    async with _meetings_locked(db_url):
        query_id = harness.emu.press_button(MAREK, card, "Nie będę")
        await _until(await _waiting_on_a_lock(harness), "the update to wait for the meeting")
        async with harness.session() as session:
            terminated = await session.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND pid NOT IN (SELECT pid FROM pg_locks WHERE relation = 'meeting'::regclass "
                    "AND granted)"
                )
            )
        assert terminated
        await _eventually(_retried(caplog), "the update to be tried again")
    answer = await harness.emu.callback_answer(query_id, timeout=60)
    assert answer.get("text") == "Zapisano: Nie będę"
    assert "1 nadchodzące spotkanie" in (await harness.say(OLA, "/spotkania"))["text"]
    _no_apology(harness)


def _scheduler_failed(caplog: pytest.LogCaptureFixture) -> Callable[[], bool]:
    return lambda: any("job skipped" in record.getMessage() for record in caplog.records)


async def test_a_reminder_due_during_the_outage_goes_out_after_it_once(
    proxied: tuple[Harness, TcpProxy], caplog: pytest.LogCaptureFixture
) -> None:
    harness, proxy = proxied
    team_id = await _team(harness)
    async with harness.session() as session:
        team = await teams.get_team(session, team_id)
        meeting = await meetings.schedule(
            session, team, WEDNESDAY_10, "MOPS", None, None, now=MONDAY_9.astimezone(UTC)
        )
        await meetings.answer(
            session,
            meeting,
            await find_member(session, OLA),
            Answer.NO,
            now=MONDAY_9.astimezone(UTC),
        )
    await asyncio.sleep(1.5)  # a tick or two with nothing due
    async with proxy.outage():
        # The 24-hour reminders fall due while the server is down: ticks fail, and go on.
        harness.set_clock((WEDNESDAY_10 - timedelta(days=1)).astimezone(UTC))
        await _eventually(_scheduler_failed(caplog), "a tick to meet the outage")
        await asyncio.sleep(2)
        assert not [t for t in _texts(harness, MAREK) if "Przypomnienie" in t]
    for user_id in (KASIA, MAREK):
        reminder = await harness.emu.next_message(user_id, timeout=60)
        while reminder["text"].startswith("📋"):  # the coordinator's day-before summary
            reminder = await harness.emu.next_message(user_id, timeout=60)
        assert "Przypomnienie" in reminder["text"] and "za 24 godziny" in reminder["text"]
    await asyncio.sleep(3)  # more ticks: nothing is sent twice
    await harness.emu.settle(quiet=0.5, timeout=60)
    for user_id in (KASIA, MAREK):
        assert len([t for t in _texts(harness, user_id) if "Przypomnienie" in t]) == 1
    assert not [t for t in _texts(harness, OLA) if "Przypomnienie" in t]  # she declined
    async with harness.session() as session:
        sent = await session.scalar(
            select(func.count())
            .select_from(ScheduledMessage)
            .where(
                ScheduledMessage.meeting_id == meeting.id,
                ScheduledMessage.state == Delivery.SENT,
                ScheduledMessage.kind != ScheduledKind.SUMMARY,
            )
        )
    assert sent == 2  # the two reminders, each once


async def test_pg_dump_while_the_bot_works(harness: Harness, db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("pg_dump: PostgreSQL only (SQLite: the backup tests below)")
    await _team(harness)
    card = await _call_meeting(harness)
    libpq = make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)

    async def dumps() -> list[int]:
        codes = []
        for index in range(3):
            dump = await asyncio.create_subprocess_exec(
                "pg_dump", "--format=custom", f"--file={tmp_path / f'kopia{index}.dump'}", libpq
            )
            codes.append(await asyncio.wait_for(dump.wait(), timeout=120))
        return codes

    async def toggles() -> list[str]:
        return [
            await _press(harness, MAREK, card, label) for label in ("Będę", "Nie będę", "Może") * 2
        ]

    codes, toasts = await asyncio.gather(dumps(), toggles())
    assert codes == [0, 0, 0]
    assert toasts[-1] == "Zapisano: Może"
    restored = await asyncio.create_subprocess_exec(
        "pg_restore", "--list", str(tmp_path / "kopia2.dump"), stdout=asyncio.subprocess.PIPE
    )
    listing, _ = await restored.communicate()
    assert restored.returncode == 0 and b"TABLE DATA public meeting" in listing
    _no_apology(harness)


# --------------------------------------------------------- B. SQLite locked from outside

LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
print("released", flush=True)
"""


class _Locker:
    """Another process (a backup tool, the sqlite3 shell) holding SQLite's write lock."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.released = False

    async def release(self) -> None:
        if self.released:
            return
        self.released = True
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(b"\n")
        await self.process.stdin.drain()
        assert await asyncio.wait_for(self.process.stdout.readline(), 60) == b"released\n"
        await self.process.wait()


@asynccontextmanager
async def _write_lock_elsewhere(db_url: str) -> AsyncIterator[_Locker]:
    path = make_url(db_url).database or ""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LOCKER,
        path,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    locker = _Locker(process)
    try:
        assert process.stdout is not None
        assert await asyncio.wait_for(process.stdout.readline(), 60) == b"locked\n"
        yield locker
        await locker.release()
    finally:
        if process.returncode is None and not locker.released:
            process.kill()
            await process.wait()


def _sqlite_only(db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's file lock: SQLite only")


async def test_a_write_lock_held_by_another_process_delays_answers(
    harness: Harness, db_url: str
) -> None:
    _sqlite_only(db_url)
    await _team(harness)
    card = await _call_meeting(harness)
    before = len(harness.emu.messages(KASIA))
    async with _write_lock_elsewhere(db_url):
        query_id = harness.emu.press_button(MAREK, card, "Będę")
        harness.emu.send_message(KASIA, "/spotkania")
        await asyncio.sleep(3)  # the other process holds the lock for a few seconds
        # Every unit of work takes the write lock first: nothing can have been answered.
        assert len(harness.emu.messages(KASIA)) == before
        assert not [c for c in harness.emu.calls if c.method == "answerCallbackQuery"]
    answer = await harness.emu.callback_answer(query_id, timeout=60)
    assert answer.get("text") == "Zapisano: Będę"
    listing = await harness.emu.next_message(KASIA, timeout=60)
    assert "1 nadchodzące spotkanie" in listing["text"]
    _no_apology(harness)


async def test_a_lock_held_past_busy_timeout_is_outlasted(
    harness: Harness, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    _sqlite_only(db_url)
    await _team(harness)
    card = await _call_meeting(harness)
    async with _write_lock_elsewhere(db_url):
        query_id = harness.emu.press_button(MAREK, card, "Nie będę")
        # SQLite gives up after busy_timeout (10 s) with "database is locked"; the bot tries
        # the whole update again instead of apologising.
        await _eventually(_retried(caplog), "SQLite to give up waiting")
    answer = await harness.emu.callback_answer(query_id, timeout=60)
    assert answer.get("text") == "Zapisano: Nie będę"
    _no_apology(harness)


async def test_when_the_lock_is_never_released_in_time_the_user_is_told(
    harness: Harness, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sqlite_only(db_url)
    await _team(harness)
    assert "Brak nadchodzących" in (await harness.say(MAREK, "/spotkania"))["text"]
    monkeypatch.setattr(base, "RETRY_FOR", 0.0)  # give up after SQLite's own 10 s
    monkeypatch.setattr(inbox, "TELL_AFTER", 0.0)  # and tell at the first failure
    async with _write_lock_elsewhere(db_url):
        harness.emu.send_message(MAREK, "/spotkania")
        told = await harness.emu.next_message(MAREK, timeout=60)
    assert APOLOGY in told["text"]  # a friendly answer, never silence
    # Kept, not dropped: answered once the database is back, and so is the next one.
    assert "Brak nadchodzących" in (await harness.emu.next_message(MAREK, timeout=30))["text"]
    assert "Brak nadchodzących" in (await harness.say(MAREK, "/spotkania"))["text"]


async def _backup(source_url: str, target: Path) -> tuple[int, str]:
    process = await processes.cli(
        source_url, "db", "backup", str(target), stderr=asyncio.subprocess.STDOUT
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return process.returncode or 0, output.decode()


async def test_backups_while_the_bot_is_busy(harness: Harness, db_url: str, tmp_path: Path) -> None:
    _sqlite_only(db_url)
    await _team(harness)
    async with harness.session() as session:
        await basket.import_rows(session, _services("Sieradz", 2000))
    cards = {MAREK: await _call_meeting(harness)}
    cards[OLA] = harness.emu.messages(OLA)[-1]

    async def toggles(user_id: int) -> list[str]:
        labels = ("Będę", "Nie będę") * 3
        return [await _press(harness, user_id, cards[user_id], label) for label in labels]

    async def backups() -> list[tuple[int, str]]:
        return [await _backup(db_url, tmp_path / f"kopia{index}.db") for index in range(3)]

    copies, *toasts = await asyncio.gather(backups(), toggles(MAREK), toggles(OLA))
    assert [code for code, _ in copies] == [0, 0, 0], copies
    for answers in toasts:
        assert answers[-1] == "Zapisano: Nie będę"
    for index in range(3):
        with contextlib.closing(sqlite3.connect(tmp_path / f"kopia{index}.db")) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert copy.execute("SELECT count(*) FROM service").fetchone() == (2000,)
            assert copy.execute("SELECT count(*) FROM meeting").fetchone() == (1,)
    _no_apology(harness)


def test_a_backup_finishes_although_writes_never_pause(tmp_path: Path) -> None:
    """A copy in steps starts again whenever another connection commits between two steps:
    under a steady stream of commits it never finished."""
    path = tmp_path / "busy.db"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE ballast (x BLOB)")
        setup.execute("BEGIN")
        setup.executemany("INSERT INTO ballast VALUES (?)", ((b"x" * 1000,) for _ in range(20_000)))
        setup.execute("COMMIT")
    stop = threading.Event()
    commits = 0

    def writer() -> None:
        nonlocal commits
        with contextlib.closing(sqlite3.connect(path, isolation_level=None, timeout=30)) as db:
            while not stop.is_set():
                db.execute("INSERT INTO ballast VALUES (x'00')")
                commits += 1
                time.sleep(0.005)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        code, output = asyncio.run(_backup(f"sqlite+aiosqlite:///{path}", tmp_path / "kopia.db"))
    finally:
        stop.set()
        thread.join()
    assert code == 0, output
    assert commits > 0
    with contextlib.closing(sqlite3.connect(tmp_path / "kopia.db")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM ballast").fetchone()[0] >= 20_000


# ------------------------------------------------------------ C. import killed half-way


def _services(town: str, count: int) -> list[dict[str, str]]:
    """A basket file's rows: `count` services of 50 institutions of one municipality."""
    labels = list(CATEGORIES.values())
    rows = []
    for index in range(count):
        row = {column: "" for column in basket.COLUMNS}
        row.update(
            gmina=town,
            instytucja=f"Instytucja numer {index % 50} ({town})",
            sektor="pomoc społeczna",
            usluga=f"Usługa wsparcia numer {index}",
            kategorie=f"{labels[index % len(labels)]}; {labels[(index * 7 + 3) % len(labels)]}",
            opis=f"Pomoc, doradztwo i wsparcie nr {index}: spotkania grupowe i indywidualne.",
            dla_kogo="osoby i rodziny w trudnej sytuacji",
            adres=f"ul. Długa {index}, {town}",
        )
        rows.append(row)
    return rows


SERVICES = 4000
TOWNS = ["Sieradz", "Kutno", "Łowicz", "Zgierz", "Pabianice", "Skierniewice"]


async def _import(db_url: str, file: Path) -> asyncio.subprocess.Process:
    return await processes.cli(db_url, "basket", "import", str(file))


async def _imported(db: Database, town: str) -> tuple[int, int, int, int]:
    """(municipalities, institutions, services, audit entries) of the town's import."""
    async with db.session() as session:
        place = await session.scalar(select(Municipality).where(Municipality.name == town))
        if place is None:
            return 0, 0, 0, 0
        institutions = await session.scalar(
            select(func.count())
            .select_from(Institution)
            .where(Institution.municipality_id == place.id)
        )
        services = await session.scalar(
            select(func.count()).select_from(Service).where(Service.municipality_id == place.id)
        )
        audits = [
            entry
            for entry in await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "basket.import")
            )
            if town in str(entry.details)
        ]
        return 1, institutions or 0, services or 0, len(audits)


class _Progress:
    """Whether an import process is inside its transaction and writing, seen from outside."""

    def __init__(self, db: Database, db_url: str) -> None:
        self.db = db
        self.sqlite = db_url.startswith("sqlite")
        self.path = Path(make_url(db_url).database or "")
        self.wal_at_start = self._wal()

    def _wal(self) -> int:
        wal = self.path.with_name(self.path.name + "-wal")
        return wal.stat().st_size if wal.exists() else 0

    async def writing(self) -> bool:
        if self.sqlite:
            # The transaction's pages spill into the WAL before it commits.
            return self._wal() > self.wal_at_start
        async with self.db.session() as session:
            queries = await session.scalars(
                text(
                    "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
                )
            )
            return any(q.lstrip().upper().startswith("INSERT INTO SERVICE") for q in queries)


async def test_an_import_killed_midway_leaves_all_or_nothing(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    if db_url.startswith("sqlite"):
        # Each attempt needs its WAL to start empty: a fresh copy of the empty database.
        pristine = Path(make_url(db_url).database or "")
    landed: list[str] = []
    town = ""
    for attempt, town in enumerate(TOWNS):
        file = tmp_path / f"koszyk-{attempt}.csv"
        file.write_bytes(basket.write_csv(_services(town, SERVICES)))
        url = db_url
        if db_url.startswith("sqlite"):
            copy = tmp_path / f"attempt-{attempt}.db"
            copy.write_bytes(pristine.read_bytes())
            url = f"sqlite+aiosqlite:///{copy}"
        target = Database(url)
        try:
            progress = _Progress(target, url)
            process = await _import(url, file)
            try:
                deadline = time.monotonic() + 120
                while process.returncode is None and not await progress.writing():
                    assert time.monotonic() < deadline, "the import never started writing"
                    await asyncio.sleep(0.01)
                process.send_signal(signal.SIGKILL)
            except ProcessLookupError:
                pass  # it finished first
            await process.wait()
            found = await _imported(target, town)
            # All of it, or none of it: never a part.
            assert found in ((0, 0, 0, 0), (1, 50, SERVICES, 1)), found
            if process.returncode == -signal.SIGKILL and found == (0, 0, 0, 0):
                landed.append(url)
            print(f"attempt {attempt}: exit {process.returncode}, found {found}")
        finally:
            await target.dispose()
        if landed:
            break
    assert landed, "no kill landed while the import was writing"
    # The same file again completes the import; once more changes nothing.
    url, file = landed[-1], tmp_path / f"koszyk-{TOWNS.index(town)}.csv"
    target = Database(url)
    try:
        reruns = (
            (f"{SERVICES} new, 0 changed, 0 unchanged", 1),
            (f"0 new, 0 changed, {SERVICES} unchanged", 2),
        )
        for report, audits in reruns:
            rerun = await _import(url, file)
            out, err = await asyncio.wait_for(rerun.communicate(), timeout=300)
            assert rerun.returncode == 0, err.decode()
            assert report in out.decode()
            assert await _imported(target, town) == (1, 50, SERVICES, audits)
    finally:
        await target.dispose()
