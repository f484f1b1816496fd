"""Kinds of events: a team's own meeting by default, the programme's other forms of support by
choice, multi-day workshops, coaching for named workers, hours in the register, and figures
counted by kind (events, participants total and unique, person-hours)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from storage import attendance, figures, meetings, members, teams
from storage.db import Database
from storage.errors import DomainError, Problem
from storage.models import EventKind, Meeting, Member, Role, TeamKind
from storage.recurrence import Preset
from tests import arrange

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


async def _team(db: Database, kind: TeamKind = TeamKind.PZK) -> tuple[int, list[int]]:
    """A team with three members (ids 1-3 of Telegram: 501-503); returns team and member ids."""
    async with db.session() as session:
        ids = await arrange.team(session, kind=kind)
        member_ids = []
        for number in range(3):
            await arrange.person(
                session,
                ids.team_id,
                501 + number,
                f"Osoba {number}",
                Role.MEMBER,
                ids.institution_ids[arrange.MOPS],
            )
            found = await members.find_member(session, 501 + number)
            assert found is not None
            member_ids.append(found.id)
    return ids.team_id, member_ids


async def _schedule(db: Database, team_id: int, start: datetime, **extra: object) -> int:
    async with db.session() as session:
        team = await teams.get_team(session, team_id)
        event = await meetings.schedule(
            session,
            team,
            start,
            "MOPS, sala 2",
            None,
            None,
            now=NOW,
            **extra,  # type: ignore[arg-type]
        )
        return event.id


async def test_a_team_calls_its_own_kind_of_meeting_by_default(db: Database) -> None:
    pzk, _ = await _team(db)
    async with db.session() as session:
        zzk = (await teams.add_team(session, "Zduńska Wola", TeamKind.ZZK)).id
    first = await _schedule(db, pzk, datetime(2026, 3, 10, 10, 0, tzinfo=WARSAW))
    second = await _schedule(db, zzk, datetime(2026, 3, 11, 10, 0, tzinfo=WARSAW))
    series = await _schedule(
        db,
        zzk,
        datetime(2026, 3, 12, 10, 0, tzinfo=WARSAW),
        preset=Preset.BIWEEKLY,
        kind=EventKind.WORKING_GROUP,
    )
    async with db.session() as session:
        kinds = dict((await session.execute(select(Meeting.id, Meeting.kind))).all())
        occurrences = await session.scalars(
            select(Meeting.kind).where(Meeting.series_id.is_not(None))
        )
        assert set(occurrences) == {EventKind.WORKING_GROUP}  # every occurrence keeps it
    assert kinds[first] == EventKind.PZK_MEETING
    assert kinds[second] == EventKind.ZZK_MEETING
    assert kinds[series] == EventKind.WORKING_GROUP


@pytest.mark.parametrize(
    ("kind", "duration", "problem"),
    [
        (EventKind.WORKSHOP, timedelta(days=20), Problem.EVENT_TOO_LONG),
        (EventKind.PZK_MEETING, timedelta(hours=30), Problem.EVENT_TOO_LONG),
        (EventKind.CONFERENCE, timedelta(minutes=-60), Problem.EVENT_ENDS_BEFORE_START),
        (EventKind.TRAINING, timedelta(0), Problem.EVENT_ENDS_BEFORE_START),
        (EventKind.COACHING, timedelta(hours=2), Problem.COACHING_WITHOUT_WORKER),
    ],
)
async def test_impossible_events_are_refused_and_nothing_is_stored(
    db: Database, kind: EventKind, duration: timedelta, problem: Problem
) -> None:
    team_id, _ = await _team(db)
    with pytest.raises(DomainError) as refused:
        await _schedule(
            db,
            team_id,
            datetime(2026, 3, 10, 9, 0, tzinfo=WARSAW),
            kind=kind,
            duration_minutes=int(duration.total_seconds() // 60),
        )
    assert refused.value.problem == problem
    async with db.session() as session:
        assert list(await session.scalars(select(Meeting.id))) == []


async def test_coaching_is_only_for_workers_of_the_team(db: Database) -> None:
    team_id, member_ids = await _team(db)
    async with db.session() as session:
        stranger = await members.ensure_member(session, 999, "Ktoś Obcy", None)
    with pytest.raises(DomainError) as refused:
        await _schedule(
            db,
            team_id,
            datetime(2026, 3, 10, 9, 0, tzinfo=WARSAW),
            kind=EventKind.COACHING,
            coached=[stranger],
        )
    assert refused.value.problem == Problem.NOT_IN_TEAM


async def test_a_year_counted_by_kind_with_hours(db: Database) -> None:
    """Two-day workshops, coaching sessions with each worker's own hours, and a PZK meeting:
    the figures say how many of each, how many people (total and unique), how many hours."""
    team_id, member_ids = await _team(db)
    a, b, c = member_ids
    async with db.session() as session:
        coached = [await session.get(Member, i) for i in (a, b)]
    workshop_1 = await _schedule(
        db,
        team_id,
        datetime(2026, 3, 10, 9, 0, tzinfo=WARSAW),
        kind=EventKind.WORKSHOP,
        duration_minutes=31 * 60,  # 9:00 on Tuesday to 16:00 on Wednesday
    )
    workshop_2 = await _schedule(
        db,
        team_id,
        datetime(2026, 4, 14, 9, 0, tzinfo=WARSAW),
        kind=EventKind.WORKSHOP,
        duration_minutes=31 * 60,
    )
    coaching = await _schedule(
        db,
        team_id,
        datetime(2026, 3, 12, 12, 0, tzinfo=WARSAW),
        kind=EventKind.COACHING,
        duration_minutes=180,
        coached=coached,
    )
    meeting = await _schedule(db, team_id, datetime(2026, 3, 20, 10, 0, tzinfo=WARSAW))
    later = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    async with db.session() as session:
        for event_id, people in (
            (workshop_1, (a, b, c)),
            (workshop_2, (a, b)),
            (coaching, (a, b)),
            (meeting, (a,)),
        ):
            event = await meetings.load_meeting(session, event_id)
            for person in people:
                await attendance.mark(session, event, person, True, None, now=later)
        event = await meetings.load_meeting(session, coaching)
        await attendance.set_minutes(session, event, b, 90, now=later)  # left after 1.5 h
        with pytest.raises(DomainError) as refused:
            await attendance.set_minutes(session, event, a, 181, now=later)
        assert refused.value.problem == Problem.MINUTES_INVALID
        with pytest.raises(DomainError) as refused:
            await attendance.set_minutes(session, event, c, 60, now=later)
        assert refused.value.problem == Problem.NOT_MARKED
        register = await attendance.load_register(session, event)
        assert {p.member_id: p.minutes for p in register.people} == {a: None, b: 90}
    async with db.session() as session:
        found = await figures.compute(
            session, None, figures.Period(date(2026, 1, 1), date(2026, 12, 31)), later
        )
    kinds = found.total.by_kind
    assert set(kinds) == {EventKind.WORKSHOP, EventKind.COACHING, EventKind.PZK_MEETING}
    workshops = kinds[EventKind.WORKSHOP]
    assert (workshops.events, workshops.participants, workshops.unique_participants) == (2, 5, 3)
    assert workshops.minutes == 5 * 31 * 60
    coaching_ = kinds[EventKind.COACHING]
    assert (coaching_.events, coaching_.unique_participants) == (1, 2)
    assert coaching_.hours == 4.5  # 3 h and 1.5 h
    assert kinds[EventKind.PZK_MEETING].events == 1
    assert found.total.meetings_held == 4 and found.total.unique_participants == 3
    # The municipality's figures merge the same way.
    (town,) = found.municipalities
    assert town.tally.by_kind[EventKind.WORKSHOP].unique_participants == 3
