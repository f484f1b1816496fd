"""Announcements: drafts, their audiences, and one delivery row per recipient chat.

Like reminders, the database is the source of truth. Confirming an announcement fixes its
recipients as rows (unique per chat, so a member of several target teams gets it once); a
sender claims a row (PENDING -> SENDING, SKIP LOCKED on PostgreSQL), sends one message and
records the answer. A restart resumes the rows still PENDING; a row left SENDING by a sender
that died is sent again after the lease: the only repeat window, one message per sending task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audit, claims
from storage.db import insert_new, rowcount
from storage.errors import DomainError, Problem
from storage.models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementRead,
    AnnouncementState,
    Audience,
    AuditEntry,
    Institution,
    Member,
    Membership,
    Municipality,
    Region,
    SendState,
    Team,
    TeamKind,
)

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 4
# Drafts nobody sent are forgotten after this long.
DRAFT_TTL = timedelta(days=2)


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    member_id: int | None  # None for a team's group chat
    team_id: int | None  # the group's team; None for a private chat
    language: str | None


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    blocked: int
    failed: int
    pending: int
    people: int  # private chats among the recipients: who could confirm reading
    read: int

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed


@dataclass(frozen=True)
class Reader:
    """A recipient who got the announcement privately and has not confirmed reading."""

    member_id: int
    chat_id: int
    name: str
    institution: str | None
    language: str | None
    reachable: bool


@dataclass(frozen=True)
class Unreached:
    name: str
    is_group: bool
    state: SendState


# -- audiences ---------------------------------------------------------------------------------


async def audience_teams(
    session: AsyncSession, audience: Audience, audience_id: int | None
) -> Sequence[Team]:
    """The teams an audience means; a region's id None means every region."""
    query = select(Team).order_by(Team.id)
    if audience == Audience.TEAM:
        query = query.where(Team.id == audience_id)
    elif audience == Audience.MUNICIPALITY:
        query = query.where(Team.municipality_id == audience_id)
    elif audience_id is not None:
        query = query.join(Municipality, Team.municipality_id == Municipality.id).where(
            Municipality.region_id == audience_id
        )
    teams = (await session.scalars(query)).all()
    if audience != Audience.REGION and not teams:
        raise DomainError(Problem.TEAM_UNKNOWN)
    return teams


async def pzk_teams(session: AsyncSession, municipality_id: int) -> list[int]:
    """The municipality's partnership teams: their coordinators speak to all its teams."""
    return list(
        await session.scalars(
            select(Team.id).where(
                Team.municipality_id == municipality_id, Team.kind == TeamKind.PZK
            )
        )
    )


async def audience_label(session: AsyncSession, audience: Audience, audience_id: int | None) -> str:
    """The team's, the municipality's or the region's name; empty for every region (worded
    by the bot)."""
    if audience == Audience.TEAM:
        team = await session.get(Team, audience_id)
        return team.name if team else ""
    if audience == Audience.MUNICIPALITY:
        municipality = await session.get(Municipality, audience_id)
        return municipality.name if municipality else ""
    if audience_id is not None:
        region = await session.get(Region, audience_id)
        return region.name if region else ""
    return ""


async def recipients(
    session: AsyncSession,
    audience: Audience,
    audience_id: int | None,
    *,
    author_telegram_id: int | None,
) -> list[Recipient]:
    """Every member of the target teams once (not the author), then the teams' group chats."""
    team_ids = [t.id for t in await audience_teams(session, audience, audience_id)]
    members = await session.execute(
        select(Member.id, Member.telegram_id, Member.language)
        .where(Member.id.in_(select(Membership.member_id).where(Membership.team_id.in_(team_ids))))
        .order_by(Member.id)
    )
    found = [
        Recipient(telegram_id, member_id, None, language)
        for member_id, telegram_id, language in members
        if telegram_id != author_telegram_id
    ]
    groups = await session.execute(
        select(Team.id, Team.chat_id, Team.language)
        .where(Team.id.in_(team_ids), Team.chat_id.is_not(None))
        .order_by(Team.id)
    )
    found += [Recipient(chat_id, None, team_id, language) for team_id, chat_id, language in groups]
    return found


