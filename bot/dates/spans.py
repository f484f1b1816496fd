"""Events over several days, typed as people do: "15 grudnia 9:00 – 16 grudnia 15:00",
"od 15.12 9:00 do 16.12 15:00".

A range within one day ("wtorek 9:00–15:00", "od 14 do 16") is the grammar's own (`When.end`);
this reads only two whole moments joined by a dash or "do", the second naming its day. The
end is read on its own (a date without a year is the nearest to come), so one before the
start stays before it: the caller refuses it, as it refuses a span too long for its event.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from bot.dates.grammar import parse_parts
from bot.dates.model import When
from bot.dates.parts import ParseError
from bot.dates.resolve import parse_when

_FROM = re.compile(r"^\s*od\s+", re.IGNORECASE)
_JOIN = re.compile(r"\s+(?:[-–—]|do)\s+|\s*[–—]\s*", re.IGNORECASE)


def _names_day(text: str) -> bool:
    """ "16 grudnia 15:00", "16.12 o 15": a day and an hour, not an hour alone ("15:00")."""
    try:
        parts = parse_parts(text)
    except ParseError:
        return False
    return parts.date is not None and parts.clock is not None


def parse_span(text: str, now: datetime, language: str = "pl") -> When | None:
    """The start of a span over days, its `end` on another day; None when `text` is no such
    span (Polish only: anything else is read as before)."""
    if language == "en":
        return None
    body = _FROM.sub("", text.strip())
    for join in _JOIN.finditer(body):
        left, right = body[: join.start()].strip(), body[join.end() :].strip()
        if not left or not _names_day(right) or not _names_day(left):
            continue
        start = parse_when(left, now, language)
        end = parse_when(right, now, language)
        if start.value is None or start.end is not None or end.value is None or end.end:
            continue
        return replace(start, end=end.value, source=None)
    return None


_HOURS = re.compile(
    r"^\s*(?P<number>\d{1,3}(?:[.,]\d{1,2})?)\s*(?P<unit>h|godz\.?|godzin[ay]?|godzina|"
    r"hours?|min\.?|minut[ay]?|minutes?)?\s*$",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^\s*(?P<hours>\d{1,2}):(?P<minutes>[0-5]\d)\s*$")


def parse_hours(text: str) -> int | None:
    """How long someone took part, in minutes: "1,5", "1.5 h", "2 godziny", "90 min", "1:30";
    None for anything else (the caller says how to write it)."""
    clock = _CLOCK.match(text)
    if clock:
        return int(clock["hours"]) * 60 + int(clock["minutes"])
    found = _HOURS.match(text)
    if found is None:
        return None
    number = float(found["number"].replace(",", "."))
    if (found["unit"] or "").lower().startswith("min"):
        return round(number)
    return round(number * 60)
