"""`kooperacje-bot sandbox`: the real bot, the project's Bot API emulator on 127.0.0.1 and the
demo data on a temporary SQLite file, with a chat in the terminal. No token, no internet.

Only the Telegram side is played: the application, its handlers, the database, the scheduler
and the broadcaster are the ones `run` uses. Messages for people other than the current one
wait until `/jako` switches to them; the team's group chat is one `/grupa` away. Log lines (the
bot's and its libraries') go to a file whose path is printed at start, never into the chat.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import threading
from datetime import datetime
from pathlib import Path

from pydantic import SecretStr

from bot import logs
from bot.application import build_application, polling
from bot.config import Settings
from bot.sandbox import cast
from bot.sandbox.terminal import HELP, TerminalChat, read_lines
from botapi_emulator import BotApiEmulator
from storage.db import Database
from storage.demo import load_demo_data
from storage.models import utcnow

TOKEN = "777000:SANDBOX-token-of-the-local-emulator"
BOT_USERNAME = "kooperacje_sandbox_bot"


async def _prepare(url: str, timezone: str) -> None:
    db = Database(url)
    try:
        await db.upgrade()
        async with db.session() as session:
            await load_demo_data(session, timezone)
            await cast.seed(session)
    finally:
        await db.dispose()


def log_to_file(files: Path) -> Path:
    """Every log line from here on goes to a file in the files folder: a library's warning
    printed to the terminal would cut through the conversation as if the bot had said it."""
    files.mkdir(parents=True, exist_ok=True)
    path, counter = files / "piaskownica.log", 2
    while path.exists():
        path, counter = files / f"piaskownica-{counter}.log", counter + 1
    logs.configure(logging.FileHandler(path, encoding="utf-8"), token=TOKEN)
    # Python's warnings too; APScheduler notes each run of the one-second tick at INFO.
    logging.captureWarnings(True)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return path


async def run_sandbox(files: Path, start: datetime | None, timezone: str) -> int:
    log_path = log_to_file(files)
    ansi = sys.stdout.isatty()
    with tempfile.TemporaryDirectory(prefix="kooperacje-sandbox-") as folder:
        url = f"sqlite+aiosqlite:///{folder}/sandbox.db"
        await _prepare(url, timezone)
        # No flood limits and no pacing: one person types at a time, and a reply held back by
        # the per-chat pace would surface under the next line typed instead of its own.
        emulator = BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME, limits=None, inline=True)
        for person in cast.CAST:
            emulator.add_user(
                person.telegram_id,
                person.first_name,
                person.last_name,
                language_code=person.language,
            )
        cast.open_group(emulator)
        async with emulator:
            settings = Settings(
                telegram_bot_token=SecretStr(TOKEN),
                telegram_api_base_url=emulator.base_url,
                database_url=url,
                bot_admin_ids=frozenset(p.telegram_id for p in cast.CAST if p.admin),
                bot_timezone=timezone,
                # BaseSettings takes it, but pydantic's typed __init__ lists only the fields.
                _env_file=None,  # type: ignore[call-arg]
            )
            app = build_application(settings, paced=False)
            began, real_start = start or utcnow(), utcnow()
            chat = TerminalChat(
                emulator,
                app,
                files,
                clock=lambda: began + (utcnow() - real_start),
                out=sys.stdout,
                ansi=ansi,
            )
            app.bot_data["clock"] = chat.now
            async with polling(app):
                await _converse(chat, files, log_path)
    return 0


async def _converse(chat: TerminalChat, files: Path, log_path: Path) -> None:
    chat.say("Piaskownica kooperacje-bot: prawdziwy bot, emulator Telegrama, dane demo (Łódź).")
    chat.say(HELP)
    chat.say(f"Pliki od bota zapisuję w: {files}")
    chat.say(f"Dziennik (logi bota i bibliotek) zapisuję w: {log_path}")
    chat.say("Spróbuj: /pomoc, /nowe, /spotkania, /koszyk przemoc, /zespol, /grupa.")
    chat.say(f"— Piszesz jako {chat.person.name} ({chat.person.describe()}).")
    await chat.show_news()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    ready = threading.Event()
    read_lines(queue, asyncio.get_running_loop(), ready, chat.prompt)
    echo = not sys.stdin.isatty()
    while True:
        ready.set()
        line = await queue.get()
        if line is None:
            break
        if echo:  # a script's lines appear in the transcript as if typed
            chat.say(f"{chat.prompt()}{line}")
        if not await chat.handle(line):
            break
    chat.say("Do zobaczenia.")
