"""An announcement to 3,000 members through the emulator enforcing Telegram's flood limits.

Run from the project root: `python -m bench.broadcast [--members N] [--quick] [--json PATH]`
(--quick: 100 members). Prints, for a clean run and for one where 5% of recipients blocked
the bot and 1% of calls fail with a 5xx: messages per second (target at least 27, 90% of
Telegram's 30/s), over the whole send and after the first second (the limiter's initial
burst inflates the former for a small audience), 429 answers (target 0 after the
first second), total time and peak memory (RSS of the whole process, emulator included).
SQLite (a temporary file); PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL is
set. The real sending path: the bot's rate limiter (bot/delivery.py on PTB's
BaseRateLimiter) and bot/broadcast.py.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import insert, select
from telegram.ext import ExtBot

from bench import Row, add_common_arguments, database_urls, report, reset_database, rss_mb
from bot.broadcast import Broadcaster
from bot.delivery import ReliableRateLimiter
from botapi_emulator import BotApiEmulator, FloodLimits
from storage import announcements
from storage.db import Database
from storage.models import (
    Announcement,
    AnnouncementState,
    Audience,
    Member,
    Membership,
    Municipality,
    Region,
    Role,
    Team,
    TeamKind,
)

TOKEN = "123456:BENCH-token-for-the-emulator-01"
AUTHOR = 1
FIRST_MEMBER = 100_000
# Paced at 29/s: 100 members take under 3 s a run, of four runs.
MEMBERS, QUICK_MEMBERS = 3_000, 100


async def _team(db: Database, members: int, now: datetime) -> int:
    async with db.session() as session:
        await session.execute(insert(Region).values(id=1, name="łódzkie", created_at=now))
        await session.execute(
            insert(Municipality).values(
                id=1, name="Łódź", timezone="Europe/Warsaw", region_id=1, created_at=now
            )
        )
        await session.execute(
            insert(Team).values(
                id=1, municipality_id=1, kind=TeamKind.PZK, name="PZK Łódź", created_at=now
            )
        )
        people = [
            {
                "id": 1 + i,
                "telegram_id": AUTHOR if i == 0 else FIRST_MEMBER + i,
                "name": f"Osoba {i}",
            }
            for i in range(members + 1)
        ]
        await session.execute(insert(Member), people)
        await session.execute(
            insert(Membership),
            [
                {
                    "team_id": 1,
                    "member_id": p["id"],
                    "role": Role.COORDINATOR if p["telegram_id"] == AUTHOR else Role.MEMBER,
                }
                for p in people
            ],
        )
        author = await session.get(Member, 1)
        assert author is not None
        draft = await announcements.start_draft(session, author, AUTHOR, now)
        draft.text_html = "<b>Pilne:</b> odbiór środków ochrony osobistej w MOPS do piątku."
        draft.audience, draft.audience_id = Audience.TEAM, 1
        await announcements.confirm(session, draft, now, actor_telegram_id=AUTHOR)
        return draft.id


async def run(url: str, members: int, faults: bool) -> Row:
    await reset_database(url)
    now = datetime.now(UTC)
    db = Database(url)
    await db.upgrade()
    announcement_id = await _team(db, members, now)

    emulator = BotApiEmulator(
        token=TOKEN, bot_id=123456, bot_username="bench_bot", limits=FloodLimits()
    )
    await emulator.start()
    emulator.add_user(AUTHOR, "Autor")
    rng = random.Random(11)
    for index in range(1, members + 1):
        emulator.add_user(FIRST_MEMBER + index, "X")
    if faults:
        chosen = rng.sample(range(1, members + 1), k=members * 6 // 100)
        for index in chosen[: members * 5 // 100]:
            emulator.block_bot(FIRST_MEMBER + index)
        for index in chosen[members * 5 // 100 :]:
            emulator.inject_error(500, method="sendMessage", count=1, chat_id=FIRST_MEMBER + index)

    bot = ExtBot(TOKEN, base_url=emulator.base_url, rate_limiter=ReliableRateLimiter())
    await bot.initialize()
    broadcaster = Broadcaster(db, bot)
    rss_before = rss_mb()
    started = time.perf_counter()
    state = AnnouncementState.SENDING
    while state != AnnouncementState.DONE:
        if not await broadcaster.run():
            await asyncio.sleep(1)
        async with db.session() as session:
            state = await session.scalar(
                select(Announcement.state).where(Announcement.id == announcement_id)
            )
    total = time.perf_counter() - started
    async with db.session() as session:
        figures = await announcements.progress(session, announcement_id)
    sends = [
        c for c in emulator.calls if c.method == "sendMessage" and c.params.get("chat_id") != AUTHOR
    ]
    answered = [c for c in sends if c.status in (200, 403)]
    first = min(c.at for c in sends)
    last = max(c.at for c in answered)
    span = last - first
    steady = [c for c in answered if c.at > first + 1]
    too_many = [c for c in emulator.calls if c.status == 429]
    await bot.shutdown()
    await emulator.stop()
    await db.dispose()
    return {
        "backend": "PostgreSQL" if url.startswith("postgresql") else "SQLite",
        "recipients": figures.total,
        "faults": "5% blocked, 1% 5xx" if faults else "none",
        "delivered": figures.sent,
        "blocked": figures.blocked,
        "failed": figures.failed,
        "messages/s": round(len(answered) / span, 1) if span else "-",
        "messages/s after 1st s": round(len(steady) / (last - first - 1), 1) if steady else "-",
        "429 answers": len(too_many),
        "429 after 1st s": sum(1 for c in too_many if c.at > first + 1),
        "total (s)": round(total, 1),
        "peak RSS (MB)": round(max(rss_mb(), rss_before), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, help=f"default {MEMBERS:,}")
    add_common_arguments(parser, quick=f"{QUICK_MEMBERS} members")
    args = parser.parse_args()
    # --quick changes the default; an explicit --members still wins.
    members = args.members or (QUICK_MEMBERS if args.quick else MEMBERS)
    with tempfile.TemporaryDirectory() as folder:
        results = []
        for faults in (False, True):
            urls = database_urls(folder, f"bench-{faults}")
            results += [asyncio.run(run(url, members, faults)) for url in urls]
    report(
        "broadcast",
        "An announcement through the emulator enforcing Telegram's flood limits",
        [(f"{members:,} members, clean and with faults", results)],
        args.json,
        [
            "Targets: at least 27 messages/s (90% of Telegram's 30/s), no 429 after the first"
            " second. Messages/s count every answered send (delivered or 403) between the first"
            " and the last; the limiter's initial burst inflates it for a small audience.",
            "Peak RSS is the whole benchmark process, emulator included.",
        ],
    )


if __name__ == "__main__":
    main()
