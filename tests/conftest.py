"""Test harness: the real Application, over real HTTP, against the Bot API emulator.

Every test that uses `db_url` runs on SQLite and, when TEST_DATABASE_URL is set, on
PostgreSQL too. Nothing of either database is mocked.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from telegram.ext import Application

from bot.application import build_application, polling
from bot.config import Settings
from botapi_emulator import BotApiEmulator
from storage.db import Database
from storage.models import Base

TOKEN = "123456:TEST-token-for-the-emulator-0001"
BOT_USERNAME = "kooperacje_test_bot"
ADMIN_ID = 9000

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _run_aside(work: Coroutine[Any, Any, None]) -> None:
    # Session fixtures are first asked for inside a test's running loop: run in a thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work).result()


async def _migrate(url: str) -> None:
    database = Database(url)
    await database.upgrade()
    await database.dispose()


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


# Migrating takes ~0.3 s; the suite migrates once per backend and then hands every test a
# fresh database: a copy of the migrated SQLite file, or PostgreSQL's tables emptied.
@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    _run_aside(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


async def _create_database(base_url: str, name: str) -> None:
    engine = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        exists = await connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


def _postgres_url() -> str:
    """TEST_DATABASE_URL, or under pytest-xdist a database of this worker's own next to it."""
    url = os.environ["TEST_DATABASE_URL"]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    _run_aside(_create_database(url, name))
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    url = _postgres_url()
    _run_aside(_reset_postgres(url))
    _run_aside(_migrate(url))
    return url


async def _empty_postgres(url: str) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_migrated")
    await _empty_postgres(url)
    return url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    yield database
    await database.dispose()


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    emu = BotApiEmulator(token=TOKEN, bot_id=123456, bot_username=BOT_USERNAME, inline=True)
    await emu.start()
    yield emu
    await emu.stop()


def make_settings(emu: BotApiEmulator, db_url: str, **extra: Any) -> Settings:
    return Settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=emu.base_url,
        database_url=db_url,
        bot_admin_ids=frozenset({ADMIN_ID}),
        # The emulator shares two cores with four test workers: a slow answer must not be
        # mistaken for a lost one (a retried send arrives twice).
        telegram_timeout=30.0,
        _env_file=None,
        **extra,
    )


def running_bot(emu: BotApiEmulator, db_url: str) -> AbstractAsyncContextManager[Application]:  # type: ignore[type-arg]
    """Start the real bot polling the emulator; stop it cleanly afterwards."""
    return polling(build_application(make_settings(emu, db_url)))


class Harness:
    """Talk to the running bot as people do, and arrange data directly in the database."""

    def __init__(self, emu: BotApiEmulator, db: Database, app: Application) -> None:  # type: ignore[type-arg]
        self.emu = emu
        self.db = db
        self.app = app

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.db.session() as session:
            yield session

    def set_clock(self, moment: datetime) -> None:
        """Move the bot's clock (used for 'now' in date parsing and meeting checks)."""
        self.app.bot_data["clock"] = lambda: moment

    def user(self, user_id: int, first_name: str, language_code: str = "pl", **kw: Any) -> int:
        self.emu.add_user(user_id, first_name, language_code=language_code, **kw)
        return user_id

    async def tick(self) -> None:
        """Run the scheduler's tick now and wait until what it sent has gone out."""
        await self.app.bot_data["scheduler"].tick()
        await self.emu.settle(quiet=0.2)

    async def drain(self, chat_id: int) -> None:
        """Take every message waiting in the chat (cards, reminders, a register the scheduler
        sent meanwhile), so that the next one is the answer awaited."""
        while True:
            try:
                await self.emu.next_message(chat_id, timeout=0.05)
            except AssertionError:
                return

    async def say(self, user_id: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
        """Send a message and return the bot's next message in that chat."""
        self.emu.send_message(user_id, text, chat_id=chat_id)
        return await self.emu.next_message(chat_id if chat_id is not None else user_id)

    async def press(self, user_id: int, message: dict[str, Any], button: str) -> dict[str, Any]:
        """Press a button (by label or data); return the answer to the callback query."""
        query_id = self.emu.press_button(user_id, message, button)
        return await self.emu.callback_answer(query_id)

    def button_labels(self, message: dict[str, Any]) -> list[str]:
        return [label for row in self.emu.buttons(message) for label, _ in row]

    def current(self, message: dict[str, Any]) -> dict[str, Any]:
        """The message as it is now, after any edits."""
        chat_id = message["chat"]["id"]
        for candidate in self.emu.messages(chat_id):
            if candidate["message_id"] == message["message_id"]:
                return candidate
        raise AssertionError(f"message {message['message_id']} is gone from chat {chat_id}")

    async def edited(self, message: dict[str, Any]) -> dict[str, Any]:
        return await self.emu.next_edit(message["chat"]["id"], message["message_id"])


@pytest.fixture
async def harness(emulator: BotApiEmulator, db: Database, db_url: str) -> AsyncIterator[Harness]:
    async with running_bot(emulator, db_url) as app:
        yield Harness(emulator, db, app)
        await asyncio.sleep(0)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many fuzz cases of each attack family this run tried (tests/fuzzing.py)."""
    from tests.fuzzing import totals

    stats = terminalreporter.stats
    reports = [r for outcome in ("passed", "failed") for r in stats.get(outcome, [])]
    counts = totals(reports)
    if counts:
        terminalreporter.section("fuzz cases run")
        for family, n in sorted(counts.items()):
            terminalreporter.write_line(f"{family}: {n}")