# -- drafts ------------------------------------------------------------------------------------


async def start_draft(
    session: AsyncSession, author: Member, chat_id: int, now: datetime
) -> Announcement:
    draft = Announcement(author_id=author.id, author_chat_id=chat_id, created_at=now)
    session.add(draft)
    await session.flush()
    return draft


async def get_draft(session: AsyncSession, announcement_id: int, author: Member) -> Announcement:
    """The author's own draft; anything else (sent, cancelled, someone else's) is stale."""
    draft = await session.get(Announcement, announcement_id)
    if draft is None or draft.author_id != author.id:
        raise DomainError(Problem.STALE_BUTTON)
    if draft.state != AnnouncementState.DRAFT:
        raise DomainError(Problem.ANNOUNCEMENT_ALREADY_SENT)
    return draft


async def get(session: AsyncSession, announcement_id: int) -> Announcement:
    found = await session.get(
        Announcement, announcement_id, options=[selectinload(Announcement.author)]
    )
    if found is None:
        raise DomainError(Problem.STALE_BUTTON)
    return found


async def confirm(
    session: AsyncSession,
    draft: Announcement,
    now: datetime,
    *,
    actor_telegram_id: int,
) -> int:
    """Draft -> scheduled, or -> sending with its recipients fixed. Returns how many.

    The state check is in the UPDATE itself, so a second press of *Wyślij* (or one from a
    second process) finds nothing to confirm and is refused.
    """
    if draft.audience is None:
        raise DomainError(Problem.STALE_BUTTON)
    later = draft.send_at is not None and draft.send_at > now
    claimed = await session.execute(
        update(Announcement)
        .where(Announcement.id == draft.id, Announcement.state == AnnouncementState.DRAFT)
        .values(state=AnnouncementState.SCHEDULED if later else AnnouncementState.SENDING)
    )
    if rowcount(claimed) != 1:
        raise DomainError(Problem.ANNOUNCEMENT_ALREADY_SENT)
    await session.refresh(draft)
    team_id = draft.audience_id if draft.audience == Audience.TEAM else None
    count = 0 if later else await _fix_recipients(session, draft, now)
    audit.record(
        session,
        "announcement_scheduled" if later else "announcement_sent",
        actor_telegram_id=actor_telegram_id,
        team_id=team_id,
        announcement_id=draft.id,
        audience=str(draft.audience),
        audience_id=draft.audience_id,
        recipients=count,
        send_at=draft.send_at.isoformat() if later and draft.send_at else None,
    )
    return count


async def _fix_recipients(session: AsyncSession, announcement: Announcement, now: datetime) -> int:
    assert announcement.audience is not None
    author = await session.get(Member, announcement.author_id) if announcement.author_id else None
    found = await recipients(
        session,
        announcement.audience,
        announcement.audience_id,
        author_telegram_id=author.telegram_id if author else None,
    )
    if found:
        rows = [
            {
                "announcement_id": announcement.id,
                "chat_id": r.chat_id,
                "member_id": r.member_id,
                "team_id": r.team_id,
                "language": r.language,
                "state": SendState.PENDING,
                "next_try_at": now,
                "attempts": 0,
            }
            for r in found
        ]
        await insert_new(session, AnnouncementDelivery, rows, ["announcement_id", "chat_id"])
    announcement.state = AnnouncementState.SENDING
    announcement.started_at = now
    announcement.total = len(found)
    return len(found)


async def start_due(session: AsyncSession, now: datetime) -> list[int]:
    """Scheduled announcements whose time has come: fix their recipients, start sending."""
    due = claims.skip_locked(
        session,
        select(Announcement).where(
            Announcement.state == AnnouncementState.SCHEDULED, Announcement.send_at <= now
        ),
    )
    started = []
    for announcement in (await session.scalars(due)).all():
        await _fix_recipients(session, announcement, now)
        started.append(announcement.id)
    return started


