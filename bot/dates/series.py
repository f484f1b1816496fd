"""Repeating meetings typed in one line: "co drugi wtorek o 10", "every Wednesday 1-2pm".

`parse_series` reads only the repetition: which preset of `storage.recurrence` and which weekday
or day of the month. What is left ("o 10", "od 13 do 14") is read by `parse_when` on the day of
each candidate occurrence, so hours, ranges, the afternoon reading and DST follow exactly the
rules of a single meeting. None means the text does not speak of repetition at all: read it
as one meeting. Holidays are the caller's business.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from bot.dates.lexicon import CARDINALS, DAY_WORDS, WEEKDAYS, fold_text
from bot.dates.model import Reading, When, WhenStatus
from bot.dates.resolve import parse_when
from storage.recurrence import Preset

MAX_LENGTH = 200  # longer text is no date phrase; parse_when refuses it quickly
LAST = -1  # "ostatni czwartek": read, then refused (no such preset)
# Enough days to meet every preset's next occurrence (a 1st/3rd weekday within five weeks).
SEARCH_DAYS = 70
PAIRS: dict[tuple[int, ...], Preset] = {(1, 3): Preset.FIRST_THIRD, (2, 4): Preset.SECOND_FOURTH}
INTERVALS = {1: Preset.WEEKLY, 2: Preset.BIWEEKLY}


@dataclass(frozen=True, slots=True)
class SeriesWhen:
    status: WhenStatus  # OK, NEEDS_TIME, INVALID or NONEXISTENT (the first hour falls in a gap)
    preset: Preset | None = None  # None only when INVALID
    # The first occurrence, strictly after now (aware); for NEEDS_TIME its day at 00:00, today
    # included, since the hour is still to come.
    first: datetime | None = None
    duration_minutes: int | None = None  # from a range; None: the team's default
    reason: str = ""  # English, for logs and tests; not for users
    reading: Reading = Reading.AS_TYPED
    # The first occurrence at the morning hour when `reading` is AFTERNOON ("o 4": 04:00).
    alternative: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Words:
    """The vocabulary of one language, folded (lower case, no diacritics)."""

    every: frozenset[str]  # "co", "każdy", "every": a repetition follows
    by_interval: frozenset[str]  # of those, where "<every> 2nd Tuesday" is every other week
    weak: frozenset[str]  # of those, one that means nothing before an unknown word ("co")
    other: frozenset[str]  # "every other Tuesday"
    conj: frozenset[str]
    week: frozenset[str]
    month: frozenset[str]
    # A month word that ends a phrase alone ("1. czwartek miesiąca"); "2 miesiące" is no tail.
    month_tail: frozenset[str]
    day: frozenset[str]  # "15. dnia", "day 15"
    before: frozenset[str]  # prepositions eaten with what follows: "w", "we", "on", "the"
    tail_skip: frozenset[str]  # inside "w każdym miesiącu", "of every month"
    day_skip: frozenset[str]  # after "co miesiąc": "w dniu 15", "on the 15th"
    periods: frozenset[str]  # "co dzień", "every year": no such preset
    adverbs: dict[str, int]  # "tygodniowo" 1, "biweekly" 2 (weeks), "monthly" 0 (a month)
    refused: frozenset[str]  # "codziennie", "daily"
    weekdays: dict[str, int]
    plurals: dict[str, int]  # "we wtorki", "on Tuesdays"
    plurals_after_prep: dict[str, int]  # "w środy" (alone "środy" is "do środy")
    ordinals: dict[str, int]
    amounts: dict[str, int]
    names: tuple[str, ...]  # weekday names that parse_when reads, Monday first


def _table(table: dict[int, str]) -> dict[str, int]:
    return {form: value for value, forms in table.items() for form in forms.split()}


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_PL_ORDINALS = {
    **DAY_WORDS,  # "pierwszy", "piętnastego" (masculine, with the genitive)
    **_table({
        1: "pierwsza pierwsze pierwszej pierwszym", 2: "druga drugie drugiej drugim",
        3: "trzecia trzecie trzeciej trzecim", 4: "czwarta czwarte czwartej czwartym",
        5: "piata piate piatej piatym",
        LAST: "ostatni ostatnia ostatnie ostatniego ostatniej ostatnim",
    }),
}  # fmt: skip

POLISH = _Words(
    every=_set("co kazdy kazda kazde kazdego kazdej kazdym"),
    by_interval=_set("co"),
    weak=_set("co"),
    other=frozenset(),
    conj=_set("i oraz &"),
    week=_set("tydzien tygodnie tygodni tygodnia tygodniu tyg tydz"),
    month=_set("miesiac miesiaca miesiacu miesiace miesiecy mies"),
    month_tail=_set("miesiaca miesiacu mies"),
    day=_set("dnia dniu dzien"),
    before=_set("w we"),
    tail_skip=_set("w we kazdego kazdym co"),
    day_skip=_set("w dniu dnia"),
    periods=_set("dzien dni doba rok roku lata kwartal"),
    adverbs={"tygodniowo": 1, "cotygodniowo": 1, "dwutygodniowo": 2, "miesiecznie": 0,
             "comiesiecznie": 0},
    refused=_set("codziennie dziennie corocznie rocznie kwartalnie"),
    weekdays=WEEKDAYS,
    plurals=_table({0: "poniedzialki", 1: "wtorki", 3: "czwartki", 4: "piatki", 5: "soboty"}),
    plurals_after_prep={"srody": 2},
    ordinals=_PL_ORDINALS,
    amounts=CARDINALS,
    names=("poniedzialek", "wtorek", "sroda", "czwartek", "piatek", "sobota", "niedziela"),
)  # fmt: skip

ENGLISH = _Words(
    every=_set("every each"),
    by_interval=_set("every each"),
    weak=frozenset(),
    other=_set("other"),
    conj=_set("and &"),
    week=_set("week weeks wk wks fortnight"),
    month=_set("month months"),
    month_tail=_set("month"),
    day=_set("day"),
    before=_set("on the"),
    tail_skip=_set("of the every each a per in"),
    day_skip=_set("on the day"),
    periods=_set("day days year years quarter"),
    adverbs={"weekly": 1, "biweekly": 2, "fortnightly": 2, "monthly": 0},
    refused=_set("daily yearly annually quarterly"),
    weekdays=_table({
        0: "monday mon", 1: "tuesday tue tues", 2: "wednesday wed", 3: "thursday thu thur thurs",
        4: "friday fri", 5: "saturday sat", 6: "sunday sun",
    }),
    plurals=_table({
        0: "mondays", 1: "tuesdays", 2: "wednesdays", 3: "thursdays", 4: "fridays",
        5: "saturdays", 6: "sundays",
    }),
    plurals_after_prep={},
    ordinals=_table({1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", LAST: "last"}),
    amounts=_table({1: "one", 2: "two", 3: "three", 4: "four"}),
    names=("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
)  # fmt: skip

# "1.", "1-szy", "3ci", "2nd", "15-go", "15-tego": a number said as an ordinal.
_ORDINAL_SUFFIXES = _set(
    "szy sza sze wszy wsza wsze gi ga gie ci cia cie ty ta te my ma go ego tego st nd rd th"
)
_TOKEN_RE = re.compile(
    r"\d+(?:[:.,]\d+)+"  # 10:00, 13.30, 15.12.2026: times and dates, left to parse_when
    r"|(?P<number>\d{1,4})(?!\d)(?:-?(?P<suffix>[a-z]+))?(?P<dot>\.(?!\d))?"
    r"|\d+"
    r"|(?P<word>[a-z]+|&)"
)
_MONTH_ABBREVIATION_RE = re.compile(r"\bm-ca\b")  # "1. czwartek m-ca"


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    word: str = ""
    number: int | None = None  # a plain number or an ordinal one ("15.", "2nd"), not "10h"


def _tokenize(folded: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN_RE.finditer(folded):
        start, end = match.span()
        if match["word"]:
            tokens.append(_Token(start, end, word=match["word"]))
        elif match["number"]:
            suffix = match["suffix"] or ""
            ordinal = bool(match["dot"]) or suffix in _ORDINAL_SUFFIXES
            number = int(match["number"]) if ordinal or not suffix else None
            tokens.append(_Token(start, end, number=number))
        else:
            tokens.append(_Token(start, end))
    return tokens


class _Reader:
    """Finds the repetition in the tokens and marks the tokens it used."""

    def __init__(self, tokens: list[_Token], words: _Words) -> None:
        self.tokens = tokens
        self.w = words
        self.used = [False] * len(tokens)
        self.weekdays: list[int] = []
        self.interval: int | None = None  # weeks between meetings
        self.nth: tuple[int, ...] | None = None  # "1. i 3. czwartek"
        self.monthly = False
        self.month_day: int | None = None
        self.repeats = False
        self.problem = ""

    # -- facts ---------------------------------------------------------------------------

    def fail(self, reason: str) -> None:
        self.repeats = True
        self.problem = self.problem or reason

    def set_interval(self, weeks: int) -> None:
        self.repeats = True
        if self.interval not in (None, weeks):
            self.fail("two different repetitions")
        self.interval = weeks

    def set_nth(self, values: tuple[int, ...]) -> None:
        self.repeats = True
        if self.nth is not None:
            self.fail("two sets of weekdays of the month")
        self.nth = values

    def set_month_day(self, day: int) -> None:
        self.repeats = self.monthly = True
        if self.month_day not in (None, day):
            self.fail("two days of the month")
        self.month_day = day

    def add_weekday(self, weekday: int) -> None:
        if weekday not in self.weekdays:
            self.weekdays.append(weekday)

    # -- token access --------------------------------------------------------------------

    def word(self, j: int) -> str:
        return self.tokens[j].word if 0 <= j < len(self.tokens) else ""

    def ordinal_at(self, j: int) -> tuple[int, int] | None:
        """(value, index after) of "1.", "3", "2nd", "pierwszy", "dwudziestego piątego"."""
        if j >= len(self.tokens):
            return None
        token = self.tokens[j]
        if token.number is not None:
            return token.number, j + 1
        value = self.w.ordinals.get(token.word)
        if value is None:
            return None
        unit = self.w.ordinals.get(self.word(j + 1), 0)
        if value in (20, 30) and 1 <= unit <= 9:
            return value + unit, j + 2
        return value, j + 1

    def weekday_at(self, j: int) -> int | None:
        word = self.word(j)
        if word in self.w.weekdays:
            return self.w.weekdays[word]
        return self.w.plurals.get(word)

    def plural_at(self, j: int) -> int | None:
        word = self.word(j)
        if word in self.w.plurals_after_prep and self.word(j - 1) in self.w.before:
            return self.w.plurals_after_prep[word]
        return self.w.plurals.get(word)

    # -- the phrase ----------------------------------------------------------------------

    def run(self) -> None:
        i = 0
        while i < len(self.tokens):
            end = self.rule(i)
            if end is None:
                i += 1
                continue
            self.take(i, end)
            i = end

    def take(self, start: int, end: int) -> None:
        for j in range(start, end):
            self.used[j] = True
        j = start - 1
        while j >= 0 and not self.used[j] and self.word(j) in self.w.before:
            self.used[j] = True
            j -= 1

    def rule(self, i: int) -> int | None:
        """The index after the words read at `i`, or None if they are not about repetition."""
        word = self.word(i)
        if word in self.w.every:
            return self.every_rule(i)
        if word in self.w.adverbs:
            return self.adverb_rule(i)
        if word in self.w.refused:
            self.fail(f"'{word}': no such repetition")
            return i + 1
        if (end := self.nth_rule(i)) is not None:
            return end
        if (end := self.month_day_rule(i)) is not None:
            return end
        if (plural := self.plural_at(i)) is not None:
            self.set_interval(1)
            self.add_weekday(plural)
            return i + 1
        if (weekday := self.weekday_at(i)) is not None:
            self.add_weekday(weekday)
            return i + 1
        return None

    def every_rule(self, i: int) -> int | None:
        """ "co drugi wtorek", "co 2 tyg.", "w każdą środę", "every month on the 15th"."""
        word, j = self.word(i), i + 1
        following = self.word(j)
        if following in self.w.other:
            return self.other_rule(j + 1)
        if following in self.w.week:
            self.set_interval(2 if following == "fortnight" else 1)
            return j + 1
        if following in self.w.month:
            self.monthly = self.repeats = True
            return self.day_after_month(j + 1)
        if following in self.w.periods:
            self.fail(f"every {following}: no such repetition")
            return j + 1
        if (weekday := self.weekday_at(j)) is not None:
            self.set_interval(1)
            self.add_weekday(weekday)
            return j + 1
        if following in self.w.amounts and (end := self.count_rule(self.w.amounts[following], j)):
            return end
        if (end := self.every_ordinal_rule(word, j)) is not None:
            return end
        if word in self.w.weak:
            return None  # "co" alone is no repetition; parse_when judges the phrase
        self.fail(f"'{word}' followed by something unknown")
        return j

    def other_rule(self, j: int) -> int:
        """ "every other Tuesday", "every other week"."""
        self.set_interval(2)
        if (weekday := self.weekday_at(j)) is not None:
            self.add_weekday(weekday)
            return j + 1
        if self.word(j) in self.w.week:
            return j + 1
        self.fail("'every other' without a weekday or week")
        return j

    def count_rule(self, count: int, j: int) -> int | None:
        """ "co dwa tygodnie", "every 2 weeks"; "co dwa miesiące" is refused."""
        unit = self.word(j + 1)
        if unit in self.w.week:
            self.set_interval(count)
            return j + 2
        if unit in self.w.month or unit in self.w.periods:
            self.fail(f"every {count} {unit}: no such repetition")
            return j + 2
        return None

    def every_ordinal_rule(self, word: str, j: int) -> int | None:
        found = self.nth_at(j)
        if found is not None:
            values, weekday, end = found
            tail = self.tail_at(end)
            self.add_weekday(weekday)
            if len(values) == 1 and tail is None and word in self.w.by_interval:
                self.set_interval(values[0])  # "co drugi wtorek": every other week
            else:
                self.set_nth(values)  # "w każdy 1. i 3. czwartek (miesiąca)"
            return tail or end
        ordinal = self.ordinal_at(j)
        if ordinal is None:
            return None
        value, end = ordinal
        if (counted := self.count_rule(value, end - 1)) is not None:
            return counted  # "co 2 tyg.", "co drugi tydzień"
        if self.word(end) in self.w.day:  # "każdego 15. dnia miesiąca"
            self.set_month_day(value)
            return self.tail_at(end + 1) or end + 1
        return None

    def adverb_rule(self, i: int) -> int:
        weeks = self.w.adverbs[self.word(i)]
        if weeks:
            self.set_interval(weeks)
            return i + 1
        self.monthly = self.repeats = True
        return self.day_after_month(i + 1)

    def nth_at(self, j: int) -> tuple[tuple[int, ...], int, int] | None:
        """ "1. i 3. czwartek", "second and fourth Tuesday", "5. wtorek": (ordinals, weekday,
        index after the weekday)."""
        ordinal = self.ordinal_at(j)
        values: list[int] = []
        while ordinal is not None and (1 <= ordinal[0] <= 5 or ordinal[0] == LAST):
            values.append(ordinal[0])
            j = ordinal[1]
            if self.word(j) not in self.w.conj:
                break
            ordinal = self.ordinal_at(j + 1)
        else:
            return None
        weekday = self.weekday_at(j)
        return None if weekday is None else (tuple(values), weekday, j + 1)

    def nth_rule(self, i: int) -> int | None:
        """Without "co"/"każdy": a pair ("2. i 4. wtorek") or one with "miesiąca"."""
        found = self.nth_at(i)
        if found is None:
            return None
        values, weekday, end = found
        tail = self.tail_at(end)
        if len(values) == 1 and tail is None:
            return None  # "drugi wtorek": not a repetition
        self.set_nth(values)
        self.add_weekday(weekday)
        return tail or end

    def month_day_rule(self, i: int) -> int | None:
        """ "15. dnia każdego miesiąca", "dnia 15 każdego miesiąca", "the 15th of every month"."""
        start = i + 1 if self.word(i) in self.w.day else i
        ordinal = self.ordinal_at(start)
        if ordinal is None:
            return None
        value, end = ordinal
        if self.word(end) in self.w.day:
            end += 1
        tail = self.tail_at(end)
        if tail is None:
            return None
        self.set_month_day(value)
        return tail

    def tail_at(self, j: int) -> int | None:
        """The index after "miesiąca", "w każdym miesiącu", "of the month", "monthly"."""
        if self.w.adverbs.get(self.word(j)) == 0:
            return j + 1
        every = False
        while self.word(j) in self.w.tail_skip:
            every = every or self.word(j) in self.w.every
            j += 1
        months = self.w.month if every else self.w.month_tail
        return j + 1 if self.word(j) in months else None

    def day_after_month(self, j: int) -> int:
        """After "co miesiąc": "15.", "w dniu 15", "piętnastego", "on the 15th"."""
        k = j
        while self.word(k) in self.w.day_skip:
            k += 1
        ordinal = self.ordinal_at(k)
        if ordinal is None:
            return j
        value, end = ordinal
        self.set_month_day(value)
        return end + 1 if self.word(end) in self.w.day else end


@dataclass(frozen=True, slots=True)
class _Plan:
    preset: Preset
    matches: Callable[[date], bool]


def _plan(reader: _Reader) -> _Plan | str:
    """The preset and its days, or why there is none."""
    if reader.problem:
        return reader.problem
    if len(reader.weekdays) > 1:
        return "more than one weekday"
    weekday = reader.weekdays[0] if reader.weekdays else None
    kinds = sum(x is not None for x in (reader.interval, reader.nth, reader.month_day))
    if kinds > 1 or (reader.monthly and reader.interval is not None):
        return "two different repetitions"
    if reader.month_day is not None:
        return _monthly(reader.month_day, weekday)
    if reader.monthly and reader.nth is None:
        return "which day of the month"
    if weekday is None:
        return "which weekday"
    if reader.nth is not None:
        preset = PAIRS.get(tuple(sorted(reader.nth)))
        if preset is None:
            return f"weekdays {reader.nth} of the month: only the 1st and 3rd or 2nd and 4th"
        nth = set(reader.nth)
        return _Plan(preset, lambda d: d.weekday() == weekday and (d.day - 1) // 7 + 1 in nth)
    preset = INTERVALS.get(reader.interval or 0)
    if preset is None:
        return f"every {reader.interval} weeks: only every week or every two weeks"
    return _Plan(preset, lambda d: d.weekday() == weekday)


def _monthly(day: int, weekday: int | None) -> _Plan | str:
    if weekday is not None:
        return "a day of the month and a weekday"
    if not 1 <= day <= 31:
        return f"no day {day} in a month"
    if day > 28:
        # Nothing repaired: a series on the 31st would silently skip the shorter months.
        return f"day {day} is missing in some months"
    return _Plan(Preset.MONTHLY, lambda d: d.day == day)


def parse_series(text: str, now: datetime, language: str = "pl") -> SeriesWhen | None:
    """Reads a repeating meeting ("co drugi wtorek o 10") relative to `now` (aware); None if the
    text does not speak of repetition. `language` is the member's ("en" or Polish)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if len(text) > MAX_LENGTH:
        return None
    folded = _MONTH_ABBREVIATION_RE.sub("miesiaca", fold_text(text))
    tokens = _tokenize(folded)
    reader = _Reader(tokens, ENGLISH if language == "en" else POLISH)
    reader.run()
    if not reader.repeats:
        return None
    plan = _plan(reader)
    if isinstance(plan, str):
        return SeriesWhen(WhenStatus.INVALID, reason=plan)
    return _first(plan, _rest(folded, tokens, reader.used), now, language)


