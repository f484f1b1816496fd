"""The typed settings that are no meeting time: a reminder's offset ("3 dni"), the digest's
days and hour ("1, 15 8:00") and a report's period ("sty.–cze. 2026").

Read here, where the text comes in (handlers and the command line), so that storage takes
values: minutes, days and an hour, a `Period`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from storage.errors import DomainError, Problem
from storage.figures import Period
from storage.reminders import DAY, MAX_OFFSET
from storage.words import CARDINALS, FRACTIONS, MONTHS, fold_text

# Units as typed, folded (no diacritics): "3 dni", "2h", "1 godz.", "2 tyg.", "30 min.".
_OFFSET_UNITS = (
    "d|dn|dni|dzien|doba|doby|dob|h|g|godz|godzina|godzine|godzinke|godziny|godzin|m|min|"
    "minut|minuta|minute|minuty|t|tyg|tydz|tydzien|tygodnie|tygodni|"
    "day|days|hour|hours|minute|minutes|week|weeks"
)
# The amount may be a word ("dwa dni", "pół godziny") or left out ("godzinę", "tydzień").
_OFFSET = re.compile(rf"^(?:(\d+(?:[.,]\d+)?)\s*|([a-z]+)\s+)?({_OFFSET_UNITS})\.?$")
_UNIT_MINUTES = {"d": DAY, "h": 60, "g": 60, "m": 1, "t": 7 * DAY, "w": 7 * DAY}


def parse_offset(text: str) -> int:
    """Minutes from "3 dni", "2h", "30 min.", "1 tydzień", "2 tyg.", "pół godziny"; refuses
    zero, negative, > 30 days."""
    match = _OFFSET.match(" ".join(fold_text(text).split()))
    if match is None:
        raise DomainError(Problem.OFFSET_INVALID)
    number, word, unit = match.groups()
    amount = _offset_amount(number or word, unit)
    key = "t" if unit.startswith(("t", "w")) else unit[0]
    minutes = round(amount * _UNIT_MINUTES[key])
    if minutes <= 0 or timedelta(minutes=minutes) > MAX_OFFSET:
        raise DomainError(Problem.OFFSET_INVALID)
    return minutes


def _offset_amount(text: str | None, unit: str) -> float:
    if text is None:
        if len(unit) == 1:  # "h" alone is no offset
            raise DomainError(Problem.OFFSET_INVALID)
        return 1
    if text[0].isdigit():
        return float(text.replace(",", "."))
    amount = CARDINALS.get(text, FRACTIONS.get(text))
    if amount is None:
        raise DomainError(Problem.OFFSET_INVALID)
    return amount


_DIGEST_TIME = re.compile(r"(?:^|\s)(?:o\s+)?(\d{1,2})[:.](\d{2})\s*$")


def parse_digest(text: str) -> tuple[list[int], str]:
    """Days of the month and an hour: "1, 15 8:00" -> ([1, 15], "08:00")."""
    match = _DIGEST_TIME.search(text.lower())
    if match is None:
        raise DomainError(Problem.DIGEST_INVALID)
    head = text[: match.start()]
    if re.sub(r"[\d\s,;.i]", "", head.lower()):
        raise DomainError(Problem.DIGEST_INVALID)
    days = sorted({int(d) for d in re.findall(r"\d+", head)})
    hour, minute = int(match.group(1)), int(match.group(2))
    # Up to the 28th: every month has it.
    if not days or len(days) > 4 or not all(1 <= d <= 28 for d in days) or hour > 23 or minute > 59:
        raise DomainError(Problem.DIGEST_INVALID)
    return days, f"{hour:02d}:{minute:02d}"


_FIRST_YEAR, _LAST_YEAR = 2000, 2100

_ISO_DAY = r"\d{4}-\d{1,2}-\d{1,2}"
# Day first, with dots, slashes or dashes: "1.01.2026", "1/01/2026", "1-01-2026".
_POLISH_DAY = r"\d{1,2}[./-]\d{1,2}[./-]\d{4}"
_DAY = re.compile(rf"{_ISO_DAY}|{_POLISH_DAY}")
# What may stand between two dates: dashes, "..", "do", "to", "–".
_BETWEEN = re.compile(r"^\s*(?:-|–|—|\.\.|do|to|od)?\s*$", re.IGNORECASE)
_MONTH = re.compile(r"^(?:(\d{1,2})[./-](\d{4})|(\d{4})-(\d{1,2}))$")


def _invalid(text: str) -> DomainError:
    return DomainError(Problem.REPORT_PERIOD_INVALID, text=text)


def _read_day(token: str, text: str) -> date:
    parts = re.split(r"[./-]", token)
    # ISO starts with the year, Polish writing with the day.
    year, month, day = (int(part) for part in (parts if len(parts[0]) == 4 else parts[::-1]))
    try:
        found = date(year, month, day)
    except ValueError:
        raise _invalid(text) from None
    if not _FIRST_YEAR <= found.year <= _LAST_YEAR:
        raise _invalid(text)
    return found


def _month(year: int, month: int, text: str) -> Period:
    if not (1 <= month <= 12 and _FIRST_YEAR <= year <= _LAST_YEAR):
        raise _invalid(text)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(date(year, month, 1), following - timedelta(days=1))


def _month_names(text: str) -> Period | None:
    """ "sty 2026", "sty.–cze. 2026", "od stycznia do czerwca 2026", "grudzień 2025 – luty
    2026": whole months by name (abbreviated or not); None if the text is not of this form."""
    words = fold_text(text).replace(".", " ").replace("-", " - ").split()
    if words[:1] == ["od"]:
        words = words[1:]
    words = ["-" if word == "do" else word for word in words]
    shape = "".join(
        "m" if word in MONTHS else "y" if word.isdigit() and len(word) == 4 else word
        for word in words
    )
    if shape == "my":
        first = last = (int(words[1]), MONTHS[words[0]])
    elif shape == "m-my":
        first, last = (int(words[3]), MONTHS[words[0]]), (int(words[3]), MONTHS[words[2]])
    elif shape == "my-my":
        first, last = (int(words[1]), MONTHS[words[0]]), (int(words[4]), MONTHS[words[3]])
    else:
        return None
    start, end = _month(*first, text).start, _month(*last, text).end
    if end < start:
        raise _invalid(text)
    return Period(start, end)


def parse_period(text: str, today: date) -> Period:
    """ "" (this year so far), "2026", "01.2026" / "2026-01", one day, two days
    ("1.01.2026 – 30.06.2026", "1/01/2026-30/06/2026", "2026-01-01 - 2026-06-30") or months
    by name ("sty.–cze. 2026"). Otherwise REPORT_PERIOD_INVALID."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return Period(date(today.year, 1, 1), today)
    if cleaned.isdigit() and len(cleaned) == 4:
        year = int(cleaned)
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            raise _invalid(text)
        return Period(date(year, 1, 1), date(year, 12, 31))
    month = _MONTH.match(cleaned)
    if month:
        m1, y1, y2, m2 = month.groups()
        return _month(int(y1 or y2), int(m1 or m2), text)
    named = _month_names(cleaned)
    if named is not None:
        return named
    tokens = _DAY.findall(cleaned)
    rest = _DAY.split(cleaned)
    if not 1 <= len(tokens) <= 2 or not all(_BETWEEN.match(part) for part in rest):
        raise _invalid(text)
    days = [_read_day(token, text) for token in tokens]
    start, end = days[0], days[-1]
    if end < start:
        raise _invalid(text)
    return Period(start, end)
