"""The whole country: if every municipality in Poland ran its teams with the bot.

Run from the project root: `python -m bench.national [--quick] [--speed N] [--json PATH]`:
2,477 municipalities in 16 voivodeships, each with a PZK and a ZZK team, 75,000 members, a
year of twice-monthly meetings (answers, registers of the past ones, reminders of the coming
ones) and a basket of 20 services per municipality (bench/basket.py's), bulk-inserted
(bench/national_data.py). --quick: 6 municipalities, 180 members. PostgreSQL when
BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set, SQLite (a temporary file) otherwise.

The real application (bot/application.py, paced by its rate limiter) runs in its own process
against the project's Bot API emulator in this one, as in bench/updates.py. Printed:
- database size, data generation time; the bot's start-up (process start to its first
  getUpdates) and memory (RSS after start-up, and the peak at the end);
- `/spotkania`, an RSVP press and `/koszyk przemoc` p50/p95 at 30 updates a second (an open
  loop: one update every 1/30 s, from 120 members in turn);
- the digest of the 1st of the month, 08:00, to every member: the bot's clock jumps to that
  moment and the time to the last delivery is set against the floor of Telegram's 30
  messages a second. Meanwhile reminders fall due (60-minute reminders of meetings spread
  over the floor's span) and members who get no digest ask /spotkania: their lateness;
- a region-wide announcement (the voivodeship with id 1), the same way.

Time is compressed by `--speed` (default 10, quick 20): the emulator lets through 30 x speed
messages a second and the bot's limiter paces at 29 x speed, so the floor is recipients /
(30 x speed) seconds, and the ratio to it is measured. The same send at Telegram's real rate
is estimated as the longer of the time measured (a bot bound by its own work takes as long
either way) and the real floor; reminders waiting behind the send are late in proportion.
The goals (ratio <= 1.1, reminders never > 60 s late, peak memory < 300 MB) are printed as
PASS or MISS beside the figures, never asserted. At full size a send of 75,000 takes long
whatever the speed when the bot is slower than the floor: `--max-wait S` stops waiting after
S seconds and extrapolates the time from the share delivered (marked so).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from telegram import Bot

from bench import (
    Row,
    add_common_arguments,
    bot_settings,
    database_urls,
    report,
    reset_database,
)
from bench.national_data import (
    FIRST_MEMBER,
    Country,
    database_mb,
    digest_moment,
    fill,
    plan_due_reminders,
)
from bench.updates import _card, _press_step, _text_step
from botapi_emulator import BotApiEmulator, FloodLimits
from storage import announcements
from storage.db import Database
from storage.models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementState,
    Audience,
    Delivery,
    Member,
    Rsvp,
    ScheduledKind,
    ScheduledMessage,
    SendState,
)

TOKEN = "123456:BENCH-token-for-the-emulator-01"
FULL = (2_477, 75_000)
QUICK = (6, 180)
TELEGRAM_PER_SECOND = 30
RATE = 30.0  # updates a second in the latency phase
USERS = 120
OBSERVERS = 48
REPLIES_PER_SECOND = 2.0
REPLY_TIMEOUT = 120.0
# Goals (issue 24).
GOAL_RATIO, GOAL_LATE, GOAL_RSS = 1.1, 60.0, 300.0
Step = Callable[[int, int], Awaitable[None]]
T = TypeVar("T")
# Reads while the bot runs: a plain engine, whose deferred transactions do not queue for
# SQLite's writer (the project's take it up front) and so never meet "database is locked".
Reads = async_sessionmaker[AsyncSession]


_BEGAN = time.perf_counter()


def _say(line: str) -> None:
    """Progress, for long runs."""
    print(f"[{time.perf_counter() - _BEGAN:6.0f} s] {line}", flush=True)


def _status_mb(pid: int, field: str) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _percentile(samples: list[float], share: int) -> float:
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100)[share - 1]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# -- the bot's process -------------------------------------------------------------------------


async def _serve(api: str, url: str, speed: float, offset: float, moment: str) -> None:
    """The child: the real application, paced `speed` times Telegram's rate, its clock
    `offset` seconds from real time until SIGUSR1 moves it to `moment` (and on from there)."""
    from bot import delivery
    from bot.application import build_application, polling
    from storage.models import utcnow

    # A tick longer than its 1 s interval is what is measured here, not worth a warning each.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    delivery.OVERALL_PER_SECOND = round(delivery.OVERALL_PER_SECOND * speed)
    shift = [timedelta(seconds=offset)]
    target = datetime.fromisoformat(moment)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, lambda: shift.__setitem__(0, target - utcnow()))
    settings = bot_settings(TOKEN, api, url)
    app = build_application(settings, paced=True)
    app.bot_data["clock"] = lambda: utcnow() + shift[0]
    async with polling(app):
        await stop.wait()


@contextlib.asynccontextmanager
async def _bot(
    emulator: BotApiEmulator, url: str, speed: float, offset: float, moment: datetime
) -> AsyncIterator[tuple[int, float]]:
    """The bot's process and its start-up time (to its first getUpdates)."""
    calls = len(emulator.calls)
    began = time.perf_counter()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.national", "--bot", "--api", emulator.base_url,
        "--database", url, "--speed", str(speed), "--offset", str(offset),
        "--moment", moment.isoformat(),
    )  # fmt: skip
    try:
        while not any(c.method == "getUpdates" for c in emulator.calls[calls:]):
            if child.returncode is not None:
                raise RuntimeError(f"the bot exited with {child.returncode}")
            await asyncio.sleep(0.02)
        yield child.pid, time.perf_counter() - began
    finally:
        child.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(child.wait(), 3)
        except TimeoutError:  # a tick still sending: nothing left to measure
            child.kill()
            await child.wait()


