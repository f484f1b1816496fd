"""Accuracy and speed of `bot.dates.parse_when`, with dateparser alone for comparison.

Run from the project root: `python -m bench.dates [--quick] [--json PATH]`. The phrases are
`PHRASES` from tests/test_dates.py: accuracy, median and p95 per phrase warm (ours over 20
passes, --quick 5; dateparser over one), and the cold cost of import + first call (median of
3 fresh interpreters). Target: p95 under 3 ms. dateparser is scored leniently: for
`needs_time` any hour on the right day counts, and for `invalid`/`nonexistent` returning None
counts. Exits with 1, printing the WRONG cases, if our parser fails any phrase.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dateparser

from bench import Row, add_common_arguments, report
from bot.dates import WhenStatus, parse_when
from tests.test_dates import PHRASES, Case, matches

ROOT = Path(__file__).resolve().parent.parent
WARM_ROUNDS = 20
QUICK_WARM_ROUNDS = 5
COLD_RUNS = 3

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
    "TIMEZONE": "Europe/Warsaw", "RETURN_AS_TIMEZONE_AWARE": True})
print(time.perf_counter() - start)
"""


def ours_right(case: Case) -> bool:
    result = parse_when(case.phrase, case.now)
    return matches(case, result.status, result.value)


def dateparser_parse(case: Case) -> datetime | None:
    zone = case.now.tzinfo
    assert isinstance(zone, ZoneInfo)
    settings = {
        "PREFER_DATES_FROM": "future",
        # dateparser reads a naive base as wall time in TIMEZONE (an aware one breaks "15.12").
        "RELATIVE_BASE": case.now.replace(tzinfo=None),
        "TIMEZONE": zone.key,
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    try:
        parsed = dateparser.parse(case.phrase, languages=["pl"], settings=settings)
    except Exception:  # a crash counts as a wrong answer
        return None
    return parsed if isinstance(parsed, datetime) else None


def dateparser_right(case: Case, value: datetime | None) -> bool:
    if case.status in (WhenStatus.INVALID, WhenStatus.NONEXISTENT):
        return value is None
    if value is None or case.expected is None:
        return False
    local = value.astimezone(case.now.tzinfo)
    if case.status is WhenStatus.NEEDS_TIME:
        return local.date() == case.expected.date()
    return local.timestamp() == case.expected.timestamp()


def timings(parse: Callable[[Case], object], rounds: int) -> list[float]:
    """Seconds per call, every phrase `rounds` times, after one warm-up pass."""
    for case in PHRASES:
        parse(case)
    samples: list[float] = []
    for _ in range(rounds):
        for case in PHRASES:
            start = time.perf_counter()
            parse(case)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_common_arguments(parser, quick=f"{QUICK_WARM_ROUNDS} warm passes instead of {WARM_ROUNDS}")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # dateparser's own deprecation warnings
    ours_wrong = [case for case in PHRASES if not ours_right(case)]
    theirs_right = sum(dateparser_right(case, dateparser_parse(case)) for case in PHRASES)
    rounds = QUICK_WARM_ROUNDS if args.quick else WARM_ROUNDS
    ours = timings(lambda case: parse_when(case.phrase, case.now), rounds)
    theirs = timings(dateparser_parse, 1)
    total = len(PHRASES)
    right = total - len(ours_wrong)

    # One row per parser, figures as numbers, so the JSON can be compared run to run.
    rows: list[Row] = [
        {
            "parser": name,
            "accuracy": f"{hits / total:.1%} ({hits}/{total})",
            "median per phrase, warm (ms)": ms(statistics.median(samples)),
            "p95 per phrase, warm (ms)": ms(p95(samples)),
            "cold: import + first call (ms)": ms(cold(code)),
        }
        for name, hits, samples, code in (
            ("bot.dates.parse_when", right, ours, COLD_OURS),
            ("dateparser alone", theirs_right, theirs, COLD_DATEPARSER),
        )
    ]
    nows = len({c.now for c in PHRASES})
    caption = (
        f"{total} phrases from tests/test_dates.py, {nows} `now`s;"
        f" warm: {rounds} passes of ours, 1 of dateparser; cold: median of {COLD_RUNS} runs"
    )
    notes = [
        "dateparser is scored leniently: any hour on the right day for `needs_time`,"
        " None for `invalid`/`nonexistent`."
    ]
    # In the notes, so a wrong answer shows in bench.md too, not only on the terminal.
    notes += [f"WRONG: {case.id} -> {parse_when(case.phrase, case.now)}" for case in ours_wrong]
    report(
        "dates",
        "Dates typed in Polish: accuracy and speed of bot.dates.parse_when (target: p95 < 3 ms)",
        [(caption, rows)],
        args.json,
        notes,
    )
    return 0 if not ours_wrong else 1


if __name__ == "__main__":
    sys.exit(main())
