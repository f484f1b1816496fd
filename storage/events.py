"""Kinds of events: which a team calls by default, how long each may run, who coaching is for.

The programme counts its work by these kinds ("8 cross-sector trainings, 211 people",
"coaching for 16 social workers, 201 hours"), so every event carries one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import DomainError, Problem
from storage.models import EventKind, Member, Membership, TeamKind

# Workshops are "two-day, off-site"; trainings and conferences may run over days too.
MULTI_DAY = frozenset({EventKind.WORKSHOP, EventKind.TRAINING, EventKind.CONFERENCE})
MAX_DAYS = 3
# Anything else is one sitting: a meeting, a consultation, a coaching session (a range typed
# for one ends within a day: "od 9 do 11", a night shift at most).
MAX_SITTING = timedelta(hours=24)


def team_default(team_kind: TeamKind) -> EventKind:
    """What a team calls when nobody says otherwise: its own meeting."""
    return EventKind.ZZK_MEETING if team_kind == TeamKind.ZZK else EventKind.PZK_MEETING


def check_length(kind: EventKind, duration: timedelta) -> None:
    """An event ends after it starts, and within its kind's length."""
    if duration <= timedelta(0):
        raise DomainError(Problem.EVENT_ENDS_BEFORE_START)
    longest = timedelta(days=MAX_DAYS) if kind in MULTI_DAY else MAX_SITTING
    if duration > longest:
        raise DomainError(
            Problem.EVENT_TOO_LONG,
            kind=kind,
            days=MAX_DAYS,
            hours=int(MAX_SITTING.total_seconds() // 3600),
        )


async def check_coached(
    session: AsyncSession, kind: EventKind, team_id: int, coached: Sequence[Member]
) -> list[Member]:
    """Coaching is for named workers of the team; other kinds coach nobody."""
    if kind != EventKind.COACHING:
        return []
    if not coached:
        raise DomainError(Problem.COACHING_WITHOUT_WORKER)
    ids = {member.id for member in coached}
    in_team = set(
        await session.scalars(
            select(Membership.member_id).where(
                Membership.team_id == team_id, Membership.member_id.in_(ids)
            )
        )
    )
    if in_team != ids:
        raise DomainError(Problem.NOT_IN_TEAM)
    return sorted(coached, key=lambda m: m.id)
