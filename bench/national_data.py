"""The country for bench/national.py: every municipality, its teams, members, a year of meetings.

Bulk Core inserts in batches (SQLAlchemy's executemany, "insertmanyvalues"), a block of
municipalities per transaction, so memory stays flat whatever the size. The date `day` is the
1st of a month, 08:00 in Warsaw: the digest's moment; the year of meetings is placed around it
(nine months before, three after) so that the digest, /spotkania and the reminders have
upcoming meetings and the registers have a past.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bench import settle
from bench.basket import synthetic_services
from storage.basket import spelling
from storage.db import Database
from storage.models import (
    Answer,
    Attendance,
    Delivery,
    EventKind,
    Institution,
    Meeting,
    MeetingStatus,
    Member,
    Membership,
    Municipality,
    Region,
    Role,
    Rsvp,
    ScheduledKind,
    ScheduledMessage,
    Sector,
    Service,
    Team,
    TeamKind,
)

WARSAW = ZoneInfo("Europe/Warsaw")
FIRST_MEMBER = 100_000  # Telegram id of member 1 is FIRST_MEMBER + 1
VOIVODESHIPS = [
    "dolnośląskie", "kujawsko-pomorskie", "lubelskie", "lubuskie", "łódzkie", "małopolskie",
    "mazowieckie", "opolskie", "podkarpackie", "podlaskie", "pomorskie", "śląskie",
    "świętokrzyskie", "warmińsko-mazurskie", "wielkopolskie", "zachodniopomorskie",
]  # fmt: skip
MEETINGS_PER_TEAM = 24  # twice a month for a year: on the 5th and the 20th
MONTHS_BEFORE = 9
BLOCK = 100  # municipalities per transaction
CHUNK = 5_000  # rows per executemany
SECTORS = [s for s in Sector if s != Sector.OTHER]


@dataclass
class Country:
    municipalities: int
    members: int
    rows: dict[str, int] = field(default_factory=dict)
    # Per team: [(member id, telegram id)], the coordinator first.
    team_members: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    # Per team: its upcoming meetings' ids.
    upcoming: dict[int, list[int]] = field(default_factory=dict)
    region_of_team: dict[int, int] = field(default_factory=dict)
    muted_observers: list[int] = field(default_factory=list)  # telegram ids, no digest
    observer_region: dict[int, int] = field(default_factory=dict)


def digest_moment(now: datetime) -> datetime:
    """The 1st of next month, 08:00 in Warsaw, in UTC."""
    local = now.astimezone(WARSAW)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime.combine(date(year, month, 1), time(8, 0), tzinfo=WARSAW).astimezone(UTC)


def _month(day: date, shift: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + shift
    return index // 12, index % 12 + 1


def meeting_times(moment: datetime, kind: TeamKind) -> list[datetime]:
    """24 meetings, the 5th and the 20th of each month, 10:00 (PZK) or 12:00 (ZZK) local."""
    local = moment.astimezone(WARSAW).date()
    hour = 10 if kind == TeamKind.PZK else 12
    times = []
    for shift in range(-MONTHS_BEFORE, MEETINGS_PER_TEAM // 2 - MONTHS_BEFORE):
        year, month = _month(local, shift)
        for day in (5, 20):
            times.append(
                datetime.combine(date(year, month, day), time(hour), tzinfo=WARSAW).astimezone(UTC)
            )
    return times


def _services(municipalities: int) -> tuple[list[str], dict[tuple[int, str], int], list[dict]]:
    """The basket: bench/basket.py's 20 services per municipality (names "Gmina 00000"...)."""
    places, institutions, services = synthetic_services(municipalities)
    return list(places), institutions, services


async def _put(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> int:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model), rows[start : start + CHUNK])
    return len(rows)


