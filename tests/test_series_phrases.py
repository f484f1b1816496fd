"""Repeating meetings in one line (bot.dates.series.parse_series): preset, first occurrence,
refusals, and None for everything that is one meeting. `now`s come from tests/test_dates.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from bot.dates.model import Reading, When, WhenStatus
from bot.dates.series import SeriesWhen, parse_series
from storage.recurrence import Preset, local_key, occurrences, rule_for
from tests.test_dates import (
    AUTUMN_EVE,
    MONDAY,
    MONTH_END,
    PHRASES,
    SPRING_EVE,
    WARSAW,
    WEDNESDAY,
    YEAR_END,
    local,
)

OK = WhenStatus.OK
WEEKLY, BIWEEKLY = Preset.WEEKLY, Preset.BIWEEKLY
FIRST_THIRD, SECOND_FOURTH, MONTHLY = Preset.FIRST_THIRD, Preset.SECOND_FOURTH, Preset.MONTHLY

Row = tuple[datetime, str, Preset, str]  # now, phrase, preset, first occurrence (Warsaw)

POLISH: list[Row] = [
    # WEDNESDAY is 2026-11-25 09:00
    (WEDNESDAY, "co drugi wtorek o 10", BIWEEKLY, "2026-12-01 10:00"),
    (WEDNESDAY, "CO DRUGI WTOREK O 10", BIWEEKLY, "2026-12-01 10:00"),
    (WEDNESDAY, "co drugą środę o 8", BIWEEKLY, "2026-12-02 08:00"),
    (WEDNESDAY, "co dwa tygodnie we wtorek o 10", BIWEEKLY, "2026-12-01 10:00"),
    (WEDNESDAY, "co 2 tyg. we wtorek o 10", BIWEEKLY, "2026-12-01 10:00"),
    (WEDNESDAY, "co drugi tydzień w środę 9:00", BIWEEKLY, "2026-12-02 09:00"),
    (WEDNESDAY, "co drugi wtorek 13.30", BIWEEKLY, "2026-12-01 13:30"),
    (WEDNESDAY, "w każdy 1. i 3. czwartek miesiąca o 9", FIRST_THIRD, "2026-12-03 09:00"),
    (WEDNESDAY, "1. i 3. czwartek miesiąca o 9", FIRST_THIRD, "2026-12-03 09:00"),
    (WEDNESDAY, "pierwszy i trzeci czwartek miesiąca o 9", FIRST_THIRD, "2026-12-03 09:00"),
    (WEDNESDAY, "1-go i 3-go czwartku każdego miesiąca o 9", FIRST_THIRD, "2026-12-03 09:00"),
    (WEDNESDAY, "1. i 3. czw. m-ca godz. 9", FIRST_THIRD, "2026-12-03 09:00"),
    (WEDNESDAY, "2. i 4. wtorek o 10", SECOND_FOURTH, "2026-12-08 10:00"),
    (WEDNESDAY, "drugi i czwarty wtorek miesiąca o 10", SECOND_FOURTH, "2026-12-08 10:00"),
    (WEDNESDAY, "co 2. i 4. środę o 10", SECOND_FOURTH, "2026-11-25 10:00"),  # the 4th
    (WEDNESDAY, "w każdą środę o 13", WEEKLY, "2026-11-25 13:00"),  # today, still ahead
    (WEDNESDAY, "w każdą środę o 8", WEEKLY, "2026-12-02 08:00"),  # today's has passed
    (WEDNESDAY, "co środę o 13", WEEKLY, "2026-11-25 13:00"),
    (WEDNESDAY, "co tydzień w środę o 13", WEEKLY, "2026-11-25 13:00"),
    (WEDNESDAY, "co tydz. w czw. o 12:30", WEEKLY, "2026-11-26 12:30"),
    (WEDNESDAY, "we wtorki o 10", WEEKLY, "2026-12-01 10:00"),
    (WEDNESDAY, "w środy o 10", WEEKLY, "2026-11-25 10:00"),
    (WEDNESDAY, "w każdy wtorek o 2 w nocy", WEEKLY, "2026-12-01 02:00"),
    (WEDNESDAY, "co miesiąc 15. o 10", MONTHLY, "2026-12-15 10:00"),
    (WEDNESDAY, "co miesiąc 15-go o 10", MONTHLY, "2026-12-15 10:00"),
    (WEDNESDAY, "co miesiąc w dniu 15 o 10", MONTHLY, "2026-12-15 10:00"),
    (WEDNESDAY, "co miesiąc piętnastego o 10", MONTHLY, "2026-12-15 10:00"),
    (WEDNESDAY, "15. dnia każdego miesiąca o 10", MONTHLY, "2026-12-15 10:00"),
    (WEDNESDAY, "każdego 15. dnia miesiąca o 10", MONTHLY, "2026-12-15 10:00"),
    (WEDNESDAY, "co miesiąc 25. o 10", MONTHLY, "2026-11-25 10:00"),
    (WEDNESDAY, "co miesiąc 25. o 9", MONTHLY, "2026-12-25 09:00"),  # exactly now: not ahead
    # other days
    (MONDAY, "co tydzień w poniedziałek o 10", WEEKLY, "2026-11-30 10:00"),
    (MONDAY, "co poniedziałek o 11", WEEKLY, "2026-11-23 11:00"),
    (YEAR_END, "1. i 3. czwartek miesiąca o 9", FIRST_THIRD, "2027-01-07 09:00"),
    (YEAR_END, "co miesiąc 15. o 10", MONTHLY, "2027-01-15 10:00"),
    (YEAR_END, "w każdy czwartek o 23:30", WEEKLY, "2026-12-31 23:30"),
    (MONTH_END, "w każdą 2. i 4. sobotę miesiąca o 12", SECOND_FOURTH, "2026-02-14 12:00"),
    (MONTH_END, "co miesiąc 1. o 9", MONTHLY, "2026-02-01 09:00"),
    (SPRING_EVE, "co niedzielę o 10", WEEKLY, "2026-03-29 10:00"),  # summer time already
    (AUTUMN_EVE, "co niedzielę o 2:30 w nocy", WEEKLY, "2026-10-25 02:30"),  # the first 02:30
]


def _id(row: Row) -> str:
    return f"{row[0]:%Y-%m-%d %H:%M} {row[1]!r}"


def _check(found: SeriesWhen | None, now: datetime, preset: Preset, first: str) -> None:
    assert found is not None
    expected = local(first)
    assert (found.status, found.preset, found.first) == (OK, preset, expected), found.reason
    assert found.first is not None and found.first.utcoffset() == expected.utcoffset()
    assert found.first > now


@pytest.mark.parametrize("row", POLISH, ids=_id)
def test_polish_series(row: Row) -> None:
    now, phrase, preset, first = row
    found = parse_series(phrase, now)
    _check(found, now, preset, first)
    assert found is not None
    assert found.duration_minutes is None and found.alternative is None
    assert found.reading == Reading.AS_TYPED


@pytest.mark.parametrize("row", POLISH, ids=_id)
def test_the_first_occurrence_is_the_rules_first(row: Row) -> None:
    """The storage's expansion of the preset, anchored at `first`, starts at `first` too."""
    now, phrase, _, _ = row
    found = parse_series(phrase, now)
    assert found is not None and found.preset is not None and found.first is not None
    rule = rule_for(found.preset, found.first)
    expanded = occurrences(
        rule, local_key(found.first, WARSAW), WARSAW, now, now + timedelta(days=70)
    )
    assert expanded[0][1] == found.first


