"""Polish date phrases: one table of phrases, several fixed `now`s, exact expectations.

`PHRASES` is reused by `python -m bench.dates`. Expected values are Europe/Warsaw wall times;
a trailing " f1" marks the second occurrence of the repeated autumn hour.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.dates import EXAMPLES_PL, Reading, When, WhenStatus, find_when, format_when, parse_when
from bot.dates.due import DueDateError, parse_due

WARSAW = ZoneInfo("Europe/Warsaw")
OK = WhenStatus.OK
NEEDS = WhenStatus.NEEDS_TIME
INVALID = WhenStatus.INVALID
PAST = WhenStatus.PAST
GAP = WhenStatus.NONEXISTENT
CONFLICT = WhenStatus.CONFLICT


def local(text: str) -> datetime:
    """ "2026-11-25 09:00", "2026-11-25" (midnight) or "2026-10-25 02:30 f1"."""
    fold = 1 if text.endswith(" f1") else 0
    naive = datetime.fromisoformat(text.removesuffix(" f1"))
    return naive.replace(tzinfo=WARSAW, fold=fold)


WEDNESDAY = local("2026-11-25 09:00")  # an ordinary working day
MONDAY = local("2026-11-23 10:00")  # for "w przyszły ..."
SUNDAY_EVENING = local("2026-11-22 20:00")
YEAR_END = local("2026-12-31 23:00")  # a Thursday
MONTH_END = local("2026-01-31 10:00")  # a Saturday
FEBRUARY = local("2026-02-28 10:00")  # 2026 is not a leap year
LEAP_FEBRUARY = local("2028-02-28 10:00")  # a Monday; 29.02.2028 exists
SPRING_EVE = local("2026-03-28 12:00")  # the next night 02:00 becomes 03:00
SPRING_NIGHT = local("2026-03-29 00:30")  # before the switch, still CET
AUTUMN_EVE = local("2026-10-24 12:00")  # the next night 03:00 becomes 02:00
AUTUMN_NIGHT = local("2026-10-25 01:00")  # before the switch, still CEST


@dataclass(frozen=True)
class Case:
    phrase: str
    now: datetime
    status: WhenStatus
    expected: datetime | None  # aware Europe/Warsaw, None for invalid/nonexistent

    @property
    def id(self) -> str:
        return f"{self.now:%Y-%m-%d %H:%M} {self.phrase!r}"


Row = tuple[str, WhenStatus, str | None]


def _cases(now: datetime, rows: list[Row]) -> list[Case]:
    return [
        Case(phrase, now, status, local(value) if value else None) for phrase, status, value in rows
    ]


_WEDNESDAY: list[Row] = [
    # tomorrow, in all the ways people type it
    ("jutro o 10", OK, "2026-11-26 10:00"),
    ("Jutro o 10", OK, "2026-11-26 10:00"),
    ("JUTRO O 10", OK, "2026-11-26 10:00"),
    ("jutro, o 10!", OK, "2026-11-26 10:00"),
    ("  jutro   o   10  ", OK, "2026-11-26 10:00"),
    ("jutro o 10:00", OK, "2026-11-26 10:00"),
    ("jutro o godz. 10", OK, "2026-11-26 10:00"),
    ("jutro godz 10.00", OK, "2026-11-26 10:00"),
    ("jutro 10.00", OK, "2026-11-26 10:00"),
    ("jutro 9", OK, "2026-11-26 09:00"),
    ("jutro o 9 rano", OK, "2026-11-26 09:00"),
    ("jutro o 10-tej", OK, "2026-11-26 10:00"),
    ("jutro o 10tej", OK, "2026-11-26 10:00"),
    ("jutro 10h", OK, "2026-11-26 10:00"),
    ("jutro o 10 30", OK, "2026-11-26 10:30"),
    ("jutro ok. godz. 10", OK, "2026-11-26 10:00"),
    ("jutro o dziewiątej", OK, "2026-11-26 09:00"),
    ("jutro o dziewiatej", OK, "2026-11-26 09:00"),
    ("jutro rano o 8", OK, "2026-11-26 08:00"),
    ("jutro o 8 rano", OK, "2026-11-26 08:00"),
    ("jutro o 10 w nocy", OK, "2026-11-26 22:00"),
    ("jutro o drugiej po południu", OK, "2026-11-26 14:00"),
    ("jutro w południe", OK, "2026-11-26 12:00"),
    ("jutro w poludnie", OK, "2026-11-26 12:00"),
    ("jutro o północy", OK, "2026-11-27 00:00"),
    ("jutro o wpół do dziewiątej", OK, "2026-11-26 08:30"),
    ("jutro kwadrans przed dziewiątą", OK, "2026-11-26 08:45"),
    ("jutro za pięć dwunasta", OK, "2026-11-26 11:55"),
    ("pojutrze 12:00", OK, "2026-11-27 12:00"),
    ("pojutrze o dwunastej", OK, "2026-11-27 12:00"),
    ("popojutrze o 8", OK, "2026-11-28 08:00"),
    # today
    ("dziś 16:00", OK, "2026-11-25 16:00"),
    ("dzis 16:00", OK, "2026-11-25 16:00"),
    ("DZIŚ 16:00", OK, "2026-11-25 16:00"),
    ("dzisiaj o 16", OK, "2026-11-25 16:00"),
    ("dziś o 16.30", OK, "2026-11-25 16:30"),
    ("dziś wieczorem o 7", OK, "2026-11-25 19:00"),
    ("dzisiaj o szesnastej", OK, "2026-11-25 16:00"),
    ("dziś o dwudziestej pierwszej trzydzieści", OK, "2026-11-25 21:30"),
    # next week's day
    ("w przyszły wtorek 14:30", OK, "2026-12-01 14:30"),
    ("w przyszly wtorek o 14:30", OK, "2026-12-01 14:30"),
    ("przyszły wtorek 14:30", OK, "2026-12-01 14:30"),
    ("w następny wtorek o 14:30", OK, "2026-12-01 14:30"),
    ("w przyszłą środę o 10", OK, "2026-12-02 10:00"),
    ("w przyszla srode o 10", OK, "2026-12-02 10:00"),
    ("w przyszłym tygodniu we wtorek o 9", OK, "2026-12-01 09:00"),
    ("we wtorek w przyszłym tygodniu o 9", OK, "2026-12-01 09:00"),
    ("w tym tygodniu w piątek o 12", OK, "2026-11-27 12:00"),
    # the nearest such day; today counts while the hour is ahead
    ("najbliższa środa o 10", OK, "2026-11-25 10:00"),
    ("najblizsza sroda o 10", OK, "2026-11-25 10:00"),
    ("najbliższa środa o 8", OK, "2026-12-02 08:00"),
    ("w najbliższy piątek o 11", OK, "2026-11-27 11:00"),
    ("w ten piątek o 11", OK, "2026-11-27 11:00"),
    ("piątek 13.30", OK, "2026-11-27 13:30"),
    ("piatek 13:30", OK, "2026-11-27 13:30"),
    ("PIĄTEK 13.30", OK, "2026-11-27 13:30"),
    ("pt 13:30", OK, "2026-11-27 13:30"),
    ("pt. 13:30", OK, "2026-11-27 13:30"),
    ("sroda 10", OK, "2026-11-25 10:00"),
    ("środa 8", OK, "2026-12-02 08:00"),
    ("w środę o 10", OK, "2026-11-25 10:00"),
    ("w srode o 10", OK, "2026-11-25 10:00"),
    ("ŚRODA 10:00", OK, "2026-11-25 10:00"),
    ("śr 10:00", OK, "2026-11-25 10:00"),
    ("czw 12:00", OK, "2026-11-26 12:00"),
    ("w czwartek o 12", OK, "2026-11-26 12:00"),
    ("w sobotę o 11", OK, "2026-11-28 11:00"),
    ("sob 11:00", OK, "2026-11-28 11:00"),
    ("w niedzielę o 15", OK, "2026-11-29 15:00"),
    ("w niedziele o 15", OK, "2026-11-29 15:00"),
    ("nd 15:00", OK, "2026-11-29 15:00"),
    ("w poniedziałek o 8:15", OK, "2026-11-30 08:15"),
    ("w poniedzialek o 8:15", OK, "2026-11-30 08:15"),
    ("pon 8:15", OK, "2026-11-30 08:15"),
    ("pn o 8:15", OK, "2026-11-30 08:15"),
    ("wtorek 14:30", OK, "2026-12-01 14:30"),
    ("wt 14:30", OK, "2026-12-01 14:30"),
    ("we wtorek o 14:30", OK, "2026-12-01 14:30"),
    # day and month
    ("15 grudnia o 9", OK, "2026-12-15 09:00"),
    ("15 grudzień 9:00", OK, "2026-12-15 09:00"),
    ("15 grudzien 9:00", OK, "2026-12-15 09:00"),
    ("15 GRUDNIA o 9", OK, "2026-12-15 09:00"),
    ("15 gru 9:00", OK, "2026-12-15 09:00"),
    ("15 gru. o 9", OK, "2026-12-15 09:00"),
    ("15 XII o 9", OK, "2026-12-15 09:00"),
    ("15 xii 9:00", OK, "2026-12-15 09:00"),
    ("15.XII.2026 9:00", OK, "2026-12-15 09:00"),
    ("15.12 godz. 10", OK, "2026-12-15 10:00"),
    ("15.12 o 10", OK, "2026-12-15 10:00"),
    ("15.12. godz. 10:00", OK, "2026-12-15 10:00"),
    ("15.12 10.30", OK, "2026-12-15 10:30"),
    ("15.12.2026 10:00", OK, "2026-12-15 10:00"),
    ("15.12.2026 r. o 10", OK, "2026-12-15 10:00"),
    ("15.12.26 10:00", OK, "2026-12-15 10:00"),
    ("15-12-2026 10:00", OK, "2026-12-15 10:00"),
    ("15/12/2026 10:00", OK, "2026-12-15 10:00"),
    ("2026-12-15 10:00", OK, "2026-12-15 10:00"),
    ("2026-12-15T10:00", OK, "2026-12-15 10:00"),
    ("dnia 15.12.2026 o godz. 10:00", OK, "2026-12-15 10:00"),
    ("15 grudnia 2026 o 10", OK, "2026-12-15 10:00"),
    ("15 grudnia 2026 r. godz. 10", OK, "2026-12-15 10:00"),
    ("15-go grudnia o 10", OK, "2026-12-15 10:00"),
    ("pierwszego grudnia o 10", OK, "2026-12-01 10:00"),
    ("dwudziestego czwartego grudnia o 18", OK, "2026-12-24 18:00"),
    ("trzydziestego pierwszego grudnia o 20", OK, "2026-12-31 20:00"),
    ("1 stycznia o 12", OK, "2027-01-01 12:00"),
    ("20 maja o 10", OK, "2027-05-20 10:00"),
    ("25 listopada o 12", OK, "2026-11-25 12:00"),
    # relative days keep the wall time
    ("za tydzień o 10", OK, "2026-12-02 10:00"),
    ("za tydzien o 10", OK, "2026-12-02 10:00"),
    ("za 2 tygodnie o 10", OK, "2026-12-09 10:00"),
    ("za 2 dni o 12", OK, "2026-11-27 12:00"),
    ("za dwa dni o 12", OK, "2026-11-27 12:00"),
    ("za 1 dzień o 12", OK, "2026-11-26 12:00"),
    ("za miesiąc o 10", OK, "2026-12-25 10:00"),
    # relative hours and minutes are elapsed time
    ("za 3 godziny", OK, "2026-11-25 12:00"),
    ("za trzy godziny", OK, "2026-11-25 12:00"),
    ("za godzinę", OK, "2026-11-25 10:00"),
    ("za 30 minut", OK, "2026-11-25 09:30"),
    ("za pół godziny", OK, "2026-11-25 09:30"),
    ("za półtorej godziny", OK, "2026-11-25 10:30"),
    ("za 1,5 godziny", OK, "2026-11-25 10:30"),
    ("za kwadrans", OK, "2026-11-25 09:15"),
    ("za godzinę i 15 minut", OK, "2026-11-25 10:15"),
    ("za 2 godziny 30 minut", OK, "2026-11-25 11:30"),
    # an hour alone: today, or tomorrow once gone
    ("o czternastej", OK, "2026-11-25 14:00"),
    ("o 14", OK, "2026-11-25 14:00"),
    ("o 9", OK, "2026-11-25 09:00"),
    ("o 8", OK, "2026-11-26 08:00"),
    ("o ósmej", OK, "2026-11-26 08:00"),
    ("14:00", OK, "2026-11-25 14:00"),
    ("o 13.30", OK, "2026-11-25 13:30"),
    ("13.30", OK, "2026-11-25 13:30"),
    ("15.13", OK, "2026-11-25 15:13"),  # 13 is no month, so a time
    ("o 2", OK, "2026-11-25 14:00"),  # an hour 1-6 alone is the afternoon (issue 17)
    ("o 2 w nocy", OK, "2026-11-26 02:00"),  # a part of day says otherwise
    ("o 02:00", OK, "2026-11-26 02:00"),  # so does a leading zero
    ("w południe", OK, "2026-11-25 12:00"),
    ("o wpół do jedenastej", OK, "2026-11-25 10:30"),
    ("wpół do 11", OK, "2026-11-25 10:30"),
    ("10-tej", OK, "2026-11-25 10:00"),
    ("o 10-tej", OK, "2026-11-25 10:00"),
    ("o 2 po południu", OK, "2026-11-25 14:00"),
    ("o 2 popołudniu", OK, "2026-11-25 14:00"),
    ("o 5 po poludniu", OK, "2026-11-25 17:00"),
    ("wieczorem o 7", OK, "2026-11-25 19:00"),
    ("o 7 wieczorem", OK, "2026-11-25 19:00"),
    ("rano o 8", OK, "2026-11-26 08:00"),
    ("o siedemnastej trzydzieści", OK, "2026-11-25 17:30"),
    ("o siedemnastej trzydziesci", OK, "2026-11-25 17:30"),
    ("o siedemnastej 30", OK, "2026-11-25 17:30"),
    ("kwadrans po dziesiątej", OK, "2026-11-25 10:15"),
    ("kwadrans po 10", OK, "2026-11-25 10:15"),
    ("10 minut po 9", OK, "2026-11-25 09:10"),
    ("za kwadrans jedenasta", OK, "2026-11-25 10:45"),
    ("o dwudziestej pierwszej", OK, "2026-11-25 21:00"),
    ("godzina 15", OK, "2026-11-25 15:00"),
    ("około 15:00", OK, "2026-11-25 15:00"),
    # a day without an hour
    ("jutro", NEEDS, "2026-11-26"),
    ("jutro rano", NEEDS, "2026-11-26"),
    ("jutro wieczorem", NEEDS, "2026-11-26"),
    ("dziś po południu", NEEDS, "2026-11-25"),
    ("dziś", NEEDS, "2026-11-25"),
    ("pojutrze", NEEDS, "2026-11-27"),
    ("15 grudnia", NEEDS, "2026-12-15"),
    ("15 grudzien", NEEDS, "2026-12-15"),
    ("15.12", NEEDS, "2026-12-15"),
    ("15.12.", NEEDS, "2026-12-15"),
    ("15 XII", NEEDS, "2026-12-15"),
    ("15.XII.2026", NEEDS, "2026-12-15"),
    ("wtorek", NEEDS, "2026-12-01"),
    ("środa", NEEDS, "2026-11-25"),
    ("sroda", NEEDS, "2026-11-25"),
    ("w przyszłą środę", NEEDS, "2026-12-02"),
    ("w przyszły wtorek", NEEDS, "2026-12-01"),
    ("za tydzień", NEEDS, "2026-12-02"),
    ("za 2 dni", NEEDS, "2026-11-27"),
    ("w piątek wieczorem", NEEDS, "2026-11-27"),
    ("1 stycznia", NEEDS, "2027-01-01"),
    ("10.05", NEEDS, "2027-05-10"),
    ("25 listopada", NEEDS, "2026-11-25"),
    ("pierwszego grudnia", NEEDS, "2026-12-01"),
    # nothing is repaired; gibberish is not guessed at
    ("25:00", INVALID, None),
    ("10:75", INVALID, None),
    ("24:30", INVALID, None),
    ("jutro o 25", INVALID, None),
    ("jutro o 25:00", INVALID, None),
    ("32 grudnia", INVALID, None),
    ("31.11", INVALID, None),
    ("31 listopada", INVALID, None),
    ("29.02.2027", INVALID, None),
    ("29 lutego 2027 o 10", INVALID, None),
    ("30.02", INVALID, None),
    ("32.12", INVALID, None),
    ("15.13.2026", INVALID, None),
    ("2026-13-01 10:00", INVALID, None),
    ("15.12.2026 25:00", INVALID, None),
    ("12:5", INVALID, None),
    ("123:00", INVALID, None),
    ("asdf", INVALID, None),
    ("", INVALID, None),
    ("   ", INVALID, None),
    ("!!!", INVALID, None),
    ("10", INVALID, None),
    ("o", INVALID, None),
    ("jutro asdf", INVALID, None),
    ("rano o 20", INVALID, None),
    ("jutro pojutrze", INVALID, None),
    ("jutro o 10 o 11", INVALID, None),
    ("za 3 godziny o 10", INVALID, None),
    ("za", INVALID, None),
    ("za 0 minut", INVALID, None),
    ("w przyszłym tygodniu", INVALID, None),
    ("w przyszły tydzień", INVALID, None),
    ("trzydziestego drugiego grudnia", INVALID, None),
    # issue 17: a weekday with its date (CONFLICT when they disagree: the date's reading)
    ("czw. 10.12 o 12", OK, "2026-12-10 12:00"),
    ("10 grudnia (czwartek) godz. 12", OK, "2026-12-10 12:00"),
    ("jutro, czwartek, o 10", OK, "2026-11-26 10:00"),
    ("jutro piątek o 10", CONFLICT, "2026-11-26 10:00"),
    ("piątek 15-go o 10", CONFLICT, "2026-12-15 10:00"),
    ("piątek 10.12", CONFLICT, "2026-12-10"),
    # separators, day first; "15.00" is a time, since 00 is no month
    ("7/01/2027 9:00", OK, "2027-01-07 09:00"),
    ("15-12 o 10", OK, "2026-12-15 10:00"),
    ("15/12", NEEDS, "2026-12-15"),
    ("10-11", NEEDS, "2027-11-10"),
    ("15.00", OK, "2026-11-25 15:00"),
    # abbreviations and ordinals; a day alone is the nearest such day of a month
    ("25-go o 12", OK, "2026-11-25 12:00"),
    ("15-go", NEEDS, "2026-12-15"),
    ("pierwszego o 10", OK, "2026-12-01 10:00"),
    ("grudnia 20-go o 9", OK, "2026-12-20 09:00"),
    ("wt. g. 10", OK, "2026-12-01 10:00"),
    ("3 paź. o 9", OK, "2027-10-03 09:00"),
    ("3 wrz 9:00", OK, "2027-09-03 09:00"),
    ("za 2 tyg.", NEEDS, "2026-12-09"),
    ("za 3h", OK, "2026-11-25 12:00"),
    ("za 1 godz. i 15 min.", OK, "2026-11-25 10:15"),
    # words around the phrase that carry no time
    ("może być jutro koło 10", OK, "2026-11-26 10:00"),
    ("proponuję mniej więcej o 11 w czwartek", OK, "2026-11-26 11:00"),
    ("chyba najlepiej w piątek", NEEDS, "2026-11-27"),
    # hours 1-6 alone are the afternoon; a part of day or a leading zero keeps them
    ("pojutrze o trzeciej", OK, "2026-11-27 15:00"),
    ("wpół do drugiej", OK, "2026-11-25 13:30"),
    ("o 4:15", OK, "2026-11-25 16:15"),
    ("za kwadrans pierwsza", OK, "2026-11-25 12:45"),
    ("jutro o 6 rano", OK, "2026-11-26 06:00"),
    ("pojutrze 04:00", OK, "2026-11-27 04:00"),
    ("pojutrze o 0:30", OK, "2026-11-27 00:30"),
    # ranges: the start here, the end in test_ranges_end
    ("jutro 10:00–11:00", OK, "2026-11-26 10:00"),
    ("od 9 do 11", OK, "2026-11-25 09:00"),
    ("pojutrze od 10 do 25", INVALID, None),
    ("jutro od 23:00 do 23:00", INVALID, None),
    ("pojutrze o 9 przez 25 godzin", INVALID, None),
    ("przez 2 godziny", INVALID, None),  # no start
    ("9 - 11", INVALID, None),  # bare numbers without a date
    ("15.12 - 17.12", INVALID, None),  # a range of dates is not a time
    ("czwartek xyz", INVALID, None),
    ("wtorek środa o 10", INVALID, None),
    # before now
    ("wczoraj o 10", PAST, "2026-11-24 10:00"),
    ("wczoraj", PAST, "2026-11-24"),
    ("przedwczoraj o 12", PAST, "2026-11-23 12:00"),
    ("dziś 08:00", PAST, "2026-11-25 08:00"),
    ("dzisiaj o ósmej", PAST, "2026-11-25 08:00"),
    ("15.01.2020 10:00", PAST, "2020-01-15 10:00"),
    ("15.01.2020", PAST, "2020-01-15"),
    ("w tym tygodniu w poniedziałek o 10", PAST, "2026-11-23 10:00"),
    ("25 listopada o 8", PAST, "2026-11-25 08:00"),
    ("25.11.2026 8:00", PAST, "2026-11-25 08:00"),
]

_MONDAY: list[Row] = [
    ("w przyszły wtorek", NEEDS, "2026-12-01"),  # 8 days ahead, not tomorrow
    ("w przyszły wtorek o 10", OK, "2026-12-01 10:00"),
    ("wtorek o 10", OK, "2026-11-24 10:00"),
    ("najbliższy wtorek o 10", OK, "2026-11-24 10:00"),
    ("w przyszły poniedziałek o 9", OK, "2026-11-30 09:00"),
    ("poniedziałek o 9", OK, "2026-11-30 09:00"),
    ("poniedziałek o 11", OK, "2026-11-23 11:00"),
    ("poniedziałek", NEEDS, "2026-11-23"),
    ("w przyszłą niedzielę", NEEDS, "2026-12-06"),
    ("w niedzielę", NEEDS, "2026-11-29"),
    ("w tym tygodniu w niedzielę o 12", OK, "2026-11-29 12:00"),
]

_SUNDAY_EVENING: list[Row] = [
    ("jutro o 8", OK, "2026-11-23 08:00"),
    ("w poniedziałek o 8", OK, "2026-11-23 08:00"),
    ("w przyszły poniedziałek o 8", OK, "2026-11-23 08:00"),  # weeks start on Monday
    ("w przyszły wtorek", NEEDS, "2026-11-24"),
    ("niedziela o 21", OK, "2026-11-22 21:00"),
    ("niedziela o 19", OK, "2026-11-29 19:00"),
    ("dziś o 21", OK, "2026-11-22 21:00"),
    ("dziś o 19", PAST, "2026-11-22 19:00"),
    ("o 19", OK, "2026-11-23 19:00"),
    ("o 22", OK, "2026-11-22 22:00"),
    ("wieczorem o 9", OK, "2026-11-22 21:00"),
    ("za 3 godziny", OK, "2026-11-22 23:00"),
    ("za 5 godzin", OK, "2026-11-23 01:00"),
    ("za tydzień o 10", OK, "2026-11-29 10:00"),
    ("o północy", OK, "2026-11-23 00:00"),
    ("dziś wieczorem", NEEDS, "2026-11-22"),
]

_YEAR_END: list[Row] = [
    ("jutro o 10", OK, "2027-01-01 10:00"),
    ("1 stycznia o 12", OK, "2027-01-01 12:00"),
    ("1.01 o 12", OK, "2027-01-01 12:00"),
    ("15 stycznia", NEEDS, "2027-01-15"),
    ("31 grudnia o 23:30", OK, "2026-12-31 23:30"),
    ("31 grudnia o 22", PAST, "2026-12-31 22:00"),
    ("31.12", NEEDS, "2026-12-31"),
    ("30 grudnia", NEEDS, "2027-12-30"),
    ("30.12 o 10", OK, "2027-12-30 10:00"),
    ("15.12", NEEDS, "2027-12-15"),
    ("za tydzień", NEEDS, "2027-01-07"),
    ("za 2 godziny", OK, "2027-01-01 01:00"),
    ("za miesiąc", NEEDS, "2027-01-31"),
    ("w przyszły poniedziałek o 9", OK, "2027-01-04 09:00"),
    ("piątek o 10", OK, "2027-01-01 10:00"),
    ("czwartek o 10", OK, "2027-01-07 10:00"),
    ("o północy", OK, "2027-01-01 00:00"),
    ("dziś o 23:59", OK, "2026-12-31 23:59"),
    ("o 22", OK, "2027-01-01 22:00"),
]

_MONTH_END: list[Row] = [
    ("jutro o 10", OK, "2026-02-01 10:00"),
    ("za miesiąc o 10", OK, "2026-02-28 10:00"),
    ("31.01 o 12", OK, "2026-01-31 12:00"),
    ("30 stycznia", NEEDS, "2027-01-30"),
    ("29.01", NEEDS, "2027-01-29"),
    ("31 lutego", INVALID, None),
    ("1 lutego o 9", OK, "2026-02-01 09:00"),
    ("za 2 dni", NEEDS, "2026-02-02"),
    ("w przyszły poniedziałek", NEEDS, "2026-02-02"),
    ("w poniedziałek o 9", OK, "2026-02-02 09:00"),
    ("sobota o 12", OK, "2026-01-31 12:00"),
    ("31-go", NEEDS, "2026-01-31"),
    ("30-go o 10", OK, "2026-03-30 10:00"),  # February has no 30th
]

_FEBRUARY: list[Row] = [
    ("jutro o 10", OK, "2026-03-01 10:00"),
    ("29 lutego", INVALID, None),
    ("29.02", INVALID, None),
    ("29.02.2028 o 10", OK, "2028-02-29 10:00"),
    ("28 lutego o 12", OK, "2026-02-28 12:00"),
    ("1 marca o 9", OK, "2026-03-01 09:00"),
    ("pojutrze", NEEDS, "2026-03-02"),
    ("za tydzień o 10", OK, "2026-03-07 10:00"),
    ("za miesiąc", NEEDS, "2026-03-28"),
]

_LEAP_FEBRUARY: list[Row] = [
    ("jutro o 10", OK, "2028-02-29 10:00"),
    ("29 lutego o 10", OK, "2028-02-29 10:00"),
    ("29.02", NEEDS, "2028-02-29"),
    ("pojutrze o 10", OK, "2028-03-01 10:00"),
    ("29.02.2029", INVALID, None),
    ("w przyszły wtorek", NEEDS, "2028-03-07"),
    ("wtorek o 9", OK, "2028-02-29 09:00"),
    ("za 2 dni o 8", OK, "2028-03-01 08:00"),
    ("28.02", NEEDS, "2028-02-28"),
]

_SPRING_EVE: list[Row] = [
    # Hours 1-6 alone are the afternoon (issue 17); "w nocy" or "02:30" reach the night.
    ("jutro o 2:30", OK, "2026-03-29 14:30"),
    ("jutro o 2:30 w nocy", GAP, None),
    ("jutro o 02:30", GAP, None),
    ("jutro o wpół do trzeciej", OK, "2026-03-29 14:30"),
    ("jutro o wpół do trzeciej w nocy", GAP, None),
    ("jutro o 2", OK, "2026-03-29 14:00"),
    ("jutro o drugiej w nocy", GAP, None),
    ("29.03.2026 02:30", GAP, None),
    ("2026-03-29 02:30", GAP, None),
    ("niedziela o 2:30", OK, "2026-03-29 14:30"),
    ("niedziela o 02:30", GAP, None),
    ("jutro o 3", OK, "2026-03-29 15:00"),
    ("jutro o 3 w nocy", OK, "2026-03-29 03:00"),
    ("jutro o 1:59", OK, "2026-03-29 13:59"),
    ("jutro o 01:59", OK, "2026-03-29 01:59"),
    ("jutro o 10", OK, "2026-03-29 10:00"),
    ("za 24 godziny", OK, "2026-03-29 13:00"),  # 24 real hours; the clock jumps one
    ("za 1 dzień o 12", OK, "2026-03-29 12:00"),
    ("za dzień o 12", OK, "2026-03-29 12:00"),
]

_SPRING_NIGHT: list[Row] = [
    ("za 3 godziny", OK, "2026-03-29 04:30"),
    ("za 2 godziny", OK, "2026-03-29 03:30"),
    ("za 90 minut", OK, "2026-03-29 03:00"),
    ("za 30 minut", OK, "2026-03-29 01:00"),
    ("o 2:30", OK, "2026-03-29 14:30"),
    ("o 2:30 w nocy", GAP, None),
    ("o 3:30", OK, "2026-03-29 15:30"),
    ("o 03:30", OK, "2026-03-29 03:30"),
    ("dziś o 1", OK, "2026-03-29 13:00"),
    ("dziś o 1 w nocy", OK, "2026-03-29 01:00"),
    ("o 1:45", OK, "2026-03-29 13:45"),
    ("o 01:45", OK, "2026-03-29 01:45"),
    ("dziś o 0:15", PAST, "2026-03-29 00:15"),
    ("o 0:15", OK, "2026-03-30 00:15"),
    ("jutro o 2:30", OK, "2026-03-30 14:30"),
    ("jutro o 02:30", OK, "2026-03-30 02:30"),
]

_AUTUMN_EVE: list[Row] = [
    ("jutro o 2:30", OK, "2026-10-25 14:30"),  # the afternoon (issue 17)
    ("jutro o 02:30", OK, "2026-10-25 02:30"),  # the first 02:30, still summer time
    ("jutro o wpół do trzeciej w nocy", OK, "2026-10-25 02:30"),
    ("25.10 2:30", OK, "2026-10-25 14:30"),
    ("25.10 02:30", OK, "2026-10-25 02:30"),
    ("jutro o 1:30", OK, "2026-10-25 13:30"),
    ("jutro o 1:30 w nocy", OK, "2026-10-25 01:30"),
    ("jutro o 3:30", OK, "2026-10-25 15:30"),
    ("jutro o 03:30", OK, "2026-10-25 03:30"),
    ("jutro o 12", OK, "2026-10-25 12:00"),
    ("za 24 godziny", OK, "2026-10-25 11:00"),  # 24 real hours; the clock goes back one
    ("za 1 dzień o 12", OK, "2026-10-25 12:00"),
]

_AUTUMN_NIGHT: list[Row] = [
    ("za godzinę", OK, "2026-10-25 02:00"),
    ("za 2 godziny", OK, "2026-10-25 02:00 f1"),
    ("za 3 godziny", OK, "2026-10-25 03:00"),
    ("o 2:30", OK, "2026-10-25 14:30"),  # the afternoon (issue 17)
    ("o 02:30", OK, "2026-10-25 02:30"),
    ("dziś o 2:30", OK, "2026-10-25 14:30"),
    ("dziś o 2:30 w nocy", OK, "2026-10-25 02:30"),
    ("o 3", OK, "2026-10-25 15:00"),
    ("o 3 w nocy", OK, "2026-10-25 03:00"),
    ("o 0:30", OK, "2026-10-26 00:30"),
    ("dziś o 0:30", PAST, "2026-10-25 00:30"),
]

PHRASES: list[Case] = [
    *_cases(WEDNESDAY, _WEDNESDAY),
    *_cases(MONDAY, _MONDAY),
    *_cases(SUNDAY_EVENING, _SUNDAY_EVENING),
    *_cases(YEAR_END, _YEAR_END),
    *_cases(MONTH_END, _MONTH_END),
    *_cases(FEBRUARY, _FEBRUARY),
    *_cases(LEAP_FEBRUARY, _LEAP_FEBRUARY),
    *_cases(SPRING_EVE, _SPRING_EVE),
    *_cases(SPRING_NIGHT, _SPRING_NIGHT),
    *_cases(AUTUMN_EVE, _AUTUMN_EVE),
    *_cases(AUTUMN_NIGHT, _AUTUMN_NIGHT),
]


def matches(case: Case, status: WhenStatus, value: datetime | None) -> bool:
    """Same status, same wall time and same UTC offset (so the autumn fold counts)."""
    if status != case.status:
        return False
    if case.expected is None or value is None:
        return case.expected is None and value is None
    return (
        value.replace(tzinfo=None) == case.expected.replace(tzinfo=None)
        and value.utcoffset() == case.expected.utcoffset()
    )


def test_the_table_is_large_and_has_no_duplicates() -> None:
    assert len(PHRASES) >= 220
    assert len({(case.phrase, case.now) for case in PHRASES}) == len(PHRASES)


@pytest.mark.parametrize("case", PHRASES, ids=lambda case: case.id)
def test_phrase(case: Case) -> None:
    result = parse_when(case.phrase, case.now)
    assert matches(case, result.status, result.value), (result, case.expected)
    if result.value is not None:
        assert result.value.tzinfo is case.now.tzinfo
        assert result.value.utcoffset() is not None
    if result.status is WhenStatus.OK:
        assert result.value is not None
        assert result.value.timestamp() >= case.now.timestamp()


@pytest.mark.parametrize(
    ("now", "wall_hours"), [(SPRING_NIGHT, 4), (AUTUMN_NIGHT, 2), (WEDNESDAY, 3)]
)
def test_relative_hours_are_elapsed_time_across_dst(now: datetime, wall_hours: int) -> None:
    result = parse_when("za 3 godziny", now)
    assert result.status is WhenStatus.OK and result.value is not None
    # Aware datetimes sharing a tzinfo subtract as wall times, hence the timestamps.
    assert result.value.timestamp() - now.timestamp() == 3 * 3600
    wall = result.value.replace(tzinfo=None) - now.replace(tzinfo=None)
    assert wall == timedelta(hours=wall_hours)


@pytest.mark.parametrize(("now", "real_hours"), [(SPRING_EVE, 23), (AUTUMN_EVE, 25)])
def test_relative_days_keep_the_wall_time(now: datetime, real_hours: int) -> None:
    result = parse_when("za 1 dzień o 12", now)
    assert result.value is not None and result.value.hour == 12
    assert result.value.timestamp() - now.timestamp() == real_hours * 3600


def test_relative_minutes_drop_seconds() -> None:
    now = WEDNESDAY.replace(second=42, microsecond=7)
    assert parse_when("za 30 minut", now).value == local("2026-11-25 09:30")


def test_other_zones_are_kept() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    now = datetime(2026, 11, 25, 9, 0, tzinfo=tokyo)
    result = parse_when("jutro o 10", now)
    assert result.value == datetime(2026, 11, 26, 10, 0, tzinfo=tokyo)
    assert result.value is not None and result.value.tzinfo is tokyo
    utc_now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert parse_when("o 12", utc_now).value == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_when("jutro o 10", datetime(2026, 11, 25, 9, 0))


def test_reasons_explain_invalid_phrases() -> None:
    assert "unknown word" in parse_when("asdf", WEDNESDAY).reason
    assert "no such date" in parse_when("31.11", WEDNESDAY).reason


def test_overlong_text_is_invalid() -> None:
    assert parse_when("jutro o 10 " * 50, WEDNESDAY).status is WhenStatus.INVALID


@pytest.mark.parametrize("phrase", EXAMPLES_PL)
def test_help_examples_work(phrase: str) -> None:
    assert 5 <= len(EXAMPLES_PL) <= 6
    assert parse_when(phrase, WEDNESDAY).status is WhenStatus.OK


def test_help_examples_show_a_range() -> None:
    # A weekday with its date holds for one year only, so no example shows one.
    results = [parse_when(phrase, WEDNESDAY) for phrase in EXAMPLES_PL]
    assert any(result.end is not None for result in results)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "wtorek, 24 listopada 2026, 14:30"),
        ("en", "Tuesday, 24 November 2026, 14:30"),
        ("xx", "wtorek, 24 listopada 2026, 14:30"),
    ],
)
def test_format_when(language: str, text: str) -> None:
    assert format_when(local("2026-11-24 14:30"), language) == text


def test_format_when_uses_the_values_own_zone_and_default_language() -> None:
    value = parse_when("15 grudnia o 9", WEDNESDAY).value
    assert value is not None
    assert format_when(value) == "wtorek, 15 grudnia 2026, 09:00"
    in_utc = value.astimezone(UTC)
    assert format_when(in_utc, "en") == "Tuesday, 15 December 2026, 08:00"


# -- issue 17: ranges, weekday against date, afternoon hours, phrases inside messages --------

AS_TYPED, AFTERNOON = Reading.AS_TYPED, Reading.AFTERNOON

RANGES: list[tuple[str, datetime, str, str, Reading]] = [
    ("jutro od 9 do 11", WEDNESDAY, "2026-11-26 09:00", "2026-11-26 11:00", AS_TYPED),
    ("wtorek 9–11", WEDNESDAY, "2026-12-01 09:00", "2026-12-01 11:00", AS_TYPED),
    ("o 9-11", WEDNESDAY, "2026-11-25 09:00", "2026-11-25 11:00", AS_TYPED),
    ("jutro 10-11:30", WEDNESDAY, "2026-11-26 10:00", "2026-11-26 11:30", AS_TYPED),
    ("jutro 10.30–12.00", WEDNESDAY, "2026-11-26 10:30", "2026-11-26 12:00", AS_TYPED),
    ("10:00 - 11:30", WEDNESDAY, "2026-11-25 10:00", "2026-11-25 11:30", AS_TYPED),
    ("jutro między 9 a 11", WEDNESDAY, "2026-11-26 09:00", "2026-11-26 11:00", AS_TYPED),
    ("jutro od 10 do południa", WEDNESDAY, "2026-11-26 10:00", "2026-11-26 12:00", AS_TYPED),
    # the afternoon rule takes the range as a whole; an end 1-12 is the first after the start
    ("jutro od 2 do 4", WEDNESDAY, "2026-11-26 14:00", "2026-11-26 16:00", AFTERNOON),
    ("jutro od 11 do 1", WEDNESDAY, "2026-11-26 11:00", "2026-11-26 13:00", AS_TYPED),
    ("jutro od 7 do 9 wieczorem", WEDNESDAY, "2026-11-26 19:00", "2026-11-26 21:00", AS_TYPED),
    ("jutro od 22 do 2", WEDNESDAY, "2026-11-26 22:00", "2026-11-27 02:00", AS_TYPED),
    ("jutro od 9 rano do 11", WEDNESDAY, "2026-11-26 09:00", "2026-11-26 11:00", AS_TYPED),
    # durations are elapsed time
    ("15.12 o 10 przez 2 godziny", WEDNESDAY, "2026-12-15 10:00", "2026-12-15 12:00", AS_TYPED),
    ("jutro o 10 na godzinę i kwadrans", WEDNESDAY, "2026-11-26 10:00", "2026-11-26 11:15",
     AS_TYPED),
    ("jutro od 10 przez dwie godziny", WEDNESDAY, "2026-11-26 10:00", "2026-11-26 12:00",
     AS_TYPED),
    ("za godzinę na 30 minut", WEDNESDAY, "2026-11-25 10:00", "2026-11-25 10:30", AS_TYPED),
    ("jutro o 1 w nocy przez 2 godziny", SPRING_EVE, "2026-03-29 01:00", "2026-03-29 04:00",
     AS_TYPED),
]  # fmt: skip


@pytest.mark.parametrize(("phrase", "now", "start", "end", "reading"), RANGES)
def test_ranges_end(phrase: str, now: datetime, start: str, end: str, reading: Reading) -> None:
    result = parse_when(phrase, now)
    assert result.status is WhenStatus.OK, result
    assert (result.value, result.end, result.reading) == (local(start), local(end), reading)
    assert result.end is not None and result.end.tzinfo is now.tzinfo


def test_without_a_range_there_is_no_end() -> None:
    assert parse_when("jutro o 10", WEDNESDAY).end is None
    assert parse_when("15.12", WEDNESDAY).end is None


@pytest.mark.parametrize(
    ("phrase", "value", "alternative"),
    [
        ("czwartek 9 grudnia o 12", "2026-12-09 12:00", "2026-11-26 12:00"),
        ("środa 10.12 o 8", "2026-12-10 08:00", "2026-12-02 08:00"),  # today's 8:00 is gone
        ("poniedziałek 1 grudnia", "2026-12-01 00:00", "2026-11-30 00:00"),
        ("w przyszły czwartek 10.12 o 10", "2026-12-10 10:00", "2026-12-03 10:00"),
        ("jutro (piątek) o 4", "2026-11-26 16:00", "2026-11-27 16:00"),
    ],
)
def test_a_weekday_against_its_date_is_a_conflict(
    phrase: str, value: str, alternative: str
) -> None:
    result = parse_when(phrase, WEDNESDAY)
    assert result.status is WhenStatus.CONFLICT
    assert (result.value, result.alternative) == (local(value), local(alternative))


@pytest.mark.parametrize(
    "phrase", ["czwartek 10 grudnia o 12", "10.12 (czwartek) 12:00", "czw., 10/12, g. 12"]
)
def test_a_weekday_agreeing_with_its_date_is_ok(phrase: str) -> None:
    result = parse_when(phrase, WEDNESDAY)
    assert (result.status, result.value) == (WhenStatus.OK, local("2026-12-10 12:00"))
    assert result.alternative is None


def test_afternoon_reading_and_its_alternative() -> None:
    result = parse_when("jutro o 4", WEDNESDAY)
    assert (result.value, result.reading) == (local("2026-11-26 16:00"), AFTERNOON)
    assert result.alternative == local("2026-11-26 04:00")
    # The morning reading is offered only while it is ahead and exists.
    assert parse_when("o 3", WEDNESDAY).alternative is None
    assert parse_when("jutro o 2", SPRING_EVE).alternative is None
    for typed in ("jutro o 4 rano", "jutro 04:00", "jutro o 7", "jutro o 16", "jutro o 0:30"):
        result = parse_when(typed, WEDNESDAY)
        assert (result.reading, result.alternative) == (AS_TYPED, None), typed


@pytest.mark.parametrize(
    ("text", "source", "value"),
    [
        ("Spotkanie zespołu jutro o 10, sala 5", "jutro o 10", "2026-11-26 10:00"),
        ("Było wczoraj. Następne JUTRO o 10!", "JUTRO o 10", "2026-11-26 10:00"),
        ("Termin: czwartek 10 grudnia, godz. 12 (sala 5)", "czwartek 10 grudnia, godz. 12",
         "2026-12-10 12:00"),
        ("jutro o 10 lub 11", "jutro o 10", "2026-11-26 10:00"),
        ("jutro albo pojutrze", "jutro", "2026-11-26 00:00"),  # equally long: the earliest
        ("Zebranie we wtorek 9–11 w świetlicy", "we wtorek 9–11", "2026-12-01 09:00"),
    ],
)  # fmt: skip
def test_find_when_finds_a_phrase_inside_a_message(text: str, source: str, value: str) -> None:
    result = find_when(text, WEDNESDAY)
    assert result.status is not WhenStatus.INVALID
    assert (result.source, result.value) == (source, local(value))


def test_find_when_takes_the_whole_text_when_it_parses() -> None:
    result = find_when("może być jutro o 10?", WEDNESDAY)
    assert (result.status, result.source) == (WhenStatus.OK, None)


@pytest.mark.parametrize(
    "text", ["32 grudnia o 10", "jutro o 25", "Spotkanie 32 grudnia o 10 w sali", "rano o 20"]
)
def test_find_when_takes_no_part_of_a_phrase_naming_no_moment(text: str) -> None:
    # "o 10" of "32 grudnia o 10" would be a guess at what was meant.
    assert find_when(text, WEDNESDAY).status is WhenStatus.INVALID


def test_find_when_says_what_it_did_not_understand() -> None:
    result = find_when("Hej, co słychać u was, drodzy?", WEDNESDAY)
    assert result.status is WhenStatus.INVALID
    assert result.understood == ()
    assert result.not_understood == ("Hej", "co", "słychać", "u", "was")


def test_invalid_phrases_list_understood_words() -> None:
    result = parse_when("czwartek xyz", WEDNESDAY)
    assert (result.understood, result.not_understood) == (("czwartek",), ("xyz",))
    long = parse_when("jutro " + "ą" * 50 + " bb cc dd ee ff", WEDNESDAY)
    assert long.understood == ("jutro",)
    assert len(long.not_understood) == 5
    assert all(len(word) <= 30 for word in long.not_understood)
    assert parse_when("jutro o 10", WEDNESDAY).not_understood == ()


@pytest.mark.parametrize(
    "text", ["x" * 5000, "o " * 2500, "😀" * 5000, "?!" * 2500, "\u200b\x00" * 100, "", "   "]
)
def test_odd_and_huge_text_is_invalid_and_quick(text: str) -> None:
    for read in (parse_when, find_when):
        started = time.perf_counter()
        result: When = read(text, WEDNESDAY)
        assert result.status is WhenStatus.INVALID
        assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("do pt.", "2026-11-27"),
        ("do piątku", "2026-11-27"),
        ("do 15-go", "2026-12-15"),
        ("do 15go", "2026-12-15"),
        ("do 15.", "2026-12-15"),
        ("do 20-tego", "2026-12-20"),
        ("do 25", "2026-11-25"),
        ("do końca tyg.", "2026-11-27"),
        ("do końca mies.", "2026-11-30"),
        ("do 15 gru.", "2026-12-15"),
        ("do 15/12", "2026-12-15"),
        ("za 2 tyg.", "2026-12-09"),
        ("do czw. 26.11", "2026-11-26"),
    ],
)
def test_due_days_take_abbreviations_and_ordinals(text: str, day: str) -> None:
    assert parse_due(text, WEDNESDAY) == local(day).date()


@pytest.mark.parametrize(
    ("text", "past"), [("24.11.2026", True), ("do 32", False), ("do pt. 26.11", False)]
)
def test_due_days_refused(text: str, past: bool) -> None:
    with pytest.raises(DueDateError) as refused:
        parse_due(text, WEDNESDAY)
    assert refused.value.past is past
