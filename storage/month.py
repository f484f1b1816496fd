"""A team's calendar over a span of time, with the answers counted: the Mini App's month
(bot/webapp). Which meetings are a team's is storage/audience.py's word (its own, and those
inviting it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audience
from storage.models import Answer, Meeting, Rsvp, Team


async def team_meetings(
    session: AsyncSession, team_id: int, start: datetime, end: datetime
) -> Sequence[Meeting]:
    """Meetings of the team (cancelled ones too) starting in [start, end), by start."""
    return (
        await session.scalars(
            select(Meeting)
            .where(audience.meetings_of_team(team_id), Meeting.starts_at >= start)
            .where(Meeting.starts_at < end)
            .options(selectinload(Meeting.team).selectinload(Team.municipality))
            .order_by(Meeting.starts_at, Meeting.id)
        )
    ).all()


async def answer_counts(
    session: AsyncSession, meeting_ids: Sequence[int]
) -> dict[int, dict[Answer, int]]:
    """Per meeting, how many answered yes, maybe, no (one query for all)."""
    found: dict[int, dict[Answer, int]] = {meeting_id: {} for meeting_id in meeting_ids}
    if not meeting_ids:
        return found
    rows = await session.execute(
        select(Rsvp.meeting_id, Rsvp.answer, func.count())
        .where(Rsvp.meeting_id.in_(meeting_ids))
        .group_by(Rsvp.meeting_id, Rsvp.answer)
    )
    for meeting_id, answer, count in rows.tuples():
        found[meeting_id][answer] = count
    return found


async def answers_of(
    session: AsyncSession, member_id: int, meeting_ids: Sequence[int]
) -> dict[int, Answer]:
    """The member's own answers to these meetings."""
    if not meeting_ids:
        return {}
    rows = await session.execute(
        select(Rsvp.meeting_id, Rsvp.answer).where(
            Rsvp.member_id == member_id, Rsvp.meeting_id.in_(meeting_ids)
        )
    )
    return dict(rows.tuples().all())
