"""English date phrases, for members who use the bot in English.

`parse_english("tomorrow at 9", now)` -> `When(OK, <tomorrow 09:00 in now's zone>)`;
`find_english(text, now)` finds such a phrase inside a longer message.

Our own grammar (tables in `english_lexicon`, the strictness and the placing in time of the
Polish one), not dateparser. Decided side by side on the same phrases, dateparser 1.5 with
DMY order, future preference and the phrase's `now` and zone, scored leniently (any hour on
the right day for `needs_time`, None for `invalid`), this grammar strictly (status and value):

    phrases                                 dateparser   ours
    tests/test_dates_english.py (208)       80 (38%)     208
    tests/date_phrases/en_dev.py (73)       33 (45%)     73

dateparser reads "Friday at 10" as 10 November, "January 7th at 11" as 2111, "12/25" as
12 October 2125, "tomorrow at 25:00" and "tomorrow at 13pm" as tomorrow at the current time,
and "7/01 at 9", "half past nine", "how about Friday at 9?" not at all; it has no notion of
"at 3" meaning 15:00 or of a weekday that disagrees with its date. Behind strict checks it
would still need our tokens, our word list and our own reading of the hour, i.e. this
grammar, plus its 60 ms import. Speed (281 phrases, warm): median 0.025 ms, p95 0.04 ms
(dateparser 0.6 / 1.0 ms). The module is imported only for an English phrase: import + first
call costs Polish users nothing (~40 ms for bot.dates as before) and English ones ~55 ms.
`find_english` takes ~0.3 ms on an ordinary message and at most ~40 ms on 5,000 characters of
hostile text (it reads at most 500 spans, then gives up).

Choices (as in Polish, bot/dates/__init__.py, unless said):
- Day first always: "7/01", "7.01", "7-01", "07.01.2027"; "12/25" is invalid, not 25 December.
- An hour from 1 to 6 without am/pm, a part of day or a leading zero is the afternoon ("at 3"
  is 15:00, `reading` AFTERNOON, `alternative` the 03:00 reading if that is still ahead).
- "next Friday" is the Friday of next calendar week; "this/coming Friday" the nearest one.
- "the 11th" without a month is the nearest 11th (today counts); "Friday the 11th" checks
  the weekday: a weekday and a date (or "tomorrow") that disagree give CONFLICT.
- "midnight" is the midnight that ends the day; "12am" is 00:00 at its start, "12pm" noon.
- "20 to 10" and "twenty to ten" are 9:40; "9 to 11" and "from 9 to 11" are ranges.
- A range's end is the first such hour after its start ("from 11 to 1" ends at 13:00), on the
  same day or the next morning; "9-11am" gives the start the end's am/pm when that fits.
- Hedging and politeness around the phrase are ignored ("how about Friday at 9ish?"); any
  other word makes the phrase invalid, reported in `understood` / `not_understood`.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo

from bot.dates import english_lexicon as lx
from bot.dates.lexicon import PartOfDay, add_months, check_date, shift_hour
from bot.dates.model import Reading, When, WhenStatus

MAX_LENGTH = 160
MAX_ELAPSED = timedelta(days=366)
MAX_DURATION = timedelta(hours=24)
MAX_DAYS = 3660
DAY_MINUTES = 24 * 60
HALF_DAY = 12 * 60
MAX_LISTED, MAX_WORD = 5, 30  # refusals: at most 5 unknown words, each cut to 30 characters
# find_english: the longest span tried, and how many spans at most (a bound on odd input).
MAX_SPAN_WORDS, MAX_ATTEMPTS = 12, 500

ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_NUMBER = (
    r"(?:(?P<triple>\d+([./-])\d+\2\d+)|(?P<clock>\d+:\d+)|(?P<slash>\d+/\d+)"
    r"|(?P<pair>\d+[.,]\d+)|(?P<int>\d+))"
    r"(?:-?(?P<suffix>am|pm|h|ish|st|nd|rd|th)(?![a-z]))?"
)
_TOKEN_RE = re.compile(rf"{_NUMBER}|(?P<dash>-)|(?P<word>[a-z]+)")
_AMPM_RE = re.compile(r"(?<![a-z])([ap])\.m\b\.?")
_WIDE = str.maketrans({"’": "'", "‘": "'", "–": "-", "—": "-", "‑": "-", "−": "-"})
_WORD_RE = re.compile(r"\S+")
_EDGES = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum()) + "“”‘’«»…–—"


class ParseError(Exception):
    """The phrase is not a valid date or time; the message says why (English, diagnostics)."""


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "triple" | "clock" | "slash" | "pair" | "int" | "dash" | "word"
    text: str
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class Relative:
    days: int = 0
    months: int = 0


@dataclass(frozen=True, slots=True)
class Weekday:
    weekday: int
    week: int | None  # None: the nearest such day; 0: this week; 1: next week


@dataclass(frozen=True, slots=True)
class Calendar:
    day: int
    month: int | None  # None: "the 11th", the nearest month that has it
    year: int | None


@dataclass(frozen=True, slots=True)
class Clock:
    hour: int  # as said, before am/pm or a part of day shifts it
    offset: int = 0  # minutes to add; negative for "quarter to"
    meridiem: str | None = None  # "am" | "pm"
    typed: bool = False  # "04:00", noon, midnight: never the afternoon reading


@dataclass(slots=True)
class Said:
    """What a phrase says, before it is placed in time."""

    date: Relative | Calendar | None = None
    weekday: Weekday | None = None
    week: int | None = None  # "next week", waiting for its weekday
    clock: Clock | None = None
    end: Clock | None = None  # "from 9 to 11"
    duration: timedelta | None = None  # "for two hours"
    part: PartOfDay | None = None
    elapsed: timedelta | None = None  # "in 3 hours"
    bare: bool = False  # a plain number read as an hour ("tomorrow 9")
    # "15.12" (a date) or "13.30" (a time), and "7-01" (a date) or "9-11" (hours), decided
    # once the whole phrase is read; True if after "at" or similar.
    pairs: list[tuple[Token, bool]] = field(default_factory=list)
    dashes: list[tuple[Token, Token, bool]] = field(default_factory=list)


# -- reading ----------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Lower-case ASCII: "9 A.M." -> "9 am", "o’clock" -> "oclock", "let's" -> "lets"."""
    folded = text.lower()
    if not folded.isascii():
        folded = "".join(
            char if char.isascii() else " "
            for char in unicodedata.normalize("NFKD", folded.translate(_WIDE))
            if not unicodedata.combining(char)
        )
    folded = folded.replace("o'clock", "oclock").replace("'", "")
    return _AMPM_RE.sub(r"\1m", folded)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(normalize(text)):
        for kind in ("triple", "clock", "slash", "pair", "int", "dash", "word"):
            if match[kind] is not None:
                tokens.append(Token(kind, match[kind], match["suffix"] or ""))
                break
    return tokens


