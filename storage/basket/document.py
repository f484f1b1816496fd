"""What search sees of a service: one line of folded words, with marker words.

Besides the words, the text carries the first BEGINNING (6) letters of every longer word
("rodzinie" adds "rodzin"): asking for words that begin with a stem of that length is then
an exact lookup, where both databases would otherwise merge the lists of every word with
that beginning (on PostgreSQL a GIN prefix scan, 10 ms for "rodzin" in 50,000 services).
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.basket.text import BEGINNING, category_token, municipality_token, words
from storage.basket.vocabulary import CATEGORIES


def search_text(
    *,
    municipality_id: int,
    municipality: str,
    institution: str,
    categories: Iterable[str],
    texts: Iterable[str | None],
) -> str:
    """Folded words of the given texts, the institution, municipality and category labels;
    the beginnings of longer words; marker words for the municipality and each category
    (filters inside the index)."""
    slugs = list(categories)
    parts = [*texts, institution, municipality, *(CATEGORIES[slug] for slug in slugs)]
    found = [word for part in parts if part for word in words(part)]
    beginnings = dict.fromkeys(w[:BEGINNING] for w in found if len(w) > BEGINNING)
    markers = [municipality_token(municipality_id), *(category_token(slug) for slug in slugs)]
    return " ".join([*found, *beginnings, *markers])
