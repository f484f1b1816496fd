"""Update handling: updates per second and latency, end to end over HTTP, against an echo bot.

Run from the project root:
`python -m bench.updates [--members N] [--rounds N] [--quick] [--json PATH]`
(--quick: 1,000 members, 3 updates per user and kind instead of 25).
The real application (bot/application.py: handlers, one database session per update, the
per-user update processor) runs in its own process, as in production, polling the project's
Bot API emulator, which runs with the load in this process on 127.0.0.1; 32 virtual
users each send an update, wait for the bot's answer and send the next one (a closed loop).
Three kinds of update:
- `/spotkania`: the member's upcoming meetings (a database read, one message back);
- an RSVP button press: the answer is stored, the query answered and the card edited;
- `/koszyk przemoc`: a search of the local service basket.
The floor is a bare python-telegram-bot echo bot (text echoed, a button press answered and
its message edited), run the same way with the same concurrency (64), its HTTP pool at 8;
the same echo bot on the bot's own HTTP client (aiohttp, bot/telegram_http.py) is measured
too, to tell the client's share from the rest. The bots take turns (--rounds, 3; quick 1)
and each figure is the round with the median rate. Targets: our rate at least half the
(PTB as it comes) echo bot's on SQLite and on PostgreSQL; peak memory of the bot process
under 200 MB with 10,000 members.
Neither bot is paced by a rate limiter and the emulator enforces no flood limits here:
Telegram's ~30 messages a second would cap both and hide the bot's own cost.
SQLite (a temporary file); PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bench import (
    add_common_arguments,
    bot_settings,
    database_urls,
    report,
    reset_database,
    settle,
)
from bot import event_loop
from bot.application import TELEGRAM_CONNECTIONS, build_application, polling
from bot.telegram_http import AiohttpRequest
from botapi_emulator import BotApiEmulator
from storage.db import Database
from storage.demo import load_demo_data
from storage.models import (
    Answer,
    Institution,
    Meeting,
    MeetingStatus,
    Member,
    Membership,
    Role,
    Rsvp,
    Team,
    TeamKind,
)

TOKEN = "123456:BENCH-token-for-the-emulator-01"
FIRST_MEMBER = 100_000
TEAM_SIZE = 20
MEETINGS_PER_TEAM = 4
VIRTUAL_USERS = 32
JsonDict = dict[str, Any]
# The floor, PTB as it comes (httpx), and the same echo bot on the bot's own HTTP client.
ECHO_BOTS = ("echo", "echo-aiohttp")
ECHO_CONNECTIONS = 8


@dataclass(frozen=True)
class Seeded:
    senders: list[int]  # Telegram ids of the virtual users, one team each
    meeting_of: dict[int, int]  # sender -> a meeting of their team


async def _seed(db: Database, members: int, now: datetime) -> Seeded:
    """Demo municipalities and basket, then `members` members in teams of 20, each team with
    four upcoming meetings that half of its members answered."""
    async with db.session() as session:
        await load_demo_data(session)
    async with db.session() as session:
        places = list(await session.scalars(select(Institution.municipality_id).distinct()))
        institutions = {
            place: list(
                await session.scalars(
                    select(Institution.id).where(Institution.municipality_id == place)
                )
            )
            for place in places
        }
        base_team = (await session.scalar(select(Team.id).order_by(Team.id.desc()))) or 0
        teams, people, memberships, meetings, answers = [], [], [], [], []
        for index in range(members // TEAM_SIZE):
            team_id = base_team + 1 + index
            place = places[index % len(places)]
            teams.append(
                {
                    "id": team_id,
                    "municipality_id": place,
                    "kind": TeamKind.ZZK,
                    "name": f"ZZK {index + 1}",
                }
            )
            for slot in range(MEETINGS_PER_TEAM):
                meetings.append(
                    {
                        "id": index * MEETINGS_PER_TEAM + slot + 1,
                        "team_id": team_id,
                        "starts_at": now + timedelta(days=3 + 14 * slot, hours=index % 8),
                        "place": "MOPS, sala 12",
                        "agenda": "Sprawy bieżące",
                        "status": MeetingStatus.SCHEDULED,
                        "uid": f"bench-{index}-{slot}@kooperacje",
                    }
                )
            for seat in range(TEAM_SIZE):
                member_id = index * TEAM_SIZE + seat + 1
                people.append(
                    {
                        "id": member_id,
                        "telegram_id": FIRST_MEMBER + member_id,
                        "name": f"Osoba {member_id}",
                        "institution_id": institutions[place][seat % len(institutions[place])],
                    }
                )
                memberships.append(
                    {
                        "team_id": team_id,
                        "member_id": member_id,
                        "role": Role.COORDINATOR if seat == 0 else Role.MEMBER,
                    }
                )
                if seat % 2:
                    answers += [
                        {"meeting_id": m["id"], "member_id": member_id, "answer": Answer.YES}
                        for m in meetings[-MEETINGS_PER_TEAM:]
                    ]
        for model, rows in (
            (Team, teams),
            (Member, people),
            (Membership, memberships),
            (Meeting, meetings),
            (Rsvp, answers),
        ):
            for start in range(0, len(rows), 2_000):
                await session.execute(insert(model), rows[start : start + 2_000])
    await settle(db, ("team", "member", "meeting"))
    # One virtual user per team, spread over all teams; seat 2 has not answered yet, so every
    # press changes the answer (yes, maybe, yes...) and the card is edited.
    count = len(teams)
    team_indexes = sorted({i * count // VIRTUAL_USERS for i in range(VIRTUAL_USERS)})
    senders = [FIRST_MEMBER + i * TEAM_SIZE + 3 for i in team_indexes]
    meeting_of = {
        sender: i * MEETINGS_PER_TEAM + 1 for sender, i in zip(senders, team_indexes, strict=True)
    }
    return Seeded(senders, meeting_of)


# -- the floor: a bare python-telegram-bot echo bot ---------------------------------------------


async def _echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


async def _pressed(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"Wybrano: {query.data}", reply_markup=query.message.reply_markup)  # type: ignore[union-attr]


# -- the load -------------------------------------------------------------------------------------


async def _card(emulator: BotApiEmulator, bot: Bot, user: int, meeting: int) -> JsonDict:
    """A meeting card in the user's chat, with the bot's own answer buttons."""
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Będę", callback_data=f"rv:{meeting}:y"),
                InlineKeyboardButton("Może", callback_data=f"rv:{meeting}:m"),
            ]
        ]
    )
    await bot.send_message(user, "Spotkanie zespołu", reply_markup=markup)
    return await emulator.next_message(user)  # also moves the chat's cursor past it


def _text_step(emulator: BotApiEmulator, text: str) -> Callable[[int, int], Awaitable[None]]:
    async def step(user: int, _: int) -> None:
        emulator.send_message(user, text)
        await emulator.next_message(user, timeout=30)

    return step


def _press_step(
    emulator: BotApiEmulator, cards: dict[int, JsonDict]
) -> Callable[[int, int], Awaitable[None]]:
    """Presses alternate yes and maybe, so every press changes the answer and edits the card."""
    last: dict[int, str] = {}

    async def step(user: int, _: int) -> None:
        card = cards[user]
        meeting = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
        last[user] = "m" if last.get(user) == "y" else "y"
        # The answer buttons carry the meeting's version after the answer: `rv:1:y:0`.
        wanted = f"rv:{meeting}:{last[user]}"
        key = next(
            button["callback_data"]
            for row in card["reply_markup"]["inline_keyboard"]
            for button in row
            if button.get("callback_data", "").split(":")[:3] == wanted.split(":")
        )
        query = emulator.press_button(user, card, key)
        await emulator.callback_answer(query, timeout=30)
        cards[user] = await emulator.next_edit(user, card["message_id"], timeout=30)

    return step


async def _closed_loop(
    users: list[int], per_user: int, step: Callable[[int, int], Awaitable[None]]
) -> tuple[float, list[float]]:
    """Each user sends, waits for the answer, sends again. Returns (updates/s, latencies)."""
    latencies: list[float] = []

    async def user_loop(user: int) -> None:
        for round_ in range(per_user):
            begin = time.perf_counter()
            await step(user, round_)
            latencies.append(time.perf_counter() - begin)

    started = time.perf_counter()
    await asyncio.gather(*(user_loop(u) for u in users))
    return len(latencies) / (time.perf_counter() - started), latencies


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _scenarios(
    emulator: BotApiEmulator, bot: Bot, seeded: Seeded, per_user: int, pid: int
) -> dict[str, tuple[float, list[float], float]]:
    """Per kind of update: (updates/s, latencies, the bot process's CPU ms per update)."""
    users = seeded.senders
    cards = {u: await _card(emulator, bot, u, seeded.meeting_of[u]) for u in users}
    steps = {
        "/spotkania": _text_step(emulator, "/spotkania"),
        "RSVP button": _press_step(emulator, cards),
        "/koszyk przemoc": _text_step(emulator, "/koszyk przemoc"),
    }
    results = {}
    for name, step in steps.items():
        await _closed_loop(users, 1, step)  # warm-up: caches, connections, first queries
        cpu = _cpu_seconds(pid)
        rate, latencies = await _closed_loop(users, per_user, step)
        results[name] = rate, latencies, (_cpu_seconds(pid) - cpu) * 1000 / len(latencies)
    return results


def _percentile(samples: list[float], share: int) -> float:
    return statistics.quantiles(samples, n=100)[share - 1]


def _peak_rss_mb(pid: int) -> float:
    """Peak resident memory of another process (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextlib.asynccontextmanager
async def bot_process(kind: str, emulator: BotApiEmulator, url: str) -> AsyncIterator[int]:
    """Run a bot in its own process, as in production (Telegram is another machine): the
    emulator and the load in this process do not compete with it for the event loop."""
    calls = len(emulator.calls)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.updates", "--bot", kind, "--api", emulator.base_url,
        "--database", url,
    )  # fmt: skip
    try:
        while not any(c.method == "getUpdates" for c in emulator.calls[calls:]):
            if child.returncode is not None:
                raise RuntimeError(f"the {kind} bot exited with {child.returncode}")
            await asyncio.sleep(0.05)
        yield child.pid
    finally:
        child.send_signal(signal.SIGINT)
        await child.wait()


async def _serve(kind: str, api: str, url: str) -> None:
    """The child: poll until SIGINT."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
    if kind in ECHO_BOTS:
        builder = Application.builder().token(TOKEN).base_url(api).concurrent_updates(64)
        if kind == "echo":
            # A pool of 8: with PTB's default (256) a burst of button presses grows it, and
            # every later request pays for checking the idle connections (the echo bot's CPU
            # per text update went from 2.1 to 4.2 ms after the RSVP round).
            builder = builder.connection_pool_size(ECHO_CONNECTIONS)
        else:
            builder = builder.request(AiohttpRequest(TELEGRAM_CONNECTIONS)).get_updates_request(
                AiohttpRequest()
            )
        app = builder.build()
        app.add_handler(MessageHandler(filters.TEXT, _echo))
        app.add_handler(CallbackQueryHandler(_pressed))
        async with app:  # the floor: PTB's own polling, no inbox, no outbox
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            await app.start()
            await stop.wait()
            await app.updater.stop()
            await app.stop()
        return
    settings = bot_settings(TOKEN, api, url)
    async with polling(build_application(settings, paced=False)):
        await stop.wait()


def _median_round(
    rounds: list[dict[str, tuple[float, list[float], float]]], name: str
) -> tuple[float, list[float], float]:
    """Of the rounds, the one with the median rate of this kind of update."""
    ordered = sorted((r[name] for r in rounds), key=lambda result: result[0])
    return ordered[len(ordered) // 2]


async def run(
    url: str, members: int, per_user: int, rounds: int
) -> list[dict[str, float | int | str]]:
    await reset_database(url)
    db = Database(url)
    await db.upgrade()
    seeded = await _seed(db, members, datetime.now(UTC))
    await db.dispose()

    emulator = BotApiEmulator(token=TOKEN, bot_id=123456, bot_username="bench_bot", limits=None)
    await emulator.start()
    for user in seeded.senders:
        emulator.add_user(user, "Osoba")
    kinds = ("ours", *ECHO_BOTS)
    results: dict[str, list[dict[str, tuple[float, list[float], float]]]] = {k: [] for k in kinds}
    memory = dict.fromkeys(kinds, 0.0)
    async with Bot(TOKEN, base_url=emulator.base_url) as bot:
        # The two bots take turns: the machine's pace drifts over a run (the echo bot's own
        # CPU per update was seen to differ twofold between runs), a turn each keeps it fair.
        for _ in range(rounds):
            for kind in kinds:
                async with bot_process(kind, emulator, url) as pid:
                    results[kind].append(await _scenarios(emulator, bot, seeded, per_user, pid))
                    memory[kind] = max(memory[kind], _peak_rss_mb(pid))
    failed = [c for c in emulator.calls if not c.ok and c.method != "getUpdates"]
    await emulator.stop()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    rows: list[dict[str, float | int | str]] = []
    for name in results["ours"][0]:
        rate, latencies, cpu = _median_round(results["ours"], name)
        echo_rate, echo_latencies, echo_cpu = _median_round(results["echo"], name)
        same_client_rate, _, same_client_cpu = _median_round(results["echo-aiohttp"], name)
        ratios = [
            o[name][0] / e[name][0] for o, e in zip(results["ours"], results["echo"], strict=True)
        ]
        rows.append(
            {
                "backend": backend,
                "update": name,
                "updates/s": round(rate, 1),
                "p50 (ms)": round(statistics.median(latencies) * 1000, 1),
                "p95 (ms)": round(_percentile(latencies, 95) * 1000, 1),
                "echo bot updates/s": round(echo_rate, 1),
                "echo p50 (ms)": round(statistics.median(echo_latencies) * 1000, 1),
                "ratio to echo": round(rate / echo_rate, 2),
                "ratio per round": " ".join(f"{r:.2f}" for r in ratios),
                # The bot's own cost, whatever the load generator's speed: the steadier figure.
                "bot CPU ms/update": round(cpu, 2),
                "echo CPU ms/update": round(echo_cpu, 2),
                "CPU ratio": round(echo_cpu / cpu, 2),
                "echo on aiohttp updates/s": round(same_client_rate, 1),
                "echo on aiohttp CPU ms/update": round(same_client_cpu, 2),
                "ratio to echo on aiohttp": round(rate / same_client_rate, 2),
                "members": members,
                "bot peak RSS (MB)": round(memory["ours"], 1),
                "failed calls": len(failed),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument(
        "--rounds", type=int, help="turns of each bot, medians reported (default 3, quick 1)"
    )
    parser.add_argument("--bot", choices=["ours", *ECHO_BOTS], help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    add_common_arguments(parser)
    args = parser.parse_args()
    if args.bot:
        # Ours on the bot's own loop (as `python -m bot run`), the echo bots on asyncio's.
        loop_of = event_loop.run if args.bot == "ours" else asyncio.run
        loop_of(_serve(args.bot, args.api, args.database))
        return
    members, per_user = (1_000, 3) if args.quick else (args.members, 25)
    rounds = args.rounds or (1 if args.quick else 3)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for url in database_urls(folder):
            rows += asyncio.run(run(url, members, per_user, rounds))
    report(
        "updates",
        "Update handling, end to end over HTTP (32 users in a closed loop)",
        [
            (
                f"{members:,} members; the floor is a bare PTB echo bot in the same run (and the "
                f"same echo bot on aiohttp), the bots taking turns ({rounds} each, the median "
                "shown)",
                rows,
            )
        ],
        args.json,
    )


if __name__ == "__main__":
    main()
