"""Relevance of candidate services to a query: the same on both databases."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz

from storage.basket.query import Query, Term
from storage.basket.text import words

# Where a query word is found matters: the name says what the service is, a category says
# what it is for, the institution who runs it, the rest (description, ...) only mentions it.
IN_NAME, IN_CATEGORY, IN_INSTITUTION, ANYWHERE = 3.0, 2.0, 1.0, 1.0
COVERAGE = 3.0  # every word of the query found
FUZZY = 1.0  # the query read as a whole against the name (typos, word order)


class Candidate(NamedTuple):
    """A service as ranked (a tuple: a search builds up to 200, a frozen dataclass's
    construction cost three times as much)."""

    id: int
    municipality_id: int
    name: str
    institution: str
    municipality: str
    categories: tuple[str, ...]  # slugs, in the service's order
    search_text: str
    phone: str | None
    www: str | None
    is_example: bool


@lru_cache(maxsize=20_000)
def _padded(text: str) -> str:
    """ " folded words " of a name: they repeat across candidates and queries."""
    return f" {' '.join(words(text))} "


def _needle(term: Term) -> str:
    # Texts here are folded words between single spaces, so a substring test is a word test:
    # " przemo" begins a word, " nr " is a whole word.
    return f" {term.stem}" if term.prefix else f" {term.stem} "


class Scorer:
    """Scores candidates for one query."""

    def __init__(self, query: Query) -> None:
        self.terms = [(term, _needle(term)) for term in query.terms]
        self.text = " ".join(query.words)

    def __call__(self, candidate: Candidate) -> float:
        if not self.terms:
            return 0.0
        name = _padded(candidate.name)
        institution = _padded(candidate.institution)
        everything = f" {candidate.search_text} "
        categories = set(candidate.categories)
        total = 0.0
        covered = 0
        for term, needle in self.terms:
            in_category = bool(term.categories & categories)
            anywhere = in_category or needle in everything
            covered += anywhere
            total += (
                IN_NAME * (needle in name)
                + IN_CATEGORY * in_category
                + IN_INSTITUTION * (needle in institution)
                + ANYWHERE * anywhere
            )
        count = len(self.terms)
        fuzzy = fuzz.token_set_ratio(self.text, name) / 100
        return total / count + COVERAGE * covered / count + FUZZY * fuzzy

    def found_in(self, candidates: Iterable[Candidate]) -> list[bool]:
        """For each query word: does any candidate have it (or its category)?"""
        texts = [(f" {c.search_text} ", set(c.categories)) for c in candidates]
        return [
            any(needle in text or term.categories & cats for text, cats in texts)
            for term, needle in self.terms
        ]
