"""Claiming due rows for sending, one or a few at a time: reminders (`storage/reminders.py`) and
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
    limit: int = 1,
) -> list[Claimable]:
    """Take the first `limit` `pending` rows that are `due`, in order: they become `sending`,
    claimed by `worker` at `now`, each with one more attempt. Empty when nothing is due."""
    candidates = select(model.id).where(model.state == pending, due).order_by(*order_by)
    ids = list(await session.scalars(skip_locked(session, candidates.limit(limit))))
    if not ids:
        return []
    # By id alone: the rows are this transaction's (locked, or SQLite's one writer), so they are
    # still pending. A condition on the state too made SQLite pick the (state, ...) index over
    # the ids and read every pending row of the table, in every claim of more than one row.
    await session.execute(
        update(model)
        .where(model.id.in_(ids))
        .values(state=sending, claimed_by=worker, claimed_at=now, attempts=model.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    claimed = await session.scalars(
        select(model).where(model.id.in_(ids)).execution_options(populate_existing=True)
    )
    by_id = {row.id: row for row in claimed}
    return [by_id[row_id] for row_id in ids]
