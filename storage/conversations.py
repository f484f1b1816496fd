"""Dialogue state kept in the database.

PTB's ConversationHandler keeps state in memory (or loads persistence only at start), so a
restart or a second process would forget what the user was asked. Here every step is a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState, utcnow

# A question left unanswered this long is forgotten rather than resumed by surprise.
STATE_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class Pending:
    name: str
    data: dict[str, Any]


async def get_pending(
    session: AsyncSession, chat_id: int, user_id: int, now: datetime | None = None
) -> Pending | None:
    row = await session.get(ConversationState, (chat_id, user_id))
    if row is None:
        return None
    if row.updated_at < (now or utcnow()) - STATE_TTL:
        await session.delete(row)
        return None
    return Pending(row.name, dict(row.data))


async def set_pending(
    session: AsyncSession, chat_id: int, user_id: int, name: str, data: dict[str, Any]
) -> None:
    row = await session.get(ConversationState, (chat_id, user_id))
    if row is None:
        session.add(ConversationState(chat_id=chat_id, user_id=user_id, name=name, data=data))
    else:
        row.name, row.data, row.updated_at = name, data, utcnow()
    await session.flush()


async def clear_pending(session: AsyncSession, chat_id: int, user_id: int) -> None:
    await session.execute(
        delete(ConversationState).where(
            ConversationState.chat_id == chat_id, ConversationState.user_id == user_id
        )
    )


async def pending_exists(session: AsyncSession, chat_id: int, user_id: int) -> bool:
    return (
        await session.scalar(
            select(ConversationState.name).where(
                ConversationState.chat_id == chat_id, ConversationState.user_id == user_id
            )
        )
    ) is not None
