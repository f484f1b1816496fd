"""Meetings of a team: one-off or recurring, with answers (RSVP) of its members."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Select, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from storage import audience, audit, events, reminders
from storage.db import insert_new, rowcount, table_of
from storage.errors import DomainError, Problem
from storage.models import (
    DEFAULT_DURATION_MINUTES,
    Answer,
    CoachedWorker,
    EventKind,
    Institution,
    InvitedTeam,
    Meeting,
    MeetingCard,
    MeetingSeries,
    MeetingStatus,
    Member,
    Membership,
    Municipality,
    Role,
    Rsvp,
    Task,
    TaskState,
    Team,
    utcnow,
)
from storage.privacy import refuse_client_data
from storage.recurrence import (
    LOCAL_FORMAT,
    Preset,
    holiday_name,
    local_key,
    occurrences,
    rule_for,
)

PLACE_MAX = 300
AGENDA_MAX = 2000
# Occurrences of a series exist as rows this far ahead (reminders and digests need them).
HORIZON = timedelta(days=120)


def _uid() -> str:
    return f"{uuid.uuid4()}@kooperacje-bot"


def check_place(text: str) -> str:
    place = " ".join(text.split())
    refuse_client_data(place)
    if not place:
        raise DomainError(Problem.TEXT_EMPTY)
    if len(place) > PLACE_MAX:
        raise DomainError(Problem.TEXT_TOO_LONG, max_length=PLACE_MAX)
    return place


def check_agenda(text: str | None) -> str | None:
    if text is None:
        return None
    agenda = "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()
    refuse_client_data(agenda)
    if len(agenda) > AGENDA_MAX:
        raise DomainError(Problem.TEXT_TOO_LONG, max_length=AGENDA_MAX)
    return agenda or None


# Every button on a meeting loads it: built once.
_MEETING_LOADED = select(Meeting).options(
    # All joined: one round trip instead of six. The two lists are short and rarely both
    # there (coaching invites nobody), so their product is a row or a few.
    joinedload(Meeting.team).joinedload(Team.municipality),
    joinedload(Meeting.created_by),
    joinedload(Meeting.series),
    joinedload(Meeting.coached).joinedload(CoachedWorker.member),
    joinedload(Meeting.invited).joinedload(InvitedTeam.team),
)
_MEETING_BY_ID = _MEETING_LOADED.where(Meeting.id == bindparam("meeting_id"))


async def load_meetings(session: AsyncSession, ids: Sequence[int]) -> list[Meeting]:
    """These meetings, in time order, loaded as load_meeting loads one."""
    found = await session.scalars(
        _MEETING_LOADED.where(Meeting.id.in_(ids)).order_by(Meeting.starts_at, Meeting.id)
    )
    return list(found.unique())


async def load_meeting(session: AsyncSession, meeting_id: int) -> Meeting:
    found = await session.scalars(_MEETING_BY_ID, {"meeting_id": meeting_id})
    meeting = found.unique().one_or_none()
    if meeting is None:
        raise DomainError(Problem.MEETING_UNKNOWN)
    return meeting


def zone_of(meeting_or_team: Meeting | Team) -> ZoneInfo:
    team = meeting_or_team.team if isinstance(meeting_or_team, Meeting) else meeting_or_team
    return ZoneInfo(team.municipality.timezone)


async def schedule(
    session: AsyncSession,
    team: Team,
    starts_at: datetime,
    place: str,
    agenda: str | None,
    created_by: Member | None,
    *,
    preset: Preset | None = None,
    duration_minutes: int = DEFAULT_DURATION_MINUTES,
    kind: EventKind | None = None,
    coached: Sequence[Member] = (),
    invited: Sequence[int] = (),
    now: datetime | None = None,
) -> Meeting:
    """Create an event (and its series, if it repeats): by default the team's own meeting;
    events of the region may invite further teams (`invited`: their ids, within the caller's
    reach, bot/permissions.py). Returns the first occurrence."""
    now = now or utcnow()
    if starts_at <= now:
        raise DomainError(Problem.MEETING_IN_PAST)
    kind = kind or events.team_default(team.kind)
    events.check_length(kind, timedelta(minutes=duration_minutes))
    coached = await events.check_coached(session, kind, team.id, coached)
    invited = audience.check_invited(kind, team.id, invited)
    place, agenda = check_place(place), check_agenda(agenda)
    zone = ZoneInfo(team.municipality.timezone)
    if preset is None:
        meeting = Meeting(
            team_id=team.id,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            kind=kind,
            coached=[CoachedWorker(member_id=m.id) for m in coached],
            place=place,
            agenda=agenda,
            uid=_uid(),
            created_by_id=created_by.id if created_by else None,
            holiday=holiday_name(starts_at.astimezone(zone).date()),
        )
        session.add(meeting)
        await session.flush()
        await audience.add(session, [meeting], invited)
        await reminders.plan_meeting(session, meeting, now=now)
        audit.record(
            session,
            "meeting.schedule",
            actor_telegram_id=_tg(created_by),
            team_id=team.id,
            meeting_id=meeting.id,
        )
        return meeting
    series = MeetingSeries(
        team_id=team.id,
        rule=rule_for(preset, starts_at.astimezone(zone)),
        local_start=local_key(starts_at, zone),
        timezone=zone.key,
        place=place,
        agenda=agenda,
        duration_minutes=duration_minutes,
        kind=kind,
        uid=_uid(),
        created_by_id=created_by.id if created_by else None,
    )
    session.add(series)
    await session.flush()
    created = await materialize(
        session, series, now - timedelta(minutes=1), now + HORIZON, now=now, invited=invited
    )
    if not created:
        raise DomainError(Problem.MEETING_IN_PAST)
    audit.record(
        session,
        "meeting.series",
        actor_telegram_id=_tg(created_by),
        team_id=team.id,
        series_id=series.id,
        rule=series.rule,
    )
    return created[0]


def _tg(member: Member | None) -> int | None:
    return member.telegram_id if member else None


async def materialize(
    session: AsyncSession,
    series: MeetingSeries,
    after: datetime,
    until: datetime,
    *,
    now: datetime | None = None,
    invited: Sequence[int] | None = None,
) -> list[Meeting]:
    """Create the missing occurrences of a series in (after, until], with their reminders;
    idempotent. They invite the teams its first occurrence invites (or `invited`)."""
    if series.until is not None:
        until = min(until, series.until)
    zone = ZoneInfo(series.timezone)
    existing = set(
        await session.scalars(select(Meeting.recurrence_key).where(Meeting.series_id == series.id))
    )
    created = []
    for key, start in occurrences(series.rule, series.local_start, zone, after, until):
        if key in existing:
            continue
        meeting = Meeting(
            team_id=series.team_id,
            series_id=series.id,
            recurrence_key=key,
            starts_at=start,
            duration_minutes=series.duration_minutes,
            kind=series.kind,
            place=series.place,
            agenda=series.agenda,
            uid=_uid(),
            created_by_id=series.created_by_id,
            holiday=holiday_name(start.date()),
        )
        session.add(meeting)
        created.append(meeting)
    if series.materialized_until is None or until > series.materialized_until:
        series.materialized_until = until
    await session.flush()
    if invited is None and created:
        first = await session.scalar(
            select(func.min(Meeting.id)).where(
                Meeting.series_id == series.id, Meeting.id.not_in([m.id for m in created])
            )
        )
        invited = list(await session.scalars(audience.invited_teams(first))) if first else []
    await audience.add(session, created, invited or [])
    for meeting in created:
        await reminders.plan_meeting(session, meeting, now=now)
    return created


async def extend_series(session: AsyncSession, now: datetime) -> int:
    """Keep every series' occurrences (and so their reminders) `HORIZON` ahead."""
    horizon = now + HORIZON
    stale = await session.scalars(
        select(MeetingSeries).where(
            MeetingSeries.materialized_until < horizon - timedelta(days=1),
            (MeetingSeries.until.is_(None)) | (MeetingSeries.until > now),
        )
    )
    created = 0
    for series in stale:
        after = max(now, series.materialized_until or now)
        created += len(await materialize(session, series, after, horizon, now=now))
    return created


