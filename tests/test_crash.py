"""Nothing accepted is lost in a crash (issue 20), tested black-box on the real process.

The bot runs as `python -m bot run` (tests/processes.py) against the strict Bot API emulator,
on each backend, and is killed with SIGKILL, as the OOM killer, a reboot or a service
manager's stop timeout do: during a burst of messages, during an announcement and during a
reminder run. Started again, it must answer or deliver everything, and send a message twice
only when the send's outcome was unknown: a request in flight at the kill (the emulator
records those as abandoned: their client hung up, and they were carried out all the same).
SIGTERM while Telegram hangs every request must end the process within 10 s.

The kill moment is random, seeded: `CRASH_SEED=7 pytest tests/test_crash.py` repeats a run.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import func, select

from botapi_emulator import BotApiEmulator
from botapi_emulator.models import ApiCall
from storage.db import Database
from storage.models import OutboxMessage, OutboxState
from tests import arrange, processes
from tests.test_announcements import _big_announcement
from tests.test_announcements import _delivered as _announced
from tests.test_reminders import _delivered as _reminded
from tests.test_reminders import _many_due

SEED = int(os.environ.get("CRASH_SEED", "20"))
MEMBERS, PER_MEMBER = 40, 5
FIRST_MEMBER = 30_000
TEXT = "/pomoc"  # one reply, always the same for a member (checked below)
QUIET = 5.0  # this long without a request but getUpdates: nothing more is coming
AFTER_RESTART = 60.0  # at most this long for the restarted bot to catch up
STOP_LIMIT = 10.0  # SIGTERM to exit, Telegram hanging: the promise
OUTAGE = 20.0  # Telegram hangs every request this long: past the promise, shorter than a test


@dataclass(frozen=True)
class Outcome:
    """What people got, counted from the emulator's record of calls."""

    unanswered: int  # messages that never got their reply (goal 0)
    twice: int  # replies beyond one per message (goal: at most `in_flight`)
    in_flight: int  # sends abandoned by a killed or stopped process: their outcome unknown
    texts: int  # different reply texts (1: each message got the same, single reply)

    def __str__(self) -> str:
        return (
            f"{self.unanswered} unanswered, {self.twice} answered twice, "
            f"{self.in_flight} sends in flight at the kill"
        )


@contextmanager
def _log(tmp_path: Path, name: str) -> Iterator[IO[bytes]]:
    """The bot's log lines, kept with the test's files (shown by pytest on failure)."""
    with (tmp_path / f"{name}.log").open("ab") as file:
        yield file


async def _team(db: Database, emu: BotApiEmulator, size: int = MEMBERS) -> list[int]:
    users = [FIRST_MEMBER + index for index in range(size)]
    await arrange.crowd(db, emu, users)
    return users


async def _burst(emu: BotApiEmulator, users: list[int], per_user: int, within: float) -> None:
    """Each user sends `per_user` messages, all of them within `within` seconds."""
    for _ in range(per_user):
        for user in users:
            emu.send_message(user, TEXT)
        await asyncio.sleep(within / per_user)


def _replies(emu: BotApiEmulator, users: list[int]) -> list[ApiCall]:
    wanted = set(users)
    return [
        c
        for c in emu.calls
        if c.method == "sendMessage" and c.ok and c.params.get("chat_id") in wanted
    ]


async def _answered_unrecorded(db: Database, emu: BotApiEmulator, users: list[int]) -> int:
    """Replies Telegram answered whose outcome the killed bot had not written down: counted
    exactly (answered minus recorded), not guessed from a time window, which a loaded machine
    outlasts."""
    async with db.session() as session:
        recorded = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.method == "sendMessage",
                OutboxMessage.state == OutboxState.SENT,
                OutboxMessage.chat_id.in_(users),
            )
        )
    return len(_replies(emu, users)) - (recorded or 0)


def _abandoned_sends(emu: BotApiEmulator) -> int:
    return sum(1 for c in emu.abandoned_calls if c.method == "sendMessage")


def _outcome(emu: BotApiEmulator, users: list[int], per_user: int) -> Outcome:
    replies = _replies(emu, users)
    counts = Counter(c.params["chat_id"] for c in replies)
    return Outcome(
        unanswered=sum(max(0, per_user - counts[u]) for u in users),
        twice=sum(max(0, counts[u] - per_user) for u in users),
        in_flight=_abandoned_sends(emu),
        texts=len({c.params.get("text") for c in replies}),
    )


async def _until_quiet(
    emu: BotApiEmulator, done: Callable[[], bool], timeout: float = AFTER_RESTART
) -> None:
    """Until `done()` (and one more second, for a late duplicate), or nothing but getUpdates
    for QUIET seconds, or `timeout`: a bounded wait that ends early when the bot is idle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            await asyncio.sleep(1.0)
            return
        last = max((c.at for c in emu.calls if c.method != "getUpdates"), default=0.0)
        if time.monotonic() - last > QUIET:
            return
        await asyncio.sleep(0.1)


async def _restarted_until(
    emulator: BotApiEmulator, db_url: str, log: IO[bytes], done: Callable[[], bool]
) -> None:
    """The bot started again and left to work until `done()`, then killed: all in, no need
    to wait for a clean stop."""
    again = await processes.run_bot(db_url, emulator, log=log)
    try:
        await _until_quiet(emulator, done)
    finally:
        await processes.kill(again)


async def _kill_when(
    emu: BotApiEmulator,
    bot: asyncio.subprocess.Process,
    ready: Callable[[], bool],
    timeout: float = 30.0,
) -> float:
    """Kill once `ready()`; the moment of the kill."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, "nothing was sent before the kill"
        await asyncio.sleep(0.01)
    return await processes.kill(bot)


