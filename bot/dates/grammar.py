"""Tokenizer and grammar: Polish text -> `Parts` (what was said, not yet placed in time).

Every token must be understood or be a filler word; anything else makes the phrase invalid,
so gibberish is never half-read into a date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from bot.dates import lexicon as lx
from bot.dates.parts import (
    CalendarDate,
    Clock,
    DateSpec,
    MonthDay,
    NoSuchMoment,
    ParseError,
    Parts,
    PendingPair,
    RelativeDate,
    Token,
    WeekdayDate,
)

MAX_LENGTH = 160
# Far enough for any meeting, small enough that date arithmetic cannot overflow.
MAX_ELAPSED = timedelta(days=366)
MAX_DAYS = 3660

_SUFFIXES = sorted(lx.HOUR_SUFFIXES + lx.DAY_SUFFIXES, key=len, reverse=True)
_TOKEN_RE = re.compile(
    # One separator throughout: "15.12.2026", "7/01/2027"; not "10.30-12.00".
    r"(?P<triple>\d+([./-])\d+\2\d+)"
    r"|(?P<clock>\d+:\d+)"
    r"|(?P<pair>\d+[.,/]\d+)"
    # "9-11" or "7-01"; not "10-11:30" (an hour, then a range to a clock).
    r"|(?P<dpair>\d{1,2}-\d{1,2})(?![\d:/-]|[.,]\d)"
    r"|(?P<int>\d+)(?:-?(?P<suffix>" + "|".join(_SUFFIXES) + r")(?![a-z]))?"
    r"|(?P<dash>-)"
    r"|(?P<word>[a-z]+)"
)
_PAIR_SPLIT_RE = re.compile(r"[.,/-]")
_CLOCK_SPLIT_RE = re.compile(r"[:.,]")
_TRIPLE_SPLIT_RE = re.compile(r"[./-]")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(lx.fold_text(text)):
        if match["int"] is not None:
            tokens.append(Token("int", match["int"], match["suffix"] or ""))
            continue
        # The outer group closes last, so a triple is "triple", not its separator's group.
        tokens.append(Token(match.lastgroup or "word", match.group()))
    return tokens


def known(token: Token) -> bool:
    """Whether the grammar has a use for the token (numbers always do)."""
    return token.kind != "word" or token.text in lx.KNOWN_WORDS


# Words of a message as people see them: split at spaces, punctuation trimmed at the edges.
_CHUNK_RE = re.compile(r"\S+")
_EDGE_PUNCTUATION = ".,;:!?()[]{}<>\"'`«»„“”‚‘’*_~/\\|-–—…"
MAX_NOT_UNDERSTOOD, MAX_UNDERSTOOD, MAX_WORD = 5, 10, 30
# A refusal lists words from the start of a long text only; it need not read 5,000 characters.
ANNOTATED_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class Chunk:
    start: int  # the word without its edge punctuation, as offsets into the original text
    end: int
    known: bool  # every token is one the grammar reads (a lone "–" or "?" counts as known)
    filler: bool = False  # only filler words ("w", "o", "pasuje"): no date or time alone


def chunks(text: str) -> Iterator[Chunk]:
    for match in _CHUNK_RE.finditer(text):
        raw = match.group()
        core = raw.strip(_EDGE_PUNCTUATION)
        start = match.start() + (raw.find(core) if core else 0)
        tokens = tokenize(core) if core else []
        if not tokens:  # punctuation, emoji: no word, nothing to understand
            yield Chunk(start, start, True)
            continue
        filler = all(token.text in lx.FILLERS for token in tokens)
        yield Chunk(start, start + len(core), all(known(token) for token in tokens), filler)


def annotate(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of a refused phrase the grammar knows, and (at most 5, each shortened to 30
    characters) those it does not: "czwartek xyz" -> ("czwartek",), ("xyz",)."""
    understood: list[str] = []
    not_understood: list[str] = []
    for chunk in chunks(text[:ANNOTATED_LENGTH]):
        if chunk.start == chunk.end:
            continue
        word = text[chunk.start : chunk.end]
        if chunk.known and len(understood) < MAX_UNDERSTOOD:
            understood.append(word)
        elif not chunk.known and len(not_understood) < MAX_NOT_UNDERSTOOD:
            short = word if len(word) <= MAX_WORD else word[: MAX_WORD - 1] + "…"
            not_understood.append(short)
        if len(understood) >= MAX_UNDERSTOOD and len(not_understood) >= MAX_NOT_UNDERSTOOD:
            break
    return tuple(understood), tuple(not_understood)


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
    lx.check_date(day, month, year, NoSuchMoment)
    return CalendarDate(day, month, year)


