"""The programme's figures: meetings held, who came and from where, tasks, over a period.

Telegram-free: the bot (/raport) and the command line (`kooperacje-bot report`) read the
period (`bot.dates.phrases.parse_period`) and both call `compute`. Counting happens in a
handful of GROUP BY queries whose result sizes follow the number of meetings and of distinct
people, never of attendance rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Attendance,
    EventKind,
    Meeting,
    MeetingStatus,
    Municipality,
    Sector,
    Task,
    TaskState,
    Team,
    TeamKind,
)
from storage.text import sort_key

WARSAW = ZoneInfo("Europe/Warsaw")


@dataclass(frozen=True)
class Period:
    """Local calendar days, both ends included."""

    start: date
    end: date

    def bounds(self, zone: ZoneInfo = WARSAW) -> tuple[datetime, datetime]:
        """[from, to) as aware datetimes: local midnight of the first day and after the last."""
        return (
            datetime.combine(self.start, time(), zone),
            datetime.combine(self.end + timedelta(days=1), time(), zone),
        )

    @property
    def label(self) -> str:
        """As Polish documents write it: 1.01.2026 – 30.06.2026."""
        return f"{_day(self.start)} – {_day(self.end)}"

    @property
    def slug(self) -> str:
        """For file names: 2026-01-01_2026-06-30."""
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def months(self) -> list[str]:
        """Every month the period touches, as YYYY-MM."""
        found = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            found.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found


def _day(day: date) -> str:
    return f"{day.day}.{day.month:02d}.{day.year}"


@dataclass
class KindTally:
    """One kind of event: "18 two-day workshops, 200 people", "coaching for 32, 786 hours"."""

    events: int = 0
    participants: int = 0  # attendance rows
    unique_participants: int = 0
    minutes: int = 0  # person-minutes: each attendee's own time, else the event's length

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass
class Tally:
    """The figures of one team, one municipality or all of them."""

    meetings_held: int = 0
    meetings_cancelled: int = 0
    participants: int = 0  # attendance rows of held meetings
    unique_participants: int = 0
    by_institution: Counter[str] = field(default_factory=Counter)  # "" when none was given
    by_sector: Counter[Sector] = field(default_factory=Counter)
    tasks_opened: int = 0
    tasks_closed: int = 0
    by_kind: dict[EventKind, KindTally] = field(default_factory=dict)
    unclosed: int = 0  # held, register still open: not counted (with `closed_only`)

    def kind(self, kind: EventKind) -> KindTally:
        return self.by_kind.setdefault(kind, KindTally())

    @property
    def average_attendance(self) -> float:
        return self.participants / self.meetings_held if self.meetings_held else 0.0


@dataclass
class TeamFigures:
    team_id: int
    name: str
    kind: TeamKind
    municipality: str
    tally: Tally


@dataclass
class MunicipalityFigures:
    municipality_id: int
    name: str
    tally: Tally


@dataclass
class MonthFigures:
    month: str  # YYYY-MM, local time
    meetings_held: int = 0
    participants: int = 0


@dataclass
class Figures:
    period: Period
    whole_region: bool
    teams: list[TeamFigures]
    municipalities: list[MunicipalityFigures]
    total: Tally
    months: list[MonthFigures]

    @property
    def empty(self) -> bool:
        return self.total.meetings_held == 0


# A person, as far as the register tells: a member id, a guest's name and institution, or
# (for rows whose member was erased) the row itself, so that nobody is merged by guessing.
Person = tuple[str, int] | tuple[str, str, str]


def _guest_key(name: str, institution: str | None) -> tuple[str, str, str]:
    return (
        "guest",
        " ".join(name.split()).casefold(),
        " ".join((institution or "").split()).casefold(),
    )


async def compute(
    session: AsyncSession,
    team_ids: Collection[int] | None,
    period: Period,
    now: datetime,
    zone: ZoneInfo = WARSAW,
    *,
    closed_only: bool = False,
) -> Figures:
    """Figures of these teams (None: every team of the region) over the period.

    A meeting is held when it is not cancelled and has started before the period's end and
    before `now`; cancelled ones count by their planned start within the period. With
    `closed_only` (the annual letter), a held meeting counts only once a coordinator has closed
    its register; the others are counted apart, in `unclosed`.
    """
    since, until = period.bounds(zone)
    held_before = min(until, now)

    team_query = select(Team.id, Team.name, Team.kind, Municipality.id, Municipality.name).join(
        Municipality, Team.municipality_id == Municipality.id
    )
    if team_ids is not None:
        team_query = team_query.where(Team.id.in_(list(team_ids)))
    team_rows = (await session.execute(team_query)).all()
    scope = [row[0] for row in team_rows]
    tallies = {row[0]: Tally() for row in team_rows}
    people: dict[int, set[Person]] = {row[0]: set() for row in team_rows}
    people_by_kind: dict[int, dict[EventKind, set[Person]]] = {row[0]: {} for row in team_rows}
    months = {month: MonthFigures(month) for month in period.months()}

    in_scope = Meeting.team_id.in_(scope)
    in_period = and_(Meeting.starts_at >= since, Meeting.starts_at < until)
    held = and_(
        in_scope,
        Meeting.starts_at >= since,
        Meeting.starts_at < held_before,
        Meeting.status != MeetingStatus.CANCELLED,
        Meeting.register_closed_at.is_not(None) if closed_only else true(),
    )

    # One row per meeting with its head count: months need the local start of each.
    own_minutes = func.coalesce(Attendance.minutes, Meeting.duration_minutes)
    per_meeting = (
        select(
            Meeting.team_id,
            Meeting.starts_at,
            Meeting.status,
            Meeting.kind,
            Meeting.register_closed_at.is_not(None),
            func.count(Attendance.id),
            func.sum(case((Attendance.id.is_not(None), own_minutes), else_=0)),
        )
        .outerjoin(Attendance, Attendance.meeting_id == Meeting.id)
        .where(in_scope, in_period)
        .group_by(
            Meeting.id,
            Meeting.team_id,
            Meeting.starts_at,
            Meeting.status,
            Meeting.kind,
            Meeting.register_closed_at,
        )
    )
    rows = await session.execute(per_meeting)
    for team_id, starts_at, status, kind, closed, count, minutes in rows:
        tally = tallies[team_id]
        if status == MeetingStatus.CANCELLED:
            tally.meetings_cancelled += 1
            continue
        if starts_at >= held_before:
            continue  # still to come
        if closed_only and not closed:
            tally.unclosed += 1
            continue
        tally.meetings_held += 1
        tally.participants += count
        of_kind = tally.kind(EventKind(kind))
        of_kind.events += 1
        of_kind.participants += count
        of_kind.minutes += int(minutes or 0)
        month = months.get(starts_at.astimezone(zone).strftime("%Y-%m"))
        if month is not None:
            month.meetings_held += 1
            month.participants += count

    origins = (
        select(Meeting.team_id, Attendance.institution_name, Attendance.sector, func.count())
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .where(held)
        .group_by(Meeting.team_id, Attendance.institution_name, Attendance.sector)
    )
    for team_id, institution, sector, count in await session.execute(origins):
        tallies[team_id].by_institution[institution or ""] += count
        tallies[team_id].by_sector[Sector(sector)] += count

    members = (
        select(Meeting.team_id, Meeting.kind, Attendance.member_id)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .where(held, Attendance.member_id.is_not(None))
        .distinct()
    )
    for team_id, kind, member_id in await session.execute(members):
        person: Person = ("member", member_id)
        people[team_id].add(person)
        people_by_kind[team_id].setdefault(EventKind(kind), set()).add(person)
    others = (
        select(
            Meeting.team_id,
            Meeting.kind,
            Attendance.id,
            Attendance.guest_name,
            Attendance.institution_name,
        )
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .where(held, Attendance.member_id.is_(None))
    )
    for team_id, kind, row_id, guest, institution in await session.execute(others):
        person = _guest_key(guest, institution) if guest else ("row", row_id)
        people[team_id].add(person)
        people_by_kind[team_id].setdefault(EventKind(kind), set()).add(person)

    opened = and_(Task.created_at >= since, Task.created_at < until)
    closed = and_(Task.state == TaskState.DONE, Task.closed_at >= since, Task.closed_at < until)
    tasks = (
        select(
            Task.team_id,
            func.sum(case((opened, 1), else_=0)),
            func.sum(case((closed, 1), else_=0)),
        )
        .where(Task.team_id.in_(scope), or_(opened, closed))
        .group_by(Task.team_id)
    )
    for team_id, opened_count, closed_count in await session.execute(tasks):
        tallies[team_id].tasks_opened = int(opened_count or 0)
        tallies[team_id].tasks_closed = int(closed_count or 0)

    for team_id, tally in tallies.items():
        tally.unique_participants = len(people[team_id])
        for kind, found in people_by_kind[team_id].items():
            tally.kind(kind).unique_participants = len(found)

    teams = [
        TeamFigures(team_id, name, TeamKind(kind), place, tallies[team_id])
        for team_id, name, kind, _place_id, place in team_rows
    ]
    teams.sort(key=lambda f: (sort_key(f.municipality), f.kind, sort_key(f.name)))
    places: dict[int, tuple[str, list[int]]] = {}
    for team_id, _name, _kind, place_id, place in team_rows:
        places.setdefault(place_id, (place, []))[1].append(team_id)
    municipalities = [
        MunicipalityFigures(place_id, place, _merge(tallies, people, people_by_kind, ids))
        for place_id, (place, ids) in places.items()
    ]
    municipalities.sort(key=lambda f: sort_key(f.name))
    return Figures(
        period,
        team_ids is None,
        teams,
        municipalities,
        _merge(tallies, people, people_by_kind, scope),
        list(months.values()),
    )


def _merge(
    tallies: dict[int, Tally],
    people: dict[int, set[Person]],
    people_by_kind: dict[int, dict[EventKind, set[Person]]],
    team_ids: Iterable[int],
) -> Tally:
    """Sums, except unique participants: someone in two teams is one person."""
    merged = Tally()
    everyone: set[Person] = set()
    everyone_by_kind: dict[EventKind, set[Person]] = {}
    for team_id in team_ids:
        part = tallies[team_id]
        merged.meetings_held += part.meetings_held
        merged.meetings_cancelled += part.meetings_cancelled
        merged.unclosed += part.unclosed
        merged.participants += part.participants
        merged.by_institution.update(part.by_institution)
        merged.by_sector.update(part.by_sector)
        merged.tasks_opened += part.tasks_opened
        merged.tasks_closed += part.tasks_closed
        everyone |= people[team_id]
        for kind, part_kind in part.by_kind.items():
            of_kind = merged.kind(kind)
            of_kind.events += part_kind.events
            of_kind.participants += part_kind.participants
            of_kind.minutes += part_kind.minutes
            everyone_by_kind.setdefault(kind, set()).update(people_by_kind[team_id].get(kind, ()))
    merged.unique_participants = len(everyone)
    for kind, found in everyone_by_kind.items():
        merged.kind(kind).unique_participants = len(found)
    return merged