async def fill(
    db: Database, municipalities: int, members: int, moment: datetime, observers: int
) -> Country:
    """Everything, in blocks of municipalities; `observers` members (one per municipality
    from the first) have their memberships muted: they get no digest, so their chats hold only
    the bot's replies, measured during the digest."""
    now = moment - timedelta(days=40)
    rng = random.Random(24)
    country = Country(municipalities, members)
    names, institutions, services = _services(municipalities)
    by_place: dict[int, list[tuple[int, str]]] = {}
    for (place, name), iid in institutions.items():
        by_place.setdefault(place, []).append((iid, name))
    counts: dict[str, int] = {}

    def add(name: str, n: int) -> None:
        counts[name] = counts.get(name, 0) + n

    async with db.session() as session:
        add(
            "region",
            await _put(
                session,
                Region,
                [{"id": i + 1, "name": n, "created_at": now} for i, n in enumerate(VOIVODESHIPS)],
            ),
        )
        add(
            "municipality",
            await _put(
                session,
                Municipality,
                [
                    {
                        "id": i + 1,
                        "name": n,
                        "timezone": "Europe/Warsaw",
                        "region_id": i % len(VOIVODESHIPS) + 1,
                        "created_at": now,
                    }
                    for i, n in enumerate(names)
                ],
            ),
        )
        add(
            "institution",
            await _put(
                session,
                Institution,
                [
                    {
                        "id": iid,
                        "municipality_id": place,
                        "name": name,
                        "sector": SECTORS[iid % len(SECTORS)],
                        "created_at": now,
                    }
                    for (place, name), iid in institutions.items()
                ],
            ),
        )
        add("service", await _put(session, Service, [s | {"updated_at": now} for s in services]))
        await spelling.remember(session, [str(s["search_text"]) for s in services])

    next_member = 1
    for block in range(0, municipalities, BLOCK):
        teams, people, seats, meetings, answers, registers, reminders = [], [], [], [], [], [], []
        for index in range(block, min(block + BLOCK, municipalities)):
            place = index + 1
            share = members // municipalities + (1 if index < members % municipalities else 0)
            ids = list(range(next_member, next_member + share))
            next_member += share
            places = by_place[place]
            for member_id in ids:
                people.append(
                    {
                        "id": member_id,
                        "telegram_id": FIRST_MEMBER + member_id,
                        "name": f"Osoba {member_id}",
                        "institution_id": places[member_id % len(places)][0],
                        "created_at": now,
                        "last_seen_at": now,
                    }
                )
            half = len(ids) // 2
            # PZK: the first half; ZZK: the second half and three of the PZK (both teams).
            crews = {TeamKind.PZK: ids[:half], TeamKind.ZZK: ids[half:] + ids[1:4]}
            observer = ids[-1] if index < observers else None
            if observer is not None:
                country.muted_observers.append(FIRST_MEMBER + observer)
                country.observer_region[FIRST_MEMBER + observer] = index % len(VOIVODESHIPS) + 1
            for kind, crew in crews.items():
                team_id = 2 * index + (1 if kind == TeamKind.PZK else 2)
                country.region_of_team[team_id] = index % len(VOIVODESHIPS) + 1
                teams.append(
                    {
                        "id": team_id,
                        "municipality_id": place,
                        "kind": kind,
                        "name": f"{kind.value} {names[index]}",
                        "created_at": now,
                    }
                )
                country.team_members[team_id] = [(m, FIRST_MEMBER + m) for m in crew]
                for seat, member_id in enumerate(crew):
                    seats.append(
                        {
                            "team_id": team_id,
                            "member_id": member_id,
                            "role": Role.COORDINATOR if seat == 0 else Role.MEMBER,
                            "joined_at": now,
                            "reminders_muted": member_id == observer,
                        }
                    )
                first_meeting = (team_id - 1) * MEETINGS_PER_TEAM + 1
                upcoming = []
                for k, starts in enumerate(meeting_times(moment, kind)):
                    meeting_id = first_meeting + k
                    past = starts < moment
                    if not past:
                        upcoming.append(meeting_id)
                    meetings.append(
                        {
                            "id": meeting_id,
                            "team_id": team_id,
                            "starts_at": starts,
                            "duration_minutes": 120,
                            "kind": EventKind.PZK_MEETING
                            if kind == TeamKind.PZK
                            else EventKind.ZZK_MEETING,
                            "place": "MOPS, sala 12",
                            "agenda": "Sprawy bieżące, rodziny w procedurze",
                            "status": MeetingStatus.SCHEDULED,
                            "uid": f"national-{meeting_id}@kooperacje",
                            "sequence": 0,
                            "created_by_id": crew[0],
                            "created_at": starts - timedelta(days=14),
                            "updated_at": starts - timedelta(days=14),
                            "register_closed_at": starts + timedelta(hours=3) if past else None,
                        }
                    )
                    for member_id in crew:
                        draw = rng.random()
                        if draw < 0.1:
                            continue  # no answer
                        answer = (
                            Answer.YES if draw < 0.8 else Answer.NO if draw < 0.9 else Answer.MAYBE
                        )
                        answers.append(
                            {
                                "meeting_id": meeting_id,
                                "member_id": member_id,
                                "answer": answer,
                                "answered_at": starts - timedelta(days=3),
                            }
                        )
                        if past and answer == Answer.YES:
                            iid, institution = places[member_id % len(places)]
                            registers.append(
                                {
                                    "meeting_id": meeting_id,
                                    "member_id": member_id,
                                    "institution_name": institution,
                                    "sector": SECTORS[iid % len(SECTORS)],
                                    "marked_by_id": crew[0],
                                    "marked_at": starts + timedelta(hours=2),
                                }
                            )
                        if not past and member_id != observer:
                            for offset in (1440, 60):
                                reminders.append(
                                    {
                                        "kind": ScheduledKind.REMINDER,
                                        "team_id": team_id,
                                        "meeting_id": meeting_id,
                                        "member_id": member_id,
                                        "chat_id": FIRST_MEMBER + member_id,
                                        "offset_minutes": offset,
                                        "due_at": starts - timedelta(minutes=offset),
                                        "state": Delivery.PENDING,
                                        "attempts": 0,
                                    }
                                )
                country.upcoming[team_id] = upcoming
        async with db.session() as session:
            add("member", await _put(session, Member, people))
            add("team", await _put(session, Team, teams))
            add("membership", await _put(session, Membership, seats))
            add("meeting", await _put(session, Meeting, meetings))
            add("rsvp", await _put(session, Rsvp, answers))
            add("attendance", await _put(session, Attendance, registers))
            add("scheduled_message", await _put(session, ScheduledMessage, reminders))
    country.rows = counts
    await settle(db, ("region", "municipality", "institution", "team", "member", "meeting"))
    return country


