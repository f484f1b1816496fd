"""The database's own full-text search: candidates for a query, on SQLite and PostgreSQL.

Both index service.search_text (folded words and marker words, see document.py): FTS5 on
SQLite, GIN over to_tsvector('simple', ...) on PostgreSQL (migration 0004). Ranking is not
done here: it is the same Python code for both databases (ranking.py).

Counting is capped at COUNT_LIMIT: counting 35,000 matches of a common word costs
PostgreSQL tens of milliseconds of heap visits, and nobody pages through them in a chat.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Row, TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.basket.query import Term
from storage.basket.text import municipality_token

OWN_LIMIT = 1000  # services of one municipality matching a query: all of them, in practice
COUNT_LIMIT = 1000  # matches counted; beyond it the total is "at least COUNT_LIMIT"


@dataclass(frozen=True)
class Match:
    """Services having every term (or, with any_term, at least one). With `categories`, a
    term also matches the services of the categories it names ("pije" -> uzależnienia)."""

    terms: tuple[Term, ...]
    any_term: bool = False
    categories: bool = True


@dataclass(frozen=True)
class Found:
    own: list[int]  # ids in the given municipality (all)
    others: list[int]  # ids elsewhere: the first `window`, in the index's order
    total: int  # own and elsewhere, at most COUNT_LIMIT

    @property
    def capped(self) -> bool:
        return self.total >= COUNT_LIMIT


class FullText(Protocol):
    async def find(
        self, session: AsyncSession, match: Match, municipality_id: int | None, window: int
    ) -> Found:
        """One round trip: the count, the own municipality's ids, the first others."""
        ...

    async def own(self, session: AsyncSession, match: Match, municipality_id: int) -> list[int]:
        """Only the ids in the given municipality."""
        ...

    async def candidates(
        self, session: AsyncSession, ids: Sequence[int]
    ) -> Sequence[Sequence[Any]]:
        """What ranking and results need of these services (CANDIDATE_COLUMNS)."""
        ...


# One list parameter rather than an expanded IN (...) of up to 200: a fixed statement. The
# categories as JSON text on both databases (asyncpg would decode each row's; lookup.py
# decodes each distinct text once).
CANDIDATE_COLUMNS = (
    "SELECT s.id, s.municipality_id, s.name, i.name, m.name, CAST(s.categories AS TEXT), "
    "s.search_text, "
    "s.phone, s.www, s.is_example FROM service s "
    "JOIN institution i ON i.id = s.institution_id "
    "JOIN municipality m ON m.id = s.municipality_id "
)


def _alternatives(term: Term, match: Match, prefix: str, quote: str) -> list[str]:
    first = f"{quote}{term.indexed}{quote}{prefix if term.indexed_prefix else ''}"
    markers = term.markers if match.categories else []
    return [first, *(f"{quote}{marker}{quote}" for marker in markers)]


@functools.lru_cache(maxsize=64)
def _statement(sql: str) -> TextClause:
    # A handful of fixed texts (the words go in as values): parsed for their parameters once.
    return text(sql)


async def _rows(session: AsyncSession, sql: str, values: dict[str, object]) -> list[Row[Any]]:
    # Core, not ORM execution: these run on every search.
    connection = await session.connection()
    return list((await connection.execute(_statement(sql), values)).all())


async def _driver_rows(session: AsyncSession, sql: str, *values: object) -> list[Sequence[Any]]:
    """PostgreSQL: a fixed statement on asyncpg itself, in the session's transaction.
    SQLAlchemy's execution costs about 0.12 ms of CPU a statement over asyncpg's own (four
    times it), and a search runs two or three on every `/koszyk`. Reads only: SQLAlchemy
    learns nothing of what runs here, and the driver begins the transaction with the
    session's first statement of its own (a read before it reads committed data all the
    same)."""
    connection = (await session.connection()).sync_connection
    assert connection is not None  # begun by session.connection()
    driver: Any = connection.connection.driver_connection
    try:
        return list(await driver.fetch(sql, *values))
    except asyncpg.InterfaceError as error:
        if driver.is_closed():  # as SQLAlchemy would say: the unit of work may run again
            raise ConnectionResetError("the database connection closed") from error
        raise


