"""Calendar subscription feeds (issue 23): how fast does the bot serve a member's feed of 200
meetings, in full and as `304 Not Modified`, and what does serving feeds cost update handling?

Run from the project root: `python -m bench.feeds [--quick] [--json PATH]` (--quick: fewer
requests). The real application polls the project's Bot API emulator in this process, with
PUBLIC_URL set and its feed server (bot/webhook.py `http_server`) on a free local port; an
aiohttp client fetches over real HTTP. The member is in 10 teams with 200 meetings between
90 days ago and 4 months ahead (some cancelled, some answered). Timed one request at a time:
a GET without `If-None-Match` (the whole calendar built: ~200 VEVENTs), and with the current
ETag (the rows read and fingerprinted, nothing built); and cold, with no event serialized
before (as after a start). Then clients fetch the feed without
pause while a user sends commands: feeds served per second, and the commands' reply time
against the same commands with no feed traffic. Rate limits are lifted for the run.
SQLite (a temporary file); PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import timedelta

import aiohttp

from bench import (
    Row,
    add_common_arguments,
    bot_settings,
    database_urls,
    free_port,
    report,
    reset_database,
)
from bot.application import build_application, polling
from bot.feed_http import Buckets, feed_server, feed_url
from bot.feed_ics import forget_events
from bot.webhook import http_server
from botapi_emulator import BotApiEmulator
from storage import feeds, meetings, members, teams
from storage.db import Database
from storage.models import Answer, Membership, Role, TeamKind, utcnow

TOKEN = "123456:BENCH-token-for-the-emulator-01"
MEMBER, OTHER = 2001, 2002
TEAMS, MEETINGS = 10, 200
CLIENTS = 4  # feed fetchers at once in the load part


async def _seed(db: Database) -> str:
    """The member in 10 teams, 200 meetings from 90 days ago on; returns the feed's token."""
    now = utcnow()
    async with db.session() as session:
        member = await members.ensure_member(session, MEMBER, "Osoba 2001", None)
        other = await members.ensure_member(session, OTHER, "Osoba 2002", None)
        made = []
        for n in range(TEAMS):
            team = await teams.add_team(session, f"Gmina {n}", TeamKind.PZK)
            session.add(Membership(team_id=team.id, member_id=member.id, role=Role.MEMBER))
            session.add(Membership(team_id=team.id, member_id=other.id, role=Role.COORDINATOR))
            made.append(await teams.get_team(session, team.id))
        await session.flush()
        for n in range(MEETINGS):
            team = made[n % TEAMS]
            start = now - timedelta(days=89) + timedelta(hours=n * 23)
            before = start - timedelta(hours=1)
            agenda = f"Punkt {n}: dyżury; wnioski, sprawy różne — „{team.name}”"
            meeting = await meetings.schedule(
                session, team, start, f"Urząd, sala {n}", agenda, None, now=start - timedelta(1)
            )
            if n % 7 == 0:
                await meetings.cancel(session, meeting, actor_telegram_id=OTHER, now=before)
            elif n % 3 == 0:
                await meetings.answer(session, meeting, member, Answer.YES, before)
        return await feeds.issue(session, member.id)


def _ms(samples: list[float], q: int) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, len(ordered) * q // 100)] * 1000, 1)


async def _fetch(http: aiohttp.ClientSession, url: str, etag: str | None) -> tuple[int, int, str]:
    headers = {"If-None-Match": etag} if etag else {}
    async with http.get(url, headers=headers) as response:
        body = await response.read()
        return response.status, len(body), response.headers.get("ETag", "")


