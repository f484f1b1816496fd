"""Finding services: full-text candidates from the database, ranked here, own town first."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.basket.index import COUNT_LIMIT, Found, FullText, Match, full_text_for
from storage.basket.query import Query, Term, corrected, parse
from storage.basket.ranking import Candidate, Scorer
from storage.basket.spelling import words_like
from storage.basket.text import category_token, words
from storage.basket.vocabulary import CATEGORIES
from storage.errors import DomainError, Problem
from storage.models import Member, Service
from storage.text import sort_key

CANDIDATES = 200  # services from other municipalities ranked per query (see search)
TYPO_CUTOFF = 80  # rapidfuzz ratio for taking an indexed word instead of a typed one
# Always known, even when the index has no word like it (and PostgreSQL lacks pg_trgm).
_LABEL_WORDS = sorted({w for label in CATEGORIES.values() for w in words(label)})


@dataclass
class ServiceHit:
    id: int
    name: str
    institution: str
    municipality: str
    categories: list[str]  # Polish labels
    phone: str | None
    www: str | None
    score: float
    is_example: bool


@dataclass
class SearchPage:
    hits: list[ServiceHit]
    total: int  # counted up to COUNT_LIMIT (1,000)
    capped: bool = False  # True: there are at least `total` (the count stopped there)


async def _full_text(session: AsyncSession) -> FullText:
    return full_text_for((await session.connection()).dialect.name)


@lru_cache(maxsize=4096)
def _categories(stored: str) -> tuple[str, ...]:
    """A service's categories as stored, JSON text (index.CANDIDATE_COLUMNS); a few hundred
    combinations repeat across a basket of thousands, so each is decoded once."""
    return tuple(json.loads(stored))


async def _candidates(
    session: AsyncSession, index: FullText, ids: Sequence[int]
) -> dict[int, Candidate]:
    if not ids:
        return {}
    rows = await index.candidates(session, ids)
    return {
        row[0]: Candidate(
            id=row[0],
            municipality_id=row[1],
            name=row[2],
            institution=row[3],
            municipality=row[4],
            categories=_categories(row[5]),
            search_text=row[6],
            phone=row[7],
            www=row[8],
            is_example=bool(row[9]),
        )
        for row in rows
    }


async def _correct_typos(
    session: AsyncSession, index: FullText, query: Query, missing: Sequence[bool]
) -> Query | None:
    """The query with each missing word replaced by the closest indexed or category word;
    None when none is close enough."""
    terms: list[Term] = []
    for term, lacking in zip(query.terms, missing, strict=True):
        best = None
        if lacking:
            vocabulary = [*await words_like(session, term.word), *_LABEL_WORDS]
            best = process.extractOne(
                term.word, vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF
            )
        terms.append(corrected(term, best[0]) if best else term)
    changed = any(new.stem != old.stem for new, old in zip(terms, query.terms, strict=True))
    return Query(query.words, tuple(terms)) if changed else None


async def _find(
    session: AsyncSession,
    index: FullText,
    query: Query,
    municipality_id: int | None,
    window: int,
) -> Found:
    """Services with every word as typed; else (one or two words) with every word or a
    category it names; else with any word or category."""
    terms = query.terms
    found = await index.find(session, Match(terms, categories=False), municipality_id, window)
    # Categories widen a short query; a long phrase goes on to "any word" (with categories).
    if not found.total and len(terms) <= 2 and any(term.categories for term in terms):
        found = await index.find(session, Match(terms), municipality_id, window)
    if not found.total and len(terms) > 1:
        return await index.find(session, Match(terms, any_term=True), municipality_id, window)
    if found.total and not found.own and municipality_id is not None and len(terms) > 1:
        # Nothing in the person's own town has every word: its services with some of them
        # come first all the same (a local service beats an exact one elsewhere).
        near = await index.own(session, Match(terms, any_term=True), municipality_id)
        found = Found(near, found.others, min(found.total + len(near), COUNT_LIMIT))
    return found


async def _known(
    session: AsyncSession, index: FullText, query: Query, found: Found, end: int
) -> dict[int, Candidate]:
    """The candidates to rank: the own town's, and the first CANDIDATES others' unless the
    page ends within the own town's services and those have every word (the others would all
    come after the page; a national basket has thousands)."""
    others = found.others[:CANDIDATES]
    if end > len(found.own):
        return await _candidates(session, index, [*found.own, *others])
    known = await _candidates(session, index, found.own)
    if _lacking(query, found, known) is not None:
        known |= await _candidates(session, index, others)
    return known


def _lacking(query: Query, found: Found, known: dict[int, Candidate]) -> list[bool] | None:
    """Which words to try to correct as typos: all when nothing was found; in a query of one
    or two words, those no candidate has. None: leave the query as typed. (Long phrases are
    left alone: their other words carry them, and people's words the basket lacks, such as
    "babcia", are not typos.)"""
    if not found.total:
        return [True] * len(query.terms)
    if len(query.terms) > 2:
        return None
    present = Scorer(query).found_in(known.values())
    return [not here for here in present] if not all(present) else None


def _hit(candidate: Candidate, relevance: float) -> ServiceHit:
    return ServiceHit(
        id=candidate.id,
        name=candidate.name,
        institution=candidate.institution,
        municipality=candidate.municipality,
        categories=[CATEGORIES[slug] for slug in candidate.categories if slug in CATEGORIES],
        phone=candidate.phone,
        www=candidate.www,
        score=round(relevance, 4),
        is_example=candidate.is_example,
    )


async def _page(
    session: AsyncSession,
    index: FullText,
    ordered: list[int],
    known: dict[int, Candidate],
    scores: dict[int, float],
    limit: int,
    offset: int,
) -> list[ServiceHit]:
    page = ordered[offset : offset + limit]
    known = known | await _candidates(session, index, [i for i in page if i not in known])
    return [_hit(known[i], scores.get(i, 0.0)) for i in page if i in known]


def _check_page(limit: int, offset: int) -> None:
    if limit < 1 or offset < 0:
        raise ValueError("limit must be positive and offset not negative")


async def search(
    session: AsyncSession,
    text: str,
    *,
    municipality_id: int | None = None,
    limit: int = 5,
    offset: int = 0,
) -> SearchPage:
    """Services matching what a person typed, in any case, with or without Polish letters,
    in any grammatical form, with small typos. The given municipality's services come first,
    each group by relevance; beyond the first CANDIDATES elsewhere, by id. `total` is
    counted up to COUNT_LIMIT (`capped`: at least that many)."""
    _check_page(limit, offset)
    query = parse(text)
    if not query.terms:
        return SearchPage([], 0)
    index = await _full_text(session)
    return await _search(session, index, query, municipality_id, limit, offset)


async def _search(
    session: AsyncSession,
    index: FullText,
    query: Query,
    municipality_id: int | None,
    limit: int,
    offset: int,
) -> SearchPage:
    window = min(max(CANDIDATES, offset + limit), COUNT_LIMIT)  # no pages beyond the count
    found = await _find(session, index, query, municipality_id, window)
    known = await _known(session, index, query, found, offset + limit)
    lacking = _lacking(query, found, known)
    fixed = await _correct_typos(session, index, query, lacking) if lacking else None
    if fixed is not None:
        refound = await _find(session, index, fixed, municipality_id, window)
        if refound.total:  # a "correction" that finds nothing is not one
            query, found = fixed, refound
            known = await _known(session, index, query, found, offset + limit)
    if not found.total:
        return SearchPage([], 0)
    score = Scorer(query)
    scores = {i: score(candidate) for i, candidate in known.items()}

    def by_relevance(ids: list[int]) -> list[int]:
        # Others left unranked (see _known) lie beyond the page; _page loads any it reaches.
        return sorted(ids, key=lambda i: (-scores.get(i, 0.0), i))

    ordered = [
        *by_relevance(found.own),
        *by_relevance(found.others[:CANDIDATES]),
        *found.others[CANDIDATES:],
    ]
    hits = await _page(session, index, ordered, known, scores, limit, offset)
    return SearchPage(hits, found.total, found.capped)


async def by_category(
    session: AsyncSession,
    category: str,
    *,
    municipality_id: int | None = None,
    limit: int = 5,
    offset: int = 0,
) -> SearchPage:
    """Services of a category (slug): the given municipality's first, by name; then the
    others in the order they were added."""
    _check_page(limit, offset)
    if category not in CATEGORIES:
        raise DomainError(Problem.STALE_BUTTON)
    marker = Term(
        word=category, stem=category_token(category), prefix=False, categories=frozenset()
    )
    index = await _full_text(session)
    window = min(offset + limit, COUNT_LIMIT)
    found = await index.find(session, Match((marker,)), municipality_id, window)
    own = await _candidates(session, index, found.own)
    ordered = [
        *sorted(own, key=lambda i: (sort_key(own[i].name), sort_key(own[i].institution), i)),
        *found.others,
    ]
    hits = await _page(session, index, ordered, own, {}, limit, offset)
    return SearchPage(hits, found.total, found.capped)


async def get_service(session: AsyncSession, service_id: int) -> Service:
    service = await session.scalar(
        select(Service)
        .where(Service.id == service_id)
        .options(selectinload(Service.institution), selectinload(Service.municipality))
    )
    if service is None:
        raise DomainError(Problem.SERVICE_UNKNOWN)
    return service


def municipality_of_member(member: Member | None) -> int | None:
    """The municipality of the member's first team (memberships loaded with their teams, as
    every update's member is): their town comes first in searches."""
    if member is None or not member.memberships:
        return None
    first = min(member.memberships, key=lambda m: (m.joined_at, m.id))
    return first.team.municipality_id
