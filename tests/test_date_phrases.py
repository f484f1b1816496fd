"""Issue 17: the dev phrase sets (tests/date_phrases/{pl,en}_dev.py) against `parse_when`.

Only the dev sets: the holdout sets are measured by `python -m bench.dates` alone. Each row
checks status, start, end, reading and, for CONFLICT, the weekday's reading.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bot.dates import parse_when
from tests.date_phrases import CATEGORIES, Phrase, differences, load
from tests.test_dates import PHRASES

DEV: list[Phrase] = [*load("pl", "dev"), *load("en", "dev")]


@pytest.mark.parametrize("phrase", [pytest.param(p, id=p.id) for p in DEV])
def test_dev_phrase(phrase: Phrase) -> None:
    result = parse_when(phrase.phrase, phrase.now, phrase.language)
    assert not differences(phrase, result), (phrase.category, result)
    for moment in (result.value, result.end, result.alternative):
        if moment is not None:
            assert moment.tzinfo is phrase.now.tzinfo


def test_dev_sets_are_new_and_cover_every_category() -> None:
    old = {case.phrase for case in PHRASES}
    for language in ("pl", "en"):
        rows = [p for p in DEV if p.language == language]
        assert not [p.id for p in rows if p.phrase in old]
        assert len({(p.phrase, p.now) for p in rows}) == len(rows)
        counts = Counter(p.category for p in rows)
        assert all(counts[category] >= 4 for category in CATEGORIES), counts
        for p in rows:
            if p.end is not None:
                assert p.start is not None and p.start < p.end, p.id
