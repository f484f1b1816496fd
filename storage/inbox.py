"""The inbox: every update Telegram delivered, stored before Telegram learns it arrived.

A row is written (and committed) before the next getUpdates offset or the webhook's 200 tells
Telegram the update was received, and marked handled in the transaction of the handler's own
effects. What a crash leaves unhandled is handled at the next start; an update delivered twice
is one row, handled once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import rowcount, table_of
from storage.models import InboxUpdate

# An update begun this many times after crashes and never finished crashed the bot each
# time: given up (logged), so one poisonous update cannot keep the bot from starting.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Received:
    update_id: int
    order_key: int | None
    payload: str  # the update's JSON, as Telegram sent it


# Every update passes these; built once, and on the table (the ORM's statements cost a third
# more to run).
_TABLE = table_of(InboxUpdate)
# One statement: under load each round trip of the intake waits for a turn of a busy event
# loop, and updates wait for the intake. (A dialect's INSERT ... ON CONFLICT is compiled anew
# at each execution, SQLAlchemy does not cache it: once a batch, 0.15 ms.)
_ADD_NEW = {
    name: insert_into(_TABLE)
    .on_conflict_do_nothing(index_elements=[_TABLE.c.update_id])
    .returning(_TABLE.c.update_id)
    for name, insert_into in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}

_MARK_HANDLED = (
    update(_TABLE)
    .where(_TABLE.c.update_id == bindparam("id"), _TABLE.c.handled_at.is_(None))
    .values(handled_at=bindparam("now"))
)


async def accept(session: AsyncSession, received: Sequence[Received]) -> list[int]:
    """Store what is new, in one statement; the ids stored now, in order (a repeat of a stored
    update is not among them)."""
    if not received:
        return []
    rows = {
        r.update_id: {
            "update_id": r.update_id,
            "order_key": r.order_key,
            "payload": r.payload,
            "attempts": 0,
        }
        for r in received
    }
    statement = _ADD_NEW[session.get_bind().dialect.name]
    stored = set(await session.scalars(statement, list(rows.values())))
    return [update_id for update_id in rows if update_id in stored]


async def mark_handled(session: AsyncSession, update_id: int, now: datetime) -> None:
    await session.execute(_MARK_HANDLED, {"id": update_id, "now": now})


async def left_unhandled(session: AsyncSession, now: datetime) -> tuple[list[str], list[int]]:
    """At start-up: the payloads to handle again, oldest first, and the ids given up (begun
    MAX_ATTEMPTS times and never finished: each time, the bot died handling them)."""
    rows = (
        await session.execute(
            select(InboxUpdate.update_id, InboxUpdate.payload, InboxUpdate.attempts)
            .where(InboxUpdate.handled_at.is_(None))
            .order_by(InboxUpdate.update_id)
        )
    ).all()
    given_up = [r.update_id for r in rows if r.attempts >= MAX_ATTEMPTS]
    if given_up:
        await session.execute(
            update(InboxUpdate).where(InboxUpdate.update_id.in_(given_up)).values(handled_at=now)
        )
    return [r.payload for r in rows if r.attempts < MAX_ATTEMPTS], given_up


async def begun(session: AsyncSession, update_id: int) -> None:
    """An update left by a crash is being handled again: counted, for the poison rule."""
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id)
        .values(attempts=InboxUpdate.attempts + 1)
    )


async def prune(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(InboxUpdate).where(InboxUpdate.handled_at < before))
    return rowcount(result) or 0


async def size(session: AsyncSession) -> tuple[int, int]:
    """(rows, of which unhandled)."""
    total = await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0
    waiting = (
        await session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.handled_at.is_(None))
        )
        or 0
    )
    return total, waiting


async def erase_person(session: AsyncSession, telegram_id: int) -> None:
    """A member's erasure takes the updates they sent, handled or not."""
    await session.execute(delete(InboxUpdate).where(InboxUpdate.order_key == telegram_id))
