"""The attendance register of a meeting: who actually came, kept by the team's coordinators.

It opens when the meeting starts and stays open until a coordinator closes it (and may be
reopened). People are listed from the answers (yes, maybe) and any other team member can be
marked too; guests are a name and an institution, nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audience, audit
from storage.errors import DomainError, Problem
from storage.models import (
    Answer,
    Attendance,
    Meeting,
    MeetingStatus,
    Member,
    Rsvp,
    Sector,
    Team,
    utcnow,
)
from storage.privacy import refuse_client_data

GUEST_NAME_MAX = 200
# /obecnosc and /protokol offer the meetings that started within this time.
RECENT = timedelta(days=60)


@dataclass(frozen=True)
class Person:
    member_id: int
    name: str
    institution: str | None
    sector: Sector
    answer: Answer | None
    present: bool
    minutes: int | None = None  # their own time when it differs from the event's length


@dataclass(frozen=True)
class Guest:
    attendance_id: int
    name: str
    institution: str | None


@dataclass
class Register:
    meeting: Meeting
    people: list[Person] = field(default_factory=list)  # members: answered yes/maybe, or marked
    others: list[Person] = field(default_factory=list)  # the rest of the team, not marked
    guests: list[Guest] = field(default_factory=list)
    # Present people whose membership is gone (left the team, data erased): counted only.
    former: list[tuple[str | None, Sector]] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.meeting.register_closed_at is not None

    def present(self) -> list[tuple[str, str | None, Sector]]:
        """(name, institution, sector) of everyone who came, guests included."""
        found = [(p.name, p.institution, p.sector) for p in self.people if p.present]
        found += [(g.name, g.institution, Sector.OTHER) for g in self.guests]
        return found

    def totals_by_institution(self) -> list[tuple[str | None, int]]:
        counts: dict[str | None, int] = {}
        for _, institution, _ in self.present():
            counts[institution] = counts.get(institution, 0) + 1
        for institution, _ in self.former:
            counts[institution] = counts.get(institution, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0] or "\uffff"))

    @property
    def total(self) -> int:
        return len(self.present()) + len(self.former)


def ensure_open(meeting: Meeting, now: datetime) -> None:
    """Changes need a meeting that has started, is not cancelled and whose register is open."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(Problem.MEETING_CANCELLED)
    if meeting.starts_at > now:
        raise DomainError(Problem.REGISTER_NOT_STARTED)
    if meeting.register_closed_at is not None:
        raise DomainError(Problem.REGISTER_CLOSED)


def ensure_started(meeting: Meeting, now: datetime) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(Problem.MEETING_CANCELLED)
    if meeting.starts_at > now:
        raise DomainError(Problem.REGISTER_NOT_STARTED)


async def load_register(session: AsyncSession, meeting: Meeting) -> Register:
    members = (
        await session.scalars(
            select(Member)
            .where(Member.id.in_(audience.member_ids(meeting)))
            .options(selectinload(Member.institution))
        )
    ).all()
    answers = dict(
        (
            await session.execute(
                select(Rsvp.member_id, Rsvp.answer).where(Rsvp.meeting_id == meeting.id)
            )
        )
        .tuples()
        .all()
    )
    marks = (
        await session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    ).all()
    present_ids = {mark.member_id for mark in marks if mark.member_id is not None}
    own_minutes = {mark.member_id: mark.minutes for mark in marks if mark.member_id is not None}
    register = Register(meeting)
    in_team = set()
    for member in members:
        in_team.add(member.id)
        institution = member.institution
        person = Person(
            member.id,
            member.name,
            institution.name if institution else None,
            institution.sector if institution else Sector.OTHER,
            answers.get(member.id),
            member.id in present_ids,
            own_minutes.get(member.id),
        )
        if person.present or person.answer in (Answer.YES, Answer.MAYBE):
            register.people.append(person)
        else:
            register.others.append(person)
    for mark in marks:
        if mark.member_id is None and mark.guest_name:
            register.guests.append(Guest(mark.id, mark.guest_name, mark.institution_name))
        elif mark.member_id is None or mark.member_id not in in_team:
            register.former.append((mark.institution_name, mark.sector))
    order = _by_institution
    register.people.sort(key=order)
    register.others.sort(key=order)
    register.guests.sort(key=lambda g: ((g.institution or "").lower(), g.name.lower()))
    return register


def _by_institution(person: Person) -> tuple[str, str]:
    return ((person.institution or "\uffff").lower(), person.name.lower())


async def _member_in_team(session: AsyncSession, meeting: Meeting, member_id: int) -> Member:
    member = await session.scalar(
        select(Member)
        .where(Member.id == member_id, Member.id.in_(audience.member_ids(meeting)))
        .options(selectinload(Member.institution))
    )
    if member is None:
        raise DomainError(Problem.MEMBER_UNKNOWN)
    return member