def _number(text: str) -> int:
    if len(text) > 4:
        raise ParseError(f"number too long: {text[:10]}")
    return int(text)


def _clock_of(hour: int, minute: int, typed: bool = False) -> Clock:
    if not 0 <= hour <= 24 or not 0 <= minute <= 59 or (hour == 24 and minute):
        raise ParseError(f"no such time: {hour}:{minute:02d}")
    return Clock(hour, minute, typed=typed)


def _split_time(text: str) -> Clock:
    """ "10:30", "04.00": a leading zero means the hour is read as typed."""
    hour, minute = re.split(r"[:.,]", text)
    if len(hour) > 2 or len(minute) != 2:
        raise ParseError(f"no such time: {text}")
    return _clock_of(int(hour), int(minute), typed=_leading_zero(hour))


def _leading_zero(hour: str) -> bool:
    """ "04:00", "04": written to be read as typed."""
    return len(hour) == 2 and hour[0] == "0"


def _calendar(day: int, month: int | None, year: int | None) -> Calendar:
    """Checks the day fits the month (and the year, if given); never repairs it."""
    if month is None:
        if not 1 <= day <= 31:
            raise ParseError(f"no such day: {day}")
        return Calendar(day, None, None)
    check_date(day, month, year, ParseError)
    return Calendar(day, month, year)


def _triple_date(text: str) -> Calendar:
    """ "07.01.2027", "7/1/27", "2027-01-07"."""
    first, second, third = re.split(r"[./-]", text)
    if len(first) == 4 and len(second) <= 2 and len(third) <= 2:
        return _calendar(int(third), int(second), int(first))
    if len(first) <= 2 and len(second) <= 2 and len(third) in (2, 4):
        year = int(third) + (2000 if len(third) == 2 else 0)
        return _calendar(int(first), int(second), year)
    raise ParseError(f"not a date: {text}")


def _day_month(first: str, second: str) -> Calendar:
    """ "7/01", "7-01", "15.12": day first, always."""
    if len(first) > 2 or len(second) > 2:
        raise ParseError(f"not a date: {first}/{second}")
    return _calendar(int(first), int(second), None)