async def series_occurrences(
    session: AsyncSession, series_id: int, limit: int = 6
) -> list[Meeting]:
    return list(
        await session.scalars(
            select(Meeting)
            .where(Meeting.series_id == series_id)
            .order_by(Meeting.starts_at)
            .limit(limit)
        )
    )


async def membership_of(
    session: AsyncSession, team_id: int, member: Member | None
) -> Membership | None:
    if member is None:
        return None
    return await session.scalar(
        select(Membership).where(Membership.team_id == team_id, Membership.member_id == member.id)
    )


def ensure_open(meeting: Meeting, now: datetime | None = None) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(Problem.MEETING_CANCELLED)
    if meeting.starts_at <= (now or utcnow()):
        raise DomainError(Problem.MEETING_STARTED)


async def answer(
    session: AsyncSession,
    meeting: Meeting,
    member: Member | None,
    reply: Answer,
    now: datetime | None = None,
) -> bool:
    """Record a member's answer; False when it was already that answer."""
    ensure_open(meeting, now)
    if not await audience.is_invited(session, meeting, member):
        raise DomainError(Problem.NOT_IN_TEAM)
    assert member is not None
    # Core, one statement for the usual press (a change of answer): the ORM's select and
    # flush took two and 0.3 ms of an update's CPU.
    at = utcnow()
    changed = await session.execute(
        _CHANGE_ANSWER, {"meeting": meeting.id, "member": member.id, "new": reply, "at": at}
    )
    if rowcount(changed):
        return True
    first = {"meeting_id": meeting.id, "member_id": member.id, "answer": reply, "answered_at": at}
    return bool(await insert_new(session, Rsvp, [first]))


