"""Accuracy and speed of `bot.dates.parse_when`, with dateparser alone on the same phrases.

Run from the project root: `python -m bench.dates [--quick] [--json PATH]`. Three sets, each
reported apart, per language and per category:
- the old table: `PHRASES` from tests/test_dates.py (Polish);
- the dev sets of issue 17: tests/date_phrases/{pl,en}_dev.py (the grammar is tuned on them);
- the holdout sets: tests/date_phrases/{pl,en}_holdout.py, read by this bench only ("not
  tuned on"): their failures are printed as counts and phrases, never with the expected
  values, so that they can be reported without being tuned on.

Speed over all the phrases: median and p95 per phrase warm (ours over 20 passes, --quick 5;
dateparser over one), and the cold cost of import + first call (median of 3 fresh
interpreters). Target: p95 under 3 ms. Ours is `parse_when(phrase, now, language)`, scored
exactly (status, start, end, reading, CONFLICT's other reading); dateparser
(languages=[language], future preferred, day first) is scored leniently: for `needs_time` any
hour on the right day counts, for `invalid`/`nonexistent` returning None, for a range its
start, for a CONFLICT either reading. The figures are printed, not asserted: the exit status
is 0 whatever the accuracy.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dateparser

from bench import Row, add_common_arguments, report
from bot.dates import When, WhenStatus, parse_when
from tests.date_phrases import CATEGORIES, LANGUAGES, Phrase, differences, load
from tests.test_dates import PHRASES, Case, matches

ROOT = Path(__file__).resolve().parent.parent
WARM_ROUNDS = 20
QUICK_WARM_ROUNDS = 5
COLD_RUNS = 3
OLD, DEV, HOLDOUT = "old table", "dev", "holdout (not tuned on)"
OLD_CATEGORY = "(old table)"

COLD_OURS = """
import time
start = time.perf_counter()
from datetime import datetime
from zoneinfo import ZoneInfo
from bot.dates import parse_when
parse_when("jutro o 10", datetime(2026, 11, 25, 9, tzinfo=ZoneInfo("Europe/Warsaw")))
print(time.perf_counter() - start)
"""
COLD_DATEPARSER = """
import time
start = time.perf_counter()
import warnings
warnings.simplefilter("ignore")
from datetime import datetime
import dateparser
dateparser.parse("jutro o 10", languages=["pl"], settings={
    "PREFER_DATES_FROM": "future", "RELATIVE_BASE": datetime(2026, 11, 25, 9),
    "TIMEZONE": "Europe/Warsaw", "RETURN_AS_TIMEZONE_AWARE": True, "DATE_ORDER": "DMY"})
