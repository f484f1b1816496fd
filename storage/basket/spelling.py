"""The basket's vocabulary (table service_word): what typos in searches are corrected to."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.basket.text import category_token
from storage.basket.vocabulary import CATEGORIES
from storage.db import column_length
from storage.models import ServiceWord

_MARKERS = {category_token(slug) for slug in CATEGORIES}
_MUNICIPALITY_MARKER = re.compile(r"^gm\d+$")
_LONGEST = column_length(ServiceWord.__table__.c.word)


def _is_word(token: str) -> bool:
    return (
        len(token) <= _LONGEST and token not in _MARKERS and not _MUNICIPALITY_MARKER.match(token)
    )


async def remember(session: AsyncSession, search_texts: Iterable[str]) -> None:
    """Add the words of these search texts to the vocabulary (known ones are skipped)."""
    found = sorted({t for line in search_texts for t in line.split() if _is_word(t)})
    if not found:
        return
    connection = await session.connection()
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    statement = dialect.insert(ServiceWord).on_conflict_do_nothing()
    await connection.execute(statement, [{"word": word} for word in found])


async def _has_trigrams(session: AsyncSession) -> bool:
    connection = await session.connection()
    if "pg_trgm" not in connection.info:
        installed = await session.scalar(
            text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
        )
        connection.info["pg_trgm"] = bool(installed)
    return bool(connection.info["pg_trgm"])


async def words_like(session: AsyncSession, word: str) -> list[str]:
    """Known words that may be what a misspelt `word` meant; rapidfuzz picks among them.

    PostgreSQL with pg_trgm: trigram-similar words (GIN index), a typo anywhere. Otherwise
    the words sharing the first two letters: typos rarely hit those."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql" and await _has_trigrams(session):
        # `%`: trigram similarity above pg_trgm.similarity_threshold (0.3 by default).
        found = await connection.execute(
            text("SELECT word FROM service_word WHERE word % :w LIMIT 200"), {"w": word}
        )
        return list(found.scalars())
    start = word[:2]
    found = await connection.execute(
        select(ServiceWord.word)
        .where(ServiceWord.word >= start, ServiceWord.word < start + "\uffff")
        .order_by(func.length(ServiceWord.word))
        .limit(5000)
    )
    return list(found.scalars())