@dataclass(frozen=True)
class Counts:
    """What a meeting card shows besides the meeting: answers, and the team's open tasks
    (carried from earlier meetings into the next one)."""

    yes: int = 0
    no: int = 0
    maybe: int = 0
    open_tasks: tuple[str, ...] = ()  # the first few, by due day
    open_task_count: int = 0


CARD_TASKS = 3


# Every answer redraws its cards with these: built once (building a statement and its cache
# key costs about what running it does).
_ANSWER_COUNTS = (
    select(Rsvp.answer, func.count())
    .where(Rsvp.meeting_id == bindparam("meeting_id"))
    .group_by(Rsvp.answer)
)
_OPEN_TASKS = (
    select(Task.text, func.count().over())
    .join(Meeting, Meeting.team_id == Task.team_id)
    .where(Meeting.id == bindparam("meeting_id"), Task.state == TaskState.OPEN)
    .order_by(Task.due_on, Task.id)
    .limit(CARD_TASKS)
)
_RSVPS = table_of(Rsvp)
_CHANGE_ANSWER = (
    update(_RSVPS)
    .where(
        _RSVPS.c.meeting_id == bindparam("meeting"),
        _RSVPS.c.member_id == bindparam("member"),
        _RSVPS.c.answer != bindparam("new"),
    )
    .values(answer=bindparam("new"), answered_at=bindparam("at"))
)
_WATCHERS = (
    select(Member.telegram_id)
    .join(Membership)
    .where(
        Membership.team_id == bindparam("team_id"),
        (Membership.role == Role.COORDINATOR) | (Member.id == bindparam("author_id")),
    )
)
_CARDS = select(MeetingCard).where(MeetingCard.meeting_id == bindparam("meeting_id"))


async def counts(session: AsyncSession, meeting_id: int) -> Counts:
    rows = await session.execute(_ANSWER_COUNTS, {"meeting_id": meeting_id})
    found = {answer_: n for answer_, n in rows.all()}
    tasks = (await session.execute(_OPEN_TASKS, {"meeting_id": meeting_id})).all()
    return Counts(
        found.get(Answer.YES, 0),
        found.get(Answer.NO, 0),
        found.get(Answer.MAYBE, 0),
        tuple(text for text, _ in tasks),
        tasks[0][1] if tasks else 0,
    )


