"""The HSDS export checked against Open Referral HSDS 3.0, object by object.

The table below is taken from the HSDS 3.0 JSON schemas (openreferral/specification,
schema/<object>.json): every property with its type and format, and the required ones
("required", plus "tabular_required": the links that flat, per-object files need).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from storage import basket
from storage.basket.demo import load_demo_basket
from storage.basket.hsds import export_hsds
from storage.db import Database
from storage.errors import DomainError, Problem

S, N = "string", "number"
UUID, URI, EMAIL, DATE, TIME = "uuid", "uri", "email", "date", "time"

# object -> (file, {property: type, format or enum}, required)
SPEC: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    "organization": (
        "organizations",
        {
            "id": UUID, "name": S, "alternate_name": S, "description": S, "email": EMAIL,
            "website": URI, "tax_status": S, "tax_id": S, "year_incorporated": N,
            "legal_status": S, "logo": S, "uri": URI, "parent_organization_id": S,
        },
        {"id", "name", "description"},
    ),
    "service": (
        "services",
        {
            "id": UUID, "organization_id": S, "program_id": S, "name": S, "alternate_name": S,
            "description": S, "url": URI, "email": EMAIL,
            "status": {"active", "inactive", "defunct", "temporarily closed"},
            "interpretation_services": S, "application_process": S, "fees_description": S,
            "wait_time": S, "fees": S, "accreditations": S, "eligibility_description": S,
            "minimum_age": N, "maximum_age": N, "assured_date": DATE, "assurer_email": EMAIL,
            "licenses": S, "alert": S,
        },
        {"id", "name", "status", "organization_id"},
    ),
    "location": (
        "locations",
        {
            "id": UUID, "location_type": {"physical", "postal", "virtual"}, "url": URI,
            "organization_id": S, "name": S, "alternate_name": S, "description": S,
            "transportation": S, "latitude": N, "longitude": N, "external_identifier": S,
            "external_identifier_type": S,
        },
        {"id", "location_type"},
    ),
    "address": (
        "addresses",
        {
            "id": UUID, "location_id": S, "attention": S, "address_1": S, "address_2": S,
            "city": S, "region": S, "state_province": S, "postal_code": S, "country": S,
            "address_type": {"physical", "postal", "virtual"},
        },
        {"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"},
    ),
    "phone": (
        "phones",
        {
            "id": UUID, "location_id": S, "service_id": S, "organization_id": S,
            "contact_id": S, "service_at_location_id": S, "number": S, "extension": N,
            "type": S, "description": S,
        },
        {"id", "number"},
    ),
    "schedule": (
        "schedules",
        {
            "id": UUID, "service_id": S, "location_id": S, "service_at_location_id": S,
            "valid_from": DATE, "valid_to": DATE, "dtstart": DATE, "timezone": N,
            "until": DATE, "count": N, "wkst": {"MO", "TU", "WE", "TH", "FR", "SA", "SU"},
            "freq": {"WEEKLY", "MONTHLY"}, "interval": N, "byday": S, "byweekno": S,
            "bymonthday": S, "byyearday": S, "description": S, "opens_at": TIME,
            "closes_at": TIME, "schedule_link": URI, "attending_type": S, "notes": S,
        },
        {"id"},
    ),
    "taxonomy": (
        "taxonomies",
        {"id": UUID, "name": S, "description": S, "uri": URI, "version": S},
        {"id", "name", "description"},
    ),
    "taxonomy_term": (
        "taxonomy_terms",
        {
            "id": UUID, "code": S, "name": S, "description": S, "parent_id": S, "taxonomy": S,
            "language": S, "taxonomy_id": S, "term_uri": URI,
        },
        {"id", "name", "description"},
    ),
    "service_at_location": (
        "service_at_locations",
        {"id": UUID, "service_id": S, "location_id": S, "description": S},
        {"id", "service_id", "location_id"},
    ),
    "attribute": (
        "attributes",
        {
            "id": UUID, "link_id": S, "taxonomy_term_id": S, "link_type": S,
            "link_entity": S, "value": S, "label": S,
        },
        {"id", "link_id", "taxonomy_term_id", "link_entity"},
    ),
}  # fmt: skip

# Which file each link field must point into.
LINKS = {
    "organization_id": "organizations",
    "service_id": "services",
    "location_id": "locations",
    "taxonomy_id": "taxonomies",
    "taxonomy_term_id": "taxonomy_terms",
    "link_id": "services",
}


def _valid(value: Any, kind: Any) -> bool:
    if isinstance(kind, set):
        return value in kind
    if kind == N:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if not isinstance(value, str):
        return False
    if kind == UUID:
        return str(uuid.UUID(value)) == value
    if kind == URI:
        return re.match(r"^https?://[^\s/$.?#][^\s]*$", value) is not None
    if kind == EMAIL:
        return re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value) is not None
    if kind == DATE:
        return date.fromisoformat(value).isoformat() == value
    if kind == TIME:
        return re.match(r"^\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?$", value) is not None
    return True


ROWS = [
    {
        "gmina": "Sieradz",
        "instytucja": "MOPS w Sieradzu",
        "sektor": "pomoc społeczna",
        "usluga": "Punkt interwencji kryzysowej",
        "opis": "Wsparcie w kryzysie.",
        "kategorie": "przemoc w rodzinie; zdrowie psychiczne",
        "dla_kogo": "osoby w kryzysie",
        "jak_skorzystac": "bez skierowania",
        "adres": "ul. Przykładowa 1, 98-200 Sieradz",
        "telefon": "(przykład)",
        "email": "punkt@example.org",
        "www": "www.example.org",
        "godziny": "pn–pt 8–16",
        "odplatnosc": "bezpłatna",
    },
    {
        "gmina": "Sieradz",
        "instytucja": "MOPS w Sieradzu",
        "usluga": "Klub seniora",
        "kategorie": "seniorzy",
        "adres": "ul. Przykładowa 1, 98-200 Sieradz",
    },
    {
        "gmina": "Sieradz",
        "instytucja": "Stowarzyszenie przykładowe",
        "sektor": "organizacja pozarządowa",
        "usluga": "Grupa wsparcia",
        "kategorie": "uzależnienia",
        "adres": "Rynek 2",
        "www": "https://example.org/grupa",
    },
]


async def _export(db: Database, directory: Path) -> dict[str, list[dict[str, Any]]]:
    async with db.session() as session:
        await load_demo_basket(session)
        await basket.import_rows(session, ROWS)
    async with db.session() as session:
        paths = await export_hsds(session, "sieradz", directory)
    return {path.stem: json.loads(path.read_text("utf-8")) for path in paths}


async def test_every_object_has_its_required_fields_and_types(db: Database, tmp_path: Path) -> None:
    files = await _export(db, tmp_path)
    assert set(files) == {file for file, _, _ in SPEC.values()}
    for name, (file, properties, required) in SPEC.items():
        records = files[file]
        assert records, f"no {name} objects"
        assert len({r["id"] for r in records}) == len(records), f"{name}: ids not unique"
        for record in records:
            missing = required - {key for key, value in record.items() if value is not None}
            assert not missing, f"{name} lacks {missing}: {record}"
            unknown = set(record) - set(properties)
            assert not unknown, f"{name} has fields outside HSDS 3.0: {unknown}"
            for key, value in record.items():
                assert _valid(value, properties[key]), f"{name}.{key} = {value!r}"
    ids = {file: {r["id"] for r in records} for file, records in files.items()}
    for file, records in files.items():
        for record in records:
            for field, target in LINKS.items():
                if field in record:
                    assert record[field] in ids[target], f"{file}.{field} points nowhere"


async def test_export_content_and_stable_ids(db: Database, tmp_path: Path) -> None:
    files = await _export(db, tmp_path / "first")
    service = next(s for s in files["services"] if s["name"] == "Punkt interwencji kryzysowej")
    assert service["url"] == "https://www.example.org"
    assert service["fees_description"] == "bezpłatna"
    imported = {r["usluga"] for r in ROWS}
    assert all(("alert" in s) == (s["name"] not in imported) for s in files["services"])
    [address] = [a for a in files["addresses"] if a["address_1"] == "ul. Przykładowa 1"]
    assert (address["postal_code"], address["city"], address["country"]) == (
        "98-200",
        "Sieradz",
        "PL",
    )
    # Two services at one address share one location.
    assert len(files["locations"]) == 2
    assert len(files["service_at_locations"]) == 3
    terms = {t["id"]: t["code"] for t in files["taxonomy_terms"]}
    codes = {
        terms[a["taxonomy_term_id"]] for a in files["attributes"] if a["link_id"] == service["id"]
    }
    assert codes == {"przemoc", "zdrowie_psychiczne"}
    async with db.session() as session:
        again = await export_hsds(session, "Sieradz", tmp_path / "second")
    for path in again:
        assert path.read_text("utf-8") == (tmp_path / "first" / path.name).read_text("utf-8")


async def test_unknown_municipality(db: Database, tmp_path: Path) -> None:
    async with db.session() as session:
        with pytest.raises(DomainError) as caught:
            await export_hsds(session, "Atlantyda", tmp_path)
    assert caught.value.problem == Problem.MUNICIPALITY_UNKNOWN
