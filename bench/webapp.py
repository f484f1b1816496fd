"""The coordinator's Mini App (issue 25): how fast the page is usable on a phone, what each
page costs in bytes, and what the API answers cost while the bot handles updates.

Run from the project root: `python -m bench.webapp [--quick] [--json PATH]` (--quick: 5 page
loads instead of 10, 3 calls of each kind instead of 30; about 20 s on SQLite). The real
application polls the project's Bot API emulator in this process, with PUBLIC_URL set and its
HTTP server (bot/webhook.py `http_server`, the Mini App under /app/) on a free local port.
Seeded: the demo municipalities and basket; a team of 40 members with 12 meetings this
month, answered.

- Page load to interactive: headless Chromium (Debian's `chromium`, driven by Playwright) at
  the phone viewport (390×844), a fresh browser context each time (nothing cached), from
  `goto` of the launch URL (initData in the hash, as Telegram opens it) until the calendar is
  drawn from the server's answers (`html[data-state=ready]`); the median of 10. Skipped, with a
  note, where chromium or Playwright is missing.
- Bytes per page: what the browser received (headers and encoded bodies) for the calendar
  opened cold (the static files, the session, the member, the month) and then for going to
  the basket and to the figures (their API answers and the chart image).
- API under load: each API call timed one at a time over HTTP (aiohttp), first on a quiet
  bot, then while 16 users send `/spotkania` and `/koszyk przemoc` to the bot through the
  emulator without pause (a lighter bench.updates); p50 and p95 per call, and the updates
  handled per second meanwhile.

SQLite (a temporary file); PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import select

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
from bot.webhook import http_server
from botapi_emulator import BotApiEmulator
from storage import meetings, members, teams
from storage.db import Database
from storage.demo import load_demo_data
from storage.models import Answer, Membership, Role, Service, Team, TeamKind

TOKEN = "123456:BENCH-token-for-the-emulator-01"
COORDINATOR = 3000
MEMBERS = 40  # in the team, telegram ids 3001..3040; the first LOADERS send updates
LOADERS = 16
MEETINGS = 12
TOWN = "Zduńska Wola"
WARSAW = ZoneInfo("Europe/Warsaw")
PHONE = {"width": 390, "height": 844}


def _ms(samples: list[float], q: int) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, len(ordered) * q // 100)] * 1000, 1)


def _init_data(user_id: int) -> str:
    from bot.webapp.auth import sign_init_data

    user = {"id": user_id, "first_name": "Koordynatorka", "language_code": "pl"}
    return sign_init_data(TOKEN, user, int(time.time()), query_id=secrets.token_hex(8))


def _launch_url(base: str, user_id: int) -> str:
    data = quote(_init_data(user_id), safe="")
    return f"{base}/app/#tgWebAppData={data}&tgWebAppVersion=8.0&tgWebAppPlatform=android"


async def _seed(db: Database) -> tuple[int, int, int, int]:
    """Returns (team id, municipality id, a meeting id, a service id of the town)."""
    async with db.session() as session:
        await load_demo_data(session)
    now = datetime.now(WARSAW)
    async with db.session() as session:
        team_id = await session.scalar(
            select(Team.id).where(Team.name == f"{TeamKind.PZK.value} {TOWN}")
        )
        assert team_id is not None, "the demo data has no PZK of the town"
        team = await teams.get_team(session, team_id)
        coordinator = await members.ensure_member(session, COORDINATOR, "Koordynatorka", None)
        session.add(Membership(team_id=team.id, member_id=coordinator.id, role=Role.COORDINATOR))
        people = []
        for n in range(1, MEMBERS + 1):
            person = await members.ensure_member(session, COORDINATOR + n, f"Osoba {n}", None)
            session.add(Membership(team_id=team.id, member_id=person.id, role=Role.MEMBER))
            people.append(person)
        await session.flush()
        meeting_id = 0
        for n in range(MEETINGS):
            local = now.replace(day=1 + n * 2, hour=10, minute=0, second=0, microsecond=0)
            start = local.astimezone(UTC)
            made = await meetings.schedule(
                session,
                team,
                start,
                f"Sala {n}, MOPS",
                "1. Dyżury\n2. Wolne wnioski",
                coordinator,
                now=start - timedelta(days=1),
            )
            for index, person in enumerate(people[: MEMBERS // 2]):
                answer = (Answer.YES, Answer.MAYBE, Answer.NO)[index % 3]
                await meetings.answer(session, made, person, answer, start - timedelta(hours=2))
            meeting_id = meeting_id or made.id
        service_id = await session.scalar(
            select(Service.id)
            .where(Service.municipality_id == team.municipality_id)
            .order_by(Service.id)
        )
        assert service_id is not None
        return team.id, team.municipality_id, meeting_id, service_id


# ---------------------------------------------------------------- the browser


async def _one_load(browser: Any, base: str, pages: bool) -> tuple[float, dict[str, int]]:
    """One cold load of the calendar, timed; with `pages`, then the bytes of each page."""
    context = await browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="pl-PL"
    )
    page = await context.new_page()
    received: list[Any] = []
    page.on("requestfinished", lambda request: received.append(request))

    async def settled(view: str) -> None:
        await page.wait_for_selector(f"html[data-state=ready][data-view={view}]", timeout=30_000)

    async def transferred() -> int:
        await page.wait_for_load_state("networkidle")
        total = 0
        for request in received:
            size = await request.sizes()
            total += size["responseBodySize"] + size["responseHeadersSize"]
        received.clear()
        return total

    try:
        began = time.perf_counter()
        await page.goto(_launch_url(base, COORDINATOR))
        await settled("calendar")
        elapsed = time.perf_counter() - began
        sizes: dict[str, int] = {}
        if pages:
            sizes["calendar"] = await transferred()
            await page.click("#nav-basket")
            await settled("basket")
            sizes["basket"] = await transferred()
            await page.click("#nav-figures")
            await settled("figures")
            sizes["figures"] = await transferred()
        return elapsed, sizes
    finally:
        await context.close()


async def _browser_figures(base: str, loads: int) -> tuple[Row | None, str]:
    """Load to interactive and bytes per page; (None, why) without a browser."""
    executable = shutil.which("chromium")
    if executable is None:
        return None, "chromium is not installed (apt-get install chromium): no page figures"
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        return None, "Playwright is not installed (pip install -e '.[test]'): no page figures"
    times: list[float] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable)
        try:
            await _one_load(browser, base, False)  # warm: the server's first answers
            for _ in range(loads):
                elapsed, _sizes = await _one_load(browser, base, False)
                times.append(elapsed)
            _, sizes = await _one_load(browser, base, True)
        finally:
            await browser.close()
    row: Row = {
        "load to interactive p50 (ms)": round(statistics.median(times) * 1000, 1),
        "min (ms)": round(min(times) * 1000, 1),
        "max (ms)": round(max(times) * 1000, 1),
        "loads": len(times),
        "calendar, cold (KB)": round(sizes["calendar"] / 1024, 1),
        "basket (KB)": round(sizes["basket"] / 1024, 1),
        "figures (KB)": round(sizes["figures"] / 1024, 1),
    }
    return row, ""


# ---------------------------------------------------------------- the API under load

Call = Callable[[], Awaitable[int]]


def _calls(
    http: aiohttp.ClientSession,
    base: str,
    token: str,
    ids: tuple[int, int, int, int],
) -> dict[str, Call]:
    team_id, place, meeting_id, service_id = ids
    api = f"{base}/app/api"
    auth = {"Authorization": f"Bearer {token}"}
    month = datetime.now(WARSAW).strftime("%Y-%m")
    year = datetime.now(WARSAW).strftime("%Y")
    edits = {"n": 0}
    service: dict[str, Any] = {}

    async def get(path: str) -> int:
        async with http.get(f"{api}/{path}", headers=auth) as response:
            await response.read()
            return response.status

    async def session() -> int:
        body = {"init_data": _init_data(COORDINATOR)}
        async with http.post(f"{api}/session", json=body) as response:
            await response.read()
            return response.status

    async def edit() -> int:
        if not service:
            async with http.get(f"{api}/municipalities/{place}/services", headers=auth) as got:
                found = await got.json()
            service.update(next(s for s in found["services"] if s["id"] == service_id))
            service.pop("id", None)
        edits["n"] += 1
        body = {**service, "hours": f"pn–pt 8:00–{15 + edits['n'] % 2}:00"}
        async with http.put(f"{api}/services/{service_id}", json=body, headers=auth) as response:
            await response.read()
            return response.status

    return {
        "POST session": session,
        "GET me": lambda: get("me"),
        "GET meetings (month)": lambda: get(f"teams/{team_id}/meetings?month={month}"),
        "GET meeting": lambda: get(f"meetings/{meeting_id}"),
        "GET services ?q=przemoc": lambda: get(f"municipalities/{place}/services?q=przemoc"),
        "GET services (all)": lambda: get(f"municipalities/{place}/services"),
        "PUT service": edit,
        "GET figures": lambda: get(f"figures?period={year}"),
        "GET figures.png": lambda: get(f"figures.png?period={year}"),
        "GET figures.xlsx": lambda: get(f"figures.xlsx?period={year}"),
    }


async def _time_calls(calls: dict[str, Call], rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            began = time.perf_counter()
            status = await call()
            times[name].append(time.perf_counter() - began)
            assert status < 300, f"{name}: {status}"
    return times


async def _updates_load(emulator: BotApiEmulator, stop: asyncio.Event) -> int:
    """LOADERS users send commands without pause until `stop`; returns updates answered."""
    done = 0

    async def user_loop(user: int) -> None:
        nonlocal done
        n = 0
        while not stop.is_set():
            emulator.send_message(user, "/spotkania" if n % 2 == 0 else "/koszyk przemoc")
            await emulator.next_message(user, timeout=60)
            done += 1
            n += 1

    await asyncio.gather(*(user_loop(COORDINATOR + 1 + n) for n in range(LOADERS)))
    return done


async def run(url: str, loads: int, rounds: int) -> tuple[Row | None, list[Row], Row, str]:
    await reset_database(url)
    db = Database(url)
    await db.upgrade()
    ids = await _seed(db)
    await db.dispose()
    emulator = BotApiEmulator(token=TOKEN, bot_id=123456, bot_username="bench_bot", limits=None)
    await emulator.start()
    for n in range(LOADERS):
        emulator.add_user(COORDINATOR + 1 + n, f"Osoba {n + 1}", language_code="pl")
    settings = bot_settings(
        TOKEN, emulator.base_url, url, telegram_timeout=30.0, public_url="https://bot.example.org"
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    app = build_application(settings, paced=False)
    try:
        async with (
            polling(app),
            http_server(app, port=port),
            aiohttp.ClientSession() as http,
        ):
            page, why = await _browser_figures(base, loads)
            async with http.post(
                f"{base}/app/api/session", json={"init_data": _init_data(COORDINATOR)}
            ) as response:
                assert response.status == 200, response.status
                token = (await response.json())["token"]
            calls = _calls(http, base, token, ids)
            await _time_calls(calls, 1)  # warm: imports, matplotlib, first queries
            quiet = await _time_calls(calls, rounds)
            stop = asyncio.Event()
            load = asyncio.create_task(_updates_load(emulator, stop))
            await asyncio.sleep(0.5)  # the users under way
            began = time.perf_counter()
            busy = await _time_calls(calls, rounds)
            seconds = time.perf_counter() - began
            stop.set()
            updates = await load
    finally:
        with contextlib.suppress(Exception):
            await emulator.stop()
    rows: list[Row] = [
        {
            "backend": backend,
            "call": name,
            "quiet p50 (ms)": _ms(quiet[name], 50),
            "quiet p95 (ms)": _ms(quiet[name], 95),
            "under load p50 (ms)": _ms(busy[name], 50),
            "under load p95 (ms)": _ms(busy[name], 95),
            "calls": rounds,
        }
        for name in calls
    ]
    load_row: Row = {
        "backend": backend,
        "updates answered per second": round(updates / seconds, 1),
        "updates": updates,
        "seconds": round(seconds, 1),
    }
    if page is not None:
        page = {"backend": backend, **page}
    return page, rows, load_row, why


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_common_arguments(parser, quick="5 page loads and 3 calls of each kind (about 20 s)")
    args = parser.parse_args()
    loads, rounds = (5, 3) if args.quick else (10, 30)
    pages: list[Row] = []
    api: list[Row] = []
    loads_rows: list[Row] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for url in database_urls(folder, "webapp"):
            page, rows, load_row, why = asyncio.run(run(url, loads, rounds))
            loads_rows.append(load_row)
            if page is not None:
                pages.append(page)
                print(
                    f"{page['backend']}: page load to interactive, median of {page['loads']}: "
                    f"{page['load to interactive p50 (ms)']} ms",
                    flush=True,
                )
            elif why not in notes:
                notes.append(why)
            api += rows
    report(
        "webapp",
        "The Mini App: page load on a phone, bytes per page, the API under update load",
        [
            (
                "Headless Chromium at 390×844, a fresh context each load: launch URL to the "
                "calendar drawn; bytes received per page (headers + encoded bodies)",
                pages,
            ),
            (
                f"Each API call one at a time over HTTP, quiet and while {LOADERS} users send "
                "/spotkania and /koszyk przemoc without pause",
                api,
            ),
            ("The users' updates answered meanwhile", loads_rows),
        ],
        args.json,
        notes=[
            *notes,
            "The calendar's bytes include the static page (index.html, app.js, app.css: no "
            "framework, nothing from the internet); the basket's and the figures' are their "
            "API answers (the figures' with the chart image), the static files already loaded.",
            "One process serves both: the Mini App shares the event loop and the database "
            "with update handling. Rate limits of the emulator are off.",
        ],
    )


if __name__ == "__main__":
    main()
