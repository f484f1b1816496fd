"""Word tables for English date phrases: lower case ASCII, as `english.normalize` leaves them."""

from __future__ import annotations

from typing import TypeVar

from bot.dates.lexicon import PartOfDay

_T = TypeVar("_T")


def _forms(table: dict[int, str]) -> dict[str, int]:
    """{1: "mon monday"} -> {"mon": 1, "monday": 1}."""
    return {form: value for value, forms in table.items() for form in forms.split()}


def _each(forms: str, value: _T) -> dict[str, _T]:
    return dict.fromkeys(forms.split(), value)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Days relative to today ("the day after tomorrow" is a rule of its own).
RELATIVE_DAYS: dict[str, int] = {
    **_each("today tonight", 0),
    **_each("tomorrow tmrw tmr tomorow tommorow tommorrow", 1),
    "yesterday": -1,
}

# Monday is 0, as in `date.weekday()`.
WEEKDAYS: dict[str, int] = _forms({
    0: "monday mon", 1: "tuesday tue tues", 2: "wednesday wed weds",
    3: "thursday thu thur thurs", 4: "friday fri", 5: "saturday sat", 6: "sunday sun",
})  # fmt: skip

# Before a weekday: 1 = the given day of next calendar week; None = the nearest such day.
WEEKDAY_MODIFIERS: dict[str, int | None] = {"next": 1, **_each("this coming upcoming", None)}
# Before "week": 0 = this week, 1 = next week.
WEEK_MODIFIERS: dict[str, int] = {"this": 0, "next": 1}

MONTHS: dict[str, int] = _forms({
    1: "january jan", 2: "february feb", 3: "march mar", 4: "april apr", 5: "may",
    6: "june jun", 7: "july jul", 8: "august aug", 9: "september sep sept",
    10: "october oct", 11: "november nov", 12: "december dec",
})  # fmt: skip

CARDINALS: dict[str, int] = _forms({
    0: "zero", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
    8: "eight", 9: "nine", 10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen",
    14: "fourteen", 15: "fifteen", 16: "sixteen", 17: "seventeen", 18: "eighteen",
    19: "nineteen",
})  # fmt: skip
TENS: dict[str, int] = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}

# Ordinals name days ("the first of December", "December twenty-first").
ORDINALS: dict[str, int] = _forms({
    1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
    8: "eighth", 9: "ninth", 10: "tenth", 11: "eleventh", 12: "twelfth", 13: "thirteenth",
    14: "fourteenth", 15: "fifteenth", 16: "sixteenth", 17: "seventeenth", 18: "eighteenth",
    19: "nineteenth", 20: "twentieth", 30: "thirtieth",
})  # fmt: skip

# Units after "in" and "for": elapsed minutes, or calendar days or months.
UNITS: dict[str, tuple[str, int]] = {
    **_each("minute minutes min mins", ("minutes", 1)),
    **_each("hour hours hr hrs h", ("minutes", 60)),
    **_each("day days", ("days", 1)),
    **_each("week weeks wk wks", ("days", 7)),
    **_each("fortnight fortnights", ("days", 14)),
    **_each("month months", ("months", 1)),
}
MINUTE_WORDS = frozenset({"minute", "minutes", "min", "mins"})

PARTS_OF_DAY: dict[str, PartOfDay] = {
    "morning": PartOfDay.MORNING,
    "afternoon": PartOfDay.AFTERNOON,
    "evening": PartOfDay.EVENING,
    "night": PartOfDay.NIGHT,
    **_each("noon midday", PartOfDay.NOON),
    "midnight": PartOfDay.MIDNIGHT,
}
MERIDIEMS = frozenset({"am", "pm"})

# A number right after one of these is an hour, even without a date ("at 10", "around 9").
TIME_MARKERS = _words("at around about approximately approx roughly circa ca from")
# A range's end: "9 to 11", "9 till 11", "between 9 and 11" ("and" only after "between").
RANGE_WORDS = _words("to till til until through thru")
# Words that carry no time: politeness and hedging around the phrase.
FILLERS = TIME_MARKERS | _words(
    "on the of maybe perhaps probably possibly how what works work lets let say shall we i "
    "suggest propose would could can do does is its it be good fine sounds suits me us please "
    "pls ok okay so then yes yeah sure best ideally preferably hmm ish oclock"
)
# "works for me": "for" followed by one of these is politeness, not a duration.
FOR_WHOM = _words("me us you everyone all both")

# Every word some rule reads; the rest are reported as not understood.
KNOWN_WORDS: frozenset[str] = frozenset(
    {*RELATIVE_DAYS, *WEEKDAYS, *WEEKDAY_MODIFIERS, *WEEK_MODIFIERS, *MONTHS, *CARDINALS,
     *TENS, *ORDINALS, *UNITS, *PARTS_OF_DAY, *MERIDIEMS, *FILLERS, *RANGE_WORDS, *FOR_WHOM,
     "week", "in", "for", "between", "and", "a", "an", "half", "quarter", "past", "day",
     "after", "before", "now", "couple", "or"}
)  # fmt: skip
