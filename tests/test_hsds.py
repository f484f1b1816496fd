"""The HSDS export checked against Open Referral HSDS 3.0, object by object.

Each object is validated with `jsonschema` against the official schema of its kind, vendored in
tests/hsds_schema/ (where it comes from: its README), with the links that flat, per-object files
need ("tabular_required") required too, and no field outside the schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

from storage import basket
from storage.basket.demo import load_demo_basket
from storage.basket.hsds import export_hsds
from storage.db import Database
from storage.errors import DomainError, Problem

TABULAR = Path(__file__).parent / "hsds_schema" / "tabular.json"
SCHEMAS: dict[str, Any] = json.loads(TABULAR.read_text("utf-8"))["properties"]

# object -> the file the export writes its objects to
FILES = {
    "organization": "organizations",
    "service": "services",
    "location": "locations",
    "address": "addresses",
    "phone": "phones",
    "schedule": "schedules",
    "taxonomy": "taxonomies",
    "taxonomy_term": "taxonomy_terms",
    "service_at_location": "service_at_locations",
    "attribute": "attributes",
}

# Which file each link field must point into.
LINKS = {
    "organization_id": "organizations",
    "service_id": "services",
    "location_id": "locations",
    "taxonomy_id": "taxonomies",
    "taxonomy_term_id": "taxonomy_terms",
    "link_id": "services",
}

FORMATS = FormatChecker()


# jsonschema checks "uri" only with the optional rfc3987 package, and "email" only for an "@":
# the export writes absolute http(s) URLs and whole addresses, so those are checked.
@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    return not isinstance(value, str) or re.match(r"^https?://[^\s/$.?#][^\s]*$", value) is not None


@FORMATS.checks("email")
def _email(value: object) -> bool:
    return not isinstance(value, str) or re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value) is not None


def _datapackage_type(
    validator: Any, kind: str, value: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """HSDS marks dates and times with its own keyword, which JSON Schema does not know."""
    if not isinstance(value, str):
        return
    if kind == "date" and not FORMATS.conforms(value, "date"):
        yield ValidationError(f"{value!r} is not a date")
    if kind == "time" and not re.match(r"^\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?$", value):
        yield ValidationError(f"{value!r} is not a time")


HSDS = validators.extend(Draft202012Validator, {"datapackage_type": _datapackage_type})


def _validator(name: str) -> Any:
    schema = SCHEMAS[name]["items"]
    flat = {**schema, "required": schema["required"] + schema.get("tabular_required", [])}
    return HSDS(flat, format_checker=FORMATS)


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
    assert set(files) == set(FILES.values())
    for name, file in FILES.items():
        records = files[file]
        assert records, f"no {name} objects"
        assert len({r["id"] for r in records}) == len(records), f"{name}: ids not unique"
        validator = _validator(name)
        for record in records:
            errors = [error.message for error in validator.iter_errors(record)]
            assert not errors, f"{name}: {errors} in {record}"
            unknown = set(record) - set(validator.schema["properties"])
            assert not unknown, f"{name} has fields outside HSDS 3.0: {unknown}"
            nested = {key for key, value in record.items() if isinstance(value, list | dict)}
            assert not nested, f"{name} nests {nested} in a flat file"
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
