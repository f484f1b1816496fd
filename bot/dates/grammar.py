"""Tokenizer and grammar: Polish text -> `Parts` (what was said, not yet placed in time).

Every token must be understood or be a filler word; anything else makes the phrase invalid,
so gibberish is never half-read into a date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.dates import lexicon as lx
from bot.dates.parts import (
    CalendarDate,
    Clock,
    DateSpec,
    ParseError,
    Parts,
    RelativeDate,
    Token,
    WeekdayDate,
)

MAX_LENGTH = 120
# Far enough for any meeting, small enough that date arithmetic cannot overflow.
MAX_ELAPSED = timedelta(days=366)
MAX_DAYS = 3660
MIN_YEAR, MAX_YEAR = 1900, 2200

_TOKEN_RE = re.compile(
    r"(?P<triple>\d+[./-]\d+[./-]\d+)"
    r"|(?P<clock>\d+:\d+)"
    r"|(?P<pair>\d+[.,]\d+)"
    r"|(?P<int>\d+)(?:-?(?P<suffix>"
    + "|".join(lx.HOUR_SUFFIXES + lx.DAY_SUFFIXES)
    + r")(?![a-z]))?"
    r"|(?P<word>[a-z]+)"
)
_PAIR_SPLIT_RE = re.compile(r"[.,]")
_TRIPLE_SPLIT_RE = re.compile(r"[./-]")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(lx.fold_text(text)):
        kind = match.lastgroup
        if kind in ("int", "suffix"):
            tokens.append(Token("int", match["int"], match["suffix"] or ""))
        else:
            tokens.append(Token(kind or "word", match.group()))
    return tokens


def parse_parts(text: str) -> Parts:
    if len(text) > MAX_LENGTH:
        raise ParseError("too long")
    tokens = tokenize(text)
    if not tokens:
        raise ParseError("empty")
    parser = _Parser(tokens)
    parser.run()
    parser.resolve_pairs()
    return parser.parts


def calendar_date(day: int, month: int, year: int | None) -> CalendarDate:
    """Checks the day fits the month (and the year, if given); never repairs it."""
    if not 1 <= month <= 12 or not 1 <= day <= lx.MONTH_DAYS[month]:
        raise ParseError(f"no such date: {day}.{month}")
    if year is not None:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ParseError(f"year out of range: {year}")
        try:
            date(year, month, day)
        except ValueError:
            raise ParseError(f"no such date: {day}.{month}.{year}") from None
    return CalendarDate(day, month, year)


def clock(hour: int, minute: int) -> Clock:
    if not 0 <= hour <= 24 or not 0 <= minute <= 59 or (hour == 24 and minute):
        raise ParseError(f"no such time: {hour}:{minute:02d}")
    return Clock(hour, minute)


class _Parser:
    __slots__ = ("i", "marked", "parts", "tokens")

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.marked = False  # the previous token was "o", "godz." or similar
        self.parts = Parts()

    # -- helpers -------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.i + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def word(self, ahead: int = 0) -> str:
        token = self.peek(ahead)
        return token.text if token is not None and token.kind == "word" else ""

    def set_date(self, spec: DateSpec) -> None:
        if self.parts.date is not None:
            raise ParseError("two dates")
        self.parts.date = spec

    def set_clock(self, value: Clock) -> None:
        if self.parts.clock is not None:
            raise ParseError("two times")
        self.parts.clock = value

    def set_part_of_day(self, value: lx.PartOfDay) -> None:
        if self.parts.part_of_day not in (None, value):
            raise ParseError("two parts of day")
        self.parts.part_of_day = value

    # -- the phrase ----------------------------------------------------------------------

    def run(self) -> None:
        while (token := self.peek()) is not None:
            if token.kind == "word" and token.text in lx.FILLERS:
                self.i += 1
                self.marked = token.text in lx.TIME_MARKERS
                continue
            marked, self.marked = self.marked, False
            if token.kind == "word":
                self.word_rule(token.text)
            elif token.kind == "int":
                self.number_rule(token, marked)
            elif token.kind == "clock":
                self.i += 1
                hour, minute = token.text.split(":")
                if len(hour) > 2 or len(minute) != 2:
                    raise ParseError(f"no such time: {token.text}")
                self.set_clock(clock(int(hour), int(minute)))
            elif token.kind == "pair":
                self.i += 1
                self.parts.pairs.append((token, marked))
            else:
                self.i += 1
                self.set_date(_triple_date(token.text))

    def word_rule(self, word: str) -> None:
        if word == "za":
            self.za_rule()
        elif word in lx.RELATIVE_DAYS:
            self.i += 1
            self.set_date(RelativeDate(days=lx.RELATIVE_DAYS[word]))
        elif word in lx.WEEKDAYS:
            self.i += 1
            self.set_date(WeekdayDate(lx.WEEKDAYS[word], None))
        elif (word in lx.WEEKDAY_MODIFIERS or word in lx.WEEK_MODIFIERS) and self.modifier_rule():
            pass
        elif word in lx.PARTS_OF_DAY:
            self.i += 1
            self.set_part_of_day(lx.PARTS_OF_DAY[word])
        elif (word, self.word(1)) in lx.PARTS_OF_DAY_AFTER:
            self.set_part_of_day(lx.PARTS_OF_DAY_AFTER[word, self.word(1)])
            self.i += 2
        elif word in ("wpol", "pol") and self.word(1) == "do":
            self.i += 2
            self.set_clock(Clock(self.hour_or_fail(), -30))
        elif (hour := self.hour_word()) is not None:
            self.set_clock(clock(hour, self.trailing_minutes(allow_number=True)))
        elif word in lx.DAY_WORDS:
            self.day_word_rule()
        elif not self.minutes_past_rule():
            raise ParseError(f"unknown word: {word}")

    def modifier_rule(self) -> bool:
        """ "w przyszły wtorek", "najbliższa środa", "w przyszłym tygodniu"."""
        modifier, noun = self.word(), self.word(1)
        if noun in lx.WEEKDAYS and modifier in lx.WEEKDAY_MODIFIERS:
            self.i += 2
            self.set_date(WeekdayDate(lx.WEEKDAYS[noun], lx.WEEKDAY_MODIFIERS[modifier]))
            return True
        if noun in lx.WEEK_NOUNS and modifier in lx.WEEK_MODIFIERS:
            self.i += 2
            if self.parts.week is not None:
                raise ParseError("two weeks")
            self.parts.week = lx.WEEK_MODIFIERS[modifier]
            return True
        return False

    def number_rule(self, token: Token, marked: bool) -> None:
        value = int(token.text)
        following = self.word(1)
        if token.suffix in ("", *lx.DAY_SUFFIXES):
            month = lx.MONTHS.get(following) or lx.ROMAN_MONTHS.get(following)
            if month is not None:
                self.i += 2
                self.set_date(calendar_date(value, month, self.year()))
                return
        if not token.suffix and self.minutes_past_rule():
            return
        if token.suffix in lx.DAY_SUFFIXES:
            raise ParseError(f"a day without a month: {token.text}")
        if len(token.text) > 2 or value > 24:
            raise ParseError(f"not an hour: {token.text}")
        self.i += 1
        self.set_clock(clock(value, self.trailing_minutes(allow_number=marked)))
        if not marked and not token.suffix:
            self.parts.bare_hour = True

    def day_word_rule(self) -> None:
        """ "pierwszego grudnia", "dwudziestego czwartego grudnia"."""
        day = lx.DAY_WORDS[self.word()]
        self.i += 1
        unit = lx.DAY_WORDS.get(self.word(), 0)
        if day in (20, 30) and 1 <= unit <= 9:
            day += unit
            self.i += 1
        month = lx.MONTHS.get(self.word()) or lx.ROMAN_MONTHS.get(self.word())
        if month is None:
            raise ParseError("a day without a month")
        self.i += 1
        self.set_date(calendar_date(day, month, self.year()))

    def year(self) -> int | None:
        token = self.peek()
        if token is not None and token.kind == "int" and len(token.text) == 4:
            self.i += 1
            return int(token.text)
        return None

    def za_rule(self) -> None:
        """ "za kwadrans jedenasta" (a clock time) or "za 2 dni", "za godzinę i 15 minut"."""
        self.i += 1
        start = self.i
        minutes = self.minute_amount()
        if minutes is not None:
            if self.word() in lx.MINUTE_WORDS:
                self.i += 1
            hour = self.hour_word()
            if hour is not None:
                self.set_clock(Clock(hour, -minutes))
                return
        self.i = start
        totals = {"minutes": 0.0, "days": 0.0, "months": 0.0}
        while True:
            amount = self.amount()
            unit = lx.UNITS.get(self.word())
            if unit is None:
                raise ParseError("'za' without a unit")
            self.i += 1
            kind, factor = unit
            totals[kind] += (1 if amount is None else amount) * factor
            if self.word() == "i":
                self.i += 1
                continue
            following = self.peek()
            if following is not None and following.kind == "int" and self.word(1) in lx.UNITS:
                continue
            break
        self.set_relative(**totals)

    def set_relative(self, minutes: float, days: float, months: float) -> None:
        if sum(1 for total in (minutes, days, months) if total) != 1:
            raise ParseError("relative time must be one non-zero kind")
        if minutes:
            if self.parts.elapsed is not None:
                raise ParseError("two relative times")
            if minutes > MAX_ELAPSED.total_seconds() / 60:
                raise ParseError("too far ahead")
            self.parts.elapsed = timedelta(minutes=minutes)
            return
        if days != int(days) or months != int(months) or days > MAX_DAYS or months > 120:
            raise ParseError("relative days must be whole and not too far ahead")
        self.set_date(RelativeDate(days=int(days), months=int(months)))

    def minutes_past_rule(self) -> bool:
        """ "kwadrans po dziesiątej", "10 minut przed 9"."""
        start = self.i
        minutes = self.minute_amount()
        if minutes is not None:
            if self.word() in lx.MINUTE_WORDS:
                self.i += 1
            relation = self.word()
            if relation in ("po", "przed"):
                self.i += 1
                hour = self.any_hour()
                if hour is not None:
                    self.set_clock(Clock(hour, minutes if relation == "po" else -minutes))
                    return True
        self.i = start
        return False

    # -- numbers -------------------------------------------------------------------------

    def cardinal(self) -> int | None:
        """ "trzydzieści", "czterdzieści pięć", "piętnaście"."""
        word = self.word()
        if word in lx.TENS:
            self.i += 1
            unit = lx.CARDINALS.get(self.word(), 0)
            if 1 <= unit <= 9:
                self.i += 1
                return lx.TENS[word] + unit
            return lx.TENS[word]
        if word in lx.CARDINALS:
            self.i += 1
            return lx.CARDINALS[word]
        return None

    def minute_amount(self) -> int | None:
        if self.word() == "kwadrans":
            self.i += 1
            return 15
        token = self.peek()
        if token is not None and token.kind == "int" and not token.suffix:
            if len(token.text) <= 2 and 1 <= int(token.text) <= 59:
                self.i += 1
                return int(token.text)
            return None
        return self.cardinal()

    def amount(self) -> float | None:
        token = self.peek()
        if token is None:
            return None
        if token.kind == "int" and not token.suffix:
            self.i += 1
            return int(token.text)
        if token.kind == "pair":  # "za 1,5 godziny"
            self.i += 1
            return float(token.text.replace(",", "."))
        if token.text in lx.FRACTIONS:
            self.i += 1
            return lx.FRACTIONS[token.text]
        return self.cardinal()

    def hour_word(self) -> int | None:
        """ "dziewiątej", "dwudziestej pierwszej"."""
        hour = lx.HOUR_WORDS.get(self.word())
        if hour is None:
            return None
        self.i += 1
        unit = lx.HOUR_WORDS.get(self.word(), 0)
        if hour == 20 and 1 <= unit <= 4:
            self.i += 1
            hour += unit
        return hour

    def any_hour(self) -> int | None:
        hour = self.hour_word()
        if hour is not None:
            return hour
        token = self.peek()
        if (
            token is not None
            and token.kind == "int"
            and token.suffix not in lx.DAY_SUFFIXES
            and len(token.text) <= 2
            and int(token.text) <= 24
        ):
            self.i += 1
            return int(token.text)
        return None

    def hour_or_fail(self) -> int:
        hour = self.any_hour()
        if hour is None:
            raise ParseError("'wpół do' without an hour")
        return hour

    def trailing_minutes(self, allow_number: bool) -> int:
        """Minutes after an hour: "siedemnastej trzydzieści", "o 17 30"."""
        minutes = self.cardinal()
        if minutes is not None:
            return minutes
        token = self.peek()
        if (
            allow_number
            and token is not None
            and token.kind == "int"
            and not token.suffix
            and len(token.text) == 2
            and self.word(1) not in lx.MONTHS
            and self.word(1) not in lx.ROMAN_MONTHS
        ):
            self.i += 1
            return int(token.text)
        return 0

    # -- "15.12" or "13.30" --------------------------------------------------------------

    def resolve_pairs(self) -> None:
        """A weekday or date elsewhere makes a pair a time; a time elsewhere makes it a date;
        after "o"/"godz." it is a time; alone it is a date unless it cannot be one."""
        for token, marked in self.parts.pairs:
            first, second = _PAIR_SPLIT_RE.split(token.text)
            if marked or self.parts.date is not None:
                as_time = True
            elif self.parts.clock is not None:
                as_time = False
            else:
                as_time = len(second) == 2 and int(second) > 12
            if as_time:
                if len(first) > 2 or len(second) != 2:
                    raise ParseError(f"no such time: {token.text}")
                self.set_clock(clock(int(first), int(second)))
            else:
                if len(first) > 2 or len(second) > 2:
                    raise ParseError(f"no such date: {token.text}")
                self.set_date(calendar_date(int(first), int(second), None))


def _triple_date(text: str) -> CalendarDate:
    """ "15.12.2026", "15-12-26", "2026-12-15"."""
    first, second, third = _TRIPLE_SPLIT_RE.split(text)
    if len(first) == 4 and len(second) <= 2 and len(third) <= 2:
        return calendar_date(int(third), int(second), int(first))
    if len(first) <= 2 and len(second) <= 2 and len(third) in (2, 4):
        year = int(third) + (2000 if len(third) == 2 else 0)
        return calendar_date(int(first), int(second), year)
    raise ParseError(f"not a date: {text}")
