"""Members: Telegram users known to the bot."""

from __future__ import annotations

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, with_expression

from storage.models import Member, Membership, RegionAdmin, utcnow

# Every update loads this: one round trip, memberships and teams joined (a member has a
# few), so the rows repeat the member and `unique()` folds them. Built once: building the
# statement and its cache key cost more than running it.
_MEMBER_BY_TELEGRAM_ID = (
    select(Member)
    .where(Member.telegram_id == bindparam("telegram_id"))
    .options(
        joinedload(Member.memberships).joinedload(Membership.team),
        joinedload(Member.institution),
        with_expression(
            Member.appointed, exists().where(RegionAdmin.telegram_id == Member.telegram_id)
        ),
    )
)


async def find_member(session: AsyncSession, telegram_id: int) -> Member | None:
    found = await session.scalars(_MEMBER_BY_TELEGRAM_ID, {"telegram_id": telegram_id})
    return found.unique().one_or_none()


async def ensure_member(
    session: AsyncSession,
    telegram_id: int,
    name: str,
    username: str | None,
    language: str | None = None,
) -> Member:
    """The member for this Telegram user, created on first join; name kept current.

    `language` is stored for a new member: what jobs send them (cards, reminders) has no
    Telegram update to take it from.
    """
    member = await find_member(session, telegram_id)
    display = " ".join(name.split())[:200] or str(telegram_id)
    if member is None:
        member = Member(
            telegram_id=telegram_id,
            name=display,
            username=username,
            language=language,
            memberships=[],
        )
        session.add(member)
        await session.flush()
    else:
        member.name, member.username, member.last_seen_at = display, username, utcnow()
    return member


async def set_language(session: AsyncSession, member: Member, language: str | None) -> None:
    member.language = language
    await session.flush()


async def find_by_username(session: AsyncSession, username: str) -> Member | None:
    """A member by their Telegram @username (with or without the @, any case)."""
    wanted = username.strip().removeprefix("@").lower()
    if not wanted:
        return None
    return await session.scalar(
        select(Member).where(func.lower(Member.username) == wanted).order_by(Member.id).limit(1)
    )