async def my_answer(session: AsyncSession, meeting_id: int, member: Member | None) -> Answer | None:
    if member is None:
        return None
    rsvp = await session.get(Rsvp, (meeting_id, member.id))
    return rsvp.answer if rsvp else None


@dataclass
class Attendance:
    # institution name (None: not given) -> names, per answer
    by_answer: dict[Answer, dict[str | None, list[str]]] = field(default_factory=dict)
    silent: list[tuple[int, str]] = field(default_factory=list)  # (telegram id, name)


async def attendance(session: AsyncSession, meeting: Meeting) -> Attendance:
    """Who answered what, grouped by institution, and who has not answered yet: everyone
    invited (storage/audience.py)."""
    rows = (
        await session.execute(
            select(Member, Institution, Rsvp)
            .outerjoin(Institution, Member.institution_id == Institution.id)
            .outerjoin(Rsvp, (Rsvp.member_id == Member.id) & (Rsvp.meeting_id == meeting.id))
            .where(Member.id.in_(audience.member_ids(meeting)))
        )
    ).all()
    result = Attendance()
    for member, institution, rsvp in rows:
        if rsvp is None:
            result.silent.append((member.telegram_id, member.name))
            continue
        group = result.by_answer.setdefault(rsvp.answer, {})
        group.setdefault(institution.name if institution else None, []).append(member.name)
    return result


@dataclass(frozen=True)
class Upcoming:
    """A meeting as the list of mine shows it, with my answer."""

    id: int
    starts_at: datetime
    place: str
    team: str
    timezone: str
    protect_content: bool
    answer: Answer | None

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.timezone))


async def upcoming_for(
    session: AsyncSession,
    member: Member,
    now: datetime | None = None,
    offset: int = 0,
    limit: int = 5,
    only_teams: Collection[int] | None = None,
) -> tuple[list[Upcoming], int]:
    """My upcoming meetings across my teams (or only these of them), with my answer, and how
    many there are."""
    count, page = _UPCOMING[only_teams is not None]
    params = {
        "member_id": member.id,
        "now": now or utcnow(),
        "only": list(only_teams or ()),
        "offset": offset,
        "limit": limit,
    }
    # Columns on the connection, not meetings through the ORM: every /spotkania runs it, and
    # building the objects cost as much again as the query. The connection does not flush
    # what the session holds unwritten, as the session's own queries do: flushed first.
    if session.new or session.dirty or session.deleted:
        await session.flush()
    connection = await session.connection()
    rows = (await connection.execute(page, params)).all()
    if rows:
        total = rows[0].total
    elif offset:  # a page past the end: the count alone
        total = (await connection.execute(count, params)).scalar() or 0
    else:
        total = 0
    return [Upcoming(*row[:-1]) for row in rows], total


