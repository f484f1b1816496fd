"""Word tables for Polish date phrases: lower case, without diacritics (see `fold_text`).

Each table lists the inflected forms people actually type, so the grammar only does lookups.
"""

from __future__ import annotations

import calendar
from datetime import date
from enum import Enum
from typing import TypeVar

# Months, cardinals, fractions and folding are shared with phrases.py and storage (region
# names): they live in storage/words.py and are re-exported here for the grammar.
from storage.words import CARDINALS as CARDINALS
from storage.words import FRACTIONS as FRACTIONS
from storage.words import MONTHS as MONTHS
from storage.words import fold_text as fold_text
from storage.words import forms

_T = TypeVar("_T")


def _each(forms: str, value: _T) -> dict[str, _T]:
    return dict.fromkeys(forms.split(), value)


class PartOfDay(Enum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"
    NOON = "noon"
    MIDNIGHT = "midnight"


def shift_hour(hour: int, part: PartOfDay | None, error: type[Exception]) -> int:
    """12-hour readings, the same in Polish and English: "o 2 po południu" / "2 in the
    afternoon" 14, "o 10 w nocy" 22; a contradiction raises `error` (each grammar its own)."""
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
    raise error(f"hour {hour} does not fit {part.value}")


# Days relative to today.
RELATIVE_DAYS: dict[str, int] = {
    "dzis": 0, "dzisiaj": 0, "jutro": 1, "jutra": 1, "pojutrze": 2, "pojutrza": 2,
    "popojutrze": 3,
    "wczoraj": -1, "przedwczoraj": -2,
}  # fmt: skip

# Monday is 0, as in `date.weekday()`. Nominative, accusative ("w środę"), genitive (a due
# day: "do piątku") and abbreviations.
WEEKDAYS: dict[str, int] = forms({
    0: "poniedzialek poniedzialku pon pn",
    1: "wtorek wtorku wt wto",
    2: "sroda srode srody sr sro",
    3: "czwartek czwartku czw",
    4: "piatek piatku pt pia",
    5: "sobota sobote soboty sob sb",
    6: "niedziela niedziele niedzieli nd ndz niedz",
})  # fmt: skip

# Before a weekday: 1 = the given day of next week; None = the nearest such day.
WEEKDAY_MODIFIERS: dict[str, int | None] = {
    **_each("przyszly przyszla przyszle przyszlym nastepny nastepna nastepne nastepnym", 1),
    **_each("najblizszy najblizsza najblizsze ten ta te to", None),
}
# Before "tydzień" / "tygodniu": 0 = this week, 1 = next week.
WEEK_MODIFIERS: dict[str, int] = {
    **_each("ten tym", 0),
    **_each("przyszly przyszlym nastepny nastepnym", 1),
}
WEEK_NOUNS = frozenset({"tydzien", "tygodniu"})

# Only read as months right after a day number ("15 XII"): "i" is also "and".
ROMAN_MONTHS: dict[str, int] = {
    roman: number
    for number, roman in enumerate(("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x",
                                    "xi", "xii"), start=1)
}  # fmt: skip
# The longest each month can be (29 February: the year decides later).
MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MIN_YEAR, MAX_YEAR = 1900, 2200


def add_months(day: date, months: int) -> date:
    """Calendar months; a day the target month lacks becomes its last day (31.01 -> 28.02)."""
    if not months:
        return day
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_date(day: int, month: int, year: int | None, error: type[Exception]) -> None:
    """The day fits the month (and the year, if given), in Polish and English alike; else
    `error` (each grammar its own). Never repairs it."""
    if not 1 <= month <= 12 or not 1 <= day <= MONTH_DAYS[month]:
        raise error(f"no such date: {day}.{month}")
    if year is not None:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise error(f"year out of range: {year}")
        try:
            date(year, month, day)
        except ValueError:
            raise error(f"no such date: {day}.{month}.{year}") from None


# Feminine ordinals name hours: "o dziewiątej", "wpół do jedenastej", "za kwadrans jedenasta".
HOUR_WORDS: dict[str, int] = forms({
    1: "pierwsza pierwszej", 2: "druga drugiej", 3: "trzecia trzeciej",
    4: "czwarta czwartej", 5: "piata piatej", 6: "szosta szostej", 7: "siodma siodmej",
    8: "osma osmej", 9: "dziewiata dziewiatej", 10: "dziesiata dziesiatej",
    11: "jedenasta jedenastej", 12: "dwunasta dwunastej", 13: "trzynasta trzynastej",
    14: "czternasta czternastej", 15: "pietnasta pietnastej", 16: "szesnasta szesnastej",
    17: "siedemnasta siedemnastej", 18: "osiemnasta osiemnastej",
    19: "dziewietnasta dziewietnastej", 20: "dwudziesta dwudziestej",
})  # fmt: skip

# Masculine ordinals name days: "pierwszego grudnia", "dwudziesty czwarty grudnia".
DAY_WORDS: dict[str, int] = forms({
    1: "pierwszy pierwszego", 2: "drugi drugiego", 3: "trzeci trzeciego",
    4: "czwarty czwartego", 5: "piaty piatego", 6: "szosty szostego", 7: "siodmy siodmego",
    8: "osmy osmego", 9: "dziewiaty dziewiatego", 10: "dziesiaty dziesiatego",
    11: "jedenasty jedenastego", 12: "dwunasty dwunastego", 13: "trzynasty trzynastego",
    14: "czternasty czternastego", 15: "pietnasty pietnastego", 16: "szesnasty szesnastego",
    17: "siedemnasty siedemnastego", 18: "osiemnasty osiemnastego",
    19: "dziewietnasty dziewietnastego", 20: "dwudziesty dwudziestego",
    30: "trzydziesty trzydziestego",
})  # fmt: skip

TENS: dict[str, int] = {"dwadziescia": 20, "trzydziesci": 30, "czterdziesci": 40,
                        "piecdziesiat": 50}  # fmt: skip

MINUTE_WORDS = frozenset({"minut", "minute", "minuty", "minuta", "min"})
# Units after "za", in minutes (elapsed time), days (calendar) or months (calendar).
UNITS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(MINUTE_WORDS, ("minutes", 1)),
    "kwadrans": ("minutes", 15),
    **_each("godzine godziny godzin godzina godzinke godz h", ("minutes", 60)),
    **_each("dzien dni dobe doby", ("days", 1)),
    **_each("tydzien tygodnie tygodni tyg tydz", ("days", 7)),
    **_each("miesiac miesiace miesiecy mies", ("months", 1)),
}

