"""Benchmarks, run as modules: `python -m bench.<name>`, or all: `python -m bench`.

Shared helpers below: every module takes the same flags (`add_common_arguments`) and reports
through `report`, so that `python -m bench` can collect the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.config import Settings
from storage.db import Database

Row = dict[str, float | int | str]
Table = tuple[str, list[Row]]


def rss_mb() -> float:
    """Peak resident memory of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bot_settings(token: str, api: str, url: str, **more: Any) -> Settings:
    """The bot's settings against the emulator at `api`, none read from the environment."""
    return Settings(
        telegram_bot_token=token,  # type: ignore[arg-type]  # pydantic reads a str
        telegram_api_base_url=api,
        database_url=url,
        _env_file=None,  # type: ignore[call-arg]
        **more,
    )


def free_port() -> int:
    """A local TCP port nobody listens on now (for the bot's HTTP server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_url() -> str | None:
    """The PostgreSQL database to benchmark too, if any (its public schema gets dropped)."""
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or None


def database_urls(folder: str, name: str = "bench") -> list[str]:
    """Where a benchmark runs: a fresh SQLite file in ``folder``, then PostgreSQL if set."""
    postgres = postgres_url()
    return [f"sqlite+aiosqlite:///{folder}/{name}.db"] + ([postgres] if postgres else [])


async def settle(db: Database, explicit_ids: Sequence[str] = ()) -> None:
    """After a bulk fill, a PostgreSQL database as one in use would be: the sequences of the
    tables filled with explicit ids moved past them, and what autovacuum does within a minute
    (statistics, hint bits, the visibility map). Measured without statistics the planner
    guesses: /spotkania's query took 10 ms instead of 1."""
    if not db.url.startswith("postgresql"):
        return
    async with db.engine.begin() as connection:
        for table in explicit_ids:
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            await connection.execute(text(f"SELECT setval({sequence}, max(id)) FROM {table}"))
    async with db.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE"))


async def reset_database(url: str) -> None:
    """A PostgreSQL benchmark database starts empty (SQLite ones are fresh temporary files)."""
    if url.startswith("postgresql"):
        db = Database(url)
        async with db.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await db.dispose()


def table(results: list[Row]) -> str:
    """The results as a Markdown table, one row each."""
    keys = list(results[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in results]
    return "\n".join(lines)


def add_common_arguments(
    parser: argparse.ArgumentParser, quick: str = "smaller sizes, for a run of seconds"
) -> None:
    """The flags every benchmark takes; `quick` is the help text saying what --quick shrinks."""
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument(
        "--json", metavar="PATH", help="also write the figures to this JSON file (for bench/)"
    )


def report(
    name: str,
    title: str,
    tables: Sequence[Table],
    json_path: str | None,
    notes: Sequence[str] = (),
) -> None:
    """Print each table under its caption, then the notes; write them all to `json_path`."""
    print(f"\n{title}")
    for caption, rows in tables:
        print(f"\n{caption}\n")
        print(table(rows) if rows else "(no results)")
    if notes:
        print()
        for note in notes:
            print(note)
    if json_path:
        figures = {
            "name": name,
            "title": title,
            "tables": [{"caption": caption, "rows": rows} for caption, rows in tables],
            "notes": list(notes),
        }
        Path(json_path).write_text(
            json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