def _upcoming(only: bool) -> tuple[Select[tuple[int]], Select[tuple[Any, ...]]]:
    """/spotkania's page with the count of all (a window over the rows before the page is
    cut: one statement), and the count alone, for all the member's teams or only some."""
    team_ids = select(Membership.team_id).where(Membership.member_id == bindparam("member_id"))
    where = [
        audience.meetings_of_teams(team_ids),
        Meeting.starts_at > bindparam("now"),
        Meeting.status == MeetingStatus.SCHEDULED,
    ]
    if only:
        where.append(audience.meetings_of_teams(bindparam("only", expanding=True, type_=Integer)))
    count = select(func.count()).select_from(Meeting).where(*where)
    page = (
        select(
            Meeting.id,
            Meeting.starts_at,
            Meeting.place,
            Team.name,
            Municipality.timezone,
            Team.protect_content,
            Rsvp.answer,
            func.count().over().label("total"),
        )
        .join(Team, Team.id == Meeting.team_id)
        .join(Municipality, Municipality.id == Team.municipality_id)
        .outerjoin(
            Rsvp, (Rsvp.meeting_id == Meeting.id) & (Rsvp.member_id == bindparam("member_id"))
        )
        .where(*where)
        .order_by(Meeting.starts_at, Meeting.id)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return count, page


_UPCOMING = {only: _upcoming(only) for only in (False, True)}


async def team_upcoming(
    session: AsyncSession, team_id: int, now: datetime, until: datetime
) -> list[Meeting]:
    return list(
        await session.scalars(
            select(Meeting)
            .where(
                Meeting.team_id == team_id,
                Meeting.starts_at > now,
                Meeting.starts_at <= until,
                Meeting.status == MeetingStatus.SCHEDULED,
            )
            .options(selectinload(Meeting.team).selectinload(Team.municipality))
            .order_by(Meeting.starts_at)
        )
    )


async def team_members(session: AsyncSession, team_id: int) -> Sequence[Member]:
    return (
        await session.scalars(
            select(Member)
            .join(Membership)
            .where(Membership.team_id == team_id)
            .order_by(Member.name)
        )
    ).all()


async def members_answering(
    session: AsyncSession, meeting_id: int, answers: tuple[Answer, ...]
) -> Sequence[Member]:
    return (
        await session.scalars(
            select(Member).join(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.answer.in_(answers))
        )
    ).all()


async def members_not_declined(session: AsyncSession, meeting: Meeting) -> Sequence[Member]:
    """Everyone invited who has not said "Nie będę": a change concerns them."""
    declined = select(Rsvp.member_id).where(Rsvp.meeting_id == meeting.id, Rsvp.answer == Answer.NO)
    return (
        await session.scalars(
            select(Member)
            .where(Member.id.in_(audience.member_ids(meeting)), Member.id.not_in(declined))
            .order_by(Member.name)
        )
    ).all()


async def watchers(session: AsyncSession, meeting: Meeting) -> list[int]:
    """Telegram ids of those who follow the answers live: the caller and the coordinators."""
    rows = await session.scalars(
        _WATCHERS, {"team_id": meeting.team_id, "author_id": meeting.created_by_id}
    )
    return sorted(set(rows))


@dataclass(frozen=True)
class Change:
    """What a change replaced (None: that part stayed), for the notice "old → new"."""

    starts_at: datetime | None = None
    place: str | None = None
    agenda: str | None = None
    agenda_changed: bool = False
    answers_reset: bool = False


async def _claim_version(session: AsyncSession, meeting: Meeting, expected: int | None) -> None:
    """Bump SEQUENCE only if nobody changed the meeting since `expected` was read: of two
    coordinators editing at once one wins, the other is told (nothing of hers is written)."""
    if expected is None:
        expected = meeting.sequence
    result = await session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.sequence == expected)
        .values(sequence=expected + 1)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise DomainError(Problem.MEETING_CHANGED_MEANWHILE)
    meeting.sequence = expected + 1
    await session.flush()