class _Parser:
    __slots__ = ("clock_at", "i", "marked", "ranged", "said", "tokens")

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.marked = False  # the previous word was "at", "around", "from"...
        self.ranged = False  # after "from"/"between": "9 to 11" is a range, "and" ends it
        self.clock_at = -1  # the index just after the last clock ("12 noon")
        self.said = Said()

    # -- helpers ------------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.i + ahead
        return self.tokens[index] if 0 <= index < len(self.tokens) else None

    def word(self, ahead: int = 0) -> str:
        token = self.peek(ahead)
        return token.text if token is not None and token.kind == "word" else ""

    def plain_int(self, ahead: int = 0) -> int | None:
        """An integer without a suffix, at most two digits."""
        token = self.peek(ahead)
        if token is None or token.kind != "int" or token.suffix or len(token.text) > 2:
            return None
        return int(token.text)

    def set_date(self, value: Relative | Calendar) -> None:
        if self.said.date is not None:
            raise ParseError("two dates")
        self.said.date = value

    def set_weekday(self, value: Weekday) -> None:
        if self.said.weekday is not None:
            raise ParseError("two weekdays")
        self.said.weekday = value

    def set_clock(self, value: Clock) -> None:
        if self.said.clock is not None:
            raise ParseError("two times")
        self.said.clock = value
        self.clock_at = self.i

    def set_part(self, value: PartOfDay) -> None:
        if self.said.part not in (None, value):
            raise ParseError("two parts of day")
        self.said.part = value

    def set_week(self, value: int) -> None:
        if self.said.week is not None:
            raise ParseError("two weeks")
        self.said.week = value

    # -- the phrase ---------------------------------------------------------------------------

    def run(self) -> Said:
        while (token := self.peek()) is not None:
            marked, self.marked = self.marked, False
            if token.kind == "word":
                self.word_rule(token.text, marked)
            elif token.kind == "dash":
                raise ParseError("a dash without numbers")
            elif token.kind in ("triple", "slash"):
                if token.suffix:
                    raise ParseError(f"not a date: {token.text}{token.suffix}")
                self.i += 1
                text = token.text
                self.set_date(
                    _triple_date(text) if token.kind == "triple" else _day_month(*text.split("/"))
                )
            else:
                self.number_rule(marked)
        if self.marked:  # "Friday at": the hour it promises is missing
            raise ParseError(f"'{self.word(-1)}' without an hour")
        self.resolve_pairs()
        return self.said

    def word_rule(self, word: str, marked: bool) -> None:
        if word in lx.FILLERS:
            self.i += 1
            self.marked = word in lx.TIME_MARKERS
            self.ranged = self.ranged or word == "from"
        elif word == "between":
            self.i += 1
            self.marked = self.ranged = True
        elif word == "for":
            self.for_rule()
        elif word == "in":
            self.in_rule()
        elif word in lx.RELATIVE_DAYS:
            self.i += 1
            self.set_date(Relative(days=lx.RELATIVE_DAYS[word]))
            if word == "tonight":
                self.set_part(PartOfDay.EVENING)
        elif word == "day":
            self.day_rule()
        elif word in lx.WEEKDAYS:
            self.i += 1
            self.set_weekday(Weekday(lx.WEEKDAYS[word], None))
        elif word in lx.WEEKDAY_MODIFIERS and self.modifier_rule():
            pass
        elif word in lx.PARTS_OF_DAY:
            self.part_rule(word)
        elif word in lx.MONTHS:
            self.month_rule()
        elif (ordinal := self.ordinal_word()) is not None:
            after_the = self.word(-1) == "the"
            self.i += ordinal[1]
            self.day_of_month_rule(ordinal[0], needs_the=not after_the)
        elif word in lx.CARDINALS or word in lx.TENS or word in ("a", "an", "half", "quarter"):
            self.number_rule(marked)
        elif word == "or" and self.word(1) == "so":  # "at 9 or so": hedging
            self.i += 2
        elif word in lx.RANGE_WORDS:
            raise ParseError(f"'{word}' without the hour it starts at")
        else:
            raise ParseError(f"unknown word: {word}")

    def day_rule(self) -> None:
        """ "the day after tomorrow", "the day before yesterday"."""
        phrase = (self.word(1), self.word(2))
        days = {("after", "tomorrow"): 2, ("before", "yesterday"): -2}.get(phrase)
        if days is None:
            raise ParseError("'day' without 'after tomorrow'")
        self.i += 3
        self.set_date(Relative(days=days))

    def modifier_rule(self) -> bool:
        """ "next Friday", "this coming Friday", "next week", "this morning"."""
        modifier, noun = self.word(), self.word(1)
        if modifier == "this" and noun in ("coming", "upcoming"):
            self.i += 1
            modifier, noun = noun, self.word(1)
        if noun in lx.WEEKDAYS:
            self.i += 2
            self.set_weekday(Weekday(lx.WEEKDAYS[noun], lx.WEEKDAY_MODIFIERS[modifier]))
            return True
        if noun == "week" and modifier in lx.WEEK_MODIFIERS:
            self.i += 2
            self.set_week(lx.WEEK_MODIFIERS[modifier])
            return True
        if modifier == "this" and noun in ("morning", "afternoon", "evening"):
            self.i += 2
            self.set_date(Relative())
            self.set_part(lx.PARTS_OF_DAY[noun])
            return True
        return False

    def part_rule(self, word: str) -> None:
        """ "in the morning"; noon and midnight are hours of their own unless after one."""
        part = lx.PARTS_OF_DAY[word]
        self.i += 1
        if part not in (PartOfDay.NOON, PartOfDay.MIDNIGHT) or self.clock_at == self.i - 1:
            self.set_part(part)
            return
        self.set_clock(Clock(12 if part is PartOfDay.NOON else 24, typed=True))
        self.range_rule()

    def month_rule(self) -> None:
        """ "January 7th", "Jan 7, 2027", "December the 11th"."""
        month = lx.MONTHS[self.word()]
        self.i += 1
        if self.word() == "the":
            self.i += 1
        token = self.peek()
        if token is not None and token.kind == "int" and token.suffix in ("", *ORDINAL_SUFFIXES):
            self.i += 1
            day = _number(token.text)
        elif (ordinal := self.ordinal_word()) is not None:
            self.i += ordinal[1]
            day = ordinal[0]
        else:
            raise ParseError("a month without a day")
        self.set_date(_calendar(day, month, self.year()))

    def day_of_month_rule(self, day: int, needs_the: bool = False) -> None:
        """After "7th" or "seventh": "of January", "January", or alone ("the 11th")."""
        if self.word() == "of" and self.word(1) in lx.MONTHS:
            self.i += 1
        month = lx.MONTHS.get(self.word())
        if month is not None:
            self.i += 1
            self.set_date(_calendar(day, month, self.year()))
            return
        # "first" or "second" alone is rarely a day; "the first" is.
        if needs_the:
            raise ParseError("an ordinal without a month")
        self.set_date(_calendar(day, None, None))

    def ordinal_word(self) -> tuple[int, int] | None:
        """ "first", "twenty-first", "twenty first": the day and how many tokens it takes."""
        word = self.word()
        if word in lx.ORDINALS:
            return lx.ORDINALS[word], 1
        if word in lx.TENS:
            ahead = 2 if self.is_dash(1) else 1
            unit = lx.ORDINALS.get(self.word(ahead), 0)
            if 1 <= unit <= 9:
                return lx.TENS[word] + unit, ahead + 1
        return None

    def is_dash(self, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token is not None and token.kind == "dash"

    def year(self) -> int | None:
        token = self.peek()
        if token is not None and token.kind == "int" and len(token.text) == 4:
            self.i += 1
            return _number(token.text)
        return None

    # -- numbers ------------------------------------------------------------------------------

    def number_rule(self, marked: bool) -> None:
        """A number (digits or words): a date, "quarter past 9", "2 days from now", an hour."""
        if self.minutes_rule() or self.relative_from_rule():
            return
        token = self.peek()
        assert token is not None
        if token.kind == "clock":
            self.i += 1
            self.hour_rule(_split_time(token.text), token.suffix, marked)
        elif token.kind == "pair":
            self.pair_rule(token, marked)
        elif token.kind == "int":
            self.int_rule(token, marked)
        elif self.word() == "half" and (hour := self.hour_ahead(1)) is not None:
            self.i += 2  # British "half nine": 9:30
            self.hour_after_words(hour, 30, marked=True)
        elif (value := self.cardinal()) is not None:
            self.hour_after_words(value, self.trailing_minutes(), marked)
        else:
            raise ParseError(f"a number word without a unit: {token.text}")

    def int_rule(self, token: Token, marked: bool) -> None:
        value = _number(token.text)
        if token.suffix in ORDINAL_SUFFIXES:
            self.i += 1
            self.day_of_month_rule(value)
            return
        following = self.word(2) if self.word(1) == "of" else self.word(1)
        if not token.suffix and following in lx.MONTHS:
            self.i += 2 if self.word(1) in lx.MONTHS else 3
            self.set_date(_calendar(value, lx.MONTHS[following], self.year()))
            return
        if len(token.text) > 2 or value > 24:
            raise ParseError(f"not an hour: {token.text}")
        if self.dash_pair(token, marked):
            return
        self.i += 1
        minutes = 0
        after = self.peek()
        if marked and not token.suffix and after is not None and _two_digits(after):
            self.i += 1  # "at 9 30"
            minutes = int(after.text)
        self.hour_rule(
            _clock_of(value, minutes, typed=_leading_zero(token.text)), token.suffix, marked
        )

    def dash_pair(self, token: Token, marked: bool) -> bool:
        """ "7-01" (a date) or "9-11" (hours): decided once the whole phrase is read."""
        dash, right = self.peek(1), self.peek(2)
        if (
            marked
            or token.suffix
            or dash is None
            or dash.kind != "dash"
            or right is None
            or right.kind != "int"
            or right.suffix
            or len(right.text) > 2
            or self.word(3) in (*lx.MERIDIEMS, "oclock", "ish")
        ):
            return False
        self.i += 3
        self.said.dashes.append((token, right, marked))
        return True

    def pair_rule(self, token: Token, marked: bool) -> None:
        """ "4.15pm" and "10.30-11.30" are times; "15.12" and "13.30" wait for the phrase."""
        following = self.peek(1)
        if (
            token.suffix
            or self.word(1) in (*lx.MERIDIEMS, "oclock")
            or (following is not None and following.kind == "dash")
            or self.word(1) in lx.RANGE_WORDS
        ):
            self.i += 1
            self.hour_rule(_split_time(token.text), token.suffix, marked=True)
            return
        self.i += 1
        self.said.pairs.append((token, marked))

    def hour_rule(self, clock: Clock, suffix: str, marked: bool) -> None:
        """After an hour: am/pm, "o'clock", "ish", then perhaps the end of a range."""
        sure = marked or suffix in ("h", "ish")
        meridiem = suffix if suffix in lx.MERIDIEMS else None
        if meridiem is None and self.word() in lx.MERIDIEMS:
            meridiem = self.word()
            self.i += 1
        while self.word() in ("oclock", "ish", "h") or (self.is_dash() and self.word(1) == "ish"):
            self.i += 1 + self.is_dash()
            sure = True
        if suffix in ORDINAL_SUFFIXES:
            raise ParseError("an ordinal is not an hour")
        self.set_clock(replace(clock, meridiem=meridiem))
        if not sure and meridiem is None:
            self.said.bare = True
        self.range_rule()

    def hour_after_words(self, hour: int, minutes: int, marked: bool) -> None:
        if hour > 24:
            raise ParseError(f"not an hour: {hour}")
        self.hour_rule(_clock_of(hour, minutes), "", marked)

    def range_rule(self) -> None:
        """ "9-11", "9 to 11", "between 9 and 11": the end of a range, if one follows."""
        token = self.peek()
        if token is None:
            return
        word = self.word()
        ends = token.kind == "dash" or word in lx.RANGE_WORDS or (word == "and" and self.ranged)
        if not ends:
            return
        self.i += 1
        if self.said.end is not None:
            raise ParseError("two ends")
        self.said.end = self.end_clock()

    def end_clock(self) -> Clock:
        token = self.peek()
        word = self.word()
        if token is None:
            raise ParseError("a range without an end")
        if word in ("noon", "midday", "midnight"):
            self.i += 1
            return Clock(24 if word == "midnight" else 12, typed=True)
        if token.kind == "int" and token.suffix in ("", *lx.MERIDIEMS) and len(token.text) <= 2:
            self.i += 1
            clock = _clock_of(int(token.text), 0, typed=_leading_zero(token.text))
        elif token.kind in ("clock", "pair") and token.suffix in ("", *lx.MERIDIEMS):
            self.i += 1
            clock = _split_time(token.text)
        elif (value := self.cardinal()) is not None:
            if value > 24:
                raise ParseError(f"not an hour: {value}")
            clock = _clock_of(value, self.trailing_minutes())
        else:
            raise ParseError("a range without an end")
        meridiem = token.suffix or None
        if meridiem is None and self.word() in lx.MERIDIEMS:
            meridiem = self.word()
            self.i += 1
        while self.word() in ("oclock", "ish"):
            self.i += 1
        return replace(clock, meridiem=meridiem)

    def minutes_rule(self) -> bool:
        """ "half past nine", "quarter to ten", "10 past 9", "20 to 10", "twenty to ten"."""
        start = self.i
        first = self.peek()
        minutes = self.minute_amount()
        if minutes is not None:
            in_words = first is not None and first.kind == "word"
            if self.word() in lx.MINUTE_WORDS:
                self.i += 1
                in_words = True
            relation = self.word()
            if relation in ("past", "to"):
                self.i += 1
                hour_token = self.peek()
                hour = self.hour_ahead(0)
                if hour is not None and self.minutes_fit(minutes, hour, relation, in_words):
                    assert hour_token is not None
                    self.i += 1
                    offset = minutes if relation == "past" else -minutes
                    self.hour_rule(
                        replace(_clock_of(hour, 0), offset=offset), hour_token.suffix, True
                    )
                    return True
        self.i = start
        return False

    def minutes_fit(self, minutes: int, hour: int, relation: str, in_words: bool) -> bool:
        """ "past" always; "to" when it cannot be a range ("9 to 11" is one, "20 to 10" not)."""
        if relation == "past":
            return True
        if minutes == 30 or self.ranged:  # "half to" is no English; "from 9 to 11" a range
            return False
        return in_words or (13 <= minutes <= 59 and hour < minutes)

    def minute_amount(self) -> int | None:
        if self.word() == "a" and self.word(1) == "quarter":
            self.i += 2
            return 15
        if self.word() in ("quarter", "half"):
            self.i += 1
            return 15 if self.word(-1) == "quarter" else 30
        value = self.plain_int()
        if value is not None:
            self.i += 1
            return value if 1 <= value <= 59 else None
        value = self.cardinal()
        return value if value is not None and 1 <= value <= 59 else None

    def hour_ahead(self, ahead: int) -> int | None:
        """An hour (digits up to 24, or words up to twelve) `ahead` tokens on, without moving."""
        token = self.peek(ahead)
        if token is None:
            return None
        if token.kind == "int" and token.suffix in ("", *lx.MERIDIEMS) and len(token.text) <= 2:
            return int(token.text) if int(token.text) <= 24 else None
        return lx.CARDINALS.get(token.text) if token.kind == "word" else None

    def relative_from_rule(self) -> bool:
        """ "2 days from now", "a week from today", "a week from tomorrow"."""
        start = self.i
        totals = self.amounts()
        base = self.word(1)
        if totals is None or self.word() != "from" or base not in ("now", "today", "tomorrow"):
            self.i = start
            return False
        self.i += 2
        self.set_relative(totals, days=1 if base == "tomorrow" else 0)
        return True

    def cardinal(self) -> int | None:
        """ "three", "thirty", "forty-five", "twenty five"."""
        word = self.word()
        if word in lx.TENS:
            self.i += 1
            ahead = 1 if self.is_dash() else 0
            unit = lx.CARDINALS.get(self.word(ahead), 0)
            if 1 <= unit <= 9:
                self.i += ahead + 1
                return lx.TENS[word] + unit
            return lx.TENS[word]
        if word in lx.CARDINALS:
            self.i += 1
            return lx.CARDINALS[word]
        return None

    def trailing_minutes(self) -> int:
        """Minutes after an hour in words: "nine thirty", "four forty-five"."""
        start = self.i
        value = self.cardinal()
        if value is not None and 10 <= value <= 59:
            return value
        self.i = start
        return 0

    # -- amounts: "in 3 hours", "for an hour and a half" --------------------------------------

    def in_rule(self) -> None:
        self.i += 1
        if self.word() == "the" and self.word(1) in lx.PARTS_OF_DAY:
            self.i += 1
            self.part_rule(self.word())
            return
        totals = self.amounts()
        if totals is None:
            raise ParseError("'in' without an amount of time")
        self.set_relative(totals)

    def for_rule(self) -> None:
        self.i += 1
        if self.word() in lx.FOR_WHOM:  # "works for me"
            self.i += 1
            return
        totals = self.amounts()
        if totals is None or totals["days"] or totals["months"] or not totals["minutes"]:
            raise ParseError("'for' without hours or minutes")
        duration = timedelta(minutes=totals["minutes"])
        if self.said.duration is not None or duration > MAX_DURATION:
            raise ParseError("a duration twice or over a day")
        self.said.duration = duration

    def amounts(self) -> dict[str, float] | None:
        """ "2 hours and 15 minutes", "an hour and a half", "1.5h": totals per kind of unit."""
        start = self.i
        totals = {"minutes": 0.0, "days": 0.0, "months": 0.0}
        found = False
        while True:
            before = self.i
            amount, unit = self.amount()
            if amount is not None and unit is None:
                unit = lx.UNITS.get(self.word())
                self.i += unit is not None
            if amount is None or unit is None:
                self.i = before
                break
            if (self.word(), self.word(1), self.word(2)) == ("and", "a", "half"):
                self.i += 3
                amount += 0.5
            totals[unit[0]] += amount * unit[1]
            found = True
            if self.word() == "and":
                self.i += 1
        if not found:
            self.i = start
            return None
        if self.word(-1) == "and":
            self.i -= 1
        return totals

    def amount(self) -> tuple[float | None, tuple[str, int] | None]:
        """A number before a unit; "2h" brings its unit along."""
        token = self.peek()
        hours = lx.UNITS["hours"]
        if token is None:
            return None, None
        if token.kind in ("int", "pair") and token.suffix in ("", "h"):
            self.i += 1
            value = (
                float(token.text.replace(",", ".")) if token.kind == "pair" else _number(token.text)
            )
            return value, hours if token.suffix == "h" else None
        if token.text == "couple" or (token.text == "a" and self.word(1) == "couple"):
            self.i += 1 if token.text == "couple" else 2
            self.i += self.word() == "of"
            return 2, None
        if token.text in ("a", "an"):
            self.i += 1
            return 1, None
        if token.text == "half" and self.word(1) in ("a", "an"):
            self.i += 2
            return 0.5, None
        counted = self.cardinal()
        return (counted, None) if counted is not None else (None, None)

    def set_relative(self, totals: dict[str, float], days: int = 0) -> None:
        minutes, more_days, months = totals["minutes"], totals["days"], totals["months"]
        if sum(1 for total in (minutes, more_days, months) if total) != 1:
            raise ParseError("relative time must be one non-zero kind")
        if minutes:
            if self.said.elapsed is not None or days:
                raise ParseError("two relative times")
            if minutes > MAX_ELAPSED.total_seconds() / 60:
                raise ParseError("too far ahead")
            self.said.elapsed = timedelta(minutes=minutes)
            return
        if more_days != int(more_days) or months != int(months):
            raise ParseError("relative days must be whole")
        if more_days > MAX_DAYS or months > 120:
            raise ParseError("too far ahead")
        self.set_date(Relative(days=int(more_days) + days, months=int(months)))

    # -- "15.12" or "13.30", "7-01" or "9-11" -------------------------------------------------

    def resolve_pairs(self) -> None:
        """After "at" a pair is a time; a time elsewhere makes it a date; a date or weekday
        elsewhere a time; alone it is a date unless it cannot be one."""
        for token, marked in self.said.pairs:
            first, second = re.split(r"[.,]", token.text)
            if self.pair_is_time(marked, len(second) == 2 and int(second) > 12):
                self.set_clock(_split_time(token.text))
            else:
                self.set_date(_day_month(first, second))
        for left, right, marked in self.said.dashes:
            if self.pair_is_time(marked, not _is_day_month(left.text, right.text)):
                self.set_clock(_clock_of(int(left.text), 0, typed=_leading_zero(left.text)))
                self.said.end = _clock_of(int(right.text), 0, typed=_leading_zero(right.text))
            else:
                self.set_date(_day_month(left.text, right.text))

    def pair_is_time(self, marked: bool, alone: bool) -> bool:
        if marked or self.said.clock is not None:
            return marked
        return self.said.date is not None or self.said.weekday is not None or alone


def _two_digits(token: Token) -> bool:
    return token.kind == "int" and not token.suffix and len(token.text) == 2


def _is_day_month(first: str, second: str) -> bool:
    try:
        _day_month(first, second)
    except ParseError:
        return False
    return True


# -- placing in time --------------------------------------------------------------------------


def _minutes(clock: Clock, part: PartOfDay | None) -> int:
    """Minutes after the day's midnight (1440 = the next midnight), as typed or shifted."""
    hour = clock.hour
    if clock.meridiem is not None:
        if not 1 <= hour <= 12:
            raise ParseError(f"no such time: {hour}{clock.meridiem}")
        hour = hour % 12 + (12 if clock.meridiem == "pm" else 0)
        if part is not None and shift_hour(clock.hour, part, ParseError) != hour:
            raise ParseError(f"{clock.meridiem} does not fit {part.value}")
    else:
        hour = shift_hour(hour, part, ParseError)
    total = hour * 60 + clock.offset
    if not 0 <= total <= DAY_MINUTES:
        raise ParseError("no such time")
    return total


def _afternoon(clock: Clock, part: PartOfDay | None, up_to: int = 6) -> bool:
    """ "at 3" means 15:00 at work: 1 to 6, no am/pm, no part of day, no leading zero.
    (With `up_to=12`: an hour that could be either half of the day.)"""
    plain = part is None and clock.meridiem is None and not clock.typed
    return plain and 1 <= clock.hour <= up_to


def _start(said: Said) -> tuple[int | None, int | None]:
    """The start in minutes of the day, and the morning reading when the afternoon was taken."""
    clock, end = said.clock, said.end
    if clock is None:
        return None, None
    if end is not None and end.meridiem and _afternoon(clock, said.part, up_to=12):
        # "9-11am", "1-2pm", "11-1pm": the start takes the end's half of the day if it fits.
        end_minutes = _minutes(end, None)
        for meridiem in (end.meridiem, "am" if end.meridiem == "pm" else "pm"):
            minutes = _minutes(replace(clock, meridiem=meridiem), None)
            if minutes < end_minutes:
                return minutes, None
        raise ParseError("the range ends before it starts")
    minutes = _minutes(clock, said.part)
    if _afternoon(clock, said.part):
        return minutes + HALF_DAY, minutes
    return minutes, None


def _end(said: Said, start: int) -> int:
    """The first such hour after the start, the same day or the next morning."""
    clock, end = said.clock, said.end
    assert clock is not None and end is not None
    if (end.hour, end.offset, end.meridiem) == (clock.hour, clock.offset, clock.meridiem):
        raise ParseError("the range ends when it starts")
    typed = _minutes(end, said.part)
    ambiguous = end.meridiem is None and said.part is None and not end.typed
    candidates = (typed, typed + HALF_DAY) if ambiguous and 1 <= end.hour <= 12 else (typed,)
    for shift in (0, DAY_MINUTES):
        for candidate in candidates:
            minutes = candidate + shift
            if minutes <= start:
                continue
            if minutes - start >= DAY_MINUTES or (shift and candidate > HALF_DAY):
                break
            return minutes
    raise ParseError("the range must end after its start, by the next morning")


def _at(day: date, minutes: int, zone: tzinfo | None) -> datetime:
    """The wall time; fold=0 picks the first of the two autumn 02:30s."""
    day += timedelta(days=minutes // DAY_MINUTES)
    minutes %= DAY_MINUTES
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=zone)


def _exists(moment: datetime) -> bool:
    zone = moment.tzinfo
    return moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == moment.replace(
        tzinfo=None
    )


def _before(moment: datetime, now: datetime) -> bool:
    # Aware datetimes sharing a tzinfo compare by wall time; compare instants instead.
    return moment.astimezone(UTC) < now.astimezone(UTC)


def _calendar_day(spec: Calendar, today: date) -> date:
    """This year's (or month's), or the next one once today's has passed."""
    if spec.month is None:
        for ahead in range(13):
            year, month = divmod(today.year * 12 + today.month - 1 + ahead, 12)
            if spec.day <= calendar.monthrange(year, month + 1)[1]:
                candidate = date(year, month + 1, spec.day)
                if candidate >= today:
                    return candidate
        raise ParseError(f"no such day: {spec.day}")  # unreachable: every day fits some month
    passed = (spec.month, spec.day) < (today.month, today.day)
    year = spec.year if spec.year is not None else today.year + passed
    try:
        return date(year, spec.month, spec.day)
    except ValueError:
        raise ParseError(f"no such date: {spec.day}.{spec.month}.{year}") from None


def _weekday_day(said: Said, now: datetime, minutes: int | None) -> date:
    spec = said.weekday
    assert spec is not None
    today = now.date()
    if spec.week is not None and said.week is not None and spec.week != said.week:
        raise ParseError("two different weeks")
    week = spec.week if spec.week is not None else said.week
    if week is not None:
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=7 * week + spec.weekday)
    day = today + timedelta(days=(spec.weekday - today.weekday()) % 7)
    if day == today and minutes is not None and _before(_at(day, minutes, now.tzinfo), now):
        day += timedelta(days=7)
    return day


