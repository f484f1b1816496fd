"""A consistent copy of the database while the bot runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import make_url

PG_DUMP_ADVICE = (
    "PostgreSQL: use pg_dump, which takes a consistent snapshot while the bot runs, e.g.\n"
    "  pg_dump --format=custom --file=kooperacje.dump 'postgresql://user:pass@host/db'\n"
    "and pg_restore to bring it back."
)


class BackupError(Exception):
    pass


def backup_sqlite(database_url: str, target: Path) -> int:
    """SQLite's online backup API: a snapshot even while the bot writes (WAL included).
    One step: in WAL mode (the bot's) the copy is a read transaction, which writers do not
    wait for. A copy in steps restarts whenever the bot commits between two of them, and
    never finished while the bot was busy. Returns the size of the copy in bytes."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        raise BackupError(PG_DUMP_ADVICE)
    source_path = Path(url.database or "")
    if not source_path.is_file():
        raise BackupError(f"no database file at {source_path}")
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=-1)
    finally:
        copy.close()
        source.close()
    return target.stat().st_size
