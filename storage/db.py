"""Engine, sessions and schema migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import ColumnElement, Connection, CursorResult, Result, String, Table, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session

from storage import fulltext, sqlite_driver

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Whoever compares models and database goes through here first (the CLI, the tests).
fulltext.hide_from_schema_comparisons()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work during a write; foreign keys are off in SQLite unless asked.
    # Autocommit at the driver level so that `_sqlite_begin` decides how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # Not waiting in the event loop's thread: a busy statement waits in aiosqlite's instead.
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A deferred transaction that reads and then writes fails at once with "database is locked"
    # when another writer got there first; taking the write lock up front makes it wait instead.
    # A reading session (Database.reading) writes nothing: a deferred transaction is its
    # snapshot, taken beside the writer.
    reads = connection.get_execution_options().get(READS_ONLY, False)
    # On the driver's cursor: SQLAlchemy's own execution path would cost more than SQLite
    # takes to begin (four transactions an update).
    cursor = connection.connection.cursor()
    try:
        cursor.execute("BEGIN" if reads else "BEGIN IMMEDIATE")
    finally:
        cursor.close()


READS_ONLY = "kooperacje_reads_only"


def _closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # SQLAlchemy's pre-ping costs asyncpg three round trips (BEGIN, a query, ROLLBACK) at
    # every checkout, a third of an update's. A restart or pg_terminate_backend closes the
    # socket, which asyncpg notices without a query; the pool then connects anew. What this
    # misses (a connection dropped silently on the way) fails its first statement, and the
    # unit of work runs again (handlers/base.py `_retrying`).
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("closed by the server")


class WriteInReadingSession(RuntimeError):
    """A bug: something wrote in a session opened to read only."""


class _ReadingSession(Session):
    """Refuses writes, so that a unit of work marked as reading cannot write by mistake."""


@event.listens_for(_ReadingSession, "do_orm_execute")
def _refuse_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise WriteInReadingSession(str(state.statement)[:80])


@event.listens_for(_ReadingSession, "before_flush")
def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    changed = [o for o in session.dirty if session.is_modified(o)]
    if session.new or session.deleted or changed:
        raise WriteInReadingSession(repr([*session.new, *session.deleted, *changed][:1]))


# PostgreSQL connections kept open: the updates handled at once (bot/application.py takes
# its limit from here) and a few for the intake, the sender and jobs. A connection opened
# beyond the pool costs type introspection and every statement prepared again, and is closed
# when given back: with 20 and 32 updates at once, the pool's overflow opened and closed
# connections all the time, and updates waited for them (PostgreSQL /spotkania 250 -> 313
# updates/s at 40).
POOL_SIZE = 40
BACKGROUND_CONNECTIONS = 8


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, module=sqlite_driver.dbapi())
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    engine = create_async_engine(url, pool_size=POOL_SIZE, max_overflow=10)
    event.listen(engine.sync_engine, "checkout", _closed_by_server)
    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE, INSERT or DELETE matched. AsyncSession.execute is typed to return a
    Result, though for these statements it is a CursorResult, which alone has the count."""
    return cast("CursorResult[Any]", result).rowcount


# Rows per INSERT: PostgreSQL (asyncpg) takes at most 32,767 bind parameters per statement,
# SQLite 32,766; a slice also keeps each statement's compilation short on the event loop.
INSERT_SLICE = 2000


