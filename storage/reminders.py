"""Reminders and digests as rows: planned with the meeting, claimed atomically, sent once.

The database is the source of truth. A row is planned in the transaction that schedules,
moves or cancels its meeting; a sender claims it (PENDING -> SENDING, with SKIP LOCKED on
PostgreSQL so two processes never take the same row), sends one message, and records the
result (SENT, SKIPPED, ...). The only window in which a crash repeats a message is between
Telegram accepting it and the SENT commit: one message per sender, re-sent after the lease.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audience, audit, claims, digest
from storage.db import insert_new
from storage.errors import DomainError, Problem
from storage.models import (
    Delivery,
    Meeting,
    MeetingStatus,
    Member,
    Membership,
    Role,
    ScheduledKind,
    ScheduledMessage,
    Team,
    utcnow,
)

log = logging.getLogger(__name__)

MAX_OFFSET = timedelta(days=30)
MAX_OFFSETS = 6
# A claimed row whose sender said nothing for this long is taken over (the sender died).
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 5
DAY = 24 * 60
# The register card goes out at the start: "0 minutes before", an offset no reminder can have.
REGISTER_OFFSET = 0
# The day-before summary: an offset no reminder can have either (one per meeting and chat).
SUMMARY_OFFSET = -DAY


def due_time(start: datetime, offset_minutes: int, zone: ZoneInfo) -> datetime:
    """Whole days keep the local hour (10:00 the day before, even across DST); hours and
    minutes are elapsed time."""
    if offset_minutes % DAY == 0:
        local = start.astimezone(zone).replace(tzinfo=None) - timedelta(days=offset_minutes // DAY)
        return local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
    return start - timedelta(minutes=offset_minutes)


async def set_offsets(
    session: AsyncSession,
    team: Team,
    offsets: list[int],
    *,
    actor_telegram_id: int,
    now: datetime | None = None,
) -> None:
    unique = sorted(set(offsets), reverse=True)[:MAX_OFFSETS]
    team.reminder_offsets = unique
    audit.record(
        session,
        "team.reminders",
        actor_telegram_id=actor_telegram_id,
        team_id=team.id,
        offsets=unique,
    )
    await session.flush()
    for meeting in await _upcoming(session, team.id, now or utcnow()):
        await plan_meeting(session, meeting, now=now)


async def set_digest(
    session: AsyncSession, team: Team, days: list[int], at: str, *, actor_telegram_id: int
) -> None:
    team.digest_days, team.digest_time = days, at
    audit.record(
        session,
        "team.digest",
        actor_telegram_id=actor_telegram_id,
        team_id=team.id,
        days=days,
        at=at,
    )
    await session.flush()


async def _upcoming(
    session: AsyncSession, team_id: int, now: datetime, *, invited_too: bool = False
) -> Sequence[Meeting]:
    """The team's upcoming meetings (`invited_too`: and those of other teams inviting it)."""
    return (
        await session.scalars(
            select(Meeting).where(
                audience.meetings_of_team(team_id) if invited_too else Meeting.team_id == team_id,
                Meeting.starts_at > now,
                Meeting.status == MeetingStatus.SCHEDULED,
            )
        )
    ).all()


async def _recipients(
    session: AsyncSession, meeting: Meeting, team: Team, member: Member | None = None
) -> list[tuple[int, int | None]]:
    """(chat id, member id): everyone invited privately, and the team's group once."""
    if member is not None:
        return [(member.telegram_id, member.id)]
    rows = await session.execute(
        select(Member.telegram_id, Member.id).where(Member.id.in_(audience.member_ids(meeting)))
    )
    found: list[tuple[int, int | None]] = [(tg, mid) for tg, mid in rows.all()]
    if team.chat_id is not None:
        found.append((team.chat_id, None))
    return found


async def plan_meeting(
    session: AsyncSession,
    meeting: Meeting,
    *,
    now: datetime | None = None,
    moved: bool = False,
    only_member: Member | None = None,
) -> None:
    """Bring the meeting's pending reminders in line with it, in the caller's transaction.

    Reminders already sent stay sent (never twice per meeting, recipient and offset). When a
    meeting is moved so close that every reminder time has passed, one goes out at once.
    """
    now = now or utcnow()
    if meeting.status == MeetingStatus.CANCELLED or meeting.starts_at <= now:
        await session.execute(
            update(ScheduledMessage)
            .where(
                ScheduledMessage.meeting_id == meeting.id,
                ScheduledMessage.state == Delivery.PENDING,
            )
            .values(state=Delivery.SKIPPED, note="meeting cancelled")
        )
        return
    team = await session.get(Team, meeting.team_id, options=[selectinload(Team.municipality)])
    assert team is not None
    zone = ZoneInfo(team.municipality.timezone)
    plan: dict[int, datetime] = {}
    for offset in team.reminder_offsets:
        due = due_time(meeting.starts_at, offset, zone)
        if due > now:
            plan[offset] = due
    if moved and not plan and team.reminder_offsets:
        plan[min(team.reminder_offsets)] = now
    existing = {
        (row.chat_id, row.offset_minutes): row
        for row in await _rows_of(session, meeting, ScheduledKind.REMINDER)
    }
    await _plan_register(session, meeting)
    await _plan_summary(session, meeting, due_time(meeting.starts_at, DAY, zone), now)
    recipients = await _recipients(session, meeting, team, only_member)
    for chat_id, member_id in recipients:
        for offset, due in plan.items():
            row = existing.pop((chat_id, offset), None)
            if row is None:
                session.add(
                    _meeting_row(ScheduledKind.REMINDER, meeting, member_id, chat_id, offset, due)
                )
            elif row.state == Delivery.PENDING:
                row.due_at = due
    if only_member is None:
        # Offsets no longer wanted (or recipients gone): drop what was still waiting.
        stale = [r.id for r in existing.values() if r.state == Delivery.PENDING]
        if stale:
            await session.execute(delete(ScheduledMessage).where(ScheduledMessage.id.in_(stale)))
    await session.flush()