PARTS_OF_DAY: dict[str, PartOfDay] = {
    **_each("rano rana rankiem przedpoludniem", PartOfDay.MORNING),
    **_each("popoludniu popoludnie", PartOfDay.AFTERNOON),
    **_each("wieczorem wieczor wieczorkiem", PartOfDay.EVENING),
    **_each("noca nocy noc", PartOfDay.NIGHT),
    **_each("poludnie poludniu", PartOfDay.NOON),
    **_each("polnoc polnocy", PartOfDay.MIDNIGHT),
}
# Two-word parts of day: "po południu", "przed południem".
PARTS_OF_DAY_AFTER: dict[tuple[str, str], PartOfDay] = {
    ("po", "poludniu"): PartOfDay.AFTERNOON,
    ("po", "poludnie"): PartOfDay.AFTERNOON,
    ("przed", "poludniem"): PartOfDay.MORNING,
}

# A number right after one of these is an hour, even without a date ("o 10", "od 9 do 11").
TIME_MARKERS = frozenset({
    "o", "godz", "godzina", "godzinie", "godzinach", "g", "ok", "okolo", "kolo", "od", "miedzy",
})  # fmt: skip
# Words that carry no meaning of their own here ("dnia 15.12 o godz. 10", "15 grudnia 2026 r."),
# and politeness and hedging around a proposal ("pasuje mi piątek około 9?").
HEDGES = frozenset({
    "pasuje", "pasowaloby", "pasowalby", "mi", "nam", "moze", "byc", "proponuje", "proponujemy",
    "propozycja", "mniej", "wiecej", "najlepiej", "chyba", "raczej", "gdzies", "jakos", "np",
})  # fmt: skip
FILLERS = (
    TIME_MARKERS
    | HEDGES
    | {"w", "we", "na", "dnia", "dniu", "dn", "r", "rok", "roku", "z", "t", "h"}
)
# "od 9 do 11", "między 9 a 11" (after a time: its end); "przez/na 2 godziny" (a duration).
RANGE_WORDS = frozenset({"do", "a"})
DURATION_WORDS = frozenset({"przez", "na"})
# The end of a range in words: "od 10 do południa".
END_WORDS: dict[str, int] = {"poludnia": 12, "polnocy": 24}

# Suffixes of a number: "10-tej", "10tej", "1-szej", "10h" (an hour) and "1-go", "20-tego",
# "15go" (a day).
HOUR_SUFFIXES = ("szej", "giej", "ciej", "tej", "mej", "ej", "h")
DAY_SUFFIXES = ("szego", "giego", "ciego", "tego", "ego", "go")

# Every word the grammar reads, for telling people which words of a refused phrase were
# understood (and for finding a phrase inside a longer message).
KNOWN_WORDS: frozenset[str] = frozenset().union(
    RELATIVE_DAYS, WEEKDAYS, WEEKDAY_MODIFIERS, WEEK_MODIFIERS, WEEK_NOUNS, MONTHS,
    ROMAN_MONTHS, HOUR_WORDS, DAY_WORDS, CARDINALS, TENS, FRACTIONS, UNITS, PARTS_OF_DAY,
    FILLERS, RANGE_WORDS, DURATION_WORDS, END_WORDS,
    {"za", "po", "przed", "poludniem", "wpol", "i", "kwadrans"},
)  # fmt: skip