print(time.perf_counter() - start)
"""


@dataclass(frozen=True)
class Item:
    """One phrase of any set, with what each parser must return to be right."""

    part: str  # OLD, DEV or HOLDOUT
    language: str
    category: str
    phrase: str
    now: datetime
    status: WhenStatus
    start: datetime | None
    alternative: datetime | None  # CONFLICT: the weekday's reading
    problems: Callable[[When], list[str]]  # ours, scored exactly; [] when right

    @property
    def id(self) -> str:
        return f"{self.language} {self.now:%Y-%m-%d %H:%M} {self.phrase!r}"


def from_old(case: Case) -> Item:
    def problems(result: When) -> list[str]:
        right = matches(case, result.status, result.value)
        return [] if right else [f"expected {case.status} {case.expected}"]

    return Item(
        OLD, "pl", OLD_CATEGORY, case.phrase, case.now, case.status, case.expected, None, problems
    )


def from_new(phrase: Phrase, part: str) -> Item:
    return Item(
        part,
        phrase.language,
        phrase.category,
        phrase.phrase,
        phrase.now,
        phrase.status,
        phrase.start,
        phrase.alternative,
        lambda result: differences(phrase, result),
    )


def all_items() -> list[Item]:
    items = [from_old(case) for case in PHRASES]
    for part, name in (("dev", DEV), ("holdout", HOLDOUT)):
        items += [from_new(p, name) for language in LANGUAGES for p in load(language, part)]
    return items


def ours_parse(item: Item) -> When | Exception:
    try:
        return parse_when(item.phrase, item.now, item.language)
    except Exception as error:  # a crash counts as a wrong answer, not the end of the bench
        return error


def ours_problems(item: Item, result: When | Exception) -> list[str]:
    if isinstance(result, Exception):
        return [f"raised {type(result).__name__}: {result}"]
    return item.problems(result)


def dateparser_parse(item: Item) -> datetime | None:
    zone = item.now.tzinfo
    assert isinstance(zone, ZoneInfo)
    settings = {
        "PREFER_DATES_FROM": "future",
        # dateparser reads a naive base as wall time in TIMEZONE (an aware one breaks "15.12").
        "RELATIVE_BASE": item.now.replace(tzinfo=None),
        "TIMEZONE": zone.key,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "DATE_ORDER": "DMY",
    }
    try:
        parsed = dateparser.parse(item.phrase, languages=[item.language], settings=settings)
    except Exception:  # a crash counts as a wrong answer
        return None
    return parsed if isinstance(parsed, datetime) else None


def dateparser_right(item: Item, value: datetime | None) -> bool:
    if item.status in (WhenStatus.INVALID, WhenStatus.NONEXISTENT):
        return value is None
    if value is None or item.start is None:
        return False
    local = value.astimezone(item.now.tzinfo)
    readings = [item.start] + ([item.alternative] if item.alternative else [])
    hourless = item.status is WhenStatus.NEEDS_TIME or (
        item.status is WhenStatus.CONFLICT and (item.start.hour, item.start.minute) == (0, 0)
    )
    if hourless:
        return any(local.date() == reading.date() for reading in readings)
    return any(local.timestamp() == reading.timestamp() for reading in readings)


def timings(parse: Callable[[Item], object], items: list[Item], rounds: int) -> list[float]:
    """Seconds per call, every phrase `rounds` times (the caller has warmed up)."""
    samples: list[float] = []
    for _ in range(rounds):
        for item in items:
            start = time.perf_counter()
            parse(item)
            samples.append(time.perf_counter() - start)
    return samples


def cold(code: str) -> float:
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(COLD_RUNS)
    ]
    return statistics.median(runs)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def share(flags: Iterable[bool]) -> str:
    values = list(flags)
    hits, total = sum(values), len(values)
    return f"{hits / total:.1%} ({hits}/{total})" if total else "-"


def summary(result: When | Exception) -> str:
    if isinstance(result, Exception):
        return f"raised {type(result).__name__}: {result}"
    parts = [str(result.status)]
    parts += [f"{result.value:%Y-%m-%d %H:%M %Z}"] if result.value else []
    parts += [f"end {result.end:%Y-%m-%d %H:%M}"] if result.end else []
    parts += [f"reading {result.reading}"] if result.reading != "as_typed" else []
    parts += [f"alternative {result.alternative:%Y-%m-%d %H:%M}"] if result.alternative else []
    parts += [f"({result.reason})"] if result.reason else []
    return " ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_common_arguments(parser, quick=f"{QUICK_WARM_ROUNDS} warm passes instead of {WARM_ROUNDS}")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # dateparser's own deprecation warnings
    items = all_items()
    # The scoring passes are the warm-up of the timed ones.
    ours_results = [ours_parse(item) for item in items]
    ours_ok = [not ours_problems(i, r) for i, r in zip(items, ours_results, strict=True)]
    theirs_ok = [dateparser_right(item, dateparser_parse(item)) for item in items]
    rounds = QUICK_WARM_ROUNDS if args.quick else WARM_ROUNDS
    ours = timings(ours_parse, items, rounds)
    theirs = timings(dateparser_parse, items, 1)

    def pick(part: str, language: str | None = None, category: str | None = None) -> list[int]:
        return [
            n
            for n, item in enumerate(items)
            if item.part == part
            and language in (None, item.language)
            and category in (None, item.category)
        ]

    old = pick(OLD)
    # First table as before this bench knew other sets (accuracy on the old table), so the
    # JSON compares run to run; one row per parser, figures as numbers.
    speed: list[Row] = [
        {
            "parser": name,
            "accuracy": share(flags[n] for n in old),
            "median per phrase, warm (ms)": ms(statistics.median(samples)),
            "p95 per phrase, warm (ms)": ms(p95(samples)),
            "cold: import + first call (ms)": ms(cold(code)),
        }
        for name, flags, samples, code in (
            ("bot.dates.parse_when", ours_ok, ours, COLD_OURS),
            ("dateparser alone", theirs_ok, theirs, COLD_DATEPARSER),
        )
    ]
    by_set: list[Row] = []
    for part in (OLD, DEV, HOLDOUT):
        for language in LANGUAGES:
            chosen = pick(part, language)
            if chosen:
                by_set.append(
                    {
                        "set": part,
                        "language": language,
                        "phrases": len(chosen),
                        "ours": share(ours_ok[n] for n in chosen),
                        "dateparser": share(theirs_ok[n] for n in chosen),
                    }
                )

    def per_category(part: str) -> list[Row]:
        rows: list[Row] = []
        for category in CATEGORIES:
            row: Row = {"category": category}
            for language in LANGUAGES:
                chosen = pick(part, language, category)
                row[f"{language} ours"] = share(ours_ok[n] for n in chosen)
                row[f"{language} dateparser"] = share(theirs_ok[n] for n in chosen)
            rows.append(row)
        return rows

    nows = len({item.now for item in items})
    tables = [
        (
            f"Speed over all {len(items)} phrases (old table, dev, holdout), {nows} `now`s;"
            f" accuracy on the {len(old)} phrases of the old table (tests/test_dates.py);"
            f" warm: {rounds} passes of ours, 1 of dateparser; cold: median of {COLD_RUNS} runs",
            speed,
        ),
        ("Accuracy per set and language, ours vs dateparser on the same phrases", by_set),
        ("Dev sets (tests/date_phrases/*_dev.py) per category", per_category(DEV)),
        (
            "Holdout sets per category (not tuned on: only this bench reads them)",
            per_category(HOLDOUT),
        ),
    ]
    notes = [
        "Ours is scored exactly (status, start, end, reading, CONFLICT's other reading)."
        " dateparser (languages=[pl] or [en], DATE_ORDER DMY) is scored leniently: any hour on"
        " the right day for `needs_time`, None for `invalid`/`nonexistent`, the start only for"
        " a range (it has no end), either reading for a CONFLICT; the reading is not asked."
    ]
    # In the notes, so a wrong answer shows in bench.md too, not only on the terminal.
    for part in (OLD, DEV):
        for n in pick(part):
            if not ours_ok[n]:
                item, result = items[n], ours_results[n]
                line = f"WRONG {part} [{item.category}] {item.id} -> {summary(result)}"
                if not isinstance(result, Exception):
                    line += " | " + "; ".join(item.problems(result))
                notes.append(line)
    # Holdout: which phrases only, never what was expected, so nobody tunes on them.
    wrong: dict[tuple[str, str], list[str]] = defaultdict(list)
    for n in pick(HOLDOUT):
        if not ours_ok[n]:
            wrong[items[n].language, items[n].category].append(repr(items[n].phrase))
    for (language, category), phrases in sorted(wrong.items()):
        notes.append(
            f"HOLDOUT WRONG (not tuned on) {language} [{category}]"
            f" {len(phrases)}: {', '.join(phrases)}"
        )
    report(
        "dates",
        "Dates typed in Polish and English: accuracy and speed of bot.dates.parse_when"
        " (target: p95 < 3 ms)",
        tables,
        args.json,
        notes,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