async def _reply_times(emulator: BotApiEmulator, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        emulator.send_message(MEMBER, "/spotkania")
        await emulator.next_message(MEMBER, timeout=30)
        times.append(time.perf_counter() - began)
    return times


async def run(url: str, requests: int, rounds: int) -> tuple[Row, Row]:
    await reset_database(url)
    db = Database(url)
    await db.upgrade()
    token = await _seed(db)
    await db.dispose()
    emulator = BotApiEmulator(token=TOKEN, bot_id=123456, bot_username="bench_bot", limits=None)
    await emulator.start()
    emulator.add_user(MEMBER, "Osoba", language_code="pl")
    settings = bot_settings(
        TOKEN, emulator.base_url, url, telegram_timeout=30.0, public_url="https://bot.example.org"
    )
    port = free_port()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    app = build_application(settings, paced=False)
    try:
        async with (
            polling(app),
            http_server(app, port=port),
            aiohttp.ClientSession() as http,
        ):
            server = feed_server(app)
            server.by_token = Buckets(10**9, 1e-9)
            server.by_address = Buckets(10**9, 1e-9)
            link = feed_url(f"http://127.0.0.1:{port}", token)
            status, size, etag = await _fetch(http, link, None)  # warm: imports, VTIMEZONE
            assert status == 200, status
            cold = []  # every event serialized anew, as after a start or a change of all
            for _ in range(max(3, requests // 20)):
                forget_events()
                began = time.perf_counter()
                await _fetch(http, link, None)
                cold.append(time.perf_counter() - began)
            full, cached = [], []
            for _ in range(requests):
                began = time.perf_counter()
                status, size, etag = await _fetch(http, link, None)
                full.append(time.perf_counter() - began)
                began = time.perf_counter()
                status, _, _ = await _fetch(http, link, etag)
                cached.append(time.perf_counter() - began)
                assert status == 304, status
            quiet = await _reply_times(emulator, rounds)
            served = 0
            stop = asyncio.Event()

            async def client() -> None:
                nonlocal served
                while not stop.is_set():
                    await _fetch(http, link, None)
                    served += 1

            began = time.perf_counter()
            clients = [asyncio.create_task(client()) for _ in range(CLIENTS)]
            busy = await _reply_times(emulator, rounds)
            stop.set()
            await asyncio.gather(*clients)
            seconds = time.perf_counter() - began
    finally:
        await emulator.stop()
    events = MEETINGS  # cancelled ones are in it too (cancelled just now)
    serving: Row = {
        "backend": backend,
        "events": events,
        "feed (KB)": round(size / 1024, 1),
        "cold p50 (ms)": _ms(cold, 50),
        "full p50 (ms)": _ms(full, 50),
        "full p95 (ms)": _ms(full, 95),
        "304 p50 (ms)": _ms(cached, 50),
        "304 p95 (ms)": _ms(cached, 95),
        "requests each": requests,
    }
    load: Row = {
        "backend": backend,
        "feeds served per second": round(served / seconds, 1),
        "reply p50, no feeds (ms)": round(statistics.median(quiet) * 1000, 1),
        "reply p50, feeds (ms)": round(statistics.median(busy) * 1000, 1),
        "reply p95, feeds (ms)": _ms(busy, 95),
        "commands": rounds,
    }
    return serving, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_common_arguments(parser, quick="20 requests of each kind instead of 200")
    args = parser.parse_args()
    requests, rounds = (20, 10) if args.quick else (200, 40)
    serving, load = [], []
    with tempfile.TemporaryDirectory() as folder:
        for url in database_urls(folder, "feeds"):
            one, two = asyncio.run(run(url, requests, rounds))
            serving.append(one)
            load.append(two)
    report(
        "feeds",
        "Calendar feeds: a member's feed of 200 meetings over HTTP",
        [
            ("Time to serve, one request at a time: full, and 304 with If-None-Match", serving),
            (
                f"{CLIENTS} clients fetching the full feed without pause while a user sends "
                "/spotkania: feeds per second and the reply time",
                load,
            ),
        ],
        args.json,
        notes=[
            "A 304 reads and fingerprints the rows but builds no calendar "
            "(bot/feed_http.py, bot/feed_ics.py `fingerprint`). A full answer joins events "
            "serialized earlier (bot/feed_ics.py keeps them while unchanged); cold: every "
            "event serialized anew by icalendar, as after a start.",
            "One process serves both: the feed server shares the event loop and the database "
            "with update handling.",
        ],
    )


if __name__ == "__main__":
    main()
