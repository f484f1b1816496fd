"""Counting fuzz cases per attack family, so a run prints how much of each it tried.

Each fuzz test calls `count_case(request, family)` once per example. The count travels in
the test report's user properties (pytest-xdist carries them to the controller), and
`tests/conftest.py` prints the totals at the end of the run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pytest

PROPERTY = "fuzz_case"


def count_case(request: pytest.FixtureRequest, family: str) -> None:
    request.node.user_properties.append((PROPERTY, family))


def totals(reports: Iterable[pytest.TestReport]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for report in reports:
        if report.when != "call":
            continue
        for name, family in report.user_properties:
            if name == PROPERTY:
                counts[str(family)] += 1
    return counts
