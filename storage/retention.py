"""Data kept no longer than needed: inactive members and old meetings are deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import personal_data
from storage.models import Meeting, MeetingSeries, Member


@dataclass(frozen=True)
class Rules:
    inactive_months: int = 24
    meeting_months: int = 60


@dataclass(frozen=True)
class Purged:
    members: int
    meetings: int


async def purge(session: AsyncSession, now: datetime, rules: Rules) -> Purged:
    """Members last seen before the cut-off are erased as by /usun_dane; meetings that started
    before theirs go with their answers, attendance and decisions (tasks stay, unlinked)."""
    members_cut = now - relativedelta(months=rules.inactive_months)
    stale = (await session.scalars(select(Member).where(Member.last_seen_at < members_cut))).all()
    for member in stale:
        await personal_data.erase(session, member)
    meetings_cut = now - relativedelta(months=rules.meeting_months)
    gone = await session.execute(
        delete(Meeting).where(Meeting.starts_at < meetings_cut).returning(Meeting.id)
    )
    # Series whose every occurrence is gone and which ended before the cut-off.
    await session.execute(
        delete(MeetingSeries).where(
            MeetingSeries.until.is_not(None),
            MeetingSeries.until < meetings_cut,
            ~select(Meeting.id).where(Meeting.series_id == MeetingSeries.id).exists(),
        )
    )
    return Purged(len(stale), len(gone.all()))