# -- the load ----------------------------------------------------------------------------------


async def _open_loop(
    users: list[int], rate: float, seconds: float, step: Step
) -> tuple[float, list[float]]:
    """One update every 1/rate s, users in turn (one update of a user at a time)."""
    locks = {user: asyncio.Lock() for user in users}
    latencies: list[float] = []

    async def one(user: int, index: int) -> None:
        async with locks[user]:
            begin = time.perf_counter()
            await step(user, index)
            latencies.append(time.perf_counter() - begin)

    count = max(1, int(rate * seconds))
    started = time.perf_counter()
    tasks = []
    for index in range(count):
        await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(users[index % len(users)], index)))
    await asyncio.gather(*tasks)
    return count / (time.perf_counter() - started), latencies


async def _replies_until(
    done: asyncio.Event, emulator: BotApiEmulator, users: list[int]
) -> tuple[list[float], int]:
    """/spotkania from members who get nothing else, REPLIES_PER_SECOND, until `done`: the
    latencies of the answered, and how many got no answer within REPLY_TIMEOUT."""
    for user in users:  # answers that came after an earlier phase gave up on them
        while True:
            try:
                await emulator.next_message(user, timeout=0)
            except AssertionError:
                break
    latencies: list[float] = []
    unanswered = 0
    busy: set[int] = set()
    tasks = []

    async def one(user: int) -> None:
        nonlocal unanswered
        busy.add(user)
        begin = time.perf_counter()
        try:
            emulator.send_message(user, "/spotkania")
            await emulator.next_message(user, timeout=REPLY_TIMEOUT)
            latencies.append(time.perf_counter() - begin)
        except AssertionError:
            unanswered += 1
        finally:
            busy.discard(user)

    index = 0
    while not done.is_set():
        user = users[index % len(users)]
        index += 1
        if user not in busy:
            tasks.append(asyncio.create_task(one(user)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 1 / REPLIES_PER_SECOND)
    await asyncio.gather(*tasks)
    return latencies, unanswered


async def _lateness(
    reads: Reads, meeting_ids: list[int], limit: float, shift: timedelta
) -> tuple[list[float], str]:
    """Seconds late of each reminder of these meetings once none is left to send (or `limit`
    s pass; those still unsent count as late until then), and their states."""
    deadline = time.perf_counter() + limit
    while True:
        async with reads() as session:
            rows = (
                await session.execute(
                    select(
                        ScheduledMessage.due_at, ScheduledMessage.sent_at, ScheduledMessage.state
                    ).where(
                        ScheduledMessage.meeting_id.in_(meeting_ids),
                        ScheduledMessage.kind == ScheduledKind.REMINDER,
                    )
                )
            ).all()
        waiting = [r for r in rows if r.state in (Delivery.PENDING, Delivery.SENDING)]
        if not waiting or time.perf_counter() > deadline:
            break
        await asyncio.sleep(0.5)
    now = datetime.now(UTC) + shift  # the bot's clock
    states: dict[str, int] = {}
    for row in rows:
        states[row.state.value] = states.get(row.state.value, 0) + 1
    late = [
        ((row.sent_at if row.sent_at else now) - row.due_at).total_seconds()
        for row in rows
        if row.state in (Delivery.SENT, Delivery.PENDING, Delivery.SENDING)
    ]
    return late, ", ".join(f"{n} {state}" for state, n in sorted(states.items()))


async def _wait_digest(reads: Reads, limit: float) -> bool:
    """Until the digest rows are planned and none is left to send (or `limit` s pass)."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        async with reads() as session:
            planned = await session.scalar(
                select(func.count()).where(ScheduledMessage.kind == ScheduledKind.DIGEST)
            )
            left = await session.scalar(
                select(func.count()).where(
                    ScheduledMessage.kind == ScheduledKind.DIGEST,
                    ScheduledMessage.state.in_([Delivery.PENDING, Delivery.SENDING]),
                )
            )
        if planned and not left:
            return True
        await asyncio.sleep(0.5)
    return False


async def _wait_announcement(reads: Reads, announcement_id: int, limit: float) -> bool:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        async with reads() as session:
            state = await session.scalar(
                select(Announcement.state).where(Announcement.id == announcement_id)
            )
        if state == AnnouncementState.DONE:
            return True
        await asyncio.sleep(0.5)
    return False


_MASS_KEYS = [
    "send", "recipients", "delivered", "time to last (s)", "floor at 30/s x speed (s)",
    "ratio to floor", "at 30/s, est. (min)", "ratio at 30/s, est.", "ratio goal <= 1.1",
    "reminders due meanwhile", "reminders late p95 (s)", "reminders late max (s)",
    "late max at 30/s, est. (s)", "late goal <= 60 s", "replies meanwhile",
    f"unanswered in {REPLY_TIMEOUT:.0f} s", "reply p50 (ms)", "reply p95 (ms)",
]  # fmt: skip


@dataclass
class Mass:
    what: str
    recipients: int  # rows to send (planned digests, fixed deliveries)
    sent: int
    seconds: float  # to the last delivery; when not complete, so far
    complete: bool
    late: list[float]  # reminders due meanwhile, seconds late
    states: str  # what became of those reminders
    replies: tuple[list[float], int]  # /spotkania meanwhile: seconds, and unanswered


def _mass_row(mass: Mass, speed: float) -> Row:
    """Against the floor at the compressed rate, and estimated at Telegram's real rate: a bot
    bound by its own work takes as long as measured, one bound by the rate takes the floor."""
    replies, unanswered = mass.replies
    talk: Row = {
        "replies meanwhile": len(replies),
        f"unanswered in {REPLY_TIMEOUT:.0f} s": unanswered,
        "reply p50 (ms)": _ms(statistics.median(replies)) if replies else "-",
        "reply p95 (ms)": _ms(_percentile(replies, 95)) if replies else "-",
    }
    if not mass.sent:
        # Nothing went out: the bot's log (on this terminal) says why.
        empty: Row = dict.fromkeys(_MASS_KEYS, "-")
        failed: Row = {
            "send": mass.what,
            "recipients": mass.recipients,
            "delivered": 0,
            "time to last (s)": "nothing sent" if mass.recipients else "nothing planned",
            "ratio goal <= 1.1": "MISS",
            "late goal <= 60 s": "MISS",
        }
        return empty | failed | talk
    seconds = mass.seconds if mass.complete else mass.seconds * mass.recipients / mass.sent
    floor = mass.recipients / (TELEGRAM_PER_SECOND * speed)
    real_floor = mass.recipients / TELEGRAM_PER_SECOND
    real = max(seconds, real_floor)
    worst = max(mass.late) if mass.late else 0.0
    worst_real = worst * real / seconds if seconds else worst
    measured: Row = {
        "send": mass.what,
        "recipients": mass.recipients,
        "delivered": mass.sent,
        "time to last (s)": round(seconds, 1)
        if mass.complete
        else f"~{seconds:.0f} (extrapolated)",
        "floor at 30/s x speed (s)": round(floor, 1),
        "ratio to floor": round(seconds / floor, 2),
        "at 30/s, est. (min)": round(real / 60, 1),
        "ratio at 30/s, est.": round(real / real_floor, 2),
        "ratio goal <= 1.1": _verdict(real / real_floor <= GOAL_RATIO),
        "reminders due meanwhile": mass.states,
        "reminders late p95 (s)": round(_percentile(mass.late, 95), 1) if mass.late else "-",
        "reminders late max (s)": round(worst, 1),
        "late max at 30/s, est. (s)": round(worst_real, 1),
        "late goal <= 60 s": _verdict(worst_real <= GOAL_LATE),
    }
    return measured | talk


async def _retry(work: Callable[[], Awaitable[T]]) -> T:
    """A write of the benchmark's own, while the bot may hold SQLite's writer past its
    busy timeout (the failure is the bot's to report, not a reason to stop measuring)."""
    for attempt in range(10):
        try:
            return await work()
        except OperationalError:
            if attempt == 9:
                raise
            await asyncio.sleep(2)
    raise AssertionError("unreachable")


async def _announce(db: Database, shift: timedelta) -> tuple[int, datetime]:
    """A confirmed announcement to voivodeship 1 by member 1; its id and the bot's time."""
    async with db.session() as session:
        author = await session.scalar(select(Member).where(Member.id == 1))
        assert author is not None
        start = datetime.now(UTC) + shift
        draft = await announcements.start_draft(session, author, author.telegram_id, start)
        draft.text_html = "<b>Pilne:</b> szkolenie wojewódzkie przesunięte na czwartek."
        draft.audience, draft.audience_id = Audience.REGION, 1
        await session.flush()
        await announcements.confirm(session, draft, start, actor_telegram_id=author.telegram_id)
        return draft.id, start


async def _digest_figures(reads: Reads) -> tuple[int, int, datetime | None]:
    """Digest rows planned, sent, and the last sending time."""
    async with reads() as session:
        planned = await session.scalar(
            select(func.count()).where(ScheduledMessage.kind == ScheduledKind.DIGEST)
        )
        last, sent = (
            await session.execute(
                select(func.max(ScheduledMessage.sent_at), func.count()).where(
                    ScheduledMessage.kind == ScheduledKind.DIGEST,
                    ScheduledMessage.state == Delivery.SENT,
                )
            )
        ).one()
    return int(planned or 0), int(sent), last


async def run(
    url: str,
    municipalities: int,
    members: int,
    speed: float,
    seconds: float,
    max_wait: float | None,
) -> dict:
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    await reset_database(url)
    moment = digest_moment(datetime.now(UTC))
    db = Database(url)
    await db.upgrade()
    began = time.perf_counter()
    country: Country = await fill(db, municipalities, members, moment, OBSERVERS)
    generation = time.perf_counter() - began
    size = await database_mb(db)
    _say(f"{backend}: {sum(country.rows.values()):,} rows in {generation:.1f} s")

    reader = create_async_engine(url)
    reads: Reads = async_sessionmaker(reader, expire_on_commit=False)
    emulator = BotApiEmulator(token=TOKEN, bot_id=123456, bot_username="bench_bot", limits=None)
    await emulator.start()
    for member in range(1, members + 1):
        emulator.add_user(100_000 + member, "Osoba")
    teams = sorted(country.team_members)
    spread = teams[:: max(1, len(teams) // USERS)]
    senders = [
        country.team_members[t][2][1]
        for t in spread
        if len(country.team_members[t]) > 2 and country.upcoming[t]
    ][:USERS]
    meeting_of = {
        country.team_members[t][2][1]: country.upcoming[t][0] for t in spread if country.upcoming[t]
    }
    observers = country.muted_observers
    reminder_teams = min(20, max(2, municipalities // 4))
    # The clock: the day before the digest, at noon (no digest, no purge due at the jump).
    before = moment - timedelta(hours=20)
    offset = (before - datetime.now(UTC)).total_seconds()
    result: dict = {"backend": backend}
    async with (
        Bot(TOKEN, base_url=emulator.base_url) as bot,
        _bot(emulator, url, speed, offset, moment) as (pid, startup),
    ):
        _say(f"bot started in {startup:.1f} s")
        await asyncio.sleep(1)  # the first ticks: housekeeping and the daily purge
        rss_start = _status_mb(pid, "VmRSS")
        # Not answered yet, so every press changes the answer and edits the card.
        async with db.session() as session:
            for user in senders:
                await session.execute(
                    delete(Rsvp).where(
                        Rsvp.meeting_id == meeting_of[user],
                        Rsvp.member_id == user - FIRST_MEMBER,
                    )
                )
        cards = {u: await _card(emulator, bot, u, meeting_of[u]) for u in senders}
        steps: dict[str, Step] = {
            "/spotkania": _text_step(emulator, "/spotkania"),
            "RSVP button": _press_step(emulator, cards),
            "/koszyk przemoc": _text_step(emulator, "/koszyk przemoc"),
        }
        latency_rows: list[Row] = []
        for name, step in steps.items():
            await _open_loop(senders, RATE, 0.5, step)  # warm-up
            rate, samples = await _open_loop(senders, RATE, seconds, step)
            latency_rows.append(
                {
                    "backend": backend,
                    "update": name,
                    "offered (updates/s)": RATE,
                    "achieved (updates/s)": round(rate, 1),
                    "p50 (ms)": _ms(statistics.median(samples)),
                    "p95 (ms)": _ms(_percentile(samples, 95)),
                    "max (ms)": _ms(max(samples)),
                }
            )
        rss_ready = _status_mb(pid, "VmRSS")

        # The digest: Telegram's limits, compressed.
        emulator.limits = FloodLimits(
            global_burst=TELEGRAM_PER_SECOND * speed,
            global_per_second=TELEGRAM_PER_SECOND * speed,
        )
        expected_floor = members / (TELEGRAM_PER_SECOND * speed)
        due_meetings = await plan_due_reminders(
            db, country, moment + timedelta(seconds=1), expected_floor, reminder_teams, "digest"
        )
        _say("updates measured; the digest")
        done = asyncio.Event()
        replies = asyncio.create_task(_replies_until(done, emulator, observers))
        os.kill(pid, signal.SIGUSR1)
        shift = moment - datetime.now(UTC)
        complete = await _wait_digest(reads, max_wait or 10 * expected_floor + 300)
        done.set()
        reply_samples = await replies
        planned, sent, last = await _digest_figures(reads)
        so_far = datetime.now(UTC) + shift
        late, states = await _lateness(reads, due_meetings, 120 if complete else 0, shift)
        digest = Mass(
            "digest, 1st of the month 08:00",
            planned,
            sent,
            ((last if complete and last else so_far) - moment).total_seconds(),
            complete,
            late,
            states,
            reply_samples,
        )

        # A region-wide announcement, the same way; observers outside the region reply.
        async with reads() as session:
            recipients = len(
                await announcements.recipients(
                    session, Audience.REGION, 1, author_telegram_id=FIRST_MEMBER + 1
                )
            )
        floor = recipients / (TELEGRAM_PER_SECOND * speed)
        due_meetings = await _retry(
            lambda: plan_due_reminders(
                db,
                country,
                datetime.now(UTC) + shift + timedelta(seconds=2),
                floor,
                reminder_teams,
                "region",
            )
        )
        _say("digest measured; the announcement")
        done = asyncio.Event()
        outside = [u for u in observers if country.observer_region[u] != 1]
        replies = asyncio.create_task(_replies_until(done, emulator, outside))
        region_ids, start = await _retry(lambda: _announce(db, shift))
        complete = await _wait_announcement(reads, region_ids, max_wait or 10 * floor + 120)
        done.set()
        reply_samples = await replies
        async with reads() as session:
            last, sent = (
                await session.execute(
                    select(func.max(AnnouncementDelivery.sent_at), func.count()).where(
                        AnnouncementDelivery.announcement_id == region_ids,
                        AnnouncementDelivery.state == SendState.SENT,
                    )
                )
            ).one()
        so_far = datetime.now(UTC) + shift
        late, states = await _lateness(reads, due_meetings, 120 if complete else 0, shift)
        region = Mass(
            "announcement to a voivodeship",
            recipients,
            int(sent),
            ((last if complete and last else so_far) - start).total_seconds(),
            complete,
            late,
            states,
            reply_samples,
        )
        rss_peak = _status_mb(pid, "VmHWM")
    failed = [
        c for c in emulator.calls if not c.ok and c.method != "getUpdates" and c.status != 429
    ]
    await emulator.stop()
    await reader.dispose()
    await db.dispose()
    result["figures"] = {
        "backend": backend,
        "municipalities": municipalities,
        "members": members,
        "rows": sum(country.rows.values()),
        "data generation (s)": round(generation, 1),
        "database (MB)": round(size, 1),
        "bot start-up (s)": round(startup, 2),
        "RSS after start (MB)": round(rss_start, 1),
        "RSS after updates (MB)": round(rss_ready, 1),
        "peak RSS (MB)": round(rss_peak, 1),
        "memory goal < 300 MB": _verdict(rss_peak < GOAL_RSS),
        "speed": speed,
        "failed calls": len(failed),
    }
    result["latency"] = latency_rows
    result["mass"] = [
        {"backend": backend} | _mass_row(digest, speed),
        {"backend": backend} | _mass_row(region, speed),
    ]
    result["rows"] = country.rows
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--municipalities", type=int)
    parser.add_argument("--members", type=int)
    parser.add_argument("--speed", type=float, help="time compression (default 10, quick 20)")
    parser.add_argument("--seconds", type=float, help="of each latency run (default 20, quick 1)")
    parser.add_argument(
        "--max-wait",
        type=float,
        help="stop waiting for a mass send after this many seconds and extrapolate its time",
    )
    parser.add_argument("--bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--offset", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--moment", help=argparse.SUPPRESS)
    add_common_arguments(parser, quick=f"{QUICK[0]} municipalities, {QUICK[1]:,} members")
    args = parser.parse_args()
    if args.bot:
        asyncio.run(_serve(args.api, args.database, args.speed, args.offset, args.moment))
        return
    municipalities, members = QUICK if args.quick else FULL
    municipalities = args.municipalities or municipalities
    members = args.members or members
    speed = args.speed or (20.0 if args.quick else 10.0)
    seconds = args.seconds or (1.0 if args.quick else 20.0)
    with tempfile.TemporaryDirectory() as folder:
        # PostgreSQL when set, SQLite otherwise: the full size is one backend's hour.
        url = database_urls(folder, "national")[-1]
        result = asyncio.run(run(url, municipalities, members, speed, seconds, args.max_wait))
    report(
        "national",
        "The whole country: every municipality, its teams and members, on one bot",
        [
            ("Size, start-up and memory", [result["figures"]]),
            (
                f"Updates at {RATE:.0f} a second (open loop, {USERS} members in turn)",
                result["latency"],
            ),
            ("Mass sends against Telegram's floor, time compressed", result["mass"]),
            ("Rows generated", [result["rows"]]),
        ],
        args.json,
        [
            f"Speed {speed:g}: the emulator allows {TELEGRAM_PER_SECOND * speed:g} messages/s and"
            f" the bot paces at {29 * speed:g}/s; the floor is recipients / (30 x speed) s, and"
            " the ratio to it is measured. 'At 30/s, est.': the same send at Telegram's real"
            " rate, estimated as the longer of the time measured (a bot bound by its own work"
            " takes as long) and the real floor (recipients / 30); reminders wait behind the"
            " send in proportion. Goals are judged on the estimates; 'extrapolated' means"
            " --max-wait stopped the wait and the time is scaled from the share delivered.",
            "Replies: /spotkania from members who get no digest (muted), during the send.",
            "Teams have no linked group chats: the digest goes to members' private chats only.",
        ],
    )


if __name__ == "__main__":
    main()
