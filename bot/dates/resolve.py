"""Placing parsed parts in time relative to `now`."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, tzinfo

from bot.dates.grammar import parse_parts
from bot.dates.lexicon import PartOfDay
from bot.dates.model import When, WhenStatus
from bot.dates.parts import CalendarDate, Clock, ParseError, Parts, RelativeDate, WeekdayDate

DAY_MINUTES = 24 * 60


def parse_when(text: str, now: datetime, language: str = "pl") -> When:
    """Reads a date/time phrase relative to `now` (aware); see the package docstring.
    `language` is the member's: "en" reads English (bot.dates.english), anything else Polish."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if language == "en":
        from bot.dates.english import parse_english

        return parse_english(text, now)
    try:
        return _resolve(parse_parts(text), now)
    except ParseError as error:
        return When(WhenStatus.INVALID, None, str(error))
    except OverflowError:  # only near year 1 or 9999
        return When(WhenStatus.INVALID, None, "out of the calendar's range")


def _resolve(parts: Parts, now: datetime) -> When:
    zone = now.tzinfo
    assert zone is not None
    if parts.elapsed is not None:
        if parts.date or parts.clock or parts.part_of_day or parts.week is not None:
            raise ParseError("'za ... godzin/minut' cannot take a date or an hour")
        # Elapsed time: add in UTC, so "za 3 godziny" is three real hours across DST.
        moment = (now.astimezone(UTC) + parts.elapsed).astimezone(zone)
        return When(WhenStatus.OK, moment.replace(second=0, microsecond=0), "relative")
    if parts.week is not None and not isinstance(parts.date, WeekdayDate):
        raise ParseError("a week without a weekday")
    if parts.bare_hour and parts.date is None and parts.part_of_day is None:
        raise ParseError("a bare number is not enough")
    minutes = _minutes_of_day(parts.clock, parts.part_of_day)
    if parts.date is None and minutes is None and parts.part_of_day is None:
        raise ParseError("neither a date nor a time")
    day = _day(parts, now, minutes)
    if minutes is None:
        status = WhenStatus.NEEDS_TIME if day >= now.date() else WhenStatus.PAST
        return When(status, datetime(day.year, day.month, day.day, tzinfo=zone), "no hour")
    local = _at(day, minutes, zone)
    # A wall time exists if it survives the round trip through UTC.
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return When(WhenStatus.NONEXISTENT, None, f"{local:%Y-%m-%d %H:%M} skipped by DST")
    if _before(local, now):
        return When(WhenStatus.PAST, local, "before now")
    return When(WhenStatus.OK, local)


def _minutes_of_day(clock: Clock | None, part: PartOfDay | None) -> int | None:
    """Minutes after the day's midnight (1440 = the next midnight), None if no hour given."""
    if clock is None:
        if part is PartOfDay.NOON:
            return 12 * 60
        return DAY_MINUTES if part is PartOfDay.MIDNIGHT else None
    hour = _shift_hour(clock.hour, part)
    total = hour * 60 + clock.offset
    if not 0 <= total <= DAY_MINUTES:
        raise ParseError("no such time")
    return total


def _shift_hour(hour: int, part: PartOfDay | None) -> int:
    """12-hour readings: "o 2 po południu" 14, "o 10 w nocy" 22; contradictions are errors."""
    match part:
        case None:
            return hour
        case PartOfDay.MORNING if hour <= 12:
            return hour
        case PartOfDay.AFTERNOON if 1 <= hour <= 11:
            return hour + 12
        case PartOfDay.AFTERNOON if 12 <= hour <= 23:
            return hour
        case PartOfDay.EVENING | PartOfDay.NIGHT if hour == 12:
            return 24
        case PartOfDay.EVENING if 1 <= hour <= 11:
            return hour + 12
        case PartOfDay.EVENING if 13 <= hour <= 24:
            return hour
        case PartOfDay.NIGHT if 6 <= hour <= 11:
            return hour + 12
        case PartOfDay.NIGHT if hour <= 5 or hour >= 18:
            return hour
        case PartOfDay.NOON if hour == 12:
            return hour
        case PartOfDay.MIDNIGHT if hour in (0, 12, 24):
            return 24
    raise ParseError(f"hour {hour} does not fit {part.value}")


def _day(parts: Parts, now: datetime, minutes: int | None) -> date:
    today = now.date()
    spec = parts.date
    if spec is None:
        # An hour alone: today if it is still ahead, else tomorrow.
        if minutes is not None and _before(_at(today, minutes, now.tzinfo), now):
            return today + timedelta(days=1)
        return today
    if isinstance(spec, RelativeDate):
        return _add_months(today, spec.months) + timedelta(days=spec.days)
    if isinstance(spec, WeekdayDate):
        if spec.week is not None and parts.week is not None and spec.week != parts.week:
            raise ParseError("two different weeks")
        week = spec.week if spec.week is not None else parts.week
        if week is not None:
            monday = today - timedelta(days=today.weekday())
            return monday + timedelta(days=7 * week + spec.weekday)
        day = today + timedelta(days=(spec.weekday - today.weekday()) % 7)
        if day == today and minutes is not None and _before(_at(day, minutes, now.tzinfo), now):
            day += timedelta(days=7)
        return day
    return _calendar_day(spec, today)


def _calendar_day(spec: CalendarDate, today: date) -> date:
    year = spec.year
    if year is None:
        # Without a year: this year's, or next year's once this year's day has gone.
        passed = (spec.month, spec.day) < (today.month, today.day)
        year = today.year + passed
    try:
        return date(year, spec.month, spec.day)
    except ValueError:
        raise ParseError(f"no such date: {spec.day}.{spec.month}.{year}") from None


def _add_months(day: date, months: int) -> date:
    """Calendar months; a day the target month lacks becomes its last day (31.01 -> 28.02)."""
    if not months:
        return day
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _at(day: date, minutes: int, zone: tzinfo | None) -> datetime:
    """The wall time; fold=0 picks the first of the two autumn 02:30s."""
    day += timedelta(days=minutes // DAY_MINUTES)
    minutes %= DAY_MINUTES
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=zone)


def _before(moment: datetime, now: datetime) -> bool:
    # Aware datetimes sharing a tzinfo compare by wall time; compare instants instead.
    return moment.astimezone(UTC) < now.astimezone(UTC)