async def reschedule(
    session: AsyncSession,
    meeting: Meeting,
    *,
    starts_at: datetime | None = None,
    place: str | None = None,
    agenda: str | None = None,
    actor_telegram_id: int | None,
    now: datetime | None = None,
    expected_sequence: int | None = None,
) -> Change:
    """Change one meeting (one occurrence of a series: the series stays as it is). A new time
    resets the answers: "Będę" given for Tuesday says nothing about Friday."""
    ensure_open(meeting, now)
    place = check_place(place) if place is not None else None
    agenda = check_agenda(agenda) if agenda is not None else None
    if starts_at is not None and starts_at <= (now or utcnow()):
        raise DomainError(Problem.MEETING_IN_PAST)
    await _claim_version(session, meeting, expected_sequence)
    old_start, old_place, old_agenda = meeting.starts_at, meeting.place, meeting.agenda
    moved = starts_at is not None and starts_at != old_start
    if starts_at is not None:
        team = await session.get(Team, meeting.team_id, options=[selectinload(Team.municipality)])
        zone = ZoneInfo(team.municipality.timezone) if team else ZoneInfo("Europe/Warsaw")
        meeting.starts_at = starts_at
        meeting.holiday = holiday_name(starts_at.astimezone(zone).date())
    if place is not None:
        meeting.place = place
    if agenda is not None:
        meeting.agenda = agenda
    if moved:
        await session.execute(delete(Rsvp).where(Rsvp.meeting_id == meeting.id))
    meeting.updated_at = utcnow()
    audit.record(
        session,
        "meeting.change",
        actor_telegram_id=actor_telegram_id,
        team_id=meeting.team_id,
        meeting_id=meeting.id,
    )
    await session.flush()
    if starts_at is not None:
        await reminders.plan_meeting(session, meeting, now=now, moved=True)
    return Change(
        starts_at=old_start if moved else None,
        place=old_place if place is not None and place != old_place else None,
        agenda=old_agenda,
        agenda_changed=agenda is not None and agenda != old_agenda,
        answers_reset=moved,
    )


def moved_from(meeting: Meeting) -> datetime | None:
    """A series occurrence's original local start, when it was moved to another day."""
    if meeting.series is None or meeting.recurrence_key is None:
        return None
    zone = ZoneInfo(meeting.series.timezone)
    original = datetime.strptime(meeting.recurrence_key, LOCAL_FORMAT).replace(tzinfo=zone)
    if original.date() == meeting.starts_at.astimezone(zone).date():
        return None
    return original


async def drop_occurrence(
    session: AsyncSession, meeting: Meeting, *, actor_telegram_id: int | None, now: datetime
) -> None:
    """A holiday occurrence the caller drops before anyone was told: cancelled quietly (the
    row stays, so the series does not create it again)."""
    await cancel(session, meeting, actor_telegram_id=actor_telegram_id, now=now)


async def cancel(
    session: AsyncSession,
    meeting: Meeting,
    *,
    actor_telegram_id: int | None,
    now: datetime | None = None,
    expected_sequence: int | None = None,
) -> None:
    ensure_open(meeting, now)
    await _claim_version(session, meeting, expected_sequence)
    meeting.status = MeetingStatus.CANCELLED
    meeting.updated_at = utcnow()
    audit.record(
        session,
        "meeting.cancel",
        actor_telegram_id=actor_telegram_id,
        team_id=meeting.team_id,
        meeting_id=meeting.id,
    )
    await session.flush()
    await reminders.plan_meeting(session, meeting, now=now)


async def end_series(
    session: AsyncSession,
    series: MeetingSeries,
    *,
    actor_telegram_id: int | None,
    now: datetime | None = None,
) -> int:
    """Stop a series: its future occurrences are cancelled. Returns how many."""
    now = now or utcnow()
    series.until = now
    future = await session.scalars(
        select(Meeting).where(
            Meeting.series_id == series.id,
            Meeting.starts_at > now,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
    )
    cancelled = 0
    for meeting in future:
        meeting.status = MeetingStatus.CANCELLED
        meeting.sequence += 1
        meeting.updated_at = now  # calendar feeds: LAST-MODIFIED, and kept 30 days from now
        cancelled += 1
        await reminders.plan_meeting(session, meeting, now=now)
    audit.record(
        session,
        "meeting.series_end",
        actor_telegram_id=actor_telegram_id,
        team_id=series.team_id,
        series_id=series.id,
        cancelled=cancelled,
    )
    await session.flush()
    return cancelled


async def remember_card(
    session: AsyncSession, meeting_id: int, chat_id: int, message_id: int
) -> None:
    session.add(MeetingCard(meeting_id=meeting_id, chat_id=chat_id, message_id=message_id))
    await session.flush()


async def cards_of(session: AsyncSession, meeting_id: int) -> Sequence[MeetingCard]:
    return (await session.scalars(_CARDS, {"meeting_id": meeting_id})).all()
