"""Claiming due rows for sending, one at a time: reminders (`storage/reminders.py`) and
announcement deliveries (`storage/announcements.py`) share it.

Two senders (processes) never take the same row: on PostgreSQL the candidate is selected
FOR UPDATE SKIP LOCKED, so another sender passes over it to the next; on SQLite every
transaction takes the one write lock up front (BEGIN IMMEDIATE, `storage/db.py`), so a
claim's select and update cannot interleave with another's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AnnouncementDelivery, ScheduledMessage

# Rows with state, claimed_by, claimed_at and attempts.
Claimable = TypeVar("Claimable", ScheduledMessage, AnnouncementDelivery)
_Selected = TypeVar("_Selected", bound=tuple[Any, ...])


def skip_locked(session: AsyncSession, statement: Select[_Selected]) -> Select[_Selected]:
    """Lock the selected rows, passing over those another transaction holds (PostgreSQL);
    SQLite has no row locks and needs none (one writer)."""
    if session.bind.dialect.name == "postgresql":
        return statement.with_for_update(skip_locked=True)
    return statement


async def claim_due(
    session: AsyncSession,
    model: type[Claimable],
    *,
    due: ColumnElement[bool],
    order_by: Sequence[Any],
    pending: StrEnum,
    sending: StrEnum,
    worker: str,
    now: datetime,
) -> Claimable | None:
    """Take the first `pending` row that is `due`: it becomes `sending`, claimed by `worker`
    at `now`, with one more attempt. None when nothing is due."""
    candidate = select(model.id).where(model.state == pending, due).order_by(*order_by).limit(1)
    row_id = await session.scalar(skip_locked(session, candidate))
    if row_id is None:
        return None
    await session.execute(
        update(model)
        .where(model.id == row_id, model.state == pending)
        .values(state=sending, claimed_by=worker, claimed_at=now, attempts=model.attempts + 1)
    )
    return await session.get(model, row_id, populate_existing=True)