def _day(said: Said, now: datetime, minutes: int | None) -> date:
    today = now.date()
    spec = said.date
    if isinstance(spec, Relative):
        return add_months(today, spec.months) + timedelta(days=spec.days)
    if isinstance(spec, Calendar):
        return _calendar_day(spec, today)
    if said.weekday is not None:
        return _weekday_day(said, now, minutes)
    # An hour alone: today if it is still ahead, else tomorrow.
    if minutes is not None and _before(_at(today, minutes, now.tzinfo), now):
        return today + timedelta(days=1)
    return today


def _when_at(day: date, minutes: int | None, now: datetime) -> When:
    if minutes is None:
        status = WhenStatus.NEEDS_TIME if day >= now.date() else WhenStatus.PAST
        return When(status, datetime(day.year, day.month, day.day, tzinfo=now.tzinfo), "no hour")
    local = _at(day, minutes, now.tzinfo)
    if not _exists(local):
        return When(WhenStatus.NONEXISTENT, None, f"{local:%Y-%m-%d %H:%M} skipped by DST")
    if _before(local, now):
        return When(WhenStatus.PAST, local, "before now")
    return When(WhenStatus.OK, local)


def _elapsed(said: Said, now: datetime) -> When:
    """ "in 3 hours": real hours (added in UTC) across a DST change; seconds dropped."""
    assert said.elapsed is not None
    if said.date or said.weekday or said.clock or said.part or said.week is not None:
        raise ParseError("'in ... hours/minutes' cannot take a date or an hour")
    zone = now.tzinfo
    moment = (now.astimezone(UTC) + said.elapsed).astimezone(zone).replace(second=0, microsecond=0)
    end = None
    if said.duration is not None:
        end = (moment.astimezone(UTC) + said.duration).astimezone(zone)
    return When(WhenStatus.OK, moment, "relative", end=end)


