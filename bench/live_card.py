"""The coordinator's live card (issue 18): 50 members answer at once; how many edits of the
coordinator's private card does the bot send, and does Telegram refuse any (429)?

Run from the project root: `python -m bench.live_card [--quick] [--json PATH]` (--quick runs
the same 50 members: the figure is about a burst of 50, and it takes seconds either way).
The real application (bot/application.py, paced by its rate limiter as in production) polls
the project's Bot API emulator in this process. A coordinator calls a meeting, each of the 50
members gets its card; then the emulator enforces Telegram's flood limits (FloodLimits) and
all 50 press "I will come" at once. handlers/meeting_card.py edits the coordinator's card at
most once per LIVE_EVERY seconds; the benchmark counts those edits and any 429, and times
how long until the card shows all 50 answers. The team has no linked group, so the group
card (20 edits a minute there) does not dominate the time. The count ends once all 50 answers
are handled and no refresh of the card is pending, so a late extra edit would be counted.
SQLite (a temporary file); PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from bench import (
    Row,
    add_common_arguments,
    bot_settings,
    database_urls,
    report,
    reset_database,
)
from bot.application import build_application, polling
from botapi_emulator import BotApiEmulator
from botapi_emulator.limits import FloodLimits
from handlers.meeting_card import LIVE_EVERY, live_cards
from storage import members, teams
from storage.db import Database
from storage.models import Membership, Role, TeamKind

TOKEN = "123456:BENCH-token-for-the-emulator-01"
COORDINATOR = 2001
FIRST_MEMBER = 3000
MEMBERS = 50
# A Monday with no holiday near: "jutro o 10" is an ordinary Tuesday.
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


async def _seed(db: Database, people: list[int]) -> None:
    """One team, no linked group: its coordinator and the members."""
    async with db.session() as session:
        team = await teams.add_team(session, "Zduńska Wola", TeamKind.PZK)
        for user, role in [(COORDINATOR, Role.COORDINATOR)] + [(p, Role.MEMBER) for p in people]:
            member = await members.ensure_member(session, user, f"Osoba {user}", None)
            session.add(Membership(team_id=team.id, member_id=member.id, role=role))


async def run(url: str) -> Row:
    await reset_database(url)
    db = Database(url)
    await db.upgrade()
    people = list(range(FIRST_MEMBER, FIRST_MEMBER + MEMBERS))
    await _seed(db, people)
    await db.dispose()

    emulator = BotApiEmulator(token=TOKEN, bot_id=123456, bot_username="bench_bot", limits=None)
    await emulator.start()
    for user in [COORDINATOR, *people]:
        emulator.add_user(user, f"Osoba {user}", language_code="pl")
    settings = bot_settings(TOKEN, emulator.base_url, url, telegram_timeout=30.0)
    try:
        async with polling(build_application(settings)) as app:
            app.bot_data["clock"] = lambda: MONDAY_9
            emulator.send_message(COORDINATOR, "/nowe jutro o 10; MOPS")
            await emulator.next_message(COORDINATOR, timeout=30)
            card = await emulator.next_message(COORDINATOR, timeout=30)
            cards = {user: await emulator.next_message(user, timeout=30) for user in people}
            meeting = cards[people[0]]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            meeting = meeting.split(":")[1]
            await emulator.settle()
            emulator.limits = FloodLimits()  # Telegram's limits from here on
            started_calls = len(emulator.calls)
            edits_before = live_cards(app).edits

            def current() -> str:
                chat = emulator.messages(COORDINATOR)
                return next(m for m in chat if m["message_id"] == card["message_id"])["text"]

            started = time.perf_counter()
            queries = [
                emulator.send_callback(user, user, cards[user]["message_id"], f"rv:{meeting}:y")
                for user in people
            ]
            shown = None
            deadline = started + 120
            while time.perf_counter() < deadline:
                if f"✅ {MEMBERS} ·" in current():
                    shown = time.perf_counter() - started
                    break
                await asyncio.sleep(0.05)
            for query in queries:  # every answer handled...
                await emulator.callback_answer(query, timeout=60)
            await emulator.settle(timeout=60)
            while live_cards(app).dirty:  # ...and no refresh of the card still waiting
                await asyncio.sleep(0.1)
            await emulator.settle(timeout=60)
            counted = live_cards(app).edits - edits_before
            final = current()
    finally:
        await emulator.stop()
    calls = emulator.calls[started_calls:]
    to_coordinator = [
        c
        for c in calls
        if c.method == "editMessageText"
        and c.params.get("chat_id") in (COORDINATOR, str(COORDINATOR))
    ]
    refused = [c for c in calls if c.status == 429]
    return {
        "backend": "PostgreSQL" if url.startswith("postgresql") else "SQLite",
        "answers": MEMBERS,
        "edits of the coordinator's card": len(to_coordinator),
        "edits per answer": round(len(to_coordinator) / MEMBERS, 3),
        "429 answers to the bot": len(refused),
        "card shows all 50 after (s)": round(shown, 1) if shown is not None else "never",
        "final card shows all": "yes" if f"✅ {MEMBERS} · ❔ 0 · ❌ 0" in final else "no",
        "throttle's own count": counted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_common_arguments(parser, quick="the same run (50 members either way)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for url in database_urls(folder, "live_card"):
            rows.append(asyncio.run(run(url)))
    report(
        "live_card",
        "The coordinator's live card: 50 members answering at once",
        [(f"{MEMBERS} answers within a moment; Telegram's flood limits; no linked group", rows)],
        args.json,
        notes=[
            f"The card is edited at most once per {LIVE_EVERY:g} s (handlers/meeting_card.py); "
            "Telegram allows about one edit a second per chat.",
        ],
    )


if __name__ == "__main__":
    main()
