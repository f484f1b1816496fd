"""SQLAlchemy's aiosqlite adapter with one trip to the connection's thread per statement.

Each await on aiosqlite is a trip to its thread and back through the event loop. SQLAlchemy's
adapter makes four per statement (cursor, execute, fetchall, close); under load those trips
cost the bot more CPU than the statements themselves (a profile of the update benchmark: a
third of the event loop's time went to waking threads and being woken). Here the four run as
one function in the thread. Everything else (errors, isolation level, terminate) is
SQLAlchemy's own.
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

Outcome = tuple[Any, list[Any], Any, int]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any) -> Outcome:
    """In aiosqlite's thread: the statement, its rows and counts."""
    cursor = connection.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        if cursor.description:
            return cursor.description, cursor.fetchall(), -1, -1
        return None, [], cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


class _OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        connection = self._connection
        try:
            outcome: Outcome = self.await_(
                # aiosqlite's own queue (private, stable since 0.17): one trip to its thread.
                connection._execute(_run, connection._conn, operation, parameters)
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description, rows, self.lastrowid, self.rowcount = outcome
        self._rows = deque(rows)


class _OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        return super().cursor(server_side) if server_side else _OneTripCursor(self)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        return _OneTripConnection(self, adapted._connection)


def dbapi() -> OneTripDBAPI:
    """What `create_async_engine(url, module=...)` takes in place of aiosqlite's adapter."""
    return OneTripDBAPI(aiosqlite, sqlite3)
