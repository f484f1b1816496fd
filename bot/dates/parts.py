"""What a phrase says, before it is placed in time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.dates.lexicon import PartOfDay


class ParseError(Exception):
    """The phrase is not a valid date or time; the message says why (English, diagnostics)."""


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "triple" | "clock" | "pair" | "int" | "word"
    text: str
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class RelativeDate:
    days: int = 0
    months: int = 0


@dataclass(frozen=True, slots=True)
class WeekdayDate:
    weekday: int
    week: int | None  # None: the nearest such day; 0: this week; 1: next week


@dataclass(frozen=True, slots=True)
class CalendarDate:
    day: int
    month: int
    year: int | None


DateSpec = RelativeDate | WeekdayDate | CalendarDate


@dataclass(frozen=True, slots=True)
class Clock:
    hour: int  # as said, before the part of day shifts it ("o 2 po południu": 2)
    offset: int  # minutes to add; negative for "wpół do", "za kwadrans"


@dataclass(slots=True)
class Parts:
    date: DateSpec | None = None
    clock: Clock | None = None
    part_of_day: PartOfDay | None = None
    week: int | None = None  # "w przyszłym tygodniu", waiting for its weekday
    elapsed: timedelta | None = None  # "za 3 godziny"
    bare_hour: bool = False  # a plain number read as an hour ("jutro 9")
    # "15.12" or "13.30", decided once the whole phrase is read; True if after "o"/"godz."
    pairs: list[tuple[Token, bool]] = field(default_factory=list)
