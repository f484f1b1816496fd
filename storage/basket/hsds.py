"""A municipality's basket as Open Referral HSDS 3.0 JSON, one file per object type.

Objects are flat (linked by ids, as in the HSDS tabular form) so each file validates against
its object's schema. Ids are UUIDs derived (uuid5) from the stable keys of services and
institutions: exporting again, or from another database, gives the same ids.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.basket.importer import services_of
from storage.basket.text import words
from storage.basket.vocabulary import CATEGORIES, SECTOR_NAMES
from storage.models import Municipality, Service

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/kooperacje-bot/basket")
TAXONOMY_NAME = "Lokalny Koszyk Usług – kategorie"
_POSTAL = re.compile(r"\b(\d{2}-\d{3})\s*(.*)$")

Record = dict[str, Any]


def stable_id(kind: str, *parts: str) -> str:
    """The same UUID for the same object on every export."""
    return str(uuid.uuid5(NAMESPACE, "|".join([kind, *(" ".join(words(p)) for p in parts)])))


def _url(address: str | None) -> str | None:
    # HSDS wants an absolute URI; people write "www.mops.lodz.pl".
    if not address:
        return None
    return address if re.match(r"^https?://", address, re.I) else f"https://{address}"


def _compact(record: Record) -> Record:
    return {key: value for key, value in record.items() if value not in (None, "")}


def _taxonomy() -> tuple[Record, list[Record]]:
    taxonomy_id = stable_id("taxonomy", "koszyk")
    taxonomy = {
        "id": taxonomy_id,
        "name": TAXONOMY_NAME,
        "description": "Kategorie usług Lokalnego Koszyka Usług modelu Kooperacje 3D.",
        "version": "1",
    }
    terms = [
        {
            "id": stable_id("taxonomy_term", slug),
            "code": slug,
            "name": label,
            "description": f"Usługi z obszaru: {label}.",
            "taxonomy": TAXONOMY_NAME,
            "taxonomy_id": taxonomy_id,
            "language": "pl",
        }
        for slug, label in CATEGORIES.items()
    ]
    return taxonomy, terms


def _address(location_id: str, text: str, place: Municipality) -> Record:
    # The basket keeps one free-text address; a Polish postal code ("90-001 Łódź") splits
    # it into street and city. The voivodeship is not recorded, so state_province is empty.
    street, postal_code, city = text, "", place.name
    found = _POSTAL.search(text)
    if found:
        street = text[: found.start()].strip(" ,") or text
        postal_code, city = found.group(1), found.group(2).strip(" ,") or place.name
    return {
        "id": stable_id("address", location_id),
        "location_id": location_id,
        "address_1": street,
        "city": city,
        "state_province": "",
        "postal_code": postal_code,
        "country": "PL",
        "address_type": "physical",
    }


def hsds_objects(place: Municipality, services: Iterable[Service]) -> dict[str, list[Record]]:
    """HSDS objects by type (file stem: organizations, services, ...)."""
    taxonomy, terms = _taxonomy()
    out: dict[str, list[Record]] = {
        name: []
        for name in (
            "organizations",
            "services",
            "locations",
            "addresses",
            "phones",
            "schedules",
            "service_at_locations",
            "attributes",
        )
    }
    out["taxonomies"] = [taxonomy]
    out["taxonomy_terms"] = terms
    organizations: dict[str, Record] = {}
    locations: dict[str, Record] = {}
    for service in services:
        institution = service.institution
        org_id = stable_id("organization", place.name, institution.name)
        organizations.setdefault(
            org_id,
            {
                "id": org_id,
                "name": institution.name,
                "description": f"{SECTOR_NAMES[institution.sector].capitalize()}, "
                f"gmina {place.name}.",
            },
        )
        service_id = stable_id("service", service.key)
        out["services"].append(
            _compact(
                {
                    "id": service_id,
                    "organization_id": org_id,
                    "name": service.name,
                    "description": service.description,
                    "url": _url(service.www),
                    "email": service.email,
                    "status": "active",
                    "application_process": service.how_to_access,
                    "fees_description": service.paid,
                    "eligibility_description": service.target_groups,
                    "assured_date": service.updated_at.date().isoformat(),
                    "alert": "Przykładowe dane (demonstracja)." if service.is_example else None,
                }
            )
        )
        if service.phone:
            out["phones"].append(
                {
                    "id": stable_id("phone", service.key),
                    "service_id": service_id,
                    "number": service.phone,
                    "type": "voice",
                }
            )
        if service.opening_hours:
            out["schedules"].append(
                {
                    "id": stable_id("schedule", service.key),
                    "service_id": service_id,
                    "description": service.opening_hours,
                }
            )
        if service.address:
            location_id = stable_id("location", place.name, institution.name, service.address)
            if location_id not in locations:
                locations[location_id] = {
                    "id": location_id,
                    "location_type": "physical",
                    "organization_id": org_id,
                    "name": institution.name,
                }
                out["addresses"].append(_address(location_id, service.address, place))
            out["service_at_locations"].append(
                {
                    "id": stable_id("service_at_location", service.key, location_id),
                    "service_id": service_id,
                    "location_id": location_id,
                }
            )
        for slug in service.categories:
            out["attributes"].append(
                {
                    "id": stable_id("attribute", service.key, slug),
                    "link_id": service_id,
                    "link_type": "service_category",
                    "link_entity": "service",
                    "taxonomy_term_id": stable_id("taxonomy_term", slug),
                    "value": CATEGORIES[slug],
                }
            )
    out["organizations"] = list(organizations.values())
    out["locations"] = list(locations.values())
    return out


async def export_hsds(session: AsyncSession, municipality: str, directory: Path) -> list[Path]:
    """Write <type>.json files (JSON arrays) into `directory`; return their paths."""
    place, services = await services_of(session, municipality)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, records in hsds_objects(place, services).items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", "utf-8")
        paths.append(path)
    return paths
