"""Basket files as offices write them: sector and category names with their synonyms, in any
case, with or without Polish letters, in cp1250; unknown names kept and reported; the
template, the README and the vocabulary saying the same (issue 19)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from storage import basket
from storage.basket.vocabulary import (
    CATEGORIES,
    CATEGORY_SYNONYMS,
    SECTOR_NAMES,
    SECTOR_SYNONYMS,
    category_slug,
    names_of,
    sector_of,
)
from storage.basket.writing import GUIDE, GUIDE_SHEET, LISTS_SHEET, REQUIRED_COLUMNS
from storage.db import Database
from storage.models import Institution, Role, Sector, Service
from tests import arrange
from tests.conftest import Harness

README = Path(__file__).resolve().parents[1] / "README.md"
COORDINATOR, MEMBER = 2101, 2102
HEADER = (
    "gmina;instytucja;sektor;usluga;opis;kategorie;dla_kogo;jak_skorzystac;adres;telefon;"
    "email;www;godziny;odplatnosc"
)


def row(**values: str) -> dict[str, str]:
    return {column: "" for column in basket.COLUMNS} | {
        "gmina": "Sieradz",
        "kategorie": "pomoc prawna",
        **values,
    }


# A real office's file: its own words for sectors, one it does not share with the bot.
OFFICE_ROWS = [
    ("Powiatowy Urząd Pracy w Sieradzu", "rynek pracy", "Staże", "bezrobocie"),
    ("Sąd Rejonowy w Sieradzu", "sądownictwo", "Punkt informacyjny", "porady prawne"),
    ("Urząd Miasta Sieradza", "administracja samorządowa", "Dodatek mieszkaniowy", "lokale"),
    ("Zespół Kuratorskiej Służby Sądowej", "SĄDOWNICTWO", "Dyżur kuratora", "rodzina"),
    ("Sąd Okręgowy w Sieradzu", " Sadownictwo ", "Mediacje rodzinne", "pomoc prawna"),
    ("MKS Warta Sieradz", "kultura fizyczna", "Zajęcia sportowe dla dzieci", "dzieci, sport"),
]
EXPECTED_SECTORS = {
    "Powiatowy Urząd Pracy w Sieradzu": Sector.LABOUR,
    "Sąd Rejonowy w Sieradzu": Sector.COURT,
    "Urząd Miasta Sieradza": Sector.LOCAL_GOVERNMENT,
    "Zespół Kuratorskiej Służby Sądowej": Sector.COURT,
    "Sąd Okręgowy w Sieradzu": Sector.COURT,
    "MKS Warta Sieradz": Sector.OTHER,
}


def office_csv() -> bytes:
    lines = [HEADER] + [
        f"Sieradz;{institution};{sector};{service};;{categories};;;;;;;;"
        for institution, sector, service, categories in OFFICE_ROWS
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1250")


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("written", "sector"),
    [
        ("rynek pracy", Sector.LABOUR),
        ("Urząd Pracy", Sector.LABOUR),
        ("PUP", Sector.LABOUR),
        ("sądownictwo", Sector.COURT),
        ("SĄDOWNICTWO", Sector.COURT),
        ("Sadownictwo", Sector.COURT),
        ("  sądownictwo  ", Sector.COURT),
        ("wymiar sprawiedliwości", Sector.COURT),
        ("Wymiar  Sprawiedliwosci.", Sector.COURT),
        ("sąd", Sector.COURT),
        ("kuratorzy", Sector.COURT),
        ("administracja samorządowa", Sector.LOCAL_GOVERNMENT),
        ("ADMINISTRACJA SAMORZADOWA", Sector.LOCAL_GOVERNMENT),
        ("urząd gminy", Sector.LOCAL_GOVERNMENT),
        ("Urząd Miasta", Sector.LOCAL_GOVERNMENT),
        ("starostwo", Sector.LOCAL_GOVERNMENT),
        ("oświata", Sector.EDUCATION),
        ("edukacja", Sector.EDUCATION),
        ("służba zdrowia", Sector.HEALTH),
        ("ochrona zdrowia", Sector.HEALTH),
        ("NGO", Sector.NGO),
        ("stowarzyszenie", Sector.NGO),
        ("Fundacja", Sector.NGO),
        ("policja", Sector.POLICE),
        ("pomoc społeczna", Sector.SOCIAL_ASSISTANCE),
        ("MOPS", Sector.SOCIAL_ASSISTANCE),
        ("mieszkalnictwo", Sector.HOUSING),
        ("ZUS", Sector.SOCIAL_INSURANCE),
        ("inne", Sector.OTHER),
        ("social_assistance", Sector.SOCIAL_ASSISTANCE),
        ("local_government", Sector.LOCAL_GOVERNMENT),
    ],
)
def test_sectors_as_offices_write_them(written: str, sector: Sector) -> None:
    assert sector_of(written) == sector


@pytest.mark.parametrize("written", ["kultura fizyczna", "kosmiczny", "", "  ", "sądownictwo x"])
def test_unknown_sectors_are_none(written: str) -> None:
    assert sector_of(written) is None


def test_every_sector_has_a_name_and_every_name_one_meaning() -> None:
    assert set(SECTOR_NAMES) == set(Sector)
    for sector, listed in SECTOR_SYNONYMS.items():
        for name in [SECTOR_NAMES[sector], *names_of(listed)]:
            assert sector_of(name) == sector, name
    for slug, listed in CATEGORY_SYNONYMS.items():
        for name in [CATEGORIES[slug], slug, *names_of(listed)]:
            assert category_slug(name) == slug, name


@pytest.mark.parametrize(
    ("written", "slug"),
    [
        ("Bezdomni", "bezdomnosc"),
        ("PRZEMOC DOMOWA", "przemoc"),
        ("przemoc w rodzinie", "przemoc"),
        ("oswiata", "edukacja"),
        ("osoby starsze", "seniorzy"),
        ("niebieska karta", "przemoc"),
    ],
)
def test_category_synonyms(written: str, slug: str) -> None:
    assert category_slug(written) == slug


def test_cp1250_file_keeps_its_polish_letters() -> None:
    rows = basket.read_table("koszyk.csv", office_csv())
    assert [r["sektor"] for r in rows][:4] == [
        "rynek pracy",
        "sądownictwo",
        "administracja samorządowa",
        "SĄDOWNICTWO",
    ]
    assert rows[3]["instytucja"] == "Zespół Kuratorskiej Służby Sądowej"


# ---------------------------------------------------------------- import


async def _sectors(db: Database) -> dict[str, Sector]:
    async with db.session() as session:
        return {i.name: i.sector for i in await session.scalars(select(Institution))}


async def _services(db: Database) -> dict[str, list[str]]:
    async with db.session() as session:
        return {s.name: s.categories for s in await session.scalars(select(Service))}


async def test_office_file_imports_with_unknown_names_reported(db: Database) -> None:
    rows = basket.read_table("koszyk.csv", office_csv())
    async with db.session() as session:
        report = await basket.import_rows(session, rows, municipality="Sieradz")
    assert report.created == 6
    assert report.unknown_sectors == (basket.Unknown("kultura fizyczna", (7,)),)
    assert report.unknown_categories == (basket.Unknown("sport", (7,)),)
    assert await _sectors(db) == EXPECTED_SECTORS
    services = await _services(db)
    assert services["Zajęcia sportowe dla dzieci"] == ["rodzina"]
    assert services["Dodatek mieszkaniowy"] == ["mieszkalnictwo"]


async def test_unknown_names_listed_once_with_their_rows(db: Database) -> None:
    rows = [
        row(instytucja="Klub A", usluga="Basen", sektor="Kultura fizyczna", kategorie="sport"),
        row(instytucja="Klub B", usluga="Boisko", sektor="kultura  fizyczna", kategorie="Sport"),
        row(instytucja="Klub C", usluga="Hala", sektor="sport", kategorie="xyz; pomoc prawna"),
    ]
    async with db.session() as session:
        report = await basket.import_rows(session, rows)
    assert report.unknown_sectors == (
        basket.Unknown("Kultura fizyczna", (2, 3)),
        basket.Unknown("sport", (4,)),
    )
    assert report.unknown_categories == (
        basket.Unknown("sport", (2, 3)),
        basket.Unknown("xyz", (4,)),
    )
    services = await _services(db)
    assert services == {"Basen": [], "Boisko": [], "Hala": ["pomoc_prawna"]}


async def test_unknown_sector_leaves_a_known_institution_as_it_was(db: Database) -> None:
    async with db.session() as session:
        await basket.import_rows(session, [row(instytucja="PUP", usluga="Staż", sektor="PUP")])
    async with db.session() as session:
        report = await basket.import_rows(
            session, [row(instytucja="PUP", usluga="Staż", sektor="rynek pracy i kultura")]
        )
    assert report.unknown_sectors == (basket.Unknown("rynek pracy i kultura", (2,)),)
    assert (await _sectors(db))["PUP"] == Sector.LABOUR


async def test_one_truly_bad_row_still_changes_nothing(db: Database) -> None:
    rows = [
        *basket.read_table("koszyk.csv", office_csv()),
        row(instytucja="Urząd Gminy", sektor="urząd gminy", usluga=""),  # row 8: no service
    ]
    async with db.session() as session:
        with pytest.raises(basket.BasketImportError) as caught:
            await basket.import_rows(session, rows, municipality="Sieradz")
    assert caught.value.problems == [(8, "puste pole „usluga”")]
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Service)) == 0
        assert await session.scalar(select(func.count()).select_from(Institution)) == 0


# ---------------------------------------------------------------- template and README


def _readme_section() -> str:
    text = README.read_text("utf-8")
    start = text.index("## The basket file (coordinators)")
    return text[start : text.index("\n## ", start + 1)]


def _table(section: str, heading: str) -> dict[str, list[str]]:
    """The rows of the Markdown table whose header starts with `| heading |`."""
    lines = section[section.index(f"| {heading} |") :].splitlines()[2:]
    table = {}
    for line in lines:
        if not line.startswith("|"):
            break
        first, rest = (cell.strip() for cell in line.strip("|").split("|")[:2])
        table[first] = [name.strip() for name in rest.split(",") if name.strip()]
    return table


def test_readme_lists_the_vocabulary() -> None:
    section = _readme_section()
    sectors = _table(section, "sector")
    assert list(sectors) == list(SECTOR_NAMES.values())
    for sector, name in SECTOR_NAMES.items():
        assert sectors[name] == names_of(SECTOR_SYNONYMS.get(sector, ""))
    categories = _table(section, "category")
    assert list(categories) == list(CATEGORIES.values())
    for slug, label in CATEGORIES.items():
        assert categories[label] == names_of(CATEGORY_SYNONYMS.get(slug, ""))


def test_readme_columns_and_template_agree() -> None:
    columns = _table(_readme_section(), "column")
    named = [name.strip("`") for cell in columns for name in cell.split(", ")]
    assert named == basket.COLUMNS
    required = [
        name.strip("`")
        for cell, (answer, *_rest) in columns.items()
        if answer == "yes"
        for name in cell.split(", ")
    ]
    assert tuple(required) == REQUIRED_COLUMNS

    workbook = load_workbook(io.BytesIO(basket.template_xlsx()))
    assert workbook.sheetnames == [basket.writing.SHEET, LISTS_SHEET, GUIDE_SHEET]
    assert [c.value for c in workbook.worksheets[0][1]] == basket.COLUMNS
    lists = workbook[LISTS_SHEET]
    listed = {
        lists.cell(row=r, column=3).value: lists.cell(row=r, column=4).value or ""
        for r in range(2, lists.max_row + 1)
        if lists.cell(row=r, column=3).value
    }
    assert listed == {
        name: ", ".join(names_of(SECTOR_SYNONYMS.get(sector, "")))
        for sector, name in SECTOR_NAMES.items()
    }
    guide = [c.value for c in workbook[GUIDE_SHEET]["A"]]
    assert guide == list(GUIDE)
    assert "Wymagane kolumny: " + ", ".join(REQUIRED_COLUMNS) + "." in guide[1]
    assert re.search(r"Nieznany sektor nie blokuje pliku", " ".join(guide))


def test_readme_and_the_rows_check_agree_on_required_columns() -> None:
    from storage.basket.rows import REQUIRED

    assert REQUIRED == REQUIRED_COLUMNS


# ---------------------------------------------------------------- in Telegram


@pytest.fixture
async def coordinator(harness: Harness) -> None:
    async with harness.session() as session:
        ids = await arrange.team(session, town="Sieradz", institutions=())
        await arrange.person(session, ids.team_id, COORDINATOR, "Katarzyna", Role.COORDINATOR)
    harness.user(COORDINATOR, "Katarzyna")


async def test_office_file_uploaded_in_telegram(harness: Harness, coordinator: None) -> None:
    harness.emu.send_document(COORDINATOR, "koszyk_urzad.csv", office_csv())
    reply = (await harness.emu.next_message(COORDINATOR))["text"]
    assert "nowe 6" in reply
    assert "„kultura fizyczna” (wiersz 7)" in reply and "„inne”" in reply
    assert "„sport” (wiersz 7)" in reply
    assert "/koszyk_szablon" in reply
    async with harness.session() as session:
        sectors = {i.name: i.sector for i in await session.scalars(select(Institution))}
    assert sectors == EXPECTED_SECTORS

    # The same file again: nothing new, and the names still reported.
    harness.emu.send_document(COORDINATOR, "koszyk_urzad.csv", office_csv())
    again = (await harness.emu.next_message(COORDINATOR))["text"]
    assert "bez zmian 6" in again and "kultura fizyczna" in again


async def test_a_bad_row_in_telegram_changes_nothing(harness: Harness, coordinator: None) -> None:
    bad = office_csv() + "Sieradz;Urząd Gminy;urząd gminy;;;pomoc prawna;;;;;;;;\r\n".encode(
        "cp1250"
    )
    harness.emu.send_document(COORDINATOR, "koszyk.csv", bad)
    refused = (await harness.emu.next_message(COORDINATOR))["text"]
    assert "nie został zmieniony" in refused and "wiersz 8" in refused
    assert "kultura fizyczna" not in refused  # only what stops the file
    async with harness.session() as session:
        assert await session.scalar(select(func.count()).select_from(Service)) == 0