RANGES: list[tuple[datetime, str, str, int]] = [
    (WEDNESDAY, "co tydzień w środę od 13 do 14", "2026-11-25 13:00", 60),
    (WEDNESDAY, "w każdą środę 13:00-14:30", "2026-11-25 13:00", 90),
    (WEDNESDAY, "co drugi wtorek od 10 przez dwie godziny", "2026-12-01 10:00", 120),
]


@pytest.mark.parametrize(("now", "phrase", "first", "minutes"), RANGES)
def test_a_range_gives_the_duration(now: datetime, phrase: str, first: str, minutes: int) -> None:
    found = parse_series(phrase, now)
    assert found is not None and found.first == local(first)
    assert found.duration_minutes == minutes


def test_an_early_hour_means_the_afternoon() -> None:
    found = parse_series("co wtorek o 4", WEDNESDAY)
    assert found is not None and found.first == local("2026-12-01 16:00")
    assert found.reading == Reading.AFTERNOON
    assert found.alternative == local("2026-12-01 04:00")


def _stub_afternoon(text: str, now: datetime, language: str = "pl") -> When:
    """What parse_when gives for "<weekday> o 4 do 5" on `now`'s day, once the grammar lands."""
    return When(
        OK,
        now.replace(hour=16),
        end=now.replace(hour=17),
        alternative=now.replace(hour=4),
        reading=Reading.AFTERNOON,
    )