async def cancel_scheduled(
    session: AsyncSession, announcement_id: int, *, actor_telegram_id: int
) -> Announcement:
    cancelled = await session.execute(
        update(Announcement)
        .where(
            Announcement.id == announcement_id,
            Announcement.state == AnnouncementState.SCHEDULED,
        )
        .values(state=AnnouncementState.CANCELLED)
    )
    if rowcount(cancelled) != 1:
        raise DomainError(Problem.ANNOUNCEMENT_ALREADY_SENT)
    announcement = await get(session, announcement_id)
    await session.refresh(announcement)
    audit.record(
        session,
        "announcement_cancelled",
        actor_telegram_id=actor_telegram_id,
        team_id=announcement.audience_id if announcement.audience == Audience.TEAM else None,
        announcement_id=announcement_id,
    )
    return announcement


async def forget_old_drafts(session: AsyncSession, now: datetime) -> None:
    await session.execute(
        update(Announcement)
        .where(
            Announcement.state == AnnouncementState.DRAFT,
            Announcement.created_at < now - DRAFT_TTL,
        )
        .values(state=AnnouncementState.CANCELLED)
    )


# -- delivery ----------------------------------------------------------------------------------


async def claim(session: AsyncSession, worker: str, now: datetime) -> AnnouncementDelivery | None:
    """Take one due delivery, announcement by announcement (`storage/claims.py`)."""
    claimed = await claims.claim_due(
        session,
        AnnouncementDelivery,
        due=AnnouncementDelivery.next_try_at <= now,
        order_by=(AnnouncementDelivery.announcement_id, AnnouncementDelivery.id),
        pending=SendState.PENDING,
        sending=SendState.SENDING,
        worker=worker,
        now=now,
    )
    return claimed[0] if claimed else None


async def record(
    session: AsyncSession,
    delivery_id: int,
    state: SendState,
    now: datetime,
    *,
    message_id: int | None = None,
    note: str | None = None,
) -> None:
    await session.execute(
        update(AnnouncementDelivery)
        .where(AnnouncementDelivery.id == delivery_id)
        .values(
            state=state,
            sent_at=now if state == SendState.SENT else None,
            message_id=message_id,
            note=note[:200] if note else None,
        )
    )


async def retry_later(
    session: AsyncSession, delivery: AnnouncementDelivery, now: datetime, note: str
) -> None:
    """A fault that may pass (5xx, timeout, flood wait): again later, a bounded number of times."""
    if delivery.attempts >= MAX_ATTEMPTS:
        await record(session, delivery.id, SendState.FAILED, now, note=note)
        return
    await session.execute(
        update(AnnouncementDelivery)
        .where(AnnouncementDelivery.id == delivery.id)
        .values(
            state=SendState.PENDING,
            next_try_at=now + timedelta(seconds=15 * 2**delivery.attempts),
            note=note[:200],
        )
    )


async def recover(
    session: AsyncSession, now: datetime, gone: Callable[[str | None], bool] = lambda _: False
) -> int:
    """Deliveries claimed by a sender that died (its lease ran out, or `gone` says it no
    longer runs): back to the queue (the one repeat window)."""
    delivery = AnnouncementDelivery
    claimed = await session.execute(
        select(delivery.id, delivery.claimed_at, delivery.claimed_by).where(
            delivery.state == SendState.SENDING
        )
    )
    abandoned = [
        row_id
        for row_id, claimed_at, claimed_by in claimed
        if (claimed_at is not None and claimed_at < now - LEASE) or gone(claimed_by)
    ]
    if abandoned:
        await session.execute(
            update(AnnouncementDelivery)
            .where(AnnouncementDelivery.id.in_(abandoned))
            .values(state=SendState.PENDING, note="taken over from a stopped sender")
        )
    return len(abandoned)


async def sending(session: AsyncSession) -> list[int]:
    return list(
        await session.scalars(
            select(Announcement.id)
            .where(Announcement.state == AnnouncementState.SENDING)
            .order_by(Announcement.id)
        )
    )