def _resolve(said: Said, now: datetime) -> When:
    if said.elapsed is not None:
        return _elapsed(said, now)
    if said.week is not None and said.weekday is None:
        raise ParseError("a week without a weekday")
    dated = said.date is not None or said.weekday is not None
    if said.bare and not dated and said.part is None:
        raise ParseError("a bare number is not enough")
    if said.end is not None and said.duration is not None:
        raise ParseError("both an end and a duration")
    start, morning = _start(said)
    if start is None and (said.end is not None or said.duration is not None):
        raise ParseError("a range needs the hour it starts")
    if start is None and not dated and said.part is None:
        raise ParseError("neither a date nor a time")
    day = _day(said, now, start)
    result = _when_at(day, start, now)
    if result.value is None:
        return result
    if start is not None:
        result = _with_end(result, said, day, start)
    if morning is not None:
        other = _when_at(_day(said, now, morning), morning, now)
        alternative = other.value if other.status is WhenStatus.OK else None
        result = replace(result, reading=Reading.AFTERNOON, alternative=alternative)
    if said.date is not None and said.weekday is not None and day.weekday() != said.weekday.weekday:
        # The date's reading, and the weekday's as the weekday alone would be read.
        other = _when_at(_weekday_day(said, now, start), start, now)
        result = replace(
            result, status=WhenStatus.CONFLICT, alternative=other.value, reason="weekday and date"
        )
    return result