async def database_mb(db: Database) -> float:
    if db.url.startswith("postgresql"):
        async with db.engine.connect() as connection:
            size = await connection.scalar(text("SELECT pg_database_size(current_database())"))
        return int(size or 0) / 1024**2
    path = db.url.split("///", 1)[1]
    return (
        sum(
            Path(path + suffix).stat().st_size
            for suffix in ("", "-wal")
            if Path(path + suffix).exists()
        )
        / 1024**2
    )


async def plan_due_reminders(
    db: Database, country: Country, first_due: datetime, span: float, teams: int, tag: str
) -> list[int]:
    """Meetings of `teams` teams starting an hour after `first_due` + up to `span` seconds,
    with only their 60-minute reminders (one per member): due while something else is sent.
    Returns the meetings' ids."""
    async with db.session() as session:
        base = int(await session.scalar(select(func.max(Meeting.id))) or 0)
    chosen = sorted(country.team_members)[:: max(1, len(country.team_members) // teams)][:teams]
    meetings: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    ids: list[int] = []
    for n, team_id in enumerate(chosen):
        due = first_due + timedelta(seconds=span * n / max(1, len(chosen) - 1))
        starts = due + timedelta(minutes=60)
        meeting_id = base + n + 1
        ids.append(meeting_id)
        meetings.append(
            {
                "id": meeting_id,
                "team_id": team_id,
                "starts_at": starts,
                "place": "Urząd gminy, sala 3",
                "agenda": "Sprawa pilna",
                "status": MeetingStatus.SCHEDULED,
                "uid": f"national-{tag}-{meeting_id}@kooperacje",
                "created_at": first_due - timedelta(days=7),
                "updated_at": first_due - timedelta(days=7),
            }
        )
        for member_id, chat in country.team_members[team_id]:
            if chat in country.muted_observers:
                continue
            reminders.append(
                {
                    "kind": ScheduledKind.REMINDER,
                    "team_id": team_id,
                    "meeting_id": meeting_id,
                    "member_id": member_id,
                    "chat_id": chat,
                    "offset_minutes": 60,
                    "due_at": due,
                    "state": Delivery.PENDING,
                    "attempts": 0,
                }
            )
    async with db.session() as session:
        await _put(session, Meeting, meetings)
        await _put(session, ScheduledMessage, reminders)
    return ids