def test_the_alternative_is_the_first_morning_occurrence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.dates.series.parse_when", _stub_afternoon)
    found = parse_series("w każdą środę o 4 do 5", WEDNESDAY)
    assert found is not None
    assert (found.first, found.duration_minutes) == (local("2026-11-25 16:00"), 60)
    assert found.reading == Reading.AFTERNOON
    # Today's 04:00 has passed, so the morning series would start next week.
    assert found.alternative == local("2026-12-02 04:00")


ENGLISH_ROWS: list[tuple[str, Preset, str, str]] = [
    # phrase, preset, first day, what is left for parse_when (after the weekday's name)
    ("every other Tuesday at 10", BIWEEKLY, "2026-12-01", "tuesday at 10"),
    ("every second Tuesday at 10", BIWEEKLY, "2026-12-01", "tuesday at 10"),
    ("every two weeks on Tuesday at 10", BIWEEKLY, "2026-12-01", "tuesday at 10"),
    ("every 2 weeks on Tuesday at 10", BIWEEKLY, "2026-12-01", "tuesday at 10"),
    ("biweekly on Tuesday at 10", BIWEEKLY, "2026-12-01", "tuesday at 10"),
    ("every Wednesday 1-2pm", WEEKLY, "2026-11-25", "wednesday 1-2pm"),
    ("every week on Wednesday at 13:00", WEEKLY, "2026-11-25", "wednesday at 13:00"),
    ("on Tuesdays at 10", WEEKLY, "2026-12-01", "tuesday at 10"),
    ("first and third Thursday of the month at 9", FIRST_THIRD, "2026-12-03", "thursday at 9"),
    ("1st & 3rd Thu of each month at 9", FIRST_THIRD, "2026-12-03", "thursday at 9"),
    ("2nd and 4th Tuesday at 10", SECOND_FOURTH, "2026-12-08", "tuesday at 10"),
    ("every month on the 15th at 10", MONTHLY, "2026-12-15", "tuesday at 10"),
    ("on the 15th of every month at 10", MONTHLY, "2026-12-15", "tuesday at 10"),
    ("monthly on the 15th at 10", MONTHLY, "2026-12-15", "tuesday at 10"),
]


@pytest.mark.parametrize(("phrase", "preset", "day", "rest"), ENGLISH_ROWS)
def test_english_forms_leave_the_hour_to_parse_when(
    monkeypatch: pytest.MonkeyPatch, phrase: str, preset: Preset, day: str, rest: str
) -> None:
    seen: list[str] = []

    def stub(text: str, now: datetime, language: str = "pl") -> When:
        seen.append(text)
        assert language == "en"
        return When(OK, now.replace(hour=10))

    monkeypatch.setattr("bot.dates.series.parse_when", stub)
    found = parse_series(phrase, WEDNESDAY, "en")
    assert found is not None and (found.status, found.preset) == (OK, preset)
    assert found.first == local(f"{day} 10:00")
    assert seen[-1] == rest


ENGLISH_REAL: list[tuple[str, Preset, str]] = [
    ("every other Tuesday at 10", BIWEEKLY, "2026-12-01 10:00"),
    ("every two weeks on Tuesday at 10", BIWEEKLY, "2026-12-01 10:00"),
    ("every Wednesday 1-2pm", WEEKLY, "2026-11-25 13:00"),
    ("first and third Thursday of the month at 9", FIRST_THIRD, "2026-12-03 09:00"),
    ("2nd and 4th Tuesday at 10", SECOND_FOURTH, "2026-12-08 10:00"),
    ("every month on the 15th at 10", MONTHLY, "2026-12-15 10:00"),
]


@pytest.mark.parametrize(("phrase", "preset", "first"), ENGLISH_REAL)
def test_english_series(phrase: str, preset: Preset, first: str) -> None:
    _check(parse_series(phrase, WEDNESDAY, "en"), WEDNESDAY, preset, first)


NEEDS_TIME: list[tuple[str, Preset, str]] = [
    ("co drugi wtorek", BIWEEKLY, "2026-12-01"),
    ("w każdą środę", WEEKLY, "2026-11-25"),  # today counts: the hour may still be ahead
    ("co tydzień w środę rano", WEEKLY, "2026-11-25"),
    ("1. i 3. czwartek miesiąca", FIRST_THIRD, "2026-12-03"),
    ("co miesiąc 15.", MONTHLY, "2026-12-15"),
]


