"""One service at a time: the Mini App's form (bot/webapp) creates, edits and removes a
service with the checks of the file import (rows.check_row: required fields, lengths, formulas,
e-mail and web addresses, the PESEL guard), and every change goes to the audit log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audit
from storage.basket import spelling
from storage.basket.importer import _folded, _values
from storage.basket.rows import TEXT_FIELDS, ServiceDraft, check_row
from storage.basket.vocabulary import CATEGORIES, category_slug
from storage.models import Institution, Municipality, Sector, Service, utcnow
from storage.text import clean_name, sort_key

# The form's fields -> the basket file's columns (storage/basket/reading.py COLUMNS).
FIELDS: dict[str, str] = {
    "name": "usluga",
    "institution": "instytucja",
    "categories": "kategorie",
    "description": "opis",
    "audience": "dla_kogo",
    "how_to_get": "jak_skorzystac",
    "phone": "telefon",
    "email": "email",
    "address": "adres",
    "hours": "godziny",
    "url": "www",
    "paid": "odplatnosc",
}
_FIELD_OF = {column: field for field, column in FIELDS.items()}
# The form's text fields -> Service attributes.
ATTRIBUTES = {
    field: TEXT_FIELDS[column] for field, column in FIELDS.items() if column in TEXT_FIELDS
}
MAX_CATEGORIES = len(CATEGORIES)


class ServiceRefused(Exception):
    """The form's problems: field -> Polish reason (as the file import words them)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


@dataclass(frozen=True)
class Change:
    service: Service
    changed: tuple[str, ...]  # form fields whose value changed


def _row(values: Mapping[str, object], municipality: str) -> tuple[dict[str, str], dict[str, str]]:
    """The form as a basket file row, and the problems of its shape (not text, unknown
    categories: the page offers the list)."""
    row = {"gmina": municipality}
    problems: dict[str, str] = {}
    for field, column in FIELDS.items():
        value = values.get(field)
        if field == "categories" and isinstance(value, list):
            names = [item for item in value if isinstance(item, str) and item.strip()]
            unknown = [name for name in names if category_slug(name) is None]
            if len(names) != len(value) or len(names) > MAX_CATEGORIES:
                problems[field] = "niepoprawna lista kategorii"
            elif unknown:
                problems[field] = f"nieznana kategoria „{unknown[0][:60]}”"
            row[column] = "; ".join(names)
        elif value is None or isinstance(value, str):
            row[column] = value or ""
        else:
            problems[field] = "to pole przyjmuje tylko tekst"
    return row, problems


def check_form(values: Mapping[str, object], municipality: str) -> ServiceDraft:
    """The checked service, or ServiceRefused naming each field's problem."""
    row, problems = _row(values, municipality)
    draft, found = check_row(1, row, municipality)
    for column, reason in found:
        problems.setdefault(_FIELD_OF.get(column, "name"), reason)
    if problems or draft is None:
        raise ServiceRefused(problems)
    return draft


async def _institution(
    session: AsyncSession, place: Municipality, draft: ServiceDraft
) -> Institution:
    """The municipality's institution of that name (in any case and spelling), else a new one
    (as the file import makes them)."""
    wanted = _folded(draft.institution)
    for institution in await session.scalars(
        select(Institution).where(Institution.municipality_id == place.id)
    ):
        if _folded(institution.name) == wanted:
            return institution
    institution = Institution(
        municipality_id=place.id,
        name=clean_name(draft.institution),
        sector=draft.sector or Sector.OTHER,
    )
    session.add(institution)
    await session.flush()
    return institution


async def _taken(
    session: AsyncSession, place: Municipality, key: str, other_than: int | None
) -> bool:
    found = await session.scalar(
        select(Service.id).where(Service.municipality_id == place.id, Service.key == key)
    )
    return found is not None and found != other_than


async def create_service(
    session: AsyncSession,
    place: Municipality,
    values: Mapping[str, object],
    *,
    actor_telegram_id: int | None,
) -> Service:
    draft = check_form(values, place.name)
    if await _taken(session, place, draft.key, None):
        raise ServiceRefused({"name": "ta usługa tej instytucji już jest w koszyku"})
    institution = await _institution(session, place, draft)
    service = Service(
        municipality_id=place.id,
        key=draft.key,
        updated_at=utcnow(),
        updated_by=actor_telegram_id,
        **_values(draft, place, institution, False),
    )
    service.institution, service.municipality = institution, place
    session.add(service)
    await session.flush()
    await spelling.remember(session, [service.search_text])
    audit.record(
        session,
        "basket.service_created",
        actor_telegram_id=actor_telegram_id,
        municipality=place.name,
        service_id=service.id,
        service=service.name,
        institution=institution.name,
    )
    return service


def _form_values(service: Service) -> dict[str, object]:
    return {
        "name": service.name,
        "institution": service.institution.name,
        "categories": list(service.categories),
        **{field: getattr(service, attribute) for field, attribute in ATTRIBUTES.items()},
    }


async def update_service(
    session: AsyncSession,
    service: Service,
    values: Mapping[str, object],
    *,
    actor_telegram_id: int | None,
) -> Change:
    """The service as the form says; `paid`, when the form leaves it out, stays."""
    place = service.municipality
    if "paid" not in values:
        values = {**values, "paid": service.paid}
    draft = check_form(values, place.name)
    if await _taken(session, place, draft.key, service.id):
        raise ServiceRefused({"name": "ta usługa tej instytucji już jest w koszyku"})
    before = _form_values(service)
    institution = await _institution(session, place, draft)
    for name, value in _values(draft, place, institution, service.is_example).items():
        setattr(service, name, value)
    service.key, service.institution = draft.key, institution
    after = _form_values(service)
    changed = tuple(field for field in after if before[field] != after[field])
    if not changed:
        return Change(service, ())
    service.updated_at, service.updated_by = utcnow(), actor_telegram_id
    await session.flush()
    await spelling.remember(session, [service.search_text])
    audit.record(
        session,
        "basket.service_updated",
        actor_telegram_id=actor_telegram_id,
        municipality=place.name,
        service_id=service.id,
        service=service.name,
        changed=list(changed),
    )
    return Change(service, changed)


async def delete_service(
    session: AsyncSession, service: Service, *, actor_telegram_id: int | None
) -> None:
    audit.record(
        session,
        "basket.service_deleted",
        actor_telegram_id=actor_telegram_id,
        municipality=service.municipality.name,
        service_id=service.id,
        service=service.name,
        institution=service.institution.name,
    )
    await session.delete(service)
    await session.flush()


async def services_of_municipality(
    session: AsyncSession, municipality_id: int, ids: Sequence[int] | None = None
) -> list[Service]:
    """The municipality's services with their institutions: these ids in this order (others'
    ids left out), or all of them by name."""
    query = (
        select(Service)
        .where(Service.municipality_id == municipality_id)
        .options(selectinload(Service.institution), selectinload(Service.municipality))
    )
    if ids is None:
        found = list(await session.scalars(query))
        return sorted(found, key=lambda s: (sort_key(s.name), sort_key(s.institution.name), s.id))
    if not ids:
        return []
    by_id = {s.id: s for s in await session.scalars(query.where(Service.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]
