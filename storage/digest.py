"""The twice-monthly digest "Najbliższe spotkania": one message per member and digest day.

A member of several teams gets one digest grouped by team, not one per team: a row of
`scheduled_message` per member and day, stored under one of their teams (the anchor), so the
unique key (team, day, chat) keeps it sent once across ticks, restarts and processes. Which
teams it covers is decided when it is sent: the member's unmuted teams whose digest falls on
that day. Teams with nothing planned are left out; a member with nothing at all gets no
digest, and coordinators of an empty team get a one-line prompt to call a meeting instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audience
from storage.models import (
    Answer,
    Delivery,
    Meeting,
    MeetingStatus,
    Member,
    Membership,
    Role,
    Rsvp,
    ScheduledKind,
    ScheduledMessage,
    Team,
)

# The digest's window: meetings from now until this far ahead.
WINDOW = timedelta(weeks=5)


@dataclass
class TeamDigest:
    team: Team
    coordinator: bool = False
    # Each planned meeting of the window with the member's answer (None: not answered).
    meetings: list[tuple[Meeting, Answer | None]] = field(default_factory=list)


@dataclass(frozen=True)
class _Seat:
    team_id: int
    coordinator: bool
    muted: bool


async def member_rows(
    session: AsyncSession, teams: list[Team], due: dict[int, date], now: datetime
) -> list[dict[str, Any]]:
    """Digest rows of the members of the teams due now (team id -> digest day): one per member
    and day, skipping those who already have theirs (another team's digest came first)."""
    by_id = {team.id: team for team in teams}
    seats, chats = await _seats(session, list(due))
    team_ids = {seat.team_id for own in seats.values() for seat in own}
    already = await _planned(session, team_ids, {day.isoformat() for day in due.values()})
    values = []
    for member_id, own in seats.items():
        for day in sorted({due[s.team_id] for s in own if s.team_id in due}):
            chat_id = chats[member_id]
            if (chat_id, day.isoformat()) in already:
                continue
            anchor = _anchor([by_id[s.team_id] for s in own if not s.muted], day)
            if anchor is None:
                continue
            values.append(
                {
                    "kind": ScheduledKind.DIGEST,
                    "team_id": anchor.id,
                    "member_id": member_id,
                    "chat_id": chat_id,
                    "digest_date": day.isoformat(),
                    "due_at": now,
                    "state": Delivery.PENDING,
                    "attempts": 0,
                }
            )
    return values


def _anchor(teams: list[Team], day: date) -> Team | None:
    """The team the row is stored under. A protected team first: the message is sent with the
    anchor's protect_content, and it must cover that team's meetings too."""
    covered = [team for team in teams if day.day in team.digest_days]
    return min(covered, key=lambda team: (not team.protect_content, team.id), default=None)


async def _seats(
    session: AsyncSession, team_ids: list[int]
) -> tuple[dict[int, list[_Seat]], dict[int, int]]:
    """Every team of every member of the given teams, and each member's private chat."""
    in_due = select(Membership.member_id).where(Membership.team_id.in_(team_ids))
    rows = await session.execute(
        select(
            Membership.member_id,
            Member.telegram_id,
            Membership.team_id,
            Membership.role,
            Membership.reminders_muted,
        )
        .join(Member, Member.id == Membership.member_id)
        .where(Membership.member_id.in_(in_due))
    )
    seats: dict[int, list[_Seat]] = defaultdict(list)
    chats: dict[int, int] = {}
    for member_id, chat_id, team_id, role, muted in rows.all():
        seats[member_id].append(_Seat(team_id, role == Role.COORDINATOR, bool(muted)))
        chats[member_id] = chat_id
    return seats, chats


async def _planned(
    session: AsyncSession, team_ids: set[int], days: set[str]
) -> set[tuple[int, str]]:
    """(chat, day) of members' digests already stored. By team and day first: the unique key's
    index, so the check runs every minute of the digest day without scanning all reminders."""
    rows = await session.execute(
        select(ScheduledMessage.chat_id, ScheduledMessage.digest_date).where(
            ScheduledMessage.team_id.in_(team_ids),
            ScheduledMessage.digest_date.in_(days),
            ScheduledMessage.kind == ScheduledKind.DIGEST,
            ScheduledMessage.member_id.is_not(None),
        )
    )
    return {(chat_id, day) for chat_id, day in rows.all()}


async def for_member(
    session: AsyncSession, member: Member, day: str | None, now: datetime
) -> list[TeamDigest]:
    """The member's unmuted teams whose digest falls on that day, with planned meetings and the
    member's answers, by team name."""
    rows = await session.execute(
        select(Team, Membership.role)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.member_id == member.id, Membership.reminders_muted.is_(False))
        .order_by(Team.name)
    )
    on_day = date.fromisoformat(day).day if day else None
    found = [
        TeamDigest(team, role == Role.COORDINATOR)
        for team, role in rows.all()
        if on_day is None or on_day in team.digest_days
    ]
    await _fill(session, found, member, now)
    return found


async def for_team(session: AsyncSession, team: Team, now: datetime) -> TeamDigest:
    """The team's planned meetings, for its group (no answers)."""
    found = TeamDigest(team)
    await _fill(session, [found], None, now)
    return found


async def _fill(
    session: AsyncSession, found: list[TeamDigest], member: Member | None, now: datetime
) -> None:
    by_team = {entry.team.id: entry for entry in found}
    if not by_team:
        return
    meetings = await session.scalars(
        select(Meeting)
        .where(
            audience.meetings_of_teams(list(by_team)),
            Meeting.starts_at > now,
            Meeting.starts_at <= now + WINDOW,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
        .options(selectinload(Meeting.team).selectinload(Team.municipality))
        .order_by(Meeting.starts_at)
    )
    planned = list(meetings)
    answers: dict[int, Answer] = {}
    if member is not None and planned:
        answers = dict(
            (
                await session.execute(
                    select(Rsvp.meeting_id, Rsvp.answer).where(
                        Rsvp.member_id == member.id,
                        Rsvp.meeting_id.in_([m.id for m in planned]),
                    )
                )
            )
            .tuples()
            .all()
        )
    others = [meeting.id for meeting in planned if meeting.team_id not in by_team]
    invited = await audience.invited_by_meeting(session, others)
    for meeting in planned:
        # Under its own team, or under the first of the reader's teams it invites.
        entry = by_team.get(meeting.team_id) or next(
            by_team[team_id] for team_id in invited[meeting.id] if team_id in by_team
        )
        entry.meetings.append((meeting, answers.get(meeting.id)))
