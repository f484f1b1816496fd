"""The bot as its own process, as in production: `python -m bot …` against the Bot API emulator.

One launcher for the tests that kill, stop or race real processes (crashes, workers) and for
`bench.crash`: the same environment every time, so a test measures the bot, not its start.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import select

from botapi_emulator import BotApiEmulator

if TYPE_CHECKING:
    from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]
POLLING = frozenset({"deleteWebhook", "getUpdates"})


def environment(
    db_url: str, emu: BotApiEmulator, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Settings through the environment, as a service manager gives them."""
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "TELEGRAM_BOT_TOKEN": emu.token,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "PYTHONPATH": str(ROOT),
        **(extra or {}),
    }


async def cli(
    db_url: str,
    *command: str,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    stdout: int | IO[bytes] | None = asyncio.subprocess.PIPE,
    stderr: int | IO[bytes] | None = asyncio.subprocess.PIPE,
) -> asyncio.subprocess.Process:
    """`python -m bot <command>` on `db_url`, the one way the tests start the bot's command
    line; without Telegram settings unless `env` gives them (db, basket and report commands
    need none)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *command,
        cwd=str(cwd),
        env={**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=stdout,
        stderr=stderr,
    )


async def start(
    db_url: str,
    emu: BotApiEmulator,
    *command: str,
    log: IO[bytes] | None = None,
    env: Mapping[str, str] | None = None,
) -> asyncio.subprocess.Process:
    """`python -m bot <command>` against the emulator. Without `log`: stdout dropped, stderr
    piped (read it with communicate()). With `log`: both into that file, so a long run never
    fills a pipe."""
    out = log if log is not None else asyncio.subprocess.DEVNULL
    err = log if log is not None else asyncio.subprocess.PIPE
    return await cli(db_url, *command, env=environment(db_url, emu, env), stdout=out, stderr=err)


async def run_bot(
    db_url: str,
    emu: BotApiEmulator,
    *,
    log: IO[bytes] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> asyncio.subprocess.Process:
    """`kooperacje-bot run` (long polling), returned once it asks for updates."""
    calls = len(emu.calls)
    process = await start(db_url, emu, "run", log=log, env=env)
    await polling_since(emu, process, calls, timeout)
    return process


async def polling_since(
    emu: BotApiEmulator, process: asyncio.subprocess.Process, calls: int, timeout: float
) -> None:
    """Wait until the bot polls, after the first `calls` calls. The emulator records a call
    when it is answered, and a long poll is answered late: deleteWebhook, which python-telegram-bot
    sends right before its first getUpdates, tells it sooner."""
    deadline = time.monotonic() + timeout
    while not any(c.method in POLLING for c in emu.calls[calls:]):
        if process.returncode is not None:
            raise AssertionError(f"the bot exited with {process.returncode} before polling")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the bot did not poll within {timeout} s")
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)  # from deleteWebhook to the getUpdates request


# A send answered this shortly before a kill may not have been written down yet: its repeat
# after the restart is the promised exception (its outcome was unknown to the database), as
# is a send in flight at the kill.
UNRECORDED = 0.2


async def kill(process: asyncio.subprocess.Process) -> float:
    """SIGKILL, as the OOM killer, a reboot or a stop timeout does; reaped. Returns the
    moment of the kill (time.monotonic, as the emulator's ApiCall.at)."""
    moment = time.monotonic()
    if process.returncode is None:
        process.send_signal(signal.SIGKILL)
    await process.wait()
    return moment


def answered_before(emu: BotApiEmulator, moment: float, method: str = "sendMessage") -> int:
    """Sends answered within UNRECORDED before `moment`: their outcome perhaps unrecorded."""
    since = moment - UNRECORDED
    return sum(1 for c in emu.calls if c.method == method and c.ok and since <= c.at <= moment)


async def kill_mid_run(
    worker: asyncio.subprocess.Process,
    sent: Callable[[], int],
    count: int,
    db: Database,
    claimed: Any,
    sending: object,
    lease: timedelta,
) -> None:
    """SIGKILL a sending worker once `sent()` reaches `count`, then age the claims it left
    (rows of the model `claimed` in state `sending`) by `lease`: the next worker takes them
    over at once instead of waiting for the lease to run out."""
    while sent() < count:
        await asyncio.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    await worker.wait()
    async with db.session() as session:
        rows = await session.scalars(select(claimed).where(claimed.state == sending))
        for row in rows:
            row.claimed_at = row.claimed_at - lease


async def stop_within(process: asyncio.subprocess.Process, limit: float) -> float:
    """SIGTERM; the seconds until the process exited, or SIGKILL after `limit` and return
    infinity (it did not stop by itself)."""
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), timeout=limit)
    except TimeoutError:
        await kill(process)
        return float("inf")
    return time.monotonic() - began
