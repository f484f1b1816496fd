"""Recurring meetings: wall-clock times across DST, holidays, moving and ending a series."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from bot.ical import SeriesView, build_ics
from storage import meetings, teams
from storage.db import Database
from storage.models import Meeting, MeetingStatus
from storage.recurrence import Preset, holiday_name, next_working_day, occurrences, rule_for
from tests import arrange

WARSAW = ZoneInfo("Europe/Warsaw")


def test_second_and_fourth_tuesday_keeps_ten_oclock_across_both_switches() -> None:
    first = datetime(2026, 2, 24, 10, 0, tzinfo=WARSAW)  # 4th Tuesday of February
    rule = rule_for(Preset.SECOND_FOURTH, first)
    assert rule == "FREQ=MONTHLY;BYDAY=+2TU,+4TU"
    found = occurrences(
        rule,
        "2026-02-24T10:00",
        WARSAW,
        first - timedelta(minutes=1),
        datetime(2026, 11, 30, tzinfo=WARSAW),
    )
    days = [start.date() for _, start in found]
    assert date(2026, 3, 10) in days and date(2026, 3, 24) in days  # around 29 March
    assert date(2026, 10, 13) in days and date(2026, 10, 27) in days  # around 25 October
    assert {start.astimezone(WARSAW).strftime("%H:%M") for _, start in found} == {"10:00"}
    offsets = {start.utcoffset() for _, start in found}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}
    assert all(start.weekday() == 1 for _, start in found)


def test_presets() -> None:
    first = datetime(2026, 12, 2, 9, 0, tzinfo=WARSAW)  # 1st Wednesday
    assert rule_for(Preset.BIWEEKLY, first) == "FREQ=WEEKLY;INTERVAL=2"
    assert rule_for(Preset.FIRST_THIRD, first) == "FREQ=MONTHLY;BYDAY=+1WE,+3WE"
    assert rule_for(Preset.MONTHLY, first) == "FREQ=MONTHLY;BYMONTHDAY=2"
    biweekly = occurrences(
        "FREQ=WEEKLY;INTERVAL=2",
        "2026-12-02T09:00",
        WARSAW,
        first - timedelta(seconds=1),
        datetime(2027, 1, 31, tzinfo=WARSAW),
    )
    assert [s.day for _, s in biweekly] == [2, 16, 30, 13, 27]


def test_polish_holidays() -> None:
    assert holiday_name(date(2026, 11, 11)) == "Narodowe Święto Niepodległości"
    assert holiday_name(date(2026, 12, 24)) is not None  # Wigilia, a day off since 2025
    assert holiday_name(date(2026, 12, 23)) is None
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 28)
    assert next_working_day(date(2026, 4, 3)) == date(2026, 4, 7)  # Easter Monday skipped


async def test_series_materialization_is_idempotent_and_occurrences_move_alone(
    db: Database,
) -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    async with db.session() as session:
        ids = await arrange.team(session)
        team = await teams.get_team(session, ids.team_id)
        first = await meetings.schedule(
            session,
            team,
            datetime(2026, 11, 24, 10, 0, tzinfo=WARSAW),
            "MOPS",
            None,
            None,
            preset=Preset.SECOND_FOURTH,
            now=now,
        )
        series_id = first.series_id
        assert series_id is not None
    async with db.session() as session:
        series = (await meetings.load_meeting(session, first.id)).series
        assert series is not None
        again = await meetings.materialize(session, series, now, now + meetings.HORIZON)
        assert again == []
        occurrences_ = list(
            await session.scalars(
                select(Meeting).where(Meeting.series_id == series_id).order_by(Meeting.starts_at)
            )
        )
        second = occurrences_[1]
        await meetings.reschedule(
            session,
            second,
            starts_at=second.starts_at + timedelta(days=1),
            actor_telegram_id=None,
            now=now,
        )
        assert await meetings.materialize(session, series, now, now + meetings.HORIZON) == []
        view = SeriesView(series, occurrences_)
        await meetings.cancel(session, occurrences_[2], actor_telegram_id=None, now=now)
        calendar = Calendar.from_ical(build_ics([], [(view, "PZK: spotkanie")], WARSAW))
        events = calendar.walk("VEVENT")
        assert len(events) == 2  # the series and the moved occurrence
        master, moved = events
        assert "RECURRENCE-ID" in moved and str(moved["UID"]) == str(master["UID"])
        assert "EXDATE" in master
        cancelled = await meetings.end_series(session, series, actor_telegram_id=None, now=now)
        assert cancelled == len(occurrences_) - 1
        statuses = {m.status for m in occurrences_}
        assert statuses == {MeetingStatus.CANCELLED}
