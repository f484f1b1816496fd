"""What a search for services asks: the words that matter, their stems and categories."""

from __future__ import annotations

from dataclasses import dataclass, replace

from storage.basket.text import BEGINNING, category_token, fold, stem, words
from storage.basket.vocabulary import STOP_WORDS, WEAK_WORDS, categories_of_word
from storage.errors import DomainError, Problem

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8  # a long natural sentence: the first words that matter are enough


@dataclass(frozen=True)
class Term:
    """One word of the query: found as a word beginning, or through a category it names."""

    word: str  # folded, as typed
    stem: str  # what stored words must begin with (or equal, when not `prefix`)
    prefix: bool
    categories: frozenset[str]

    @property
    def indexed(self) -> str:
        """What the index is asked for: a stem of BEGINNING letters or more is cut to that
        stored beginning and looked up as a word; a shorter one as a word beginning (see
        `indexed_prefix`). Both databases get the same; ranking uses the whole stem."""
        return self.stem[:BEGINNING] if self.prefix else self.stem

    @property
    def indexed_prefix(self) -> bool:
        return self.prefix and len(self.stem) < BEGINNING

    @property
    def markers(self) -> list[str]:
        return sorted(category_token(slug) for slug in self.categories)

    def matches(self, word: str) -> bool:
        return word.startswith(self.stem) if self.prefix else word == self.stem


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...]  # the folded words that matter, for fuzzy comparison
    terms: tuple[Term, ...]


def term(word: str) -> Term:
    # Numbers and short words ("nr 36", "mąż") must be whole words: as prefixes they would
    # match too much ("maz" in "Mazowiecki").
    prefix = len(word) >= 4 and not word.isdigit()
    return Term(
        word=word,
        stem=stem(word) if prefix else word,
        prefix=prefix,
        categories=frozenset(categories_of_word(word)) if len(word) >= 3 else frozenset(),
    )


def corrected(original: Term, word: str) -> Term:
    """The term for a word found in the index instead of a typo ("przemc" -> "przemoc")."""
    fixed = term(word)
    return replace(fixed, categories=fixed.categories | original.categories)


def parse(text: str) -> Query:
    """The terms of a query; DomainError when it is too short or too long to search."""
    if len(text.strip()) > MAX_QUERY_LENGTH:
        raise DomainError(Problem.QUERY_TOO_LONG, max_length=MAX_QUERY_LENGTH)
    if sum(ch.isalnum() for ch in fold(text)) < 2:
        raise DomainError(Problem.QUERY_TOO_SHORT)
    found = [w for w in words(text) if w not in STOP_WORDS]
    strong = [w for w in found if w not in WEAK_WORDS] or found
    terms: list[Term] = []
    for word in strong:
        candidate = term(word)
        if all(t.stem != candidate.stem for t in terms):
            terms.append(candidate)
    return Query(words=tuple(strong), terms=tuple(terms[:MAX_TERMS]))
