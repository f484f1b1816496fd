"""Benchmarks, run as modules: `python -m bench.<name>`. Shared helpers below."""

from __future__ import annotations

import resource

from sqlalchemy import text

from storage.db import Database


def rss_mb() -> float:
    """Peak resident memory of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def reset_database(url: str) -> None:
    """A PostgreSQL benchmark database starts empty (SQLite ones are fresh temporary files)."""
    if url.startswith("postgresql"):
        db = Database(url)
        async with db.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await db.dispose()


def table(results: list[dict[str, float | int | str]]) -> str:
    """The results as a Markdown table, one row each."""
    keys = list(results[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in results]
    return "\n".join(lines)