def clock(hour: int, minute: int, padded: bool = False) -> Clock:
    if not 0 <= hour <= 24 or not 0 <= minute <= 59 or (hour == 24 and minute):
        raise NoSuchMoment(f"no such time: {hour}:{minute:02d}")
    return Clock(hour, minute, padded)


def _clock_text(text: str) -> Clock:
    """ "10:30", "10.30", "04:00" (padded: meant as typed)."""
    hour, minute = _CLOCK_SPLIT_RE.split(text)
    if len(hour) > 2 or len(minute) != 2:
        raise NoSuchMoment(f"no such time: {text}")
    return clock(int(hour), int(minute), padded=len(hour) == 2 and hour[0] == "0")


def _can_be_date(first: str, second: str) -> bool:
    return len(first) <= 2 and len(second) <= 2 and 1 <= int(second) <= 12 and int(first) >= 1


# A weekday said with one of these is checked against it ("czwartek 10 grudnia", "jutro,
# czwartek"); with "za tydzień" it would not be the same day, so relative days are limited.
def _checkable(spec: DateSpec) -> bool:
    if isinstance(spec, RelativeDate):
        return not spec.months and -2 <= spec.days <= 3
    return isinstance(spec, CalendarDate | MonthDay)


class _Parser:
    __slots__ = ("clock_end", "i", "marked", "pair_end", "parts", "tokens")

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.marked = False  # the previous token was "o", "godz." or similar
        self.parts = Parts()
        # Token indexes right after the last time and the last pair: a range may follow.
        self.clock_end = -1
        self.pair_end = -1

    # -- helpers -------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.i + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def word(self, ahead: int = 0) -> str:
        token = self.peek(ahead)
        return token.text if token is not None and token.kind == "word" else ""

    def set_date(self, spec: DateSpec) -> None:
        current = self.parts.date
        if current is None:
            self.parts.date = spec
            return
        weekday, other = (current, spec) if isinstance(current, WeekdayDate) else (spec, current)
        if isinstance(weekday, WeekdayDate) and _checkable(other) and self.parts.weekday is None:
            # Checked against each other once placed in time (CONFLICT if they disagree).
            self.parts.weekday, self.parts.date = weekday, other
            return
        raise ParseError("two dates")

    def set_clock(self, value: Clock) -> None:
        if self.parts.clock is not None:
            raise ParseError("two times")
        self.parts.clock = value
        self.clock_end = self.i

    def set_part_of_day(self, value: lx.PartOfDay) -> None:
        if self.parts.part_of_day not in (None, value):
            raise ParseError("two parts of day")
        self.parts.part_of_day = value

    # -- the phrase ----------------------------------------------------------------------

    def run(self) -> None:
        while (token := self.peek()) is not None:
            is_word = token.kind == "word"
            if (token.kind == "dash" or token.text in lx.RANGE_WORDS) and self.range_rule():
                continue
            if token.kind == "dash":  # between a date and a time: a separator
                self.i += 1
                continue
            if is_word and token.text in lx.DURATION_WORDS and self.duration_rule():
                continue
            if is_word and token.text in lx.FILLERS:
                self.i += 1
                self.marked = token.text in lx.TIME_MARKERS
                continue
            marked, self.marked = self.marked, False
            if is_word:
                self.word_rule(token.text)
            elif token.kind == "int":
                self.number_rule(token, marked)
            elif token.kind == "clock":
                self.i += 1
                self.set_clock(_clock_text(token.text))
            elif token.kind in ("pair", "dpair"):
                self.i += 1
                self.parts.pairs.append(PendingPair(token, marked))
                self.pair_end = self.i
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
            self.part_of_day_rule(lx.PARTS_OF_DAY[word], 1)
        elif (word, self.word(1)) in lx.PARTS_OF_DAY_AFTER:
            self.part_of_day_rule(lx.PARTS_OF_DAY_AFTER[word, self.word(1)], 2)
        elif word in ("wpol", "pol") and self.word(1) == "do":
            self.i += 2
            self.set_clock(Clock(self.hour_or_fail(), -30))
        elif (hour := self.hour_word()) is not None:
            self.set_clock(clock(hour, self.trailing_minutes(allow_number=True)))
        elif word in lx.DAY_WORDS:
            self.day_word_rule()
        elif word in lx.MONTHS and self.month_first_rule():
            pass
        elif not self.minutes_past_rule():
            raise ParseError(f"unknown word: {word}")

    def part_of_day_rule(self, part: lx.PartOfDay, length: int) -> None:
        # "od 9 rano do 11": the range still follows its start.
        follows_clock = self.clock_end == self.i
        self.i += length
        self.set_part_of_day(part)
        if follows_clock:
            self.clock_end = self.i

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
        if token.suffix in lx.DAY_SUFFIXES:  # "15-go" alone: the nearest 15th
            if not 1 <= value <= 31:
                raise NoSuchMoment(f"no such day: {token.text}")
            self.i += 1
            self.set_date(MonthDay(value))
            return
        if len(token.text) > 2 or value > 24:
            raise NoSuchMoment(f"not an hour: {token.text}")
        self.i += 1
        padded = len(token.text) == 2 and token.text[0] == "0"
        self.set_clock(clock(value, self.trailing_minutes(allow_number=marked), padded))
        if not marked and not token.suffix:
            self.parts.bare_hour = True

    def day_word_rule(self) -> None:
        """ "pierwszego grudnia", "dwudziestego czwartego grudnia", "pierwszego" alone."""
        day = self.day_word()
        month = lx.MONTHS.get(self.word()) or lx.ROMAN_MONTHS.get(self.word())
        if month is None:
            self.set_date(MonthDay(day))
            return
        self.i += 1
        self.set_date(calendar_date(day, month, self.year()))

    def day_word(self) -> int:
        day = lx.DAY_WORDS[self.word()]
        self.i += 1
        unit = lx.DAY_WORDS.get(self.word(), 0)
        if day in (20, 30) and 1 <= unit <= 9:
            day += unit
            self.i += 1
        return day

    def month_first_rule(self) -> bool:
        """ "w grudniu 20-go", "grudnia dwudziestego": the month before its day."""
        month = lx.MONTHS[self.word()]
        token = self.peek(1)
        if token is not None and token.kind == "int" and token.suffix in lx.DAY_SUFFIXES:
            self.i += 2
            day = int(token.text)
        elif self.word(1) in lx.DAY_WORDS:
            self.i += 1
            day = self.day_word()
        else:
            return False
        self.set_date(calendar_date(day, month, self.year()))
        return True

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
            found = self.quantity()
            if found is None:
                raise ParseError("'za' without a unit")
            totals[found[0]] += found[1]
            if self.word() == "i":
                self.i += 1
                continue
            following = self.peek()
            if (
                following is not None
                and following.kind == "int"
                and (following.suffix == "h" or self.word(1) in lx.UNITS)
            ):
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
                raise NoSuchMoment("too far ahead")
            self.parts.elapsed = timedelta(minutes=minutes)
            return
        if days != int(days) or months != int(months) or days > MAX_DAYS or months > 120:
            raise NoSuchMoment("relative days must be whole and not too far ahead")
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

    # -- ranges and durations ------------------------------------------------------------

    def range_rule(self) -> bool:
        """ "od 9 do 11", "9 - 11", "10:00-11:30", "10.30-12.00": the end after a time."""
        if self.i == self.clock_end and self.parts.end is None:
            self.i += 1
            self.parts.end = self.end_clock()
            if self.parts.end.padded or self.tokens[self.i - 1].kind == "clock":
                self.parts.bare_hour = False  # "10-11:30" is clearly about hours
            return True
        if self.i == self.pair_end and self.parts.pairs[-1].end is None:
            self.i += 1
            self.parts.pairs[-1].end = self.end_clock()
            return True
        return False

    def end_clock(self) -> Clock:
        token = self.peek()
        if token is None:
            raise ParseError("a range without an end")
        if token.kind in ("clock", "pair") and "/" not in token.text:
            self.i += 1
            return _clock_text(token.text)
        if token.kind == "int" and token.suffix not in lx.DAY_SUFFIXES and len(token.text) <= 2:
            self.i += 1
            padded = len(token.text) == 2 and token.text[0] == "0"
            return clock(int(token.text), 0, padded)
        if token.text in lx.END_WORDS:  # "do południa": noon exactly, not a 12-hour reading
            self.i += 1
            return Clock(lx.END_WORDS[token.text], 0, padded=True)
        hour = self.hour_word()
        if hour is None:
            raise ParseError("a range without an end")
        return clock(hour, self.trailing_minutes(allow_number=True))

    def duration_rule(self) -> bool:
        """ "przez dwie godziny", "na półtorej godziny", "na godzinę i kwadrans"."""
        start = self.i
        self.i += 1
        minutes = 0.0
        while True:
            before = self.i
            found = self.quantity()
            if found is None or found[0] != "minutes":
                self.i = before
                break
            minutes += found[1]
            if self.word() != "i":
                break
            self.i += 1
        if not minutes:
            self.i = start
            return False
        if self.word(-1) == "i":  # "na godzinę i" followed by no amount
            self.i -= 1
        if self.parts.duration is not None:
            raise ParseError("two durations")
        self.parts.duration = timedelta(minutes=minutes)
        return True

    # -- numbers -------------------------------------------------------------------------

    def quantity(self) -> tuple[str, float] | None:
        """ "2 dni", "półtorej godziny", "kwadrans", "2h": the unit's kind and the amount in
        minutes, days or months; None (nothing consumed) if there is none."""
        start = self.i
        token = self.peek()
        if token is not None and token.kind == "int" and token.suffix == "h":
            self.i += 1
            return "minutes", int(token.text) * 60
        amount = self.amount()
        unit = lx.UNITS.get(self.word())
        if unit is None:
            self.i = start
            return None
        self.i += 1
        kind, factor = unit
        return kind, (1 if amount is None else amount) * factor

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
        if token.kind == "pair" and "/" not in token.text:  # "za 1,5 godziny"
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

    # -- "15.12", "13.30", "9-11" --------------------------------------------------------

    def resolve_pairs(self) -> None:
        pending = self.parts.pairs
        for index, pair in enumerate(pending):
            if self.pair_is_time(pair, later=index + 1 < len(pending)):
                self.pair_time(pair)
            else:
                self.pair_date(pair)

    def pair_is_time(self, pair: PendingPair, later: bool) -> bool:
        """After "o"/"godz." or with a date elsewhere, a time; with a time elsewhere, or before
        another pair ("15.12 10.30"), a date; a dashed pair with a weekday is a range
        ("wtorek 9-11"); otherwise a date unless it cannot be one ("13.30", "9.00")."""
        text = pair.token.text
        if "/" in text:
            return False
        spec = self.parts.date
        if pair.marked or (spec is not None and not isinstance(spec, WeekdayDate)):
            return True
        if self.parts.clock is not None or later:
            return False
        if pair.token.kind == "dpair" and spec is not None:
            return True
        return not _can_be_date(*_PAIR_SPLIT_RE.split(text))

    def pair_time(self, pair: PendingPair) -> None:
        text = pair.token.text
        if pair.token.kind == "pair":
            self.set_clock(_clock_text(text))
            end = pair.end
        else:  # "9-11": whole hours
            first, second = text.split("-")
            self.set_clock(clock(int(first), 0, padded=first[0] == "0" and len(first) == 2))
            end = clock(int(second), 0, padded=second[0] == "0" and len(second) == 2)
            if pair.end is not None:
                raise ParseError(f"a range with two ends: {text}")
        if end is not None:
            if self.parts.end is not None:
                raise ParseError("two ranges")
            self.parts.end = end

    def pair_date(self, pair: PendingPair) -> None:
        if pair.end is not None:
            raise ParseError("a range of dates is not a time")
        first, second = _PAIR_SPLIT_RE.split(pair.token.text)
        if len(first) > 2 or len(second) > 2:
            raise NoSuchMoment(f"no such date: {pair.token.text}")
        self.set_date(calendar_date(int(first), int(second), None))


def _triple_date(text: str) -> CalendarDate:
    """ "15.12.2026", "15-12-26", "2026-12-15", "7/01/2027"."""
    first, second, third = _TRIPLE_SPLIT_RE.split(text)
    if len(first) == 4 and len(second) <= 2 and len(third) <= 2:
        return calendar_date(int(third), int(second), int(first))
    if len(first) <= 2 and len(second) <= 2 and len(third) in (2, 4):
        year = int(third) + (2000 if len(third) == 2 else 0)
        return calendar_date(int(first), int(second), year)
    raise NoSuchMoment(f"not a date: {text}")
