"""The programme's figures: meetings held, who came and from where, tasks, over a period.

Telegram-free: the bot (/raport) and the command line (`kooperacje-bot report`) both call
`parse_period` and `compute`. Counting happens in a handful of GROUP BY queries whose result
sizes follow the number of meetings and of distinct people, never of attendance rows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import DomainError, Problem
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
from storage.words import MONTHS, fold_text

WARSAW = ZoneInfo("Europe/Warsaw")
_FIRST_YEAR, _LAST_YEAR = 2000, 2100

_ISO_DAY = r"\d{4}-\d{1,2}-\d{1,2}"
# Day first, with dots, slashes or dashes: "1.01.2026", "1/01/2026", "1-01-2026".
_POLISH_DAY = r"\d{1,2}[./-]\d{1,2}[./-]\d{4}"
_DAY = re.compile(rf"{_ISO_DAY}|{_POLISH_DAY}")
# What may stand between two dates: dashes, "..", "do", "to", "–".
_BETWEEN = re.compile(r"^\s*(?:-|–|—|\.\.|do|to|od)?\s*$", re.IGNORECASE)
_MONTH = re.compile(r"^(?:(\d{1,2})[./-](\d{4})|(\d{4})-(\d{1,2}))$")


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


def _invalid(text: str) -> DomainError:
    return DomainError(Problem.REPORT_PERIOD_INVALID, text=text)


def _read_day(token: str, text: str) -> date:
    parts = re.split(r"[./-]", token)
    # ISO starts with the year, Polish writing with the day.
    year, month, day = (int(part) for part in (parts if len(parts[0]) == 4 else parts[::-1]))
    try:
        found = date(year, month, day)
    except ValueError:
        raise _invalid(text) from None
    if not _FIRST_YEAR <= found.year <= _LAST_YEAR:
        raise _invalid(text)
    return found


def _month(year: int, month: int, text: str) -> Period:
    if not (1 <= month <= 12 and _FIRST_YEAR <= year <= _LAST_YEAR):
        raise _invalid(text)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(date(year, month, 1), following - timedelta(days=1))


def _month_names(text: str) -> Period | None:
    """ "sty 2026", "sty.–cze. 2026", "od stycznia do czerwca 2026", "grudzień 2025 – luty
    2026": whole months by name (abbreviated or not); None if the text is not of this form."""
    words = fold_text(text).replace(".", " ").replace("-", " - ").split()
    if words[:1] == ["od"]:
        words = words[1:]
    words = ["-" if word == "do" else word for word in words]
    shape = "".join(
        "m" if word in MONTHS else "y" if word.isdigit() and len(word) == 4 else word
        for word in words
    )
    if shape == "my":
        first = last = (int(words[1]), MONTHS[words[0]])
    elif shape == "m-my":
        first, last = (int(words[3]), MONTHS[words[0]]), (int(words[3]), MONTHS[words[2]])
    elif shape == "my-my":
        first, last = (int(words[1]), MONTHS[words[0]]), (int(words[4]), MONTHS[words[3]])
    else:
        return None
    start, end = _month(*first, text).start, _month(*last, text).end
    if end < start:
        raise _invalid(text)
    return Period(start, end)


def parse_period(text: str, today: date) -> Period:
    """ "" (this year so far), "2026", "01.2026" / "2026-01", one day, two days
    ("1.01.2026 – 30.06.2026", "1/01/2026-30/06/2026", "2026-01-01 - 2026-06-30") or months
    by name ("sty.–cze. 2026"). Otherwise REPORT_PERIOD_INVALID."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return Period(date(today.year, 1, 1), today)
    if cleaned.isdigit() and len(cleaned) == 4:
        year = int(cleaned)
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            raise _invalid(text)
        return Period(date(year, 1, 1), date(year, 12, 31))
    month = _MONTH.match(cleaned)
    if month:
        m1, y1, y2, m2 = month.groups()
        return _month(int(y1 or y2), int(m1 or m2), text)
    named = _month_names(cleaned)
    if named is not None:
        return named
    tokens = _DAY.findall(cleaned)
    rest = _DAY.split(cleaned)
    if not 1 <= len(tokens) <= 2 or not all(_BETWEEN.match(part) for part in rest):
        raise _invalid(text)
    days = [_read_day(token, text) for token in tokens]
    start, end = days[0], days[-1]
    if end < start:
        raise _invalid(text)
    return Period(start, end)


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
) -> Figures:
    """Figures of these teams (None: every team of the region) over the period.

    A meeting is held when it is not cancelled and has started before the period's end and
    before `now`; cancelled ones count by their planned start within the period.
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
    )

    # One row per meeting with its head count: months need the local start of each.
    own_minutes = func.coalesce(Attendance.minutes, Meeting.duration_minutes)
    per_meeting = (
        select(
            Meeting.team_id,
            Meeting.starts_at,
            Meeting.status,
            Meeting.kind,
            func.count(Attendance.id),
            func.sum(case((Attendance.id.is_not(None), own_minutes), else_=0)),
        )
        .outerjoin(Attendance, Attendance.meeting_id == Meeting.id)
        .where(in_scope, in_period)
        .group_by(Meeting.id, Meeting.team_id, Meeting.starts_at, Meeting.status, Meeting.kind)
    )
    for team_id, starts_at, status, kind, count, minutes in await session.execute(per_meeting):
        tally = tallies[team_id]
        if status == MeetingStatus.CANCELLED:
            tally.meetings_cancelled += 1
            continue
        if starts_at >= held_before:
            continue  # still to come
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