def _with_end(result: When, said: Said, day: date, start: int) -> When:
    assert result.value is not None
    if said.duration is not None:
        end = (result.value.astimezone(UTC) + said.duration).astimezone(result.value.tzinfo)
        return replace(result, end=end)
    if said.end is None:
        return result
    end = _at(day, _end(said, start), result.value.tzinfo)
    if not _exists(end):
        return When(WhenStatus.NONEXISTENT, None, f"{end:%Y-%m-%d %H:%M} skipped by DST")
    return replace(result, end=end)


# -- the public functions ---------------------------------------------------------------------


def parse_english(text: str, now: datetime) -> When:
    """Reads an English date/time phrase relative to `now` (aware); see the module docstring."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    result = _read(text, now)
    return result if isinstance(result, When) else _refusal(text, result)


def _read(text: str, now: datetime) -> When | str:
    """The reading, or why there is none (find_english tries many spans: no refusal built)."""
    try:
        if len(text) > MAX_LENGTH:
            raise ParseError("too long")
        tokens = tokenize(text)
        if not tokens:
            raise ParseError("empty")
        return _resolve(_Parser(tokens).run(), now)
    except ParseError as error:
        return str(error)
    except (OverflowError, ValueError) as error:  # near year 1 or 9999
        return f"out of range: {error}"


def _known(token: Token) -> bool:
    if token.kind == "word":
        return token.text in lx.KNOWN_WORDS
    return len(token.text) <= 10


def _refusal(text: str, reason: str) -> When:
    """INVALID, with the words a grammar rule knows and (at most 5 of) the others."""
    tokens = tokenize(text[: MAX_LENGTH * 40])
    understood = dict.fromkeys(token.text for token in tokens if _known(token))
    unknown = dict.fromkeys(token.text[:MAX_WORD] for token in tokens if not _known(token))
    return When(
        WhenStatus.INVALID,
        None,
        reason,
        understood=tuple(understood)[:20],
        not_understood=tuple(unknown)[:MAX_LISTED],
    )


_CORE_WORDS = frozenset(
    {*lx.RELATIVE_DAYS, *lx.WEEKDAYS, *lx.MONTHS, *lx.CARDINALS, *lx.TENS, *lx.ORDINALS,
     "noon", "midday", "midnight"}
)  # fmt: skip
_DAY_WORDS = frozenset({*lx.RELATIVE_DAYS, *lx.MONTHS})
MAX_NUMBERS = 5  # "7 January 2027 from 9 to 11" has four


@dataclass(frozen=True, slots=True)
class _Word:
    """A word of a longer message, and what it may bring to a span."""

    start: int
    end: int
    kind: str  # "core" (a date or time in it), "known", "neutral" (punctuation), "unknown"
    days: int = 0  # "tomorrow", "January", "7/01": a span with two of these cannot parse
    weekdays: int = 0
    numbers: int = 0


def _word(text: str, start: int, end: int) -> _Word:
    if end - start > MAX_WORD:
        return _Word(start, end, "unknown")
    tokens = tokenize(text[start:end])
    if not tokens:
        return _Word(start, end, "neutral")
    if not all(_known(token) for token in tokens):
        return _Word(start, end, "unknown")
    core = any(token.kind != "word" or token.text in _CORE_WORDS for token in tokens)
    return _Word(
        start,
        end,
        "core" if core else "known",
        days=sum(t.text in _DAY_WORDS or t.kind in ("triple", "slash") for t in tokens),
        weekdays=sum(t.text in lx.WEEKDAYS for t in tokens),
        numbers=sum(t.kind not in ("word", "dash") for t in tokens),
    )


class _Run:
    """Consecutive words without an unknown one (a span never crosses those), with running
    totals so that a span's cheap checks cost the same at any length."""

    __slots__ = ("core", "days", "numbers", "weekdays", "words")

    def __init__(self, words: list[_Word]) -> None:
        self.words = words
        self.core = _totals(word.kind == "core" for word in words)
        self.days = _totals(word.days for word in words)
        self.weekdays = _totals(word.weekdays for word in words)
        self.numbers = _totals(word.numbers for word in words)

    def worth_reading(self, first: int, last: int) -> bool:
        """A date or time inside, at most one day and one weekday, not too many numbers."""
        stop = last + 1
        return (
            self.words[first].kind != "neutral"
            and self.words[last].kind != "neutral"
            and self.core[stop] > self.core[first]
            and self.days[stop] - self.days[first] <= 1
            and self.weekdays[stop] - self.weekdays[first] <= 1
            and self.numbers[stop] - self.numbers[first] <= MAX_NUMBERS
        )


