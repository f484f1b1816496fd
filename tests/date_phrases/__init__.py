"""Issue 17 date phrases, Polish and English, with expectations written by hand.

The phrases were written from the spec (/tmp/spec17.md) and from how members type on a
phone, not from the grammar, so that they measure it rather than mirror it.

- `pl_dev`, `en_dev`: the grammar is developed and unit-tested against these
  (tests/test_date_phrases.py).
- `pl_holdout`, `en_holdout`: ONLY `python -m bench.dates` reads them, and reports their
  failures as counts and phrases. Grammar authors must not open them: a holdout tuned on is
  no longer a holdout.

A row is `(category, phrase, now, status, start, end, reading[, alternative])`: start and end
are Europe/Warsaw wall times "YYYY-MM-DD HH:MM" (see `tests.test_dates.local`) or None, end is
given for ranges only, reading is "afternoon" or None (as typed), and the optional
alternative is the weekday's reading of a CONFLICT row (required there, absent elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from bot.dates.model import Reading, When, WhenStatus
from tests.test_dates import local

WEEKDAY_DATE = "weekday+date"
SEPARATORS = "separators"
ABBREVIATIONS = "abbreviations/ordinals"
FILLERS = "fillers/politeness"
AFTERNOON = "afternoon hours"
RANGES = "ranges"
RELATIVE = "relative"
EVERYDAY = "everyday"
BAD = "bad input"
CATEGORIES = (
    WEEKDAY_DATE,
    SEPARATORS,
    ABBREVIATIONS,
    FILLERS,
    AFTERNOON,
    RANGES,
    RELATIVE,
    EVERYDAY,
    BAD,
)
LANGUAGES = ("pl", "en")
PARTS = ("dev", "holdout")

# Short names for the tables.
OK = WhenStatus.OK
NEEDS = WhenStatus.NEEDS_TIME
INVALID = WhenStatus.INVALID
PAST = WhenStatus.PAST
GAP = WhenStatus.NONEXISTENT
CONFLICT = WhenStatus.CONFLICT
PM = "afternoon"

Row = (
    tuple[str, str, datetime, WhenStatus, str | None, str | None, str | None]
    | tuple[str, str, datetime, WhenStatus, str | None, str | None, str | None, str]
)


@dataclass(frozen=True)
class Phrase:
    category: str
    phrase: str
    now: datetime
    status: WhenStatus
    start: datetime | None  # aware Europe/Warsaw; None for invalid/nonexistent
    end: datetime | None  # ranges only
    reading: Reading
    alternative: datetime | None  # CONFLICT only: the weekday's reading
    language: str
    part: str

    @property
    def id(self) -> str:
        return f"{self.language} {self.now:%Y-%m-%d %H:%M} {self.phrase!r}"


def _moment(text: str | None) -> datetime | None:
    return local(text) if text else None


def phrases(rows: list[Row], language: str, part: str) -> list[Phrase]:
    """The rows as `Phrase`s; a malformed row raises, so a typo in a table cannot pass quietly."""
    result = []
    for row in rows:
        category, text, now, status, start, end, reading = row[:7]
        alternative = row[7] if len(row) == 8 else None
        where = f"{language}_{part}: {text!r}"
        if category not in CATEGORIES:
            raise ValueError(f"{where}: unknown category {category!r}")
        if reading not in (None, PM):
            raise ValueError(f"{where}: reading is 'afternoon' or None")
        if (start is None) != (status in (INVALID, GAP)):
            raise ValueError(f"{where}: a start is given exactly when the moment exists")
        if (alternative is None) == (status is CONFLICT):
            raise ValueError(f"{where}: an alternative is given exactly for CONFLICT")
        result.append(
            Phrase(
                category,
                text,
                now,
                status,
                _moment(start),
                _moment(end),
                Reading.AFTERNOON if reading else Reading.AS_TYPED,
                _moment(alternative),
                language,
                part,
            )
        )
    return result


def load(language: str, part: str) -> list[Phrase]:
    """One set, e.g. `load("pl", "dev")`; holdout sets are for bench/dates.py only."""
    if language not in LANGUAGES or part not in PARTS:
        raise ValueError(f"no set {language}_{part}")
    module = import_module(f"{__name__}.{language}_{part}")
    return phrases(module.ROWS, language, part)


def same_moment(value: datetime | None, expected: datetime | None) -> bool:
    """Same wall time and same UTC offset (so the autumn fold counts), or both None."""
    if value is None or expected is None:
        return value is None and expected is None
    return (
        value.replace(tzinfo=None) == expected.replace(tzinfo=None)
        and value.utcoffset() == expected.utcoffset()
    )


def differences(phrase: Phrase, result: When) -> list[str]:
    """What of `result` differs from the row: status, start, end, reading, CONFLICT's other."""
    found = []
    if result.status != phrase.status:
        found.append(f"status {result.status} != {phrase.status}")
    if not same_moment(result.value, phrase.start):
        found.append(f"start {result.value} != {phrase.start}")
    if not same_moment(result.end, phrase.end):
        found.append(f"end {result.end} != {phrase.end}")
    if result.reading != phrase.reading:
        found.append(f"reading {result.reading} != {phrase.reading}")
    # The alternative is checked for CONFLICT only: for an afternoon hour the spec leaves
    # open whether a gone morning is None or the next one.
    if phrase.status is CONFLICT and not same_moment(result.alternative, phrase.alternative):
        found.append(f"alternative {result.alternative} != {phrase.alternative}")
    return found


def matches(phrase: Phrase, result: When) -> bool:
    return not differences(phrase, result)