async def insert_new(
    session: AsyncSession,
    model: type[Any],
    rows: list[dict[str, Any]],
    index_elements: list[str] | None = None,
) -> int:
    """Insert the rows, skipping those a unique key already holds (INSERT ... ON CONFLICT DO
    NOTHING), in slices; how many were new."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    added = 0
    for start in range(0, len(rows), INSERT_SLICE):
        statement = insert(model).values(rows[start : start + INSERT_SLICE])
        result = await session.execute(
            statement.on_conflict_do_nothing(index_elements=index_elements)
        )
        added += rowcount(result)
    return added


def table_of(model: type[Any]) -> Table:
    """A model's table, for Core statements (cached, and cheaper than the ORM's bulk paths)."""
    return cast(Table, model.__table__)


def column_length(column: ColumnElement[Any]) -> int:
    """The n of a VARCHAR(n) column (SQLAlchemy types a table's columns as of any type)."""
    kind = column.type
    assert isinstance(kind, String) and kind.length is not None
    return kind.length


# PostgreSQL's codes for a connection that failed or was ended by the server (shutdown,
# restart, pg_terminate_backend, "the database system is starting up").
_CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def connection_lost(error: BaseException) -> bool:
    """The database went away (or SQLite's write lock was held past busy_timeout), not the
    work: the same unit of work, run again on a new connection, may well succeed."""
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        # asyncpg's own exception is the cause of the driver error SQLAlchemy wraps.
        causes = [error.orig, getattr(error.orig, "__cause__", None)]
    else:
        # Raised as is while connecting: refused or reset, "the database system is starting
        # up". Only here, so that a network error of Telegram's is not mistaken for one.
        causes = [error]
    for cause in causes:
        # "Multiple exceptions": each address of a name (localhost: ::1, 127.0.0.1) refused.
        if isinstance(cause, ConnectionError) or (
            isinstance(cause, OSError) and str(cause).startswith("Multiple exceptions")
        ):
            return True
        if str(getattr(cause, "sqlstate", "") or "").startswith(_CONNECTION_SQLSTATES):
            return True
        if isinstance(cause, sqlite3.OperationalError) and "database is locked" in str(cause):
            return True
    return False


@asynccontextmanager
async def _transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    session = sessions()
    try:
        async with session.begin():
            yield session
    finally:
        # The transaction's end gave the connection back; only the loaded objects are left to
        # let go of. `async with session` closes in a task of its own, shielded from
        # cancellation for a connection still held: two event-loop turns a session for nothing.
        await session.close()


class Database:
    """One engine per process; one session (and transaction) per unit of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer, and every transaction here takes the write lock up front.
        # Queueing for it in the event loop hands it over at once; SQLite's own busy handler
        # polls with sleeps of up to 100 ms, which left the bot idle under load. Other
        # processes (a worker, a backup) still meet a busy timeout (storage/sqlite_driver.py).
        self._sqlite_writer = asyncio.Lock() if url.startswith("sqlite") else None
        # PostgreSQL: statements atomic on their own, run without BEGIN and COMMIT.
        self._autocommit = async_sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )
        self._readers = async_sessionmaker(
            self.engine.execution_options(**{READS_ONLY: True}),
            expire_on_commit=False,
            sync_session_class=_ReadingSession,
        )

    @property
    def reads_apart(self) -> bool:
        """Reading sessions spare the writer's turn (SQLite); elsewhere every transaction
        runs beside the others anyway, and one transaction per update is cheaper than two."""
        return self._sqlite_writer is not None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session inside a transaction: committed on success, rolled back on error."""
        turn = self._sqlite_writer or contextlib.nullcontext()
        async with turn, _transaction(self._sessions) as session:
            yield session

    @asynccontextmanager
    async def statement(self) -> AsyncIterator[AsyncSession]:
        """A session for one statement, atomic by itself. PostgreSQL runs it without BEGIN and
        COMMIT: one round trip instead of three, where under load each waits for a turn of a
        busy event loop. SQLite: in a transaction in the writer's turn, as every write."""
        if self._sqlite_writer is not None:
            async with self.session() as session:
                yield session
            return
        async with _transaction(self._autocommit) as session:
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session that only reads: on SQLite it does not wait for the writer's turn (a
        snapshot beside the writer, as WAL allows); any write in it raises."""
        async with _transaction(self._readers) as session:
            yield session

    async def upgrade(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        async with self.engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))

    async def dispose(self) -> None:
        await self.engine.dispose()
