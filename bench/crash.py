"""Crashes: what a SIGKILL loses, and how long a SIGTERM takes with Telegram unreachable.

Run from the project root: `python -m bench.crash [--kills N] [--seed S] [--quick] [--json PATH]`
(--quick: 3 kills, bursts of 50 messages from 10 users, the kills back to back, the stop
measured on SQLite only and given up after 11 s).
The real bot (`python -m bot run`, tests/processes.py) polls the strict Bot API emulator (flood
limits on) in this process. Each round: 40 members each send 5 `/pomoc` within 0.5 s (one reply
each), the bot is killed with SIGKILL at a varied moment (seeded), and started again; without
--quick it is then left to catch up until quiet before the next round, and with --quick the next
burst comes at once, so later kills also hit a bot that is catching up. Printed per backend:
- messages never answered (goal 0);
- messages answered twice (goal: at most the sends whose outcome was unknown to the database
  at a kill: those in flight, which the emulator carried out after their client died, and
  those answered in the last moment before it, not yet written down);
- seconds from the restart to the last answer (longest over the rounds);
- SIGTERM to exit while Telegram hangs every request (goal under 10 s), capped, then SIGKILL.
SQLite (a temporary file); PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from bench import Row, add_common_arguments, database_urls, report, reset_database
from botapi_emulator import BotApiEmulator
from storage.db import Database
from tests import arrange, processes

TOKEN = "123456:BENCH-token-for-the-emulator-01"
FIRST_MEMBER = 40_000
PER_MEMBER = 5
TEXT = "/pomoc"


@dataclass(frozen=True)
class Plan:
    members: int
    kills: int
    settle_each: bool  # let the bot catch up after each restart (else the next burst at once)
    quiet: float  # seconds without a request (getUpdates aside) that count as caught up
    stop_cap: float  # SIGTERM: seconds before giving up and killing
    stop_everywhere: bool  # measure the stop on each backend (else SQLite only: it is about
    # Telegram, and a capped stop is the longest part of a quick run)
    seed: int


@dataclass
class Tally:
    sent: Counter[int] = field(default_factory=Counter)
    moments: list[float] = field(default_factory=list)  # kill, seconds after the burst began
    catch_up: list[float] = field(default_factory=list)  # restart to the last answer
    unrecorded: int = 0  # sends answered just before a kill: outcome perhaps not recorded


def _replies(emu: BotApiEmulator, users: set[int]) -> list[float]:
    """When each answer to one of `users` was delivered (time.monotonic)."""
    return [
        c.at
        for c in emu.calls
        if c.method == "sendMessage" and c.ok and c.params.get("chat_id") in users
    ]


def _answered(emu: BotApiEmulator) -> Counter[int]:
    return Counter(
        c.params["chat_id"]
        for c in emu.calls
        if c.method == "sendMessage" and c.ok and isinstance(c.params.get("chat_id"), int)
    )


async def _seed(url: str, emu: BotApiEmulator, members: int) -> list[int]:
    await reset_database(url)
    db = Database(url)
    await db.upgrade()
    users = [FIRST_MEMBER + index for index in range(members)]
    await arrange.crowd(db, emu, users)
    await db.dispose()
    return users


async def _burst(emu: BotApiEmulator, users: list[int], tally: Tally) -> None:
    for _ in range(PER_MEMBER):
        for user in users:
            emu.send_message(user, TEXT)
            tally.sent[user] += 1
        await asyncio.sleep(0.5 / PER_MEMBER)


async def _until_quiet(emu: BotApiEmulator, tally: Tally, quiet: float, cap: float) -> None:
    """Until every message is answered, or no request but getUpdates for `quiet` s, or `cap`."""
    deadline = time.monotonic() + cap
    while time.monotonic() < deadline:
        answered = _answered(emu)
        if all(answered[u] >= n for u, n in tally.sent.items()):
            return
        last = max((c.at for c in emu.calls if c.method != "getUpdates"), default=0.0)
        if time.monotonic() - last > quiet:
            return
        await asyncio.sleep(0.1)


async def _rounds(
    url: str, emu: BotApiEmulator, users: list[int], plan: Plan, log: IO[bytes]
) -> tuple[Tally, asyncio.subprocess.Process]:
    """The kills; returns the tally and the bot left running."""
    draw = random.Random(f"{plan.seed}:{url.split(':')[0]}")
    tally = Tally()
    bot = await processes.run_bot(url, emu, log=log)
    for _ in range(plan.kills):
        began = time.monotonic()
        await _burst(emu, users, tally)
        moment = draw.uniform(0.1, 3.0)  # while fetching, handling, sending, catching up
        await asyncio.sleep(max(0.0, began + moment - time.monotonic()))
        killed_at = await processes.kill(bot)
        tally.unrecorded += processes.answered_before(emu, killed_at)
        tally.moments.append(round(moment, 2))
        restarted = time.monotonic()
        bot = await processes.run_bot(url, emu, log=log)
        if plan.settle_each:
            await _until_quiet(emu, tally, plan.quiet, cap=60)
            after = [at for at in _replies(emu, set(users)) if at > restarted]
            tally.catch_up.append(max(after, default=restarted) - restarted)
    if not plan.settle_each:
        await _until_quiet(emu, tally, plan.quiet, cap=60)
        after = [at for at in _replies(emu, set(users)) if at > restarted]
        tally.catch_up.append(max(after, default=restarted) - restarted)
    return tally, bot


async def _stop_while_hanging(
    emu: BotApiEmulator, bot: asyncio.subprocess.Process, users: list[int], cap: float
) -> float:
    """A burst, Telegram hangs once the bot is busy answering, SIGTERM: seconds to exit."""
    tally = Tally()
    replies = len(_replies(emu, set(users)))
    await _burst(emu, users, tally)
    deadline = time.monotonic() + 10
    while len(_replies(emu, set(users))) < replies + 5 and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    emu.outage(cap + 30, status=None)
    await asyncio.sleep(0.5)
    return await processes.stop_within(bot, cap)


async def run(url: str, plan: Plan) -> Row:
    measure_stop = plan.stop_everywhere or url.startswith("sqlite")
    emu = BotApiEmulator(token=TOKEN, bot_id=123456, bot_username="bench_bot")
    await emu.start()
    try:
        users = await _seed(url, emu, plan.members)
        with tempfile.TemporaryFile() as log:
            tally, bot = await _rounds(url, emu, users, plan, log)
            answered = _answered(emu)
            in_flight = sum(1 for c in emu.abandoned_calls if c.method == "sendMessage")
            stop = float("nan")
            if measure_stop:
                stop = await _stop_while_hanging(emu, bot, users, plan.stop_cap)
            else:
                await processes.kill(bot)
    finally:
        await emu.stop()
    sent = sum(tally.sent.values())
    return {
        "backend": "PostgreSQL" if url.startswith("postgresql") else "SQLite",
        "kills": plan.kills,
        "kill moments (s into a burst)": " ".join(f"{m:.1f}" for m in tally.moments),
        "messages": sent,
        "never answered": sum(max(0, n - answered[u]) for u, n in tally.sent.items()),
        "answered twice": sum(max(0, answered[u] - n) for u, n in tally.sent.items()),
        "sends in flight at the kills": in_flight,
        f"answered < {processes.UNRECORDED} s before a kill": tally.unrecorded,
        "restart to last answer, max (s)": round(max(tally.catch_up), 1),
        "restart to last answer, median (s)": round(statistics.median(tally.catch_up), 1),
        "SIGTERM to exit, Telegram hanging (s)": _stop_figure(stop, plan, measure_stop),
    }


def _stop_figure(seconds: float, plan: Plan, measured: bool) -> float | str:
    if not measured:
        return "not measured (--quick: SQLite only)"
    return round(seconds, 1) if seconds != float("inf") else f"> {plan.stop_cap:.0f} (killed)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs per backend (at least 5)")
    parser.add_argument("--seed", type=int, default=20, help="draws the kill moments")
    add_common_arguments(
        parser, quick="3 kills, bursts of 50, kills back to back, an 11 s stop cap"
    )
    args = parser.parse_args()
    plan = (
        Plan(10, 3, False, 3.0, 11.0, False, args.seed)  # CI's smoke run, in its time budget
        if args.quick
        else Plan(40, max(5, args.kills), True, 5.0, 150.0, True, args.seed)
    )
    with tempfile.TemporaryDirectory() as folder:
        rows = [asyncio.run(run(url, plan)) for url in database_urls(folder, "crash")]
    per_burst = plan.members * PER_MEMBER
    report(
        "crash",
        "Crashes: SIGKILL during bursts, SIGTERM with Telegram hanging",
        [
            (
                f"{plan.kills} kills per backend, bursts of {per_burst} messages from "
                f"{plan.members} users within 0.5 s; seed {plan.seed}",
                rows,
            )
        ],
        args.json,
        notes=[
            "Goals: never answered 0; answered twice at most the sends in flight at the "
            f"kills plus those answered < {processes.UNRECORDED} s before one (their outcome "
            "not yet recorded); SIGTERM to exit under 10 s.",
            "Restart to last answer: 0 when nothing was answered after a restart.",
        ],
    )


if __name__ == "__main__":
    main()
