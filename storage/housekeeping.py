"""The inbox and the outbox stay small: handled and sent rows go after a while."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage import inbox, outbox


@dataclass(frozen=True)
class Keep:
    inbox: timedelta = timedelta(days=7)
    outbox: timedelta = timedelta(days=7)


async def prune_queues(session: AsyncSession, now: datetime, keep: Keep) -> tuple[int, int]:
    """Handled updates and finished messages older than kept: (inbox rows, outbox rows)."""
    return (
        await inbox.prune(session, now - keep.inbox),
        await outbox.prune(session, now - keep.outbox),
    )


async def queue_sizes(session: AsyncSession) -> dict[str, int]:
    inbox_rows, unhandled = await inbox.size(session)
    outbox_rows, unsent = await outbox.size(session)
    return {
        "inbox_rows": inbox_rows,
        "inbox_unhandled": unhandled,
        "outbox_rows": outbox_rows,
        "outbox_pending": unsent,
    }
