"""Writing checked rows into the basket (all or nothing) and reading a municipality's back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audit, regions
from storage.basket import spelling
from storage.basket.document import search_text
from storage.basket.rows import ServiceDraft, check_rows
from storage.basket.text import words
from storage.basket.vocabulary import CATEGORIES, SECTOR_NAMES, lookup_key
from storage.errors import DomainError, Problem
from storage.models import Base, Institution, Municipality, Sector, Service, utcnow
from storage.text import clean_name, sort_key

# What search reads besides names and categories (not phones, e-mails, addresses of sites).
SEARCHED = ("description", "target_groups", "how_to_access", "address")


@dataclass(frozen=True)
class Unknown:
    """A sector or category name the vocabulary does not know, as first written, and the
    spreadsheet rows that use it (in any spelling that folds alike)."""

    name: str
    rows: tuple[int, ...]


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int
    # Kept rows whose sector became "inne" / categories left out, for the coordinator.
    unknown_sectors: tuple[Unknown, ...] = ()
    unknown_categories: tuple[Unknown, ...] = ()


def _unknown(named: Sequence[tuple[int, str]]) -> tuple[Unknown, ...]:
    """(row, name) pairs -> one Unknown per name, in the order first seen."""
    first: dict[str, str] = {}
    rows: dict[str, list[int]] = {}
    for row, name in named:
        key = lookup_key(name)
        first.setdefault(key, name)
        if row not in rows.setdefault(key, []):
            rows[key].append(row)
    return tuple(Unknown(first[key], tuple(rows[key])) for key in first)


def unknown_names(
    drafts: Sequence[ServiceDraft],
) -> tuple[tuple[Unknown, ...], tuple[Unknown, ...]]:
    """The sector names and the category names of the checked rows that are not known."""
    sectors = [(d.row, d.unknown_sector) for d in drafts if d.unknown_sector]
    categories = [(d.row, name) for d in drafts for name in d.unknown_categories]
    return _unknown(sectors), _unknown(categories)


def _folded(name: str) -> str:
    return " ".join(words(name))


async def find_municipality(session: AsyncSession, name: str) -> Municipality | None:
    """A municipality by name, regardless of case and Polish letters ("lodz" is Łódź)."""
    wanted = _folded(name)
    return next(
        (m for m in await session.scalars(select(Municipality)) if _folded(m.name) == wanted),
        None,
    )


async def services_of(
    session: AsyncSession, municipality: str
) -> tuple[Municipality, list[Service]]:
    """The municipality by name (else MUNICIPALITY_UNKNOWN) and its services with their
    institutions, in the order they were added: what both exports start from."""
    place = await find_municipality(session, municipality)
    if place is None:
        raise DomainError(Problem.MUNICIPALITY_UNKNOWN, name=municipality)
    services = await session.scalars(
        select(Service)
        .where(Service.municipality_id == place.id)
        .options(selectinload(Service.institution))
        .order_by(Service.id)
    )
    return place, list(services)


async def _insert(session: AsyncSession, model: type[Base], rows: list[dict[str, object]]) -> None:
    # Core executemany: no INSERT ... RETURNING round trip per row, which the ORM needs for
    # new ids (a 5,000-row file would take seconds); callers read the ids back in one query.
    if rows:
        await (await session.connection()).execute(insert(model), rows)


async def _places(session: AsyncSession, drafts: Sequence[ServiceDraft]) -> dict[str, Municipality]:
    """Municipalities of the file by folded name; the missing ones are created with the rules
    of teams.get_or_create_municipality (which reads every municipality per call)."""
    known = {_folded(m.name): m for m in await session.scalars(select(Municipality))}
    missing: dict[str, str] = {}
    for draft in drafts:
        if _folded(draft.municipality) not in known:
            name = clean_name(draft.municipality, max_length=120)
            missing.setdefault(_folded(name), name)
    region = await regions.default_region(session) if missing else None
    await _insert(
        session,
        Municipality,
        [
            {"name": name, "timezone": "Europe/Warsaw", "region_id": region.id}
            for name in missing.values()
            if region is not None
        ],
    )
    if missing:
        created = select(Municipality).where(Municipality.name.in_(missing.values()))
        known |= {_folded(m.name): m for m in await session.scalars(created)}
    return known


async def _institutions(
    session: AsyncSession, drafts: Sequence[ServiceDraft], places: Mapping[str, Municipality]
) -> dict[tuple[int, str], Institution]:
    """Institutions of the file by (municipality, folded name); the missing ones created
    (as teams.get_or_create_institution would)."""
    place_ids = {places[_folded(d.municipality)].id for d in drafts}
    of_places = select(Institution).where(Institution.municipality_id.in_(place_ids))
    known = {(i.municipality_id, _folded(i.name)): i for i in await session.scalars(of_places)}
    missing: dict[tuple[int, str], dict[str, object]] = {}
    for draft in drafts:
        place = places[_folded(draft.municipality)]
        found = known.get((place.id, _folded(draft.institution)))
        if found is None:
            name = clean_name(draft.institution)
            missing.setdefault(
                (place.id, _folded(name)),
                {"municipality_id": place.id, "name": name, "sector": draft.sector or Sector.OTHER},
            )
        elif draft.sector is not None and found.sector != draft.sector:
            found.sector = draft.sector  # the basket file is the coordinator's word on it
    await _insert(session, Institution, list(missing.values()))
    if missing:
        known = {(i.municipality_id, _folded(i.name)): i for i in await session.scalars(of_places)}
    return known


def _values(
    draft: ServiceDraft, place: Municipality, institution: Institution, is_example: bool
) -> dict[str, object]:
    return {
        "institution_id": institution.id,
        "name": draft.name,
        "categories": draft.categories,
        **draft.texts,
        "is_example": is_example,
        "search_text": search_text(
            municipality_id=place.id,
            municipality=place.name,
            institution=institution.name,
            categories=draft.categories,
            texts=[draft.name, *(draft.texts[attribute] for attribute in SEARCHED)],
        ),
    }


async def import_rows(
    session: AsyncSession,
    rows: Sequence[Mapping[str, str]],
    *,
    municipality: str | None = None,
    actor_telegram_id: int | None = None,
    is_example: bool = False,
) -> ImportReport:
    """Create or update services by their stable key; nothing is written if any row is wrong
    (BasketImportError). `municipality`: every row must belong to it."""
    drafts = check_rows(rows, municipality)
    if not drafts:
        return ImportReport(0, 0, 0)
    places = await _places(session, drafts)
    involved = {places[_folded(d.municipality)] for d in drafts}
    place_ids = {place.id for place in involved}
    institutions = await _institutions(session, drafts, places)
    existing = {
        (s.municipality_id, s.key): s
        for s in await session.scalars(
            select(Service).where(Service.municipality_id.in_(place_ids))
        )
    }
    created = updated = unchanged = 0
    now = utcnow()
    new_rows: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    for draft in drafts:
        place = places[_folded(draft.municipality)]
        institution = institutions[(place.id, _folded(draft.institution))]
        values = _values(draft, place, institution, is_example)
        service = existing.get((place.id, draft.key))
        if service is None:
            new_rows.append(
                {
                    "municipality_id": place.id,
                    "key": draft.key,
                    "updated_at": now,
                    "updated_by": actor_telegram_id,
                    **values,
                }
            )
            created += 1
        elif any(getattr(service, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(service, name, value)
            changed.append(values)
            service.updated_at, service.updated_by = now, actor_telegram_id
            updated += 1
        else:
            unchanged += 1
    await _insert(session, Service, new_rows)
    await spelling.remember(session, [str(row["search_text"]) for row in new_rows + changed])
    await session.flush()
    audit.record(
        session,
        "basket.import",
        actor_telegram_id=actor_telegram_id,
        municipalities=sorted(place.name for place in involved),
        created=created,
        updated=updated,
        unchanged=unchanged,
    )
    return ImportReport(created, updated, unchanged, *unknown_names(drafts))


async def export_rows(session: AsyncSession, municipality: str) -> list[dict[str, str]]:
    """The municipality's basket as file rows (COLUMNS), by institution and service name."""
    place, services = await services_of(session, municipality)
    ordered = sorted(services, key=lambda s: (sort_key(s.institution.name), sort_key(s.name)))
    return [
        {
            "gmina": place.name,
            "instytucja": s.institution.name,
            "sektor": SECTOR_NAMES[s.institution.sector],
            "usluga": s.name,
            "opis": s.description or "",
            "kategorie": "; ".join(CATEGORIES[slug] for slug in s.categories if slug in CATEGORIES),
            "dla_kogo": s.target_groups or "",
            "jak_skorzystac": s.how_to_access or "",
            "adres": s.address or "",
            "telefon": s.phone or "",
            "email": s.email or "",
            "www": s.www or "",
            "godziny": s.opening_hours or "",
            "odplatnosc": s.paid or "",
        }
        for s in ordered
    ]
