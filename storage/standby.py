"""One active instance per database: a standby waits on a PostgreSQL advisory lock.

The active instance holds a session-level advisory lock on a connection of its own for as long
as it runs. When it stops or dies, PostgreSQL ends that session and releases the lock, and the
standby (polling every few seconds) takes over. SQLite serves one process per file: no lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from storage.db import Database

log = logging.getLogger(__name__)

# Any fixed 64-bit number; "kooperacje" in ASCII, cut to fit.
LOCK_KEY = 0x6B6F6F7065726163


@asynccontextmanager
async def leadership(db: Database, *, poll_seconds: float = 5.0) -> AsyncIterator[None]:
    if not db.url.startswith("postgresql"):
        yield
        return
    async with db.engine.connect() as connection:
        waited = False
        while True:
            taken = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
            )
            await connection.commit()  # no transaction left open; the lock is the session's
            if taken:
                break
            if not waited:
                log.info("another instance is active: standing by")
                waited = True
            await asyncio.sleep(poll_seconds)
        if waited:
            log.info("the active instance is gone: taking over")
        try:
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            await connection.commit()
