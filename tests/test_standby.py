"""Two instances on one PostgreSQL database: one active, the other standing by until it dies."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import text

from storage.db import Database
from storage.standby import leadership


async def test_a_standby_takes_over_when_the_active_instance_dies(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process per file: nothing to stand by for")
    active, standby, admin = Database(db_url), Database(db_url), Database(db_url)
    took_over = asyncio.Event()

    async def instance(db: Database, serving: asyncio.Event | None) -> None:
        async with leadership(db, poll_seconds=0.05):
            if serving is not None:
                serving.set()
            await asyncio.sleep(3600)

    first_serving = asyncio.Event()
    first = asyncio.create_task(instance(active, first_serving))
    await asyncio.wait_for(first_serving.wait(), timeout=5)
    second = asyncio.create_task(instance(standby, took_over))
    try:
        await asyncio.sleep(0.5)
        assert not took_over.is_set()  # the first holds the lock; the second stands by
        # The first process dies: PostgreSQL ends its session, as when the server kills it.
        async with admin.engine.begin() as connection:
            killed = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"
                )
            )
        assert killed == 1
        await asyncio.wait_for(took_over.wait(), timeout=5)
    finally:
        for task in (first, second):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        for db in (active, standby, admin):
            await db.dispose()