async def mark(
    session: AsyncSession,
    meeting: Meeting,
    member_id: int,
    present: bool,
    by: Member | None,
    now: datetime | None = None,
) -> Member:
    """Mark a team member present or not; doing what is already done is refused (a replayed
    button must not look like a change)."""
    ensure_open(meeting, now or utcnow())
    member = await _member_in_team(session, meeting, member_id)
    existing = await session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.member_id == member.id
        )
    )
    if present and existing is not None:
        raise DomainError(Problem.ALREADY_MARKED, name=member.name)
    if not present and existing is None:
        raise DomainError(Problem.NOT_MARKED, name=member.name)
    if present:
        institution = member.institution
        session.add(
            Attendance(
                meeting_id=meeting.id,
                member_id=member.id,
                institution_name=institution.name if institution else None,
                sector=institution.sector if institution else Sector.OTHER,
                marked_by_id=by.id if by else None,
            )
        )
    else:
        await session.delete(existing)
    await session.flush()
    return member


async def set_minutes(
    session: AsyncSession,
    meeting: Meeting,
    member_id: int,
    minutes: int | None,
    now: datetime | None = None,
) -> Member:
    """How long a present member took part (coaching counts clock hours per person); None
    gives them the event's whole length again."""
    ensure_open(meeting, now or utcnow())
    member = await _member_in_team(session, meeting, member_id)
    row = await session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.member_id == member.id
        )
    )
    if row is None:
        raise DomainError(Problem.NOT_MARKED, name=member.name)
    if minutes is not None and not 0 < minutes <= meeting.duration_minutes:
        raise DomainError(Problem.MINUTES_INVALID, most=meeting.duration_minutes)
    row.minutes = None if minutes == meeting.duration_minutes else minutes
    await session.flush()
    return member


def parse_guest(text: str) -> tuple[str, str]:
    """ "Jan Nowak, Kuratorium Oświaty" -> (name, institution); both needed, nothing else."""
    refuse_client_data(text)
    name, comma, institution = " ".join(text.split()).partition(",")
    name, institution = name.strip(), institution.strip(" ,")
    if not comma or len(name) < 2 or len(institution) < 2:
        raise DomainError(Problem.GUEST_INVALID)
    if len(name) > GUEST_NAME_MAX or len(institution) > GUEST_NAME_MAX:
        raise DomainError(Problem.TEXT_TOO_LONG, max_length=GUEST_NAME_MAX)
    return name, institution


async def add_guest(
    session: AsyncSession,
    meeting: Meeting,
    text: str,
    by: Member | None,
    now: datetime | None = None,
) -> str:
    ensure_open(meeting, now or utcnow())
    name, institution = parse_guest(text)
    guests = await session.scalars(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.guest_name.is_not(None)
        )
    )
    for guest in guests:
        if (guest.guest_name or "").casefold() == name.casefold() and (
            guest.institution_name or ""
        ).casefold() == institution.casefold():
            raise DomainError(Problem.ALREADY_MARKED, name=name)
    session.add(
        Attendance(
            meeting_id=meeting.id,
            guest_name=name,
            institution_name=institution,
            sector=Sector.OTHER,
            marked_by_id=by.id if by else None,
        )
    )
    await session.flush()
    return name


async def remove_guest(
    session: AsyncSession, meeting: Meeting, attendance_id: int, now: datetime | None = None
) -> str:
    ensure_open(meeting, now or utcnow())
    guest = await session.get(Attendance, attendance_id)
    if guest is None or guest.meeting_id != meeting.id or guest.guest_name is None:
        raise DomainError(Problem.STALE_BUTTON)
    name = guest.guest_name
    await session.delete(guest)
    await session.flush()
    return name


async def set_closed(
    session: AsyncSession,
    meeting: Meeting,
    closed: bool,
    by: Member | None,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    ensure_started(meeting, now)
    if closed == (meeting.register_closed_at is not None):
        return  # a double tap: already so
    meeting.register_closed_at = now if closed else None
    audit.record(
        session,
        "register.close" if closed else "register.reopen",
        actor_telegram_id=by.telegram_id if by else None,
        team_id=meeting.team_id,
        meeting_id=meeting.id,
    )
    await session.flush()


async def recent_meetings(
    session: AsyncSession, team_ids: set[int], now: datetime, limit: int = 8
) -> Sequence[Meeting]:
    """Meetings of these teams that have started, newest first."""
    if not team_ids:
        return []
    return (
        await session.scalars(
            select(Meeting)
            .where(
                Meeting.team_id.in_(team_ids),
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at <= now,
                Meeting.starts_at > now - RECENT,
            )
            .order_by(Meeting.starts_at.desc())
            .limit(limit)
            .options(selectinload(Meeting.team).selectinload(Team.municipality))
        )
    ).all()
