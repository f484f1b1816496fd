"""The outbox: what handlers send to Telegram, written in the transaction of their effects.

A row commits with the state change it tells about, so a crash between commit and send loses
no reply: the next start sends what is pending. Requests are plain data (a Bot API method of
PTB's Bot, its keyword arguments as JSON, an optional file), so nothing here knows Telegram.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import rowcount, table_of
from storage.models import OutboxMessage, OutboxState


@dataclass
class Outgoing:
    """One request: `method` of PTB's Bot (send_message, edit_message_text, ...) with
    `params`; `file` goes in as `file_param` (document, photo)."""

    method: str
    chat_id: int | None
    params: dict[str, Any]
    file: tuple[str, bytes] | None = None
    file_param: str | None = None
    # Recorded once sent, with the sent message's id: {"card": meeting_id}.
    after: dict[str, Any] | None = None
    id: int | None = field(default=None, compare=False)


def _values(item: Outgoing, now: datetime, claimed_until: datetime | None) -> dict[str, Any]:
    params = dict(item.params)
    if item.file_param:
        params["_file_param"] = item.file_param
    return {
        "chat_id": item.chat_id,
        "method": item.method,
        "params": params,
        "file_name": item.file[0] if item.file else None,
        "file_content": item.file[1] if item.file else None,
        "after": item.after,
        "state": OutboxState.PENDING,
        "created_at": now,
        "next_try_at": now,
        "claimed_until": claimed_until,
        "attempts": 0,
    }


def _outgoing(row: OutboxMessage) -> Outgoing:
    params = dict(row.params)
    file_param = params.pop("_file_param", None)
    file = (row.file_name or "file", row.file_content) if row.file_content is not None else None
    return Outgoing(row.method, row.chat_id, params, file, file_param, row.after, row.id)


# Every update writes its replies here: built once, and a Core insert (the ORM's bulk insert
# costs a third more per row).
_TABLE = table_of(OutboxMessage)
_ADD = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)


async def add(
    session: AsyncSession, items: Sequence[Outgoing], now: datetime, claim: timedelta
) -> None:
    """Write the requests, claimed for `claim` by the writer, who sends them after commit;
    their ids are set on the items."""
    if not items:
        return
    ids = await session.scalars(_ADD, [_values(item, now, now + claim) for item in items])
    for item, row_id in zip(items, ids, strict=True):
        item.id = row_id


async def claim_due(
    session: AsyncSession, now: datetime, claim: timedelta, limit: int = 500
) -> list[Outgoing]:
    """Pending rows nobody is sending, oldest first, claimed for `claim`."""
    rows = list(
        await session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.state == OutboxState.PENDING,
                OutboxMessage.next_try_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    for row in rows:
        row.claimed_until = now + claim
    await session.flush()
    return [_outgoing(row) for row in rows]


async def release_claims(session: AsyncSession) -> int:
    """At start-up (one active instance): whatever the last run was sending is due now."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.claimed_until.is_not(None))
        .values(claimed_until=None)
    )
    return rowcount(result) or 0


@dataclass(frozen=True)
class Outcome:
    id: int
    state: OutboxState  # PENDING: try again at `retry_at`
    error: str | None = None
    retry_at: datetime | None = None
    unknown: bool = False  # the request may have reached Telegram


_SENT = (
    update(_TABLE)
    .where(_TABLE.c.id.in_(bindparam("ids", expanding=True)))
    .values(state=OutboxState.SENT, error=None, sent_at=bindparam("now"), file_content=None)
)


async def record(session: AsyncSession, outcomes: Sequence[Outcome], now: datetime) -> None:
    plainly_sent = {o.id for o in outcomes if o.state == OutboxState.SENT and not o.unknown}
    if plainly_sent:  # nearly all: one statement for the batch
        await session.execute(_SENT, {"ids": list(plainly_sent), "now": now})
    for outcome in outcomes:
        if outcome.id in plainly_sent:
            continue
        # A failure, a retry or a send whose first try's outcome was unknown: one more attempt.
        values: dict[str, Any] = {
            "state": outcome.state,
            "error": outcome.error,
            "attempts": OutboxMessage.attempts + 1,
        }
        if outcome.state == OutboxState.SENT:
            values.update(sent_at=now, file_content=None)  # a sent file is not kept
        elif outcome.state == OutboxState.PENDING:
            values.update(next_try_at=outcome.retry_at or now, claimed_until=None)
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == outcome.id).values(**values)
        )


async def attempts_of(session: AsyncSession, row_id: int) -> int:
    return (
        await session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == row_id)) or 0
    )


async def postpone(session: AsyncSession, ids: Sequence[int], until: datetime) -> None:
    """Rows that wait behind one of their chat's that failed: due with it, not before."""
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(next_try_at=until, claimed_until=None)
        )


async def forget(session: AsyncSession, ids: Sequence[int]) -> None:
    if ids:
        await session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))


async def prune(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.state != OutboxState.PENDING, OutboxMessage.created_at < before
        )
    )
    return rowcount(result) or 0


async def size(session: AsyncSession) -> tuple[int, int]:
    """(rows, of which pending)."""
    total = await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    waiting = (
        await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.PENDING)
        )
        or 0
    )
    return total, waiting


async def erase_person(session: AsyncSession, telegram_id: int) -> None:
    """A member's erasure takes what was written to their private chat."""
    await session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == telegram_id))
