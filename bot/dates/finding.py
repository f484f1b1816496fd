"""A date or time inside a longer message: "Cześć, może jutro o 10? Pozdrawiam"."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.dates.grammar import MAX_LENGTH, Chunk, chunks
from bot.dates.model import When, WhenStatus
from bot.dates.parts import NoSuchMoment, ParseError
from bot.dates.resolve import parse_when, read_polish

# Bounds on the search, so that a 5,000-character message is answered quickly too.
MAX_SPAN_WORDS = 12
MAX_TRIES = 400


def find_when(text: str, now: datetime, language: str = "pl") -> When:
    """The whole text if it parses (`source` None); else the longest, then earliest, span of
    consecutive words that does (`source` the exact substring, not ending in a filler word
    such as "w"); else the whole text's INVALID with its understood / not understood words.
    "en" reads English (bot.dates.english)."""
    if language == "en":
        from bot.dates.english import find_english

        return find_english(text, now)
    whole = parse_when(text, now)
    if whole.status is not WhenStatus.INVALID:
        return whole
    return _best_span(text, now) or whole


def _best_span(text: str, now: datetime) -> When | None:
    spans = sorted(_spans(text), key=lambda span: (-span[0], span[1]))
    # Spans read as naming no moment ("32 grudnia o 10"): no part of them is taken instead.
    refused: list[tuple[int, int]] = []
    for _words, start, end in spans[:MAX_TRIES]:
        source = text[start:end]
        if len(source) > MAX_LENGTH or any(a <= start and end <= b for a, b in refused):
            continue
        try:
            result = read_polish(source, now)
        except NoSuchMoment:
            refused.append((start, end))
            continue
        except ParseError:
            continue
        return replace(result, source=source)
    return None


def _spans(text: str) -> list[tuple[int, int, int]]:
    """(words, start, end) of every run of known words, and of its parts: any unknown word
    makes a phrase invalid, so a span never crosses one."""
    found: list[tuple[int, int, int]] = []
    run: list[Chunk] = []
    for chunk in (*chunks(text), None):
        if chunk is not None and chunk.known:
            if chunk.start != chunk.end:  # a lone "–" joins words but starts no span
                run.append(chunk)
            continue
        for first in range(len(run)):
            for last in range(first, min(len(run), first + MAX_SPAN_WORDS)):
                # A filler at the end adds nothing ("we wtorek 9-11 w świetlicy"); one at the
                # start may ("o 10"). A span of fillers alone is no date or time.
                if not run[last].filler:
                    found.append((last - first + 1, run[first].start, run[last].end))
        run = []
    return found
