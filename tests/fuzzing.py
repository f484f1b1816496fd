"""What the fuzz tests share: their hypothesis settings, and counting cases per family.

CI runs the same examples every time (derandomized: it must not turn red by chance);
`FUZZ_EXAMPLES=1000 pytest tests/test_fuzz*.py` hunts longer, with new random examples.

Each fuzz test calls `count_case(request, family)` once per example. The count travels in
the test report's user properties (pytest-xdist carries them to the controller), and
`tests/conftest.py` prints the totals at the end of the run.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

HUNTING = "FUZZ_EXAMPLES" in os.environ


def fuzz_settings(examples: int) -> Callable[[Any], Any]:
    """`examples` per test in CI (FUZZ_EXAMPLES overrides), the same ones every run."""
    return settings(
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", examples)),
        derandomize=not HUNTING,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


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
