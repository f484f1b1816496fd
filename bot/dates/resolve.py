"""Placing parsed parts in time relative to `now`."""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo

from bot.dates.grammar import annotate, parse_parts
from bot.dates.lexicon import PartOfDay, add_months, shift_hour
from bot.dates.model import Reading, When, WhenStatus
from bot.dates.parts import (
    CalendarDate,
    Clock,
    DateSpec,
    MonthDay,
    NoSuchMoment,
    ParseError,
    Parts,
    RelativeDate,
    WeekdayDate,
)

DAY_MINUTES = 24 * 60
HALF_DAY = 12 * 60
MAX_RANGE = timedelta(hours=24)


def parse_when(text: str, now: datetime, language: str = "pl") -> When:
    """Reads a date/time phrase relative to `now` (aware); see the package docstring.
    `language` is the member's: "en" reads English (bot.dates.english), anything else Polish.
    An invalid phrase says which of its words were understood and which were not."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if language == "en":
        from bot.dates.english import parse_english

        return parse_english(text, now)
    result = parse_polish(text, now)
    if result.status is WhenStatus.INVALID:
        understood, not_understood = annotate(text)
        return replace(result, understood=understood, not_understood=not_understood)
    return result


def parse_polish(text: str, now: datetime) -> When:
    """`parse_when` without the word lists of an invalid phrase."""
    try:
        return read_polish(text, now)
    except ParseError as error:
        return When(WhenStatus.INVALID, None, str(error))


def read_polish(text: str, now: datetime) -> When:
    """Raises ParseError instead of returning INVALID (NoSuchMoment: read, but no moment)."""
    try:
        return _resolve(parse_parts(text), now)
    except OverflowError:  # only near year 1 or 9999
        raise NoSuchMoment("out of the calendar's range") from None


def _resolve(parts: Parts, now: datetime) -> When:
    if parts.elapsed is not None:
        return _elapsed(parts, now)
    weekday = parts.weekday or (parts.date if isinstance(parts.date, WeekdayDate) else None)
    if parts.week is not None and weekday is None:
        raise ParseError("a week without a weekday")
    if parts.bare_hour and parts.date is None and parts.part_of_day is None:
        raise ParseError("a bare number is not enough")
    afternoon = _afternoon(parts.clock, parts.part_of_day)
    minutes = _minutes_of_day(parts.clock, parts.part_of_day, afternoon)
    if parts.date is None and minutes is None and parts.part_of_day is None:
        raise ParseError("neither a date nor a time")
    if minutes is None and (parts.end is not None or parts.duration is not None):
        raise ParseError("a range without a start")
    day = _day(parts.date, parts.week, now, minutes)
    result = _moment(day, minutes, now)
    if result.value is None or minutes is None:
        return _checked_weekday(result, parts, now, day, minutes)
    end = _end(parts, result.value, day, minutes)
    if afternoon:
        # The other reading: the same day's morning, unless it is gone or does not exist.
        morning = _moment(day, minutes - HALF_DAY, now)
        other = morning.value if morning.status is WhenStatus.OK else None
        result = replace(result, reading=Reading.AFTERNOON, alternative=other)
    return _checked_weekday(replace(result, end=end), parts, now, day, minutes)


def _elapsed(parts: Parts, now: datetime) -> When:
    """ "za 3 godziny": added in UTC, so three real hours across DST; seconds dropped."""
    if (
        parts.date is not None
        or parts.clock is not None
        or parts.part_of_day is not None
        or parts.week is not None
        or parts.end is not None
    ):
        raise ParseError("'za ... godzin/minut' cannot take a date or an hour")
    assert parts.elapsed is not None and now.tzinfo is not None
    moment = (now.astimezone(UTC) + parts.elapsed).astimezone(now.tzinfo)
    moment = moment.replace(second=0, microsecond=0)
    return When(WhenStatus.OK, moment, "relative", end=_end(parts, moment, moment.date(), 0))


def _checked_weekday(
    result: When, parts: Parts, now: datetime, day: date, minutes: int | None
) -> When:
    """A weekday said with a date that falls on another day: CONFLICT, the weekday's own
    reading as the alternative ("czwartek 9 grudnia" when the 9th is a Wednesday)."""
    weekday = parts.weekday
    if weekday is None or result.status is WhenStatus.NONEXISTENT:
        return result
    other = _day(weekday, parts.week, now, minutes)
    if weekday.week is None and parts.week is None:
        agree = day.weekday() == weekday.weekday
    else:
        agree = day == other
    if agree:
        return result
    return replace(
        result,
        status=WhenStatus.CONFLICT,
        reason=f"the weekday does not match the date ({day:%A})",
        alternative=_at(other, minutes or 0, now.tzinfo),
    )


def _moment(day: date, minutes: int | None, now: datetime) -> When:
    zone = now.tzinfo
    if minutes is None:
        status = WhenStatus.NEEDS_TIME if day >= now.date() else WhenStatus.PAST
        return When(status, datetime(day.year, day.month, day.day, tzinfo=zone), "no hour")
    local = _at(day, minutes, zone)
    if not _exists(local):
        return When(WhenStatus.NONEXISTENT, None, f"{local:%Y-%m-%d %H:%M} skipped by DST")
    if _before(local, now):
        return When(WhenStatus.PAST, local, "before now")
    return When(WhenStatus.OK, local)


def _afternoon(clock: Clock | None, part: PartOfDay | None) -> bool:
    """At work "o 3", "o trzeciej", "wpół do drugiej" mean the afternoon: an hour 1-6 said
    without a part of day and not written "03:00"."""
    return clock is not None and part is None and not clock.padded and 1 <= clock.hour <= 6


def _minutes_of_day(clock: Clock | None, part: PartOfDay | None, afternoon: bool) -> int | None:
    """Minutes after the day's midnight (1440 = the next midnight), None if no hour given."""
    if clock is None:
        if part is PartOfDay.NOON:
            return 12 * 60
        return DAY_MINUTES if part is PartOfDay.MIDNIGHT else None
    hour = shift_hour(clock.hour, part, NoSuchMoment) + (12 if afternoon else 0)
    total = hour * 60 + clock.offset
    if not 0 <= total <= DAY_MINUTES:
        raise NoSuchMoment("no such time")
    return total