def _rest(folded: str, tokens: list[_Token], used: list[bool]) -> str:
    """The text without the repetition's words; what lies between tokens ("1-2pm") stays."""
    pieces, position = [], 0
    for token, taken in zip(tokens, used, strict=True):
        pieces.append(folded[position : token.start])
        pieces.append(" " if taken else folded[token.start : token.end])
        position = token.end
    pieces.append(folded[position:])
    return " ".join("".join(pieces).split())


def _days(plan: _Plan, today: date) -> Iterator[date]:
    for offset in range(SEARCH_DAYS):
        day = today + timedelta(days=offset)
        if plan.matches(day):
            yield day


def _on_day(day: date, rest: str, zone: tzinfo, language: str) -> When:
    """The hour part read for that day, as a weekday phrase with `now` at the day's start
    (the grammar counts today's weekday while its hour is ahead, and 00:00 is never past)."""
    names = ENGLISH.names if language == "en" else POLISH.names
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    return parse_when(f"{names[day.weekday()]} {rest}", start, language)


def _first(plan: _Plan, rest: str, now: datetime, language: str) -> SeriesWhen:
    zone = now.tzinfo
    assert zone is not None
    for day in _days(plan, now.date()):
        when = _on_day(day, rest, zone, language)
        if when.status == WhenStatus.NEEDS_TIME:
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
            return SeriesWhen(WhenStatus.NEEDS_TIME, plan.preset, midnight, reason="no hour")
        if when.status == WhenStatus.NONEXISTENT:
            return SeriesWhen(WhenStatus.NONEXISTENT, plan.preset, reason=when.reason)
        if when.status != WhenStatus.OK or when.value is None or when.value.date() != day:
            return SeriesWhen(WhenStatus.INVALID, reason=when.reason or "a date besides the rule")
        if _after(when.value, now):
            return _found(plan, when, now)
    return SeriesWhen(WhenStatus.INVALID, reason="no occurrence ahead")


def _found(plan: _Plan, when: When, now: datetime) -> SeriesWhen:
    assert when.value is not None
    duration = None
    if when.end is not None:
        duration = int((_utc(when.end) - _utc(when.value)).total_seconds()) // 60
    alternative = None
    if when.reading == Reading.AFTERNOON and when.alternative is not None:
        alternative = _first_at(plan, when.alternative.hour, when.alternative.minute, now)
    return SeriesWhen(
        WhenStatus.OK,
        plan.preset,
        when.value,
        duration,
        reading=when.reading,
        alternative=alternative,
    )


def _first_at(plan: _Plan, hour: int, minute: int, now: datetime) -> datetime | None:
    """The first occurrence at that wall time, skipping days where DST removes it."""
    for day in _days(plan, now.date()):
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=now.tzinfo)
        exists = _utc(local).astimezone(now.tzinfo).replace(tzinfo=None) == local.replace(
            tzinfo=None
        )
        if exists and _after(local, now):
            return local
    return None


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _after(moment: datetime, now: datetime) -> bool:
    # Aware datetimes sharing a tzinfo compare by wall time; compare instants instead.
    return _utc(moment) > _utc(now)
