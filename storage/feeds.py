"""Calendar subscription feeds (issue 23): private links and what each one shows.

A link's secret is 192 random bits (`secrets`), written into the URL and never stored: the
table keeps its SHA-256, and a request's token is hashed, looked up by that hash and compared
again in constant time. So the bot cannot show a link twice; a new one replaces the old.

Two kinds of feed:
- the member's own (`team_id` None): the meetings of every team the member is in *now*, so
  leaving a team takes its meetings out of the feed at once, and a member in no team has no
  feed (404);
- a team's (`team_id` set), made by a coordinator for the team's shared calendar: it works
  while its maker may still do so (bot/permissions.py, asked by bot/feed_http.py).

Erasing the member (`personal_data.erase`) deletes the links (the foreign key also cascades).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from storage import audience
from storage.models import (
    Answer,
    EventKind,
    FeedToken,
    Meeting,
    MeetingStatus,
    Member,
    Municipality,
    Rsvp,
    Team,
    utcnow,
)

TOKEN_BYTES = 24  # 192 bits; token_urlsafe writes them as 32 characters
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")
# What a feed holds: meetings of the last 90 days and every later one; a cancelled meeting
# for 30 days after its cancellation, marked so, for calendar apps to remove it.
PAST = timedelta(days=90)
CANCELLED_KEPT = timedelta(days=30)
# A bound on one response (a member in 30 teams, each meeting every week: ~1,000).
MAX_EVENTS = 3000


def well_formed(token: str) -> bool:
    """Whether `token` has a link's shape: anything else is refused without a query."""
    return _TOKEN_SHAPE.fullmatch(token) is not None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


async def issue(
    session: AsyncSession, member_id: int, team_id: int | None = None, now: datetime | None = None
) -> str:
    """A new link of the member's own feed (or of the team's): the previous one stops working.
    Returns the secret, which only the caller ever sees."""
    await revoke(session, member_id, team_id)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        FeedToken(
            token_hash=hash_token(token),
            member_id=member_id,
            team_id=team_id,
            created_at=now or utcnow(),
        )
    )
    await session.flush()
    return token


def _of(member_id: int, team_id: int | None) -> list[ColumnElement[bool]]:
    team = FeedToken.team_id.is_(None) if team_id is None else FeedToken.team_id == team_id
    return [FeedToken.member_id == member_id, team]


async def revoke(session: AsyncSession, member_id: int, team_id: int | None = None) -> int:
    """The member's link (or their link of the team's feed) stops working. Returns how many."""
    result = await session.execute(delete(FeedToken).where(*_of(member_id, team_id)))
    return int(getattr(result, "rowcount", 0) or 0)


async def made_at(
    session: AsyncSession, member_id: int, team_id: int | None = None
) -> datetime | None:
    """When the member's current link was made, or None without one."""
    made = await session.scalars(
        select(FeedToken.created_at).where(*_of(member_id, team_id)).order_by(FeedToken.id.desc())
    )
    return made.first()


async def links_of(session: AsyncSession, member_id: int) -> list[tuple[datetime, str | None]]:
    """The member's links (for /moje_dane): when each was made, and the team of a team feed."""
    rows = await session.execute(
        select(FeedToken.created_at, Team.name)
        .outerjoin(Team, Team.id == FeedToken.team_id)
        .where(FeedToken.member_id == member_id)
        .order_by(FeedToken.created_at)
    )
    return [(at, team) for at, team in rows.all()]


@dataclass(frozen=True)
class Scope:
    """Whose meetings a link shows, resolved at each request."""

    token_hash: str
    member: Member  # the link's owner (with memberships), or the maker of a team feed
    team_ids: tuple[int, ...]
    language: str  # the member's, or the team's for a team feed
    team: Team | None = None  # a team feed's team

    @property
    def is_team_feed(self) -> bool:
        return self.team is not None


async def resolve(session: AsyncSession, token: str) -> Scope | None:
    """What the link `token` shows now; None for a malformed, unknown or replaced link, or a
    member in no team. Whether the maker of a team feed may still give the team's calendar
    away is for bot/permissions.py to say (bot/feed_http.py asks)."""
    if not well_formed(token):
        return None
    digest = hash_token(token)
    row = await session.scalar(select(FeedToken).where(FeedToken.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash.encode(), digest.encode()):
        return None
    member = await session.get(Member, row.member_id, options=[selectinload(Member.memberships)])
    if member is None:
        return None
    if row.team_id is not None:
        team = await session.get(Team, row.team_id, options=[joinedload(Team.municipality)])
        if team is None:
            return None
        return Scope(digest, member, (team.id,), team.language or "pl", team)
    team_ids = tuple(sorted(m.team_id for m in member.memberships))
    if not team_ids:
        return None
    return Scope(digest, member, team_ids, member.language or "pl")


@dataclass(frozen=True)
class FeedEvent:
    """What a feed shows of one meeting, read as plain columns (no ORM objects: a feed of a
    few hundred meetings is read at every poll)."""

    uid: str
    sequence: int
    status: MeetingStatus
    starts_at: datetime
    duration_minutes: int
    created_at: datetime
    updated_at: datetime
    kind: EventKind
    place: str
    agenda: str | None
    team_name: str
    protect_content: bool  # the team's choice
    timezone: str  # the municipality's
    answer: Answer | None  # the member's own; None in a team feed (nobody's answers)


async def feed_events(session: AsyncSession, scope: Scope, now: datetime) -> list[FeedEvent]:
    """The meetings the feed shows, oldest first: those of the last 90 days and later, a
    cancelled one until 30 days after its cancellation."""
    answer = Rsvp.answer if not scope.is_team_feed else null()
    query = (
        select(
            Meeting.uid,
            Meeting.sequence,
            Meeting.status,
            Meeting.starts_at,
            Meeting.duration_minutes,
            Meeting.created_at,
            Meeting.updated_at,
            Meeting.kind,
            Meeting.place,
            Meeting.agenda,
            Team.name,
            Team.protect_content,
            Municipality.timezone,
            answer,
        )
        .join(Team, Team.id == Meeting.team_id)
        .join(Municipality, Municipality.id == Team.municipality_id)
        .where(
            audience.meetings_of_teams(scope.team_ids),
            Meeting.starts_at >= now - PAST,
            or_(
                Meeting.status != MeetingStatus.CANCELLED,
                Meeting.updated_at >= now - CANCELLED_KEPT,
            ),
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(MAX_EVENTS)
    )
    if not scope.is_team_feed:
        query = query.outerjoin(
            Rsvp, (Rsvp.meeting_id == Meeting.id) & (Rsvp.member_id == scope.member.id)
        )
    return [FeedEvent(*row) for row in (await session.execute(query)).all()]