async def _rows_of(
    session: AsyncSession, meeting: Meeting, kind: ScheduledKind
) -> Sequence[ScheduledMessage]:
    """The meeting's rows of one kind, whatever their state."""
    return (
        await session.scalars(
            select(ScheduledMessage).where(
                ScheduledMessage.meeting_id == meeting.id, ScheduledMessage.kind == kind
            )
        )
    ).all()


def _meeting_row(
    kind: ScheduledKind,
    meeting: Meeting,
    member_id: int | None,
    chat_id: int,
    offset: int,
    due: datetime,
) -> ScheduledMessage:
    return ScheduledMessage(
        kind=kind,
        team_id=meeting.team_id,
        meeting_id=meeting.id,
        member_id=member_id,
        chat_id=chat_id,
        offset_minutes=offset,
        due_at=due,
    )


async def _plan_register(session: AsyncSession, meeting: Meeting) -> None:
    """The attendance register card, to each coordinator privately, when the meeting starts."""
    coordinators = await session.execute(
        select(Member.id, Member.telegram_id)
        .join(Membership, Membership.member_id == Member.id)
        .where(Membership.team_id == meeting.team_id, Membership.role == Role.COORDINATOR)
    )
    await _plan_per_chat(
        session,
        meeting,
        ScheduledKind.REGISTER,
        REGISTER_OFFSET,
        coordinators.tuples().all(),
        due=meeting.starts_at,
        add=True,
        pending_due=meeting.starts_at,
    )


async def _plan_summary(
    session: AsyncSession, meeting: Meeting, due: datetime, now: datetime
) -> None:
    """The day-before summary (who comes, who is silent) to the caller and each coordinator;
    a moved meeting moves it; none when the meeting is called less than a day ahead."""
    watchers = await session.execute(
        select(Member.id, Member.telegram_id)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            Membership.team_id == meeting.team_id,
            (Membership.role == Role.COORDINATOR) | (Member.id == meeting.created_by_id),
        )
    )
    await _plan_per_chat(
        session,
        meeting,
        ScheduledKind.SUMMARY,
        SUMMARY_OFFSET,
        watchers.tuples().all(),
        due=due,
        add=due > now,
        pending_due=max(due, now),
    )


async def _plan_per_chat(
    session: AsyncSession,
    meeting: Meeting,
    kind: ScheduledKind,
    offset: int,
    recipients: Iterable[tuple[int, int]],
    *,
    due: datetime,
    add: bool,
    pending_due: datetime,
) -> None:
    """One row of this kind per (member id, chat id): added when missing (if `add`), a pending
    one moved to `pending_due`; rows already sent stay as they are."""
    planned = {row.chat_id: row for row in await _rows_of(session, meeting, kind)}
    for member_id, chat_id in recipients:
        row = planned.get(chat_id)
        if row is None and add:
            session.add(_meeting_row(kind, meeting, member_id, chat_id, offset, due))
        elif row is not None and row.state == Delivery.PENDING:
            row.due_at = pending_due


async def plan_new_member(
    session: AsyncSession, team_id: int, member: Member, now: datetime | None = None
) -> None:
    for meeting in await _upcoming(session, team_id, now or utcnow(), invited_too=True):
        await plan_meeting(session, meeting, now=now, only_member=member)


def _digest_slot(team: Team, now: datetime) -> date | None:
    """The latest digest day of this team whose hour has come, within the last day."""
    zone = ZoneInfo(team.municipality.timezone)
    local = now.astimezone(zone)
    hour, minute = (int(p) for p in team.digest_time.split(":"))
    for days_back in (0, 1):
        day = local.date() - timedelta(days=days_back)
        if day.day not in team.digest_days:
            continue
        slot = datetime.combine(day, time(hour, minute), tzinfo=zone)
        if slot <= local and local - slot < timedelta(days=1):
            return day
    return None