# -- a burst of messages --------------------------------------------------------------------------


async def test_kill_during_a_burst_loses_no_message(
    emulator: BotApiEmulator, db: Database, db_url: str, tmp_path: Path
) -> None:
    users = await _team(db, emulator)
    kill_after = random.Random(f"{SEED}:{db_url.split(':')[0]}").uniform(1.5, 3.0)
    with _log(tmp_path, "bot") as log:
        bot = await processes.run_bot(db_url, emulator, log=log)
        began = time.monotonic()
        await _burst(emulator, users, PER_MEMBER, within=0.5)
        await asyncio.sleep(max(0.0, began + kill_after - time.monotonic()))
        await processes.kill(bot)
        unrecorded = await _answered_unrecorded(db, emulator, users)
        before = _outcome(emulator, users, PER_MEMBER)
        await _restarted_until(
            emulator, db_url, log, lambda: _outcome(emulator, users, PER_MEMBER).unanswered == 0
        )
    after = _outcome(emulator, users, PER_MEMBER)
    figures = (
        f"seed {SEED}, killed {kill_after:.2f} s into the burst; at the kill: {before}; "
        f"after the restart: {after}, {unrecorded} answered but not yet recorded at the kill; "
        f"log: {tmp_path / 'bot.log'}"
    )
    assert after.texts == 1, figures  # each message gets the one help screen, nothing else
    assert after.unanswered == 0, figures
    assert after.twice <= after.in_flight + unrecorded, figures


# -- an announcement and a reminder run ----------------------------------------------------------


def _twice(delivered: list[int]) -> int:
    return len(delivered) - len(set(delivered))


async def _killed_mid_run(
    emulator: BotApiEmulator,
    db_url: str,
    tmp_path: Path,
    sent: Callable[[BotApiEmulator], list[int]],
    everyone: set[int],
) -> None:
    """The bot killed after 10 of `sent`, then started again: everyone gets the message, and
    a repeat only for a send in flight or answered just before the kill."""
    people = len(everyone)
    emulator.inject_delay(0.05, method="sendMessage", count=10_000)  # spread the sends out
    with _log(tmp_path, "bot") as log:
        bot = await processes.run_bot(db_url, emulator, log=log)
        killed_at = await _kill_when(emulator, bot, lambda: len(sent(emulator)) >= 10)
        unrecorded = processes.answered_before(emulator, killed_at)
        at_kill = len(sent(emulator))
        await _restarted_until(emulator, db_url, log, lambda: len(set(sent(emulator))) == people)
    delivered = sent(emulator)
    figures = (
        f"{at_kill} delivered at the kill, {len(set(delivered))} of {people} after the "
        f"restart, {_twice(delivered)} twice, {_abandoned_sends(emulator)} in flight, "
        f"{unrecorded} answered just before the kill"
    )
    assert set(delivered) == everyone, figures
    assert _twice(delivered) <= _abandoned_sends(emulator) + unrecorded, figures


async def test_kill_during_an_announcement_loses_nobody(
    emulator: BotApiEmulator, db: Database, db_url: str, tmp_path: Path
) -> None:
    """As test_announcements' restart test, but the whole bot, and no lease rewound by hand:
    what the restarted bot does by itself is what production gets."""
    people = 40
    await _big_announcement(db, emulator, people)
    await _killed_mid_run(
        emulator, db_url, tmp_path, _announced, {20_000 + i for i in range(people)}
    )


async def test_kill_during_a_reminder_run_loses_nobody(
    emulator: BotApiEmulator, db: Database, db_url: str, tmp_path: Path
) -> None:
    """As test_reminders' kill test, but the whole bot, and no lease rewound by hand."""
    people = 40
    await _many_due(db, emulator, people)
    await _killed_mid_run(
        emulator, db_url, tmp_path, _reminded, {10_000 + i for i in range(people)}
    )


# -- a stop while Telegram hangs -------------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # about Telegram, not the database
async def test_sigterm_while_telegram_hangs_stops_within_10_s_and_loses_nothing(
    emulator: BotApiEmulator, db: Database, db_url: str, tmp_path: Path
) -> None:
    users = await _team(db, emulator)
    with _log(tmp_path, "bot") as log:
        bot = await processes.run_bot(db_url, emulator, log=log)
        await _burst(emulator, users, PER_MEMBER, within=0.5)
        while len(_replies(emulator, users)) < 5:  # handlers are busy sending
            await asyncio.sleep(0.01)
        ends = emulator.outage(OUTAGE, status=None)  # every request hangs, then is carried out
        await asyncio.sleep(0.5)
        stopped = await processes.stop_within(bot, limit=OUTAGE - 5)
        code = bot.returncode
        await asyncio.sleep(max(0.0, ends - time.monotonic()))
        # Telegram is back: what was left unsent waits for the next start, then goes out.
        await _restarted_until(
            emulator, db_url, log, lambda: _outcome(emulator, users, PER_MEMBER).unanswered == 0
        )
    after = _outcome(emulator, users, PER_MEMBER)
    figures = f"SIGTERM to exit: {stopped:.1f} s (exit code {code}); after the restart: {after}"
    assert stopped < STOP_LIMIT and code == 0, figures
    assert after.unanswered == 0, figures
    assert after.twice <= after.in_flight, figures
