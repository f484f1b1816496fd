"""SQLAlchemy's aiosqlite adapter, with statements run in the event loop's own thread.

aiosqlite runs every call in a thread of its own and wakes the event loop with the result.
Each such trip costs the bot far more CPU than the statement: SQLite answers an indexed
lookup in microseconds, a trip takes 100-250 µs of thread wake-ups, futures and a self-pipe
(a transaction of one statement: 1.1 ms of CPU through the thread, 0.3-0.4 ms here). So
statements, commits and rollbacks run here, directly on the sqlite3 connection, and never wait:

- In this process, writers already queue for SQLite's one write lock in the event loop
  (storage/db.py `Database.session`), and readers do not wait for writers under WAL; commits
  do not fsync (WAL with synchronous=NORMAL).
- Another process's lock (a worker, a backup, the CLI, a test's own engine) would make
  SQLite's busy handler sleep in the loop. So here the busy timeout is 0, and a statement
  SQLite refuses as busy goes to aiosqlite's thread instead, where it waits up to
  BUSY_TIMEOUT_MS as before, while the loop goes on.

Everything else (connecting, closing, errors, terminate) is SQLAlchemy's and aiosqlite's own.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)

# How long a statement waits for another process's write lock, in aiosqlite's thread.
BUSY_TIMEOUT_MS = 10_000

Outcome = tuple[Any, list[Any], Any, int]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any) -> Outcome:
    """The statement, its rows and counts."""
    cursor = connection.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        if cursor.description:
            return cursor.description, cursor.fetchall(), -1, -1
        return None, [], cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


def _run_patiently(connection: sqlite3.Connection, operation: str, parameters: Any) -> Outcome:
    """In aiosqlite's thread: the statement, waiting for the lock as SQLite's busy handler
    does; the connection is left not waiting, for the loop's next statement."""
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        return _run(connection, operation, parameters)
    finally:
        connection.execute("PRAGMA busy_timeout=0")


def _busy(error: sqlite3.OperationalError) -> bool:
    return error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # extended codes included


async def _done() -> None:
    """An awaitable that is ready at once."""


class _InLoopCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        connection = self._connection
        # SQLAlchemy's AsyncConnection refuses a statement that awaited nothing (it takes it for
        # a driver that is not async): one await that costs no trip.
        self.await_(_done())
        try:
            try:
                outcome = _run(connection._conn, operation, parameters)
            except sqlite3.OperationalError as error:
                if not _busy(error):
                    raise
                outcome = self.await_(
                    # aiosqlite's own queue (private, stable since 0.17): one trip to its thread.
                    connection._execute(_run_patiently, connection._conn, operation, parameters)
                )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description, rows, self.lastrowid, self.rowcount = outcome
        self._rows = deque(rows)


class _InLoopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        return super().cursor(server_side) if server_side else _InLoopCursor(self)

    # In WAL mode the write lock is taken at BEGIN IMMEDIATE (a cursor's statement, above),
    # so ending a transaction has nothing to wait for.
    def commit(self) -> None:
        try:
            self._connection._conn.commit()
        except Exception as error:
            self._handle_exception(error)

    def rollback(self) -> None:
        try:
            self._connection._conn.rollback()
        except Exception as error:
            self._handle_exception(error)


class InLoopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        # Made in aiosqlite's thread, used from the loop's too (never at the same time).
        adapted = super().connect(*arg, **kw | {"check_same_thread": False})
        return _InLoopConnection(self, adapted._connection)


def dbapi() -> InLoopDBAPI:
    """What `create_async_engine(url, module=...)` takes in place of aiosqlite's adapter."""
    return InLoopDBAPI(aiosqlite, sqlite3)