@pytest.mark.parametrize(("phrase", "preset", "day"), NEEDS_TIME)
def test_without_an_hour(phrase: str, preset: Preset, day: str) -> None:
    found = parse_series(phrase, WEDNESDAY)
    assert found is not None
    assert (found.status, found.preset, found.first) == (WhenStatus.NEEDS_TIME, preset, local(day))


INVALID: list[tuple[str, str]] = [
    # (phrase, language): it speaks of repetition, but no preset says it
    ("co trzeci piątek", "pl"),
    ("co trzeci piątek o 10", "pl"),
    ("w każdy 5. wtorek", "pl"),
    ("co 3 tygodnie we wtorek o 10", "pl"),
    ("1. i 2. czwartek miesiąca o 10", "pl"),
    ("co drugi wtorek miesiąca o 10", "pl"),
    ("pierwszy czwartek miesiąca o 9", "pl"),
    ("ostatni piątek miesiąca o 10", "pl"),
    ("co tydzień o 10", "pl"),  # which weekday?
    ("co dwa tygodnie o 10", "pl"),
    ("co miesiąc o 10", "pl"),  # which day?
    ("co miesiąc 31. o 10", "pl"),  # would skip the shorter months
    ("co miesiąc 15. we wtorek o 10", "pl"),
    ("co dwa miesiące 15. o 10", "pl"),
    ("codziennie o 10", "pl"),
    ("co dzień o 10", "pl"),
    ("we wtorki i czwartki o 10", "pl"),
    ("co tydzień w środę xyz", "pl"),
    ("co tydzień we wtorek o 25:00", "pl"),
    ("co drugi wtorek jutro o 10", "pl"),
    ("co tydzień w środę o północy", "pl"),  # the next day's 00:00
    ("w każdy", "pl"),
    ("every third Friday at 10", "en"),
    ("every day at 10", "en"),
    ("daily at 9", "en"),
    ("every Tuesday and Thursday at 10", "en"),
    ("every month at 10", "en"),
    ("last Friday of the month at 10", "en"),
    ("every 3 weeks on Monday at 9", "en"),
]


@pytest.mark.parametrize(("phrase", "language"), INVALID)
def test_refused(phrase: str, language: str) -> None:
    found = parse_series(phrase, WEDNESDAY, language)
    assert found is not None and found.status == WhenStatus.INVALID
    assert found.preset is None and found.first is None and found.reason


def test_a_skipped_hour_is_nonexistent() -> None:
    found = parse_series("co niedzielę o 2:30 w nocy", SPRING_EVE)
    assert found is not None and found.status == WhenStatus.NONEXISTENT


ONE_MEETING = [
    ("wtorek o 10", "pl"),
    ("w niedzielę o 10", "pl"),  # "w niedziele" without diacritics could be plural: not read so
    ("pierwszego grudnia o 10", "pl"),
    ("za 2 miesiące o 10", "pl"),
    ("za tydzień o 10", "pl"),
    ("co", "pl"),
    ("Friday at 10", "en"),
    ("next Tuesday at 10", "en"),
    ("Friday the 11th at 10", "en"),
    ("in 2 months at 10", "en"),
]


def _single_phrases() -> Iterator[tuple[str, datetime, str]]:
    for case in PHRASES:
        yield case.phrase, case.now, "pl"
    for phrase, language in ONE_MEETING:
        yield phrase, WEDNESDAY, language


def test_one_meeting_is_none() -> None:
    spoken = [
        (phrase, found)
        for phrase, now, language in _single_phrases()
        if (found := parse_series(phrase, now, language)) is not None
    ]
    assert not spoken


@pytest.mark.parametrize(
    "text", ["", "!!!", "co" * 3000, "co tydzień " + "x" * 5000, "🙂 co drugi 🙂", "9" * 5000]
)
def test_odd_text_never_raises(text: str) -> None:
    found = parse_series(text, WEDNESDAY)
    assert found is None or found.status == WhenStatus.INVALID


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_series("co drugi wtorek o 10", datetime(2026, 11, 25, 9))


def test_weekly_preset() -> None:
    first = local("2026-12-02 09:00")
    assert rule_for(Preset.WEEKLY, first) == "FREQ=WEEKLY"
    found = occurrences("FREQ=WEEKLY", "2026-12-02T09:00", WARSAW, WEDNESDAY, local("2026-12-31"))
    assert [start.date() for _, start in found] == [
        date(2026, 12, day) for day in (2, 9, 16, 23, 30)
    ]
