"""What a phrase says, before it is placed in time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.dates.lexicon import PartOfDay


class ParseError(Exception):
    """The phrase is not a valid date or time; the message says why (English, diagnostics)."""


class NoSuchMoment(ParseError):
    """The phrase is read, but names no moment: "32 grudnia", "25:00", "rano o 20". Its words
    are not searched for a shorter phrase ("o 10" of "32 grudnia o 10")."""


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "triple" | "clock" | "pair" | "dpair" | "int" | "dash" | "word"
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


@dataclass(frozen=True, slots=True)
class MonthDay:
    """ "15-go" alone: the nearest 15th, this month or the next that has it."""

    day: int


DateSpec = RelativeDate | WeekdayDate | CalendarDate | MonthDay


@dataclass(frozen=True, slots=True)
class Clock:
    hour: int  # as said, before the part of day shifts it ("o 2 po południu": 2)
    offset: int  # minutes to add; negative for "wpół do", "za kwadrans"
    padded: bool = False  # "04:00": a leading zero means the hour is meant as typed


@dataclass(slots=True)
class PendingPair:
    """ "15.12", "13.30" or "9-11", decided once the whole phrase is read."""

    token: Token
    marked: bool  # after "o"/"godz."
    end: Clock | None = None  # "10.30-12.00": the end of a range after it


@dataclass(slots=True)
class Parts:
    date: DateSpec | None = None
    clock: Clock | None = None
    part_of_day: PartOfDay | None = None
    week: int | None = None  # "w przyszłym tygodniu", waiting for its weekday
    elapsed: timedelta | None = None  # "za 3 godziny"
    bare_hour: bool = False  # a plain number read as an hour ("jutro 9")
    # A weekday said together with a date ("czwartek 10 grudnia"): checked against it.
    weekday: WeekdayDate | None = None
    end: Clock | None = None  # "od 9 do 11", "9-11"
    duration: timedelta | None = None  # "przez 2 godziny"
    pairs: list[PendingPair] = field(default_factory=list)