def _end(parts: Parts, start: datetime, day: date, minutes: int) -> datetime | None:
    """The end of a range, after the start and at most 24 hours later."""
    if parts.duration is not None:
        if parts.end is not None:
            raise ParseError("a range with two ends")
        end = (start.astimezone(UTC) + parts.duration).astimezone(start.tzinfo)
    elif parts.end is not None:
        end = _at(day, _end_minutes(minutes, parts.end), start.tzinfo)
        if not _exists(end):
            raise NoSuchMoment(f"{end:%Y-%m-%d %H:%M} skipped by DST")
    else:
        return None
    if not timedelta(0) < end.astimezone(UTC) - start.astimezone(UTC) <= MAX_RANGE:
        raise NoSuchMoment("a range must end after its start, within 24 hours")
    return end


def _end_minutes(start: int, end: Clock) -> int:
    """An end hour 1-12 is the first such hour after the start ("od 11 do 1" ends at 13:00,
    "od 7 do 9 wieczorem" at 21:00); others as typed, the next day if not after the start."""
    typed = end.hour * 60 + end.offset
    if end.padded or not 1 <= end.hour <= 12:
        candidates: tuple[int, ...] = (typed, typed + DAY_MINUTES)
    else:
        candidates = tuple(typed + step * HALF_DAY for step in range(4))
    # An end at the start's own hour ("od 10 do 10") is a mistake, not a day-long meeting.
    found = next((minutes for minutes in candidates if minutes > start), None)
    if found is None or found >= start + DAY_MINUTES:
        raise NoSuchMoment("a range must end after its start")
    return found


def _day(spec: DateSpec | None, week: int | None, now: datetime, minutes: int | None) -> date:
    today = now.date()
    if spec is None:
        # An hour alone: today if it is still ahead, else tomorrow.
        if minutes is not None and _before(_at(today, minutes, now.tzinfo), now):
            return today + timedelta(days=1)
        return today
    if isinstance(spec, RelativeDate):
        return add_months(today, spec.months) + timedelta(days=spec.days)
    if isinstance(spec, WeekdayDate):
        return _weekday(spec, week, now, minutes)
    if isinstance(spec, MonthDay):
        return _month_day(spec.day, today)
    return _calendar_day(spec, today)


def _weekday(spec: WeekdayDate, week: int | None, now: datetime, minutes: int | None) -> date:
    today = now.date()
    if spec.week is not None and week is not None and spec.week != week:
        raise ParseError("two different weeks")
    if spec.week is not None:
        week = spec.week
    if week is not None:
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=7 * week + spec.weekday)
    day = today + timedelta(days=(spec.weekday - today.weekday()) % 7)
    if day == today and minutes is not None and _before(_at(day, minutes, now.tzinfo), now):
        day += timedelta(days=7)
    return day


def _calendar_day(spec: CalendarDate, today: date) -> date:
    year = spec.year
    if year is None:
        # Without a year: this year's, or next year's once this year's day has gone.
        passed = (spec.month, spec.day) < (today.month, today.day)
        year = today.year + passed
    try:
        return date(year, spec.month, spec.day)
    except ValueError:
        raise NoSuchMoment(f"no such date: {spec.day}.{spec.month}.{year}") from None


def _month_day(day: int, today: date) -> date:
    """ "15-go": this month's 15th, or the next month's once it has gone (or is missing)."""
    year, month = today.year, today.month
    for _ in range(12):
        if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise NoSuchMoment(f"no such day: {day}")


def _at(day: date, minutes: int, zone: tzinfo | None) -> datetime:
    """The wall time; fold=0 picks the first of the two autumn 02:30s."""
    day += timedelta(days=minutes // DAY_MINUTES)
    minutes %= DAY_MINUTES
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=zone)


def _exists(local: datetime) -> bool:
    """A wall time exists if it survives the round trip through UTC (not skipped by DST)."""
    return local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(
        tzinfo=None
    )


def _before(moment: datetime, now: datetime) -> bool:
    # Aware datetimes sharing a tzinfo compare by wall time; compare instants instead.
    return moment.astimezone(UTC) < now.astimezone(UTC)