def _found(rows: Sequence[Sequence[Any]]) -> Found:
    parts: dict[int, list[int]] = {0: [], 1: [], 2: [0]}
    for value, part in rows:
        parts[part].append(value)
    return Found(parts[0], parts[1], min(parts[2][-1], COUNT_LIMIT))


class Fts5:
    """SQLite: an external-content FTS5 table; the municipality is a word in the index too,
    so "own municipality" is an intersection of word lists, not a join."""

    @staticmethod
    def expression(match: Match) -> str:
        groups = ["(" + " OR ".join(_alternatives(t, match, "*", '"')) + ")" for t in match.terms]
        return (" OR " if match.any_term else " AND ").join(groups)

    async def find(
        self, session: AsyncSession, match: Match, municipality_id: int | None, window: int
    ) -> Found:
        expression = self.expression(match)
        values: dict[str, object] = {
            "all": expression,
            "n": window,
            "own_n": OWN_LIMIT,
            "count_n": COUNT_LIMIT,
        }
        parts = [
            "SELECT count(*), 2 FROM (SELECT 1 FROM service_fts "
            "WHERE service_fts MATCH :all LIMIT :count_n)"
        ]
        others = ":all"
        if municipality_id is not None:
            marker = f'"{municipality_token(municipality_id)}"'
            values["own"] = f"({expression}) AND {marker}"
            values["others"] = f"({expression}) NOT {marker}"
            parts.append(
                "SELECT * FROM (SELECT rowid, 0 FROM service_fts "
                "WHERE service_fts MATCH :own LIMIT :own_n)"
            )
            others = ":others"
        parts.append(
            "SELECT * FROM (SELECT rowid, 1 FROM service_fts "
            f"WHERE service_fts MATCH {others} ORDER BY rowid LIMIT :n)"
        )
        return _found(await _rows(session, " UNION ALL ".join(parts), values))

    async def own(self, session: AsyncSession, match: Match, municipality_id: int) -> list[int]:
        marker = f'"{municipality_token(municipality_id)}"'
        rows = await _rows(
            session,
            "SELECT rowid FROM service_fts WHERE service_fts MATCH :q LIMIT :n",
            {"q": f"({self.expression(match)}) AND {marker}", "n": OWN_LIMIT},
        )
        return [row[0] for row in rows]

    async def candidates(
        self, session: AsyncSession, ids: Sequence[int]
    ) -> Sequence[Sequence[Any]]:
        return await _rows(
            session,
            CANDIDATE_COLUMNS + "WHERE s.id IN (SELECT value FROM json_each(:ids))",
            {"ids": json.dumps(list(ids))},
        )


class PostgresFullText:
    """PostgreSQL: a GIN index over to_tsvector('simple', search_text)."""

    @staticmethod
    def expression(match: Match) -> str:
        groups = ["(" + " | ".join(_alternatives(t, match, ":*", "'")) + ")" for t in match.terms]
        return (" | " if match.any_term else " & ").join(groups)

    async def find(
        self, session: AsyncSession, match: Match, municipality_id: int | None, window: int
    ) -> Found:
        # One function (migration 0019): it plans its queries through the GIN index.
        rows = await _driver_rows(
            session,
            "SELECT * FROM basket_find($1, $2, $3, $4, $5)",
            self.expression(match),
            municipality_id,
            window,
            OWN_LIMIT,
            COUNT_LIMIT,
        )
        return _found(rows)

    async def own(self, session: AsyncSession, match: Match, municipality_id: int) -> list[int]:
        rows = await _driver_rows(
            session,
            "SELECT * FROM basket_own($1, $2, $3)",
            self.expression(match),
            municipality_id,
            OWN_LIMIT,
        )
        return [row[0] for row in rows]

    async def candidates(
        self, session: AsyncSession, ids: Sequence[int]
    ) -> Sequence[Sequence[Any]]:
        return await _driver_rows(session, CANDIDATE_COLUMNS + "WHERE s.id = ANY($1)", list(ids))


def full_text_for(dialect: str) -> FullText:
    return Fts5() if dialect == "sqlite" else PostgresFullText()