async def progress(session: AsyncSession, announcement_id: int) -> Progress:
    counts = dict(
        (
            await session.execute(
                select(AnnouncementDelivery.state, func.count())
                .where(AnnouncementDelivery.announcement_id == announcement_id)
                .group_by(AnnouncementDelivery.state)
            )
        )
        .tuples()
        .all()
    )
    people = await session.scalar(
        select(func.count()).where(
            AnnouncementDelivery.announcement_id == announcement_id,
            AnnouncementDelivery.member_id.is_not(None),
        )
    )
    read = await session.scalar(
        select(func.count()).where(AnnouncementRead.announcement_id == announcement_id)
    )
    return Progress(
        total=sum(counts.values()),
        sent=counts.get(SendState.SENT, 0),
        blocked=counts.get(SendState.BLOCKED, 0),
        failed=counts.get(SendState.FAILED, 0),
        pending=counts.get(SendState.PENDING, 0) + counts.get(SendState.SENDING, 0),
        people=people or 0,
        read=read or 0,
    )


async def finish_if_done(session: AsyncSession, announcement_id: int, now: datetime) -> bool:
    """Sending -> done once no delivery is open; True for the one caller that made the change
    (it sends the report)."""
    still_open = (
        select(AnnouncementDelivery.id)
        .where(
            AnnouncementDelivery.announcement_id == announcement_id,
            AnnouncementDelivery.state.in_([SendState.PENDING, SendState.SENDING]),
        )
        .exists()
    )
    result = await session.execute(
        update(Announcement)
        .where(
            Announcement.id == announcement_id,
            Announcement.state == AnnouncementState.SENDING,
            ~still_open,
        )
        .values(state=AnnouncementState.DONE, finished_at=now)
    )
    return rowcount(result) == 1


async def unreached(session: AsyncSession, announcement_id: int) -> list[Unreached]:
    rows = await session.execute(
        select(AnnouncementDelivery.state, Member.name, Team.name)
        .outerjoin(Member, Member.id == AnnouncementDelivery.member_id)
        .outerjoin(Team, Team.id == AnnouncementDelivery.team_id)
        .where(
            AnnouncementDelivery.announcement_id == announcement_id,
            AnnouncementDelivery.state.in_([SendState.BLOCKED, SendState.FAILED]),
        )
        .order_by(Member.name, Team.name)
    )
    return [
        Unreached(member_name or team_name or "?", member_name is None, state)
        for state, member_name, team_name in rows
    ]


async def claim_status_message(session: AsyncSession, announcement_id: int) -> bool:
    """True for the one process that is to send the author's status message."""
    result = await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement_id, Announcement.status_message_id.is_(None))
        .values(status_message_id=0)
    )
    return rowcount(result) == 1


async def set_status_message(session: AsyncSession, announcement_id: int, message_id: int) -> None:
    await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement_id)
        .values(status_message_id=message_id)
    )


# -- reading -----------------------------------------------------------------------------------


async def confirm_read(
    session: AsyncSession, announcement: Announcement, member: Member, now: datetime
) -> bool:
    """Record that a recipient read it. False when they had already said so."""
    if not announcement.ask_read:
        raise DomainError(Problem.STALE_BUTTON)
    if announcement.audience is None:
        raise DomainError(Problem.STALE_BUTTON)
    was_sent_to = await session.scalar(
        select(AnnouncementDelivery.id).where(
            AnnouncementDelivery.announcement_id == announcement.id,
            AnnouncementDelivery.member_id == member.id,
        )
    )
    if was_sent_to is None:
        raise DomainError(Problem.NOT_A_RECIPIENT)
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    added = await session.execute(
        insert(AnnouncementRead)
        .values(announcement_id=announcement.id, member_id=member.id, read_at=now)
        .on_conflict_do_nothing()
    )
    if rowcount(added) != 1:
        return False
    await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement.id)
        .values(read_count=Announcement.read_count + 1)
    )
    return True