def _totals(values: Iterable[int]) -> list[int]:
    totals = [0]
    for value in values:
        totals.append(totals[-1] + value)
    return totals


def _runs(words: list[_Word]) -> list[_Run]:
    groups: list[list[_Word]] = [[]]
    for word in words:
        if word.kind == "unknown":
            groups.append([])
        else:
            groups[-1].append(word)
    return [_Run(group) for group in groups if group]


# Reasons that mean the words were read and name no moment (not a missing or extra word).
_NO_MOMENT = ("no such date", "no such time", "pm does not fit", "am does not fit", "hour ")


def find_english(text: str, now: datetime) -> When:
    """A date or time inside a longer message: the whole text if it parses, else the longest
    (then the earliest) run of words that does, with `source` its exact text."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    whole = _read(text, now)
    if isinstance(whole, When):
        return whole
    if whole.startswith(_NO_MOMENT) and not _refusal(text, whole).not_understood:
        # Read, but no moment ("32 December at 10", "morning at 8pm"): a part of it ("at 10")
        # would be a time nobody meant.
        return _refusal(text, whole)
    runs = _runs([_word(text, match.start(), match.end()) for match in _WORD_RE.finditer(text)])
    attempts = 0
    longest = max((len(run.words) for run in runs), default=0)
    for length in range(min(MAX_SPAN_WORDS, longest), 0, -1):
        for run in runs:
            for first in range(len(run.words) - length + 1):
                last = first + length - 1
                if not run.worth_reading(first, last):
                    continue
                attempts += 1
                if attempts > MAX_ATTEMPTS:
                    return _refusal(text, "no date or time found (gave up)")
                source = text[run.words[first].start : run.words[last].end].strip(_EDGES)
                result = _read(source, now)
                if isinstance(result, When):
                    return replace(result, source=source)
    return _refusal(text, whole if len(text) <= MAX_LENGTH else "no date or time found")
