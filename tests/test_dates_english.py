"""English date phrases (bot.dates.english): tables of phrases, fixed `now`s, exact results.

The `now`s and helpers come from tests/test_dates.py. Expected values are Europe/Warsaw wall
times; a trailing " f1" marks the second occurrence of the repeated autumn hour.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from bot.dates import WhenStatus, parse_when
from bot.dates.english import find_english, parse_english
from bot.dates.model import Reading, When
from tests.test_dates import (
    AUTUMN_NIGHT,
    FEBRUARY,
    LEAP_FEBRUARY,
    MONDAY,
    MONTH_END,
    SPRING_EVE,
    SPRING_NIGHT,
    SUNDAY_EVENING,
    WEDNESDAY,
    YEAR_END,
    Case,
    local,
    matches,
)

OK = WhenStatus.OK
NEEDS = WhenStatus.NEEDS_TIME
INVALID = WhenStatus.INVALID
PAST = WhenStatus.PAST
GAP = WhenStatus.NONEXISTENT
CONFLICT = WhenStatus.CONFLICT
AFTERNOON = Reading.AFTERNOON

Row = tuple[str, WhenStatus, str | None]

_WEDNESDAY: list[Row] = [
    # tomorrow and today
    ("tomorrow at 9", OK, "2026-11-26 09:00"),
    ("Tomorrow at 9am", OK, "2026-11-26 09:00"),
    ("TOMORROW AT 9 AM", OK, "2026-11-26 09:00"),
    ("tomorrow 9", OK, "2026-11-26 09:00"),
    ("tomorrow at 9:00", OK, "2026-11-26 09:00"),
    ("tomorrow, 9 a.m.", OK, "2026-11-26 09:00"),
    ("tomorrow at 9 o'clock", OK, "2026-11-26 09:00"),
    ("tomorrow at nine", OK, "2026-11-26 09:00"),
    ("tomorrow at nine thirty", OK, "2026-11-26 09:30"),
    ("tmrw at 9", OK, "2026-11-26 09:00"),
    ("tomorrow at 10:30", OK, "2026-11-26 10:30"),
    ("tomorrow at 10.30", OK, "2026-11-26 10:30"),
    ("tomorrow 18:00", OK, "2026-11-26 18:00"),
    ("the day after tomorrow at 8", OK, "2026-11-27 08:00"),
    ("day after tomorrow at 8", OK, "2026-11-27 08:00"),
    ("today 14:30", OK, "2026-11-25 14:30"),
    ("today at 4pm", OK, "2026-11-25 16:00"),
    ("today at 8", PAST, "2026-11-25 08:00"),
    ("yesterday at 10", PAST, "2026-11-24 10:00"),
    ("tonight at 8", OK, "2026-11-25 20:00"),
    ("this evening at 7", OK, "2026-11-25 19:00"),
    ("tomorrow evening at 7", OK, "2026-11-26 19:00"),
    ("tomorrow at 7 in the evening", OK, "2026-11-26 19:00"),
    ("tomorrow at 3 in the afternoon", OK, "2026-11-26 15:00"),
    ("tomorrow at 6 in the morning", OK, "2026-11-26 06:00"),
    ("tomorrow morning at 8", OK, "2026-11-26 08:00"),
    ("tomorrow at 11 at night", OK, "2026-11-26 23:00"),
    # weekdays
    ("Thursday 4:15pm", OK, "2026-11-26 16:15"),
    ("thursday 4.15 pm", OK, "2026-11-26 16:15"),
    ("Thu 4:15 p.m.", OK, "2026-11-26 16:15"),
    ("Friday at 10", OK, "2026-11-27 10:00"),
    ("on Friday at 10am", OK, "2026-11-27 10:00"),
    ("this Friday at 10", OK, "2026-11-27 10:00"),
    ("Fri 10:00", OK, "2026-11-27 10:00"),
    ("Wednesday at 10", OK, "2026-11-25 10:00"),
    ("Wednesday at 8", OK, "2026-12-02 08:00"),
    ("next Monday at noon", OK, "2026-11-30 12:00"),
    ("next Wednesday at 10", OK, "2026-12-02 10:00"),
    ("next week on Tuesday at 9", OK, "2026-12-01 09:00"),
    ("Tuesday next week at 9", OK, "2026-12-01 09:00"),
    ("this week on Friday at 12", OK, "2026-11-27 12:00"),
    ("this coming Friday at 10", OK, "2026-11-27 10:00"),
    # dates, day first
    ("Jan 7 at 11am", OK, "2027-01-07 11:00"),
    ("January 7th at 11", OK, "2027-01-07 11:00"),
    ("7 January at 11", OK, "2027-01-07 11:00"),
    ("7th of January at 11:00", OK, "2027-01-07 11:00"),
    ("the 7th of January at 11", OK, "2027-01-07 11:00"),
    ("on 7 Jan. at 11", OK, "2027-01-07 11:00"),
    ("7/01 at 9", OK, "2027-01-07 09:00"),
    ("7/1 at 9", OK, "2027-01-07 09:00"),
    ("7-01 at 9", OK, "2027-01-07 09:00"),
    ("7.01 at 9", OK, "2027-01-07 09:00"),
    ("07.01.2027 10:00", OK, "2027-01-07 10:00"),
    ("7/01/2027 at 10", OK, "2027-01-07 10:00"),
    ("7/1/27 at 10", OK, "2027-01-07 10:00"),
    ("2027-01-07 10:00", OK, "2027-01-07 10:00"),
    ("Dec 11, 2026 at 10:00", OK, "2026-12-11 10:00"),
    ("December 11th at 10", OK, "2026-12-11 10:00"),
    ("11th December 10am", OK, "2026-12-11 10:00"),
    ("11 December 2026, 10:00", OK, "2026-12-11 10:00"),
    ("on the 11th at 10", OK, "2026-12-11 10:00"),
    ("the first of December at 10", OK, "2026-12-01 10:00"),
    ("December twenty-first at 9", OK, "2026-12-21 09:00"),
    ("on Thursday, Dec 10th, at 12:00", OK, "2026-12-10 12:00"),
    ("9-11", NEEDS, "2027-11-09 00:00"),
    ("the 30th at 10", OK, "2026-11-30 10:00"),
    ("Jan 7", NEEDS, "2027-01-07 00:00"),
    ("7/01", NEEDS, "2027-01-07 00:00"),
    ("15.12", NEEDS, "2026-12-15 00:00"),
    ("25 November at 8", PAST, "2026-11-25 08:00"),
    ("24 November at 10", OK, "2027-11-24 10:00"),
    ("13.30", OK, "2026-11-25 13:30"),
    # weekday and date together
    ("Friday the 11th at 10", OK, "2026-12-11 10:00"),
    ("Friday 11 December at 10", OK, "2026-12-11 10:00"),
    ("Thursday 10 December at 12", OK, "2026-12-10 12:00"),
    ("Thursday, 10 December, 12:00", OK, "2026-12-10 12:00"),
    ("10.12 (Thursday) 12:00", OK, "2026-12-10 12:00"),
    ("Thu 10/12 at 12", OK, "2026-12-10 12:00"),
    ("tomorrow (Thursday) at 9", OK, "2026-11-26 09:00"),
    # relative
    ("in three weeks at 10", OK, "2026-12-16 10:00"),
    ("in 2 days at 12", OK, "2026-11-27 12:00"),
    ("in two days at noon", OK, "2026-11-27 12:00"),
    ("in 3 hours", OK, "2026-11-25 12:00"),
    ("in an hour", OK, "2026-11-25 10:00"),
    ("in half an hour", OK, "2026-11-25 09:30"),
    ("in 30 minutes", OK, "2026-11-25 09:30"),
    ("in 30 mins", OK, "2026-11-25 09:30"),
    ("in an hour and a half", OK, "2026-11-25 10:30"),
    ("in 1.5 hours", OK, "2026-11-25 10:30"),
    ("in 2 hours and 15 minutes", OK, "2026-11-25 11:15"),
    ("in a week", NEEDS, "2026-12-02 00:00"),
    ("in a week at 10", OK, "2026-12-02 10:00"),
    ("in a month at 10", OK, "2026-12-25 10:00"),
    ("a week from today at 10", OK, "2026-12-02 10:00"),
    ("a week from tomorrow at 10", OK, "2026-12-03 10:00"),
    ("2 hours from now", OK, "2026-11-25 11:00"),
    ("3 days from now at 10", OK, "2026-11-28 10:00"),
    ("in a couple of hours", OK, "2026-11-25 11:00"),
    ("the day before yesterday at 10", PAST, "2026-11-23 10:00"),
    # words for times
    ("midnight", OK, "2026-11-26 00:00"),
    ("tomorrow at midnight", OK, "2026-11-27 00:00"),
    ("noon", OK, "2026-11-25 12:00"),
    ("at noon", OK, "2026-11-25 12:00"),
    ("tomorrow at midday", OK, "2026-11-26 12:00"),
    ("tomorrow at 12pm", OK, "2026-11-26 12:00"),
    ("tomorrow at 12am", OK, "2026-11-26 00:00"),
    ("half past nine", OK, "2026-11-25 09:30"),
    ("quarter to ten", OK, "2026-11-25 09:45"),
    ("a quarter past ten", OK, "2026-11-25 10:15"),
    ("tomorrow at ten past nine", OK, "2026-11-26 09:10"),
    ("tomorrow at 20 to 10", OK, "2026-11-26 09:40"),
    ("tomorrow half past 10", OK, "2026-11-26 10:30"),
    ("half nine", OK, "2026-11-25 09:30"),
    ("tomorrow five to nine", OK, "2026-11-26 08:55"),
    ("tomorrow at 12 noon", OK, "2026-11-26 12:00"),
    ("tomorrow 12 midnight", OK, "2026-11-27 00:00"),
    ("at 10h", OK, "2026-11-25 10:00"),
    ("tomorrow at 9 30", OK, "2026-11-26 09:30"),
    ("Friday 4pm-ish", OK, "2026-11-27 16:00"),
    ("at 3 in the morning", OK, "2026-11-26 03:00"),
    # politeness and hedging
    ("around 10", OK, "2026-11-25 10:00"),
    ("about 10", OK, "2026-11-25 10:00"),
    ("10ish", OK, "2026-11-25 10:00"),
    ("Friday 9ish", OK, "2026-11-27 09:00"),
    ("Friday 9-ish", OK, "2026-11-27 09:00"),
    ("Friday around 9ish", OK, "2026-11-27 09:00"),
    ("maybe Friday at 9?", OK, "2026-11-27 09:00"),
    ("how about Friday at 9?", OK, "2026-11-27 09:00"),
    ("Friday at 9 works for me", OK, "2026-11-27 09:00"),
    ("let's say Friday at 9", OK, "2026-11-27 09:00"),
    ("lets say Friday at 9!", OK, "2026-11-27 09:00"),
    ("Friday at 9 please", OK, "2026-11-27 09:00"),
    ("ok, Friday at 9 then", OK, "2026-11-27 09:00"),
    ("perhaps tomorrow around 10?", OK, "2026-11-26 10:00"),
    ("next Friday at 9 or so", OK, "2026-12-04 09:00"),
    # a day without an hour
    ("tomorrow", NEEDS, "2026-11-26 00:00"),
    ("tomorrow morning", NEEDS, "2026-11-26 00:00"),
    ("Friday afternoon", NEEDS, "2026-11-27 00:00"),
    ("Friday", NEEDS, "2026-11-27 00:00"),
    ("Wednesday", NEEDS, "2026-11-25 00:00"),
    ("next Friday", NEEDS, "2026-12-04 00:00"),
    ("yesterday", PAST, "2026-11-24 00:00"),
    # nothing is repaired
    ("25:00", INVALID, None),
    ("tomorrow at 25:00", INVALID, None),
    ("tomorrow at 10:75", INVALID, None),
    ("tomorrow at 24:30", INVALID, None),
    ("31 November", INVALID, None),
    ("November 31 at 10", INVALID, None),
    ("31/11 at 10", INVALID, None),
    ("12/25 at 10", INVALID, None),
    ("13pm", INVALID, None),
    ("tomorrow at 13pm", INVALID, None),
    ("tomorrow at 0am", INVALID, None),
    ("morning at 8pm", INVALID, None),
    ("tomorrow morning at 8pm", INVALID, None),
    ("tomorrow at 8am in the evening", INVALID, None),
    ("tomorrow at 9 at 10", INVALID, None),
    ("9", INVALID, None),
    ("next week", INVALID, None),
    ("tomorrow from 10 to 10", INVALID, None),
    ("in 3 hours at 10", INVALID, None),
    ("", INVALID, None),
    ("?!", INVALID, None),
    ("hello", INVALID, None),
    ("Friday xyz", INVALID, None),
    ("the 32nd at 10", INVALID, None),
    ("7/01/1800", INVALID, None),
    ("Friday at", INVALID, None),
    ("first", INVALID, None),
    ("just a second", INVALID, None),
    ("tomorrow at 9 or 10", INVALID, None),
    ("Friday until 11", INVALID, None),
]

_MONDAY: list[Row] = [
    ("next Tuesday at 10", OK, "2026-12-01 10:00"),
    ("this Tuesday at 10", OK, "2026-11-24 10:00"),
    ("Monday at 9", OK, "2026-11-30 09:00"),
    ("Monday at 11", OK, "2026-11-23 11:00"),
    ("next Monday at 9", OK, "2026-11-30 09:00"),
]

_SUNDAY_EVENING: list[Row] = [
    ("next Tuesday at 10", OK, "2026-11-24 10:00"),
    ("tomorrow at 9", OK, "2026-11-23 09:00"),
    ("at 9", OK, "2026-11-23 09:00"),
    ("at 9pm", OK, "2026-11-22 21:00"),
    ("tonight at 10", OK, "2026-11-22 22:00"),
]

_YEAR_END: list[Row] = [
    ("tomorrow at 10", OK, "2027-01-01 10:00"),
    ("Jan 7 at 11", OK, "2027-01-07 11:00"),
    ("31 December at 10", PAST, "2026-12-31 10:00"),
    ("midnight", OK, "2027-01-01 00:00"),
    ("in 2 hours", OK, "2027-01-01 01:00"),
    ("the 1st at 10", OK, "2027-01-01 10:00"),
]

_MONTH_END: list[Row] = [
    ("in a month", NEEDS, "2026-02-28 00:00"),
    ("in 2 days at 10", OK, "2026-02-02 10:00"),
]

_FEBRUARY: list[Row] = [
    ("29 February", INVALID, None),
    ("Feb 29 at 10", INVALID, None),
    ("29 February 2028", NEEDS, "2028-02-29 00:00"),
    ("the 30th at 10", OK, "2026-03-30 10:00"),
    ("in 2 days at 10", OK, "2026-03-02 10:00"),
]

_LEAP_FEBRUARY: list[Row] = [
    ("29 February at 10", OK, "2028-02-29 10:00"),
    ("tomorrow at 10", OK, "2028-02-29 10:00"),
]

_SPRING_EVE: list[Row] = [
    ("tomorrow at 2:30am", GAP, None),
    ("tomorrow at 02:30", GAP, None),
    ("tomorrow at 2:30", OK, "2026-03-29 14:30"),
    ("tomorrow at 3:30am", OK, "2026-03-29 03:30"),
    ("in 3 hours", OK, "2026-03-28 15:00"),
]

_SPRING_NIGHT: list[Row] = [
    ("in 3 hours", OK, "2026-03-29 04:30"),
    ("at 2:30am", GAP, None),
    ("at 1:30am", OK, "2026-03-29 01:30"),
]

_AUTUMN_NIGHT: list[Row] = [
    ("in 2 hours", OK, "2026-10-25 02:00 f1"),
    ("at 2:30am", OK, "2026-10-25 02:30"),
    ("at 02:30", OK, "2026-10-25 02:30"),
]

PHRASES: list[Case] = [
    Case(phrase, now, status, local(value) if value else None)
    for now, rows in (
        (WEDNESDAY, _WEDNESDAY),
        (MONDAY, _MONDAY),
        (SUNDAY_EVENING, _SUNDAY_EVENING),
        (YEAR_END, _YEAR_END),
        (MONTH_END, _MONTH_END),
        (FEBRUARY, _FEBRUARY),
        (LEAP_FEBRUARY, _LEAP_FEBRUARY),
        (SPRING_EVE, _SPRING_EVE),
        (SPRING_NIGHT, _SPRING_NIGHT),
        (AUTUMN_NIGHT, _AUTUMN_NIGHT),
    )
    for phrase, status, value in rows
]


def _local(text: str | None) -> datetime | None:
    return local(text) if text else None


def test_the_table_has_no_duplicates() -> None:
    assert len({(case.phrase, case.now) for case in PHRASES}) == len(PHRASES)


@pytest.mark.parametrize("case", PHRASES, ids=lambda case: case.id)
def test_phrase(case: Case) -> None:
    result = parse_english(case.phrase, case.now)
    assert matches(case, result.status, result.value), (result, case.expected)
    if result.value is not None:
        assert result.value.tzinfo is case.now.tzinfo
    if result.status is OK:
        assert result.value is not None
        assert result.value.timestamp() >= case.now.timestamp()


def test_parse_when_dispatches_english() -> None:
    assert parse_when("tomorrow at 9", WEDNESDAY, "en").value == local("2026-11-26 09:00")


# An hour from 1 to 6 without am/pm or a part of day is the afternoon; the alternative is the
# morning reading, None once that has passed or does not exist.
# (phrase, now, value, alternative)
AFTERNOON_ROWS: list[tuple[str, datetime, str, str | None]] = [
    ("at 3", WEDNESDAY, "2026-11-25 15:00", "2026-11-26 03:00"),
    ("tomorrow at 3", WEDNESDAY, "2026-11-26 15:00", "2026-11-26 03:00"),
    ("today at 3", WEDNESDAY, "2026-11-25 15:00", None),
    ("Friday at 4:15", WEDNESDAY, "2026-11-27 16:15", "2026-11-27 04:15"),
    ("tomorrow at three", WEDNESDAY, "2026-11-26 15:00", "2026-11-26 03:00"),
    ("tomorrow at half past two", WEDNESDAY, "2026-11-26 14:30", "2026-11-26 02:30"),
    ("tomorrow at quarter to one", WEDNESDAY, "2026-11-26 12:45", "2026-11-26 00:45"),
    ("tomorrow 6", WEDNESDAY, "2026-11-26 18:00", "2026-11-26 06:00"),
    ("tomorrow at 2:30", SPRING_EVE, "2026-03-29 14:30", None),
]


@pytest.mark.parametrize(("phrase", "now", "value", "alternative"), AFTERNOON_ROWS)
def test_afternoon_reading(phrase: str, now: datetime, value: str, alternative: str | None) -> None:
    result = parse_english(phrase, now)
    assert result.status is OK, result
    assert (result.value, result.reading) == (local(value), AFTERNOON)
    assert result.alternative == _local(alternative)


@pytest.mark.parametrize(
    "phrase",
    ["tomorrow at 04:00", "tomorrow at 4am", "tomorrow at 4 in the morning", "tomorrow at 7",
     "tomorrow at 0:30", "tomorrow at 16:00", "in 3 hours"],
)  # fmt: skip
def test_hours_read_as_typed(phrase: str) -> None:
    result = parse_english(phrase, WEDNESDAY)
    assert result.reading is Reading.AS_TYPED and result.alternative is None, result


# (phrase, start, end, reading); all at WEDNESDAY.
RANGES: list[tuple[str, str, str, Reading]] = [
    ("tomorrow from 9 to 11", "2026-11-26 09:00", "2026-11-26 11:00", Reading.AS_TYPED),
    ("from 10 to 11", "2026-11-25 10:00", "2026-11-25 11:00", Reading.AS_TYPED),
    ("tomorrow 9-11am", "2026-11-26 09:00", "2026-11-26 11:00", Reading.AS_TYPED),
    ("Friday 1-2pm", "2026-11-27 13:00", "2026-11-27 14:00", Reading.AS_TYPED),
    ("Friday 11-1pm", "2026-11-27 11:00", "2026-11-27 13:00", Reading.AS_TYPED),
    ("tomorrow 10:00-11:30", "2026-11-26 10:00", "2026-11-26 11:30", Reading.AS_TYPED),
    ("tomorrow 10:00 - 11:30", "2026-11-26 10:00", "2026-11-26 11:30", Reading.AS_TYPED),
    ("tomorrow 10–11:30", "2026-11-26 10:00", "2026-11-26 11:30", Reading.AS_TYPED),
    ("at 10-11", "2026-11-25 10:00", "2026-11-25 11:00", Reading.AS_TYPED),
    ("tomorrow between 9 and 11", "2026-11-26 09:00", "2026-11-26 11:00", Reading.AS_TYPED),
    ("tomorrow from 9 till 11", "2026-11-26 09:00", "2026-11-26 11:00", Reading.AS_TYPED),
    ("tomorrow from 11 to 1", "2026-11-26 11:00", "2026-11-26 13:00", Reading.AS_TYPED),
    ("tomorrow from 2 to 4", "2026-11-26 14:00", "2026-11-26 16:00", AFTERNOON),
    ("tomorrow 22:00-02:00", "2026-11-26 22:00", "2026-11-27 02:00", Reading.AS_TYPED),
    ("tomorrow at 10 for two hours", "2026-11-26 10:00", "2026-11-26 12:00", Reading.AS_TYPED),
    ("tomorrow at 10 for 2h", "2026-11-26 10:00", "2026-11-26 12:00", Reading.AS_TYPED),
    ("tomorrow at 10 for 90 minutes", "2026-11-26 10:00", "2026-11-26 11:30", Reading.AS_TYPED),
    ("tomorrow at 10 for an hour", "2026-11-26 10:00", "2026-11-26 11:00", Reading.AS_TYPED),
    ("tomorrow at 10 for an hour and a half", "2026-11-26 10:00", "2026-11-26 11:30",
     Reading.AS_TYPED),
    ("for two hours from 10 tomorrow", "2026-11-26 10:00", "2026-11-26 12:00", Reading.AS_TYPED),
    ("Friday 3pm for 1.5 hours", "2026-11-27 15:00", "2026-11-27 16:30", Reading.AS_TYPED),
    ("at 9am-5pm", "2026-11-25 09:00", "2026-11-25 17:00", Reading.AS_TYPED),
    ("from noon to 2pm", "2026-11-25 12:00", "2026-11-25 14:00", Reading.AS_TYPED),
    ("9.30-10.30 tomorrow", "2026-11-26 09:30", "2026-11-26 10:30", Reading.AS_TYPED),
    ("Friday 14-16", "2026-11-27 14:00", "2026-11-27 16:00", Reading.AS_TYPED),
    ("14-16", "2026-11-25 14:00", "2026-11-25 16:00", Reading.AS_TYPED),
    ("tomorrow 2-3", "2026-11-26 14:00", "2026-11-26 15:00", AFTERNOON),
    ("tomorrow from 9pm to midnight", "2026-11-26 21:00", "2026-11-27 00:00", Reading.AS_TYPED),
    ("tomorrow at 7pm for 45 mins", "2026-11-26 19:00", "2026-11-26 19:45", Reading.AS_TYPED),
]  # fmt: skip


@pytest.mark.parametrize(("phrase", "start", "end", "reading"), RANGES)
def test_ranges(phrase: str, start: str, end: str, reading: Reading) -> None:
    result = parse_english(phrase, WEDNESDAY)
    assert result.status is OK, result
    assert (result.value, result.end, result.reading) == (local(start), local(end), reading)
    assert result.end is not None and result.end.tzinfo is WEDNESDAY.tzinfo


@pytest.mark.parametrize(
    "phrase",
    ["tomorrow from 14:00 to 13:00", "tomorrow 10:00-10:00", "for two hours", "tomorrow for 2 days",
     "tomorrow at 10 for 25 hours", "tomorrow from 9 to 11 for 2 hours", "tomorrow 11-1am"],
)  # fmt: skip
def test_bad_ranges_are_invalid(phrase: str) -> None:
    assert parse_english(phrase, WEDNESDAY).status is INVALID


def test_no_range_has_no_end() -> None:
    assert parse_english("tomorrow at 10", WEDNESDAY).end is None


# (phrase, value: the date's reading, alternative: the weekday's reading); at WEDNESDAY.
CONFLICTS: list[tuple[str, str, str]] = [
    ("Wednesday 10 December at 12", "2026-12-10 12:00", "2026-11-25 12:00"),
    ("10 December, Wednesday, 12:00", "2026-12-10 12:00", "2026-11-25 12:00"),
    ("Thursday 11 December at 10", "2026-12-11 10:00", "2026-11-26 10:00"),
    ("Mon 8/12 at 10", "2026-12-08 10:00", "2026-11-30 10:00"),
    ("Friday the 13th at 10", "2026-12-13 10:00", "2026-11-27 10:00"),
    ("Wednesday, 10 December", "2026-12-10 00:00", "2026-11-25 00:00"),
    ("tomorrow, Friday at 10", "2026-11-26 10:00", "2026-11-27 10:00"),
]


@pytest.mark.parametrize(("phrase", "value", "alternative"), CONFLICTS)
def test_weekday_and_date_disagree(phrase: str, value: str, alternative: str) -> None:
    result = parse_english(phrase, WEDNESDAY)
    assert result.status is CONFLICT, result
    assert (result.value, result.alternative) == (local(value), local(alternative))


@pytest.mark.parametrize(
    ("phrase", "understood", "not_understood"),
    [
        ("Friday xyz", ("friday",), ("xyz",)),
        ("lunch on Friday with Anna", ("on", "friday"), ("lunch", "with", "anna")),
        ("xa xb xc xd xe xf xa", (), ("xa", "xb", "xc", "xd", "xe")),
    ],
)
def test_refusals_say_what_was_understood(
    phrase: str, understood: tuple[str, ...], not_understood: tuple[str, ...]
) -> None:
    result = parse_english(phrase, WEDNESDAY)
    assert result.status is INVALID
    assert (result.understood, result.not_understood) == (understood, not_understood)


def test_long_unknown_words_are_cut() -> None:
    result = parse_english("Friday " + "x" * 80, WEDNESDAY)
    assert result.not_understood == ("x" * 30,)


@pytest.mark.parametrize(
    ("text", "status", "value", "source"),
    [
        ("tomorrow at 9", OK, "2026-11-26 09:00", None),
        ("Can we meet tomorrow at 9 in the office?", OK, "2026-11-26 09:00", "tomorrow at 9"),
        ("Team meeting: Thursday 10 December at 12, room 4", OK, "2026-12-10 12:00",
         "Thursday 10 December at 12"),
        ("ok so maybe Friday at 9? I'll bring the forms", OK, "2026-11-27 09:00",
         "ok so maybe Friday at 9"),
        ("see you Wednesday 10 December at 12", CONFLICT, "2026-12-10 12:00",
         "Wednesday 10 December at 12"),
        ("Visit Jan 7. Bring forms", NEEDS, "2027-01-07 00:00", "Jan 7"),
        ("we met yesterday at 10, remember", PAST, "2026-11-24 10:00", "yesterday at 10"),
        ("Call Anna", INVALID, None, None),
        ("Room 4 next Tuesday at 10, with coffee", OK, "2026-12-01 10:00", "next Tuesday at 10"),
        ("Friday at", NEEDS, "2026-11-27 00:00", "Friday"),
    ],
)  # fmt: skip
def test_find_english(text: str, status: WhenStatus, value: str | None, source: str | None) -> None:
    result = find_english(text, WEDNESDAY)
    assert (result.status, result.value, result.source) == (status, _local(value), source)


def test_find_english_refusal_lists_words() -> None:
    result = find_english("Call Anna about the forms", WEDNESDAY)
    assert result.status is INVALID and result.not_understood[:2] == ("call", "anna")


@pytest.mark.parametrize(
    "text",
    ["", "?" * 5000, "9 " * 2500, "x " * 2500, "\ud800 tomorrow", "tomorrow at 9 " * 400,
     "\u202e\u0000\ud7ff 🎉" * 100, "9" * 5000, "1-2-3-4-5", "at at at", "in in 3 hours",
     "from from 9", "½ past ⅞", "１０:００"],
)  # fmt: skip
def test_any_text_is_answered_quickly_without_an_exception(text: str) -> None:
    start = time.perf_counter()
    assert isinstance(parse_english(text, WEDNESDAY), When)
    assert isinstance(find_english(text, WEDNESDAY), When)
    assert time.perf_counter() - start < 1


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_english("tomorrow at 9", datetime(2026, 11, 25, 9, 0))
    with pytest.raises(ValueError):
        find_english("tomorrow at 9", datetime(2026, 11, 25, 9, 0))


def test_polish_readers_do_not_load_english() -> None:
    # Cold start matters for Polish users: bot.dates.english is imported on first English use.
    code = (
        "import sys, datetime, zoneinfo; from bot.dates import parse_when; "
        "now = datetime.datetime(2026, 11, 25, 9, tzinfo=zoneinfo.ZoneInfo('Europe/Warsaw')); "
        "parse_when('jutro o 10', now); print('bot.dates.english' in sys.modules)"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.parametrize("text", ["32 December at 10", "morning at 8pm", "Friday at 25:00"])
def test_a_phrase_naming_no_moment_is_not_cut_down_to_a_part(text: str) -> None:
    assert find_english(text, WEDNESDAY).status is WhenStatus.INVALID