async def unreported_reads(session: AsyncSession) -> list[int]:
    """Finished announcements whose author has not yet seen the latest reading count."""
    return list(
        await session.scalars(
            select(Announcement.id).where(
                Announcement.state == AnnouncementState.DONE,
                Announcement.ask_read.is_(True),
                Announcement.read_count != Announcement.reported_reads,
            )
        )
    )


async def mark_reads_reported(session: AsyncSession, announcement_id: int, count: int) -> None:
    await session.execute(
        update(Announcement).where(Announcement.id == announcement_id).values(reported_reads=count)
    )


# -- history -----------------------------------------------------------------------------------


async def history(
    session: AsyncSession,
    *,
    author_id: int | None,
    team_ids: set[int],
    everything: bool,
    limit: int = 10,
) -> Sequence[Announcement]:
    """Past and planned announcements: one's own and those to teams one coordinates
    (admins: all)."""
    query = (
        select(Announcement)
        .where(Announcement.state != AnnouncementState.DRAFT)
        .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .limit(limit)
    )
    if not everything:
        query = query.where(
            (Announcement.author_id == author_id)
            | ((Announcement.audience == Audience.TEAM) & Announcement.audience_id.in_(team_ids))
        )
    return (await session.scalars(query)).all()


# -- who has not confirmed ---------------------------------------------------------------------

REMINDED = "announcement_reminded"  # the audit entry that makes the reminder a one-off


async def non_readers(session: AsyncSession, announcement_id: int) -> list[Reader]:
    """Members it reached privately who have not confirmed reading, by name.

    Those it never reached are listed as unreached instead; a group copy is not a person."""
    confirmed = select(AnnouncementRead.member_id).where(
        AnnouncementRead.announcement_id == announcement_id
    )
    rows = await session.execute(
        select(
            Member.id,
            AnnouncementDelivery.chat_id,
            Member.name,
            Institution.name,
            AnnouncementDelivery.language,
            Member.unreachable_since,
        )
        .join(Member, Member.id == AnnouncementDelivery.member_id)
        .outerjoin(Institution, Institution.id == Member.institution_id)
        .where(
            AnnouncementDelivery.announcement_id == announcement_id,
            AnnouncementDelivery.state == SendState.SENT,
            AnnouncementDelivery.member_id.not_in(confirmed),
        )
        .order_by(Member.name, Member.id)
    )
    return [
        Reader(member_id, chat_id, name, institution, language, unreachable is None)
        for member_id, chat_id, name, institution, language, unreachable in rows
    ]


async def was_reminded(session: AsyncSession, announcement_id: int) -> bool:
    found = await session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.action == REMINDED,
            AuditEntry.details["announcement_id"].as_integer() == announcement_id,
        )
        .limit(1)
    )
    return found is not None


async def claim_reminder(
    session: AsyncSession,
    announcement: Announcement,
    *,
    actor_telegram_id: int,
    actor_member_id: int | None,
) -> list[Reader] | None:
    """Whom to remind, once per announcement: None when it was already done.

    Never the one who asks, never those who confirmed or whom Telegram refused. The
    announcement's row is locked on PostgreSQL (SQLite has one writer), so two presses at once
    remind once."""
    if not announcement.ask_read or announcement.state not in (
        AnnouncementState.SENDING,
        AnnouncementState.DONE,
    ):
        raise DomainError(Problem.STALE_BUTTON)
    if session.bind.dialect.name == "postgresql":
        await session.execute(
            select(Announcement.id).where(Announcement.id == announcement.id).with_for_update()
        )
    if await was_reminded(session, announcement.id):
        return None
    targets = [
        r
        for r in await non_readers(session, announcement.id)
        if r.reachable and r.member_id != actor_member_id
    ]
    if targets:
        audit.record(
            session,
            REMINDED,
            actor_telegram_id=actor_telegram_id,
            team_id=announcement.audience_id if announcement.audience == Audience.TEAM else None,
            announcement_id=announcement.id,
            reminded=len(targets),
        )
    return targets