async def plan_digests(
    session: AsyncSession, now: datetime, planned: set[tuple[int, date]] | None = None
) -> int:
    """Rows for every team whose digest is due: its group once, and each member once per day
    across their teams (storage/digest.py); inserting twice is a no-op by the unique key.

    `planned`: the (team, day) pairs this process has planned already, skipped and then
    added to. A digest stays due for a day and this runs every minute: without it, a national
    1st of the month recomputed 75,000 members' rows each minute, inside the writer's turn."""
    teams = list(await session.scalars(select(Team).options(selectinload(Team.municipality))))
    done = planned if planned is not None else set()
    due = {
        team.id: day
        for team in teams
        if (day := _digest_slot(team, now)) is not None and (team.id, day) not in done
    }
    if not due:
        return 0
    values = await digest.member_rows(session, teams, due, now)
    for team in teams:
        if team.id in due and team.chat_id is not None:
            values.append(
                {
                    "kind": ScheduledKind.DIGEST,
                    "team_id": team.id,
                    "member_id": None,
                    "chat_id": team.chat_id,
                    "digest_date": due[team.id].isoformat(),
                    "due_at": now,
                    "state": Delivery.PENDING,
                    "attempts": 0,
                }
            )
    added = await insert_new(session, ScheduledMessage, values)
    done.update(due.items())
    return added


# Everything timed to a meeting or task goes before the digests: on the 1st at 08:00 a whole
# region's digests are due at once, and a reminder due meanwhile must not wait behind them.
URGENT = [kind for kind in ScheduledKind if kind != ScheduledKind.DIGEST]


async def claim_batch(
    session: AsyncSession, worker: str, now: datetime, limit: int
) -> list[ScheduledMessage]:
    """Up to `limit` due rows for this worker (`storage/claims.py`), the earliest first: urgent
    ones (reminders, registers, summaries) while any is due, digests only after them."""
    for kinds in (URGENT, [ScheduledKind.DIGEST]):
        claimed = await claims.claim_due(
            session,
            ScheduledMessage,
            due=(ScheduledMessage.due_at <= now) & ScheduledMessage.kind.in_(kinds),
            order_by=(ScheduledMessage.due_at, ScheduledMessage.id),
            pending=Delivery.PENDING,
            sending=Delivery.SENDING,
            worker=worker,
            now=now,
            limit=limit,
        )
        if claimed:
            return claimed
    return []


async def finish(
    session: AsyncSession, row_id: int, state: Delivery, now: datetime, note: str | None = None
) -> None:
    await session.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id == row_id)
        .values(state=state, sent_at=now if state == Delivery.SENT else None, note=note)
    )


async def retry_later(
    session: AsyncSession, row: ScheduledMessage, now: datetime, note: str
) -> None:
    """A passing fault: try again with backoff, a bounded number of times."""
    if row.attempts >= MAX_ATTEMPTS:
        await finish(session, row.id, Delivery.FAILED, now, note)
        return
    await session.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id == row.id)
        .values(
            state=Delivery.PENDING, due_at=now + timedelta(seconds=30 * 2**row.attempts), note=note
        )
    )


async def recover(
    session: AsyncSession, now: datetime, gone: Callable[[str | None], bool] = lambda _: False
) -> int:
    """Rows claimed by a sender that died (its lease ran out, or `gone` says it no longer
    runs): send again (the one repeat window), or drop."""
    claimed = await session.scalars(
        select(ScheduledMessage).where(ScheduledMessage.state == Delivery.SENDING)
    )
    abandoned = [
        row
        for row in claimed
        if (row.claimed_at is not None and row.claimed_at < now - LEASE) or gone(row.claimed_by)
    ]
    count = 0
    for row in abandoned:
        row.state = Delivery.PENDING
        row.note = f"taken over from {row.claimed_by}"
        count += 1
    return count


async def mark_unreachable(session: AsyncSession, member_id: int, now: datetime) -> None:
    await session.execute(
        update(Member)
        .where(Member.id == member_id, Member.unreachable_since.is_(None))
        .values(unreachable_since=now)
    )


@dataclass(frozen=True)
class Pending:
    due_at: datetime
    chat_id: int
    offset_minutes: int | None


async def pending_for_meeting(session: AsyncSession, meeting_id: int) -> list[Pending]:
    rows = await session.scalars(
        select(ScheduledMessage)
        .where(
            ScheduledMessage.meeting_id == meeting_id,
            ScheduledMessage.kind == ScheduledKind.REMINDER,
            ScheduledMessage.state == Delivery.PENDING,
        )
        .order_by(ScheduledMessage.due_at)
    )
    return [Pending(r.due_at, r.chat_id, r.offset_minutes) for r in rows]


async def set_mute(session: AsyncSession, member: Member, team_id: int | None, muted: bool) -> None:
    """Mute one team's reminders (team_id) or all of them (None)."""
    if team_id is None:
        member.reminders_muted = muted
    else:
        membership = await session.scalar(
            select(Membership).where(
                Membership.team_id == team_id, Membership.member_id == member.id
            )
        )
        if membership is None:
            raise DomainError(Problem.NOT_IN_TEAM)
        membership.reminders_muted = muted
    await session.flush()


async def unreachable_members(session: AsyncSession, team_id: int) -> list[str]:
    return list(
        await session.scalars(
            select(Member.name)
            .join(Membership)
            .where(Membership.team_id == team_id, Member.unreachable_since.is_not(None))
            .order_by(Member.name)
        )
    )
