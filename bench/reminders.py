"""Reminders at scale: start-up, memory, an idle tick, and the delay of 1,000 due at once.

Run from the project root: `python -m bench.reminders [--meetings N] [--due N] [--quick]
[--json PATH]`: 100,000 future meetings of 20 members (4 million reminder rows), 1,000 of
them due at once (--quick: 500 meetings, 200 due), on SQLite (a temporary file) and, when
BENCH_DATABASE_URL or TEST_DATABASE_URL is set, on PostgreSQL too (its public schema is
dropped and recreated). Messages go to the project's Bot API emulator without flood limits
and through a Bot without a rate limiter: the delay measured is the bot's own, "apart from
Telegram's rate limit". Targets: start-up under 2 s, idle tick under 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from telegram import Bot

from bench import Row, add_common_arguments, database_urls, report, reset_database, rss_mb
from bot.scheduler import Scheduler
from botapi_emulator import BotApiEmulator
from storage.db import Database
from storage.models import (
    Delivery,
    Meeting,
    Member,
    Membership,
    Municipality,
    Region,
    ScheduledKind,
    ScheduledMessage,
    Team,
    TeamKind,
)

TOKEN = "123456:BENCH-token-for-the-emulator-01"
MEMBERS_PER_TEAM = 20
MEETINGS_PER_TEAM = 100
MEETINGS, DUE_AT_ONCE = 100_000, 1000
# Sending is ~30 ms a reminder on a 2-core machine: 200 keep the quick run short.
QUICK_MEETINGS, QUICK_DUE_AT_ONCE = 500, 200
CHUNK = 5000


async def _fill(db: Database, meetings: int, now: datetime) -> int:
    """Teams of 20 with 100 future meetings each; two reminder rows per member and meeting."""
    teams = max(1, meetings // MEETINGS_PER_TEAM)
    rng = random.Random(7)
    async with db.session() as session:
        await session.execute(insert(Region).values(id=1, name="łódzkie", created_at=now))
        await session.execute(
            insert(Municipality).values(
                id=1, name="Łódź", timezone="Europe/Warsaw", region_id=1, created_at=now
            )
        )
        await session.execute(
            insert(Team),
            [
                {
                    "id": t + 1,
                    "municipality_id": 1,
                    "kind": TeamKind.PZK,
                    "name": f"PZK {t}",
                    "chat_id": None,
                    "created_at": now,
                }
                for t in range(teams)
            ],
        )
        await session.execute(
            insert(Member),
            [
                {
                    "id": m + 1,
                    "telegram_id": 100_000 + m,
                    "name": f"Osoba {m}",
                    "created_at": now,
                    "last_seen_at": now,
                }
                for m in range(teams * MEMBERS_PER_TEAM)
            ],
        )
        await session.execute(
            insert(Membership),
            [
                {"team_id": m // MEMBERS_PER_TEAM + 1, "member_id": m + 1, "joined_at": now}
                for m in range(teams * MEMBERS_PER_TEAM)
            ],
        )
    rows = 0
    meeting_rows, reminder_rows = [], []
    for index in range(teams * MEETINGS_PER_TEAM):
        team_id = index // MEETINGS_PER_TEAM + 1
        start = now + timedelta(days=2 + rng.random() * 118)
        meeting_rows.append(
            {
                "id": index + 1,
                "team_id": team_id,
                "starts_at": start,
                "place": "MOPS",
                "uid": f"bench-{index}",
                "created_at": now,
                "updated_at": now,
            }
        )
        for member in range(MEMBERS_PER_TEAM):
            member_id = (team_id - 1) * MEMBERS_PER_TEAM + member + 1
            for offset in (1440, 60):
                reminder_rows.append(
                    {
                        "kind": ScheduledKind.REMINDER,
                        "team_id": team_id,
                        "meeting_id": index + 1,
                        "member_id": member_id,
                        "chat_id": 100_000 + member_id - 1,
                        "offset_minutes": offset,
                        "due_at": start - timedelta(minutes=offset),
                        "state": Delivery.PENDING,
                        "attempts": 0,
                    }
                )
        if len(reminder_rows) >= CHUNK * 8:
            rows += await _flush(db, meeting_rows, reminder_rows)
            meeting_rows, reminder_rows = [], []
    rows += await _flush(db, meeting_rows, reminder_rows)
    return rows


async def _flush(db: Database, meetings: list[dict], reminders: list[dict]) -> int:
    async with db.session() as session:
        if meetings:
            await session.execute(insert(Meeting), meetings)
        for start in range(0, len(reminders), CHUNK):
            await session.execute(insert(ScheduledMessage), reminders[start : start + CHUNK])
    return len(reminders)


async def run(url: str, meetings: int, due: int) -> Row:
    await reset_database(url)
    now = datetime.now(UTC)
    db = Database(url)
    await db.upgrade()
    filled_at = time.perf_counter()
    rows = await _fill(db, meetings, now)
    fill_seconds = time.perf_counter() - filled_at
    await db.dispose()

    emulator = BotApiEmulator(token=TOKEN, bot_id=123456, bot_username="bench_bot", limits=None)
    await emulator.start()
    for member in range(max(1, meetings // MEETINGS_PER_TEAM) * MEMBERS_PER_TEAM):
        emulator.add_user(100_000 + member, "X")

    # Start-up: what the bot does before it can tick: open the database, migrate, first tick.
    rss_before = rss_mb()
    started = time.perf_counter()
    db = Database(url)
    await db.upgrade()
    bot = Bot(TOKEN, base_url=emulator.base_url)
    await bot.initialize()
    scheduler = Scheduler(db, bot, clock=lambda: now)
    await scheduler.tick()  # includes housekeeping (series, digests, take-overs)
    startup = time.perf_counter() - started
    rss_after = rss_mb()

    idle = []
    for _ in range(200):
        begin = time.perf_counter()
        await scheduler.tick()
        idle.append(time.perf_counter() - begin)

    # `due` reminders fall due at once.
    async with db.session() as session:
        ids = list(
            await session.scalars(
                select(ScheduledMessage.id).order_by(ScheduledMessage.id).limit(due)
            )
        )
        await session.execute(
            update(ScheduledMessage).where(ScheduledMessage.id.in_(ids)).values(due_at=now)
        )
    moment = datetime.now(UTC)
    # The clock runs on from the moment they fell due.
    scheduler.clock = lambda: now + (datetime.now(UTC) - moment)
    while await scheduler.tick():
        pass
    async with db.session() as session:
        sent = list(
            await session.scalars(
                select(ScheduledMessage.sent_at).where(ScheduledMessage.id.in_(ids))
            )
        )
    delays = sorted((s - now).total_seconds() for s in sent if s is not None)
    # Telegram lets a bot send about 30 messages a second: the i-th message cannot go out
    # before i/30 s. What the bot adds on top of that is its own delay.
    beyond = sorted(max(0.0, d - i / 30) for i, d in enumerate(delays))
    await bot.shutdown()
    await emulator.stop()
    await db.dispose()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    return {
        "backend": backend,
        "meetings": meetings,
        "reminder rows": rows,
        "fill (s)": round(fill_seconds, 1),
        "start-up (s)": round(startup, 3),
        "memory growth at start-up (MB)": round(rss_after - rss_before, 1),
        "max RSS (MB)": round(rss_after, 1),
        "idle tick p50 (ms)": round(statistics.median(idle) * 1000, 3),
        "idle tick p99 (ms)": round(statistics.quantiles(idle, n=100)[98] * 1000, 3),
        f"sent of {due:,} due": len(delays),
        "delay p50 (s)": round(statistics.median(delays), 3) if delays else "-",
        "delay p99 (s)": round(statistics.quantiles(delays, n=100)[98], 3) if delays else "-",
        "delay beyond 30/s, p99 (s)": round(statistics.quantiles(beyond, n=100)[98], 3)
        if beyond
        else "-",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meetings", type=int, help=f"default {MEETINGS:,}")
    parser.add_argument("--due", type=int, help=f"due at once, default {DUE_AT_ONCE:,}")
    add_common_arguments(
        parser, quick=f"{QUICK_MEETINGS:,} meetings, {QUICK_DUE_AT_ONCE} due at once"
    )
    args = parser.parse_args()
    # --quick changes the defaults; an explicit --meetings or --due still wins.
    meetings = args.meetings or (QUICK_MEETINGS if args.quick else MEETINGS)
    due = args.due or (QUICK_DUE_AT_ONCE if args.quick else DUE_AT_ONCE)
    with tempfile.TemporaryDirectory() as folder:
        results = [asyncio.run(run(url, meetings, due)) for url in database_urls(folder)]
    report(
        "reminders",
        "Reminders at scale: start-up, an idle tick, and reminders falling due at once",
        [
            (
                f"{meetings:,} future meetings of {MEMBERS_PER_TEAM} members"
                f" (two reminders each), {due:,} due at once",
                results,
            )
        ],
        args.json,
        [
            "Targets: start-up under 2 s, idle tick under 10 ms. No rate limiter: delays are"
            " the bot's own; 'delay beyond 30/s' is what the bot adds to Telegram's pace"
            " (the i-th message cannot go out before i/30 s).",
            "Memory growth at start-up compares peak RSS (ru_maxrss), which the fill has"
            " already raised: it shows only growth beyond that peak.",
        ],
    )


if __name__ == "__main__":
    main()
