"""The local service basket: files in and out, all-or-nothing imports, search as people type."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import delete, func, select

from bot.cli import main
from storage import basket, members
from storage.basket.demo import TOWNS, load_demo_basket
from storage.db import Database
from storage.errors import DomainError, Problem
from storage.models import AuditEntry, Municipality, Service, ServiceWord
from tests import arrange

LODZ_MOPS = "Miejski Ośrodek Pomocy Społecznej w Łodzi"


def row(**values: str) -> dict[str, str]:
    base = {column: "" for column in basket.COLUMNS}
    base.update(
        gmina="Łódź",
        instytucja=LODZ_MOPS,
        sektor="pomoc społeczna",
        usluga="Punkt interwencji kryzysowej",
        kategorie="przemoc w rodzinie; zdrowie psychiczne",
    )
    base.update(values)
    return base


ROWS = [
    row(
        opis="Wsparcie dla osób doznających przemocy domowej; Niebieska Karta.",
        dla_kogo="osoby doznające przemocy i ich dzieci",
        jak_skorzystac="bez skierowania",
        adres="ul. Piotrkowska 1, 90-001 Łódź",
        telefon="(przykład)",
        email="punkt@example.org",
        www="www.example.org/punkt",
        godziny="pn–pt 8:00–16:00",
        odplatnosc="bezpłatna",
    ),
    row(usluga="Noclegownia dla mężczyzn", kategorie="Bezdomność", opis="Nocleg i posiłek."),
    row(
        gmina="Zgierz",
        instytucja="Powiatowy Urząd Pracy w Zgierzu",
        sektor="urząd pracy",
        usluga="Staże dla bezrobotnych",
        kategorie="praca",
        odplatnosc="bezpłatna",
    ),
]


async def count_services(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Service)) or 0


# ---------------------------------------------------------------- files and imports


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_export_and_reimport_round_trip(db: Database, kind: str) -> None:
    async with db.session() as session:
        first = await basket.import_rows(session, ROWS, actor_telegram_id=77)
    assert first == basket.ImportReport(created=3, updated=0, unchanged=0)
    async with db.session() as session:
        exported = await basket.export_rows(session, "lodz")  # Polish letters optional
    assert [r["usluga"] for r in exported] == ["Noclegownia dla mężczyzn", ROWS[0]["usluga"]]
    assert exported[0]["kategorie"] == "bezdomność"
    assert exported[1]["kategorie"] == "przemoc w rodzinie; zdrowie psychiczne"
    content = basket.write_csv(exported) if kind == "csv" else basket.write_xlsx(exported)
    if kind == "csv":
        assert content.startswith(b"\xef\xbb\xbfgmina;instytucja;")
    read = basket.read_table(f"koszyk.{kind}", content)
    assert read == exported
    assert read[1] | {"kategorie": ROWS[0]["kategorie"]} == ROWS[0] | {"sektor": "pomoc społeczna"}
    async with db.session() as session:
        again = await basket.import_rows(session, read, municipality="Łódź")
    assert again == basket.ImportReport(created=0, updated=0, unchanged=2)
    assert await count_services(db) == 3


async def test_reimport_changes_nothing_and_changes_are_counted(db: Database) -> None:
    async with db.session() as session:
        await basket.import_rows(session, ROWS)
    async with db.session() as session:
        assert await basket.import_rows(session, ROWS) == basket.ImportReport(0, 0, 3)
    changed = [dict(r) for r in ROWS]
    changed[1]["opis"] = "Nocleg, posiłek i łaźnia."
    changed[2]["usluga"] = "STAŻE dla  bezrobotnych"  # same key: case and spaces
    async with db.session() as session:
        assert await basket.import_rows(session, changed, actor_telegram_id=5) == (
            basket.ImportReport(created=0, updated=2, unchanged=1)
        )
    async with db.session() as session:
        services = {s.key: s for s in await session.scalars(select(Service))}
        assert len(services) == 3
        night = next(s for s in services.values() if s.name.startswith("Noclegownia"))
        assert night.description == "Nocleg, posiłek i łaźnia." and night.updated_by == 5
        log = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.action for e in log] == ["basket.import"] * 3
    assert log[-1].details["updated"] == 2 and log[-1].actor_telegram_id == 5


async def test_a_wrong_row_rejects_the_whole_file_with_row_numbers(db: Database) -> None:
    rows = [
        ROWS[0],  # row 2: fine
        row(usluga="Nieznana kategoria", kategorie="przemoc w rodzinie; kosmos"),  # 3: kept
        row(usluga="Zły e-mail", email="nie-adres"),  # 4
        dict(ROWS[0]),  # 5: the same as row 2
        row(usluga="", kategorie=""),  # 6
        {column: "" for column in basket.COLUMNS},  # 7: blank, skipped
        row(gmina="Zgierz", usluga="Obca gmina"),  # 8
        row(usluga="Zła strona", www="to nie jest adres"),  # 9
        row(usluga="Nieznany sektor", sektor="kosmiczny"),  # 10: kept, as "inne"
        row(usluga="x" * 301),  # 11
    ]
    async with db.session() as session:
        with pytest.raises(basket.BasketImportError) as caught:
            await basket.import_rows(session, rows, municipality="Łódź")
    problems = caught.value.problems
    # Unknown category and sector names are reported, not refused (test_basket_vocabulary).
    assert [number for number, _ in problems] == [4, 5, 6, 6, 8, 9, 11]
    reasons = dict(problems)
    assert "e-mail" in reasons[4]
    assert "wierszu 2" in reasons[5]
    assert "Zgierz" in reasons[8]
    assert "300" in reasons[11]
    assert await count_services(db) == 0


def test_missing_columns_are_listed() -> None:
    header = [c for c in basket.COLUMNS if c not in ("kategorie", "www")]
    content = (";".join(header) + "\nŁódź;MOPS\n").encode()
    with pytest.raises(basket.BasketFileError) as caught:
        basket.read_table("koszyk.csv", content)
    assert "kategorie" in caught.value.reason and "www" in caught.value.reason
    with pytest.raises(basket.BasketFileError) as caught:
        basket.read_table("koszyk.csv", b"a;b;c\n1;2;3\n")
    assert "nagłówk" in caught.value.reason


def _csv(encoding: str, delimiter: str = ";", bom: bytes = b"", dash: str = "–") -> bytes:
    header = ["Gmina", "Instytucja", "Sektor", "Usługa", "Opis", "Kategorie", "Dla kogo"]
    header += ["Jak skorzystać", "Adres", "Telefon", "E-mail", "WWW", "Godziny", "Odpłatność"]
    values = ["Zduńska Wola", "MOPS – Centrum Opieki Socjalnej w Zduńskiej Woli", "pomoc społeczna"]
    values += ["Świetlica środowiskowa", "Zajęcia dla dzieci: ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ", "edukacja"]
    values += ["dzieci", "zapis", "", "", "", "", "", "bezpłatna"]
    lines = [delimiter.join(header), delimiter.join(values)]
    text = "\r\n".join(lines) + "\r\n"
    if encoding == "iso-8859-2" or dash == "-":
        text = text.replace("–", "-")  # ISO-8859-2 has no en dash
    return bom + text.encode(encoding)


@pytest.mark.parametrize(
    "content",
    [
        _csv("cp1250"),
        _csv("cp1250", dash="-"),  # no byte in 0x80-0x9F: told apart by its letters
        _csv("iso-8859-2"),
        _csv("utf-8", bom=b"\xef\xbb\xbf"),
        _csv("utf-8", delimiter=","),
        _csv("utf-16"),
    ],
    ids=["windows-1250", "windows-1250-letters", "iso-8859-2", "utf-8-bom", "comma", "utf-16"],
)
def test_csv_encodings_and_delimiters(content: bytes) -> None:
    [record] = basket.read_table("koszyk.csv", content)
    assert record["usluga"] == "Świetlica środowiskowa"
    assert record["opis"] == "Zajęcia dla dzieci: ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ"
    assert record["jak_skorzystac"] == "zapis" and record["odplatnosc"] == "bezpłatna"


def test_xlsx_with_numbers_blank_rows_and_a_formula_like_text() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(basket.COLUMNS)
    sheet.append(["Łódź", LODZ_MOPS, "", "A", "", "seniorzy", "", "", "", 426301234])
    sheet.append([])
    sheet.append(["Łódź", LODZ_MOPS, "", "B", "", "seniorzy"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    records = basket.read_table("koszyk.xlsx", buffer.getvalue())
    assert [r["usluga"] for r in records] == ["A", "", "B"]  # row numbers stay as in Excel
    assert records[0]["telefon"] == "426301234"
    # Written back, a text starting with "=" stays text (not an Excel formula).
    written = basket.write_xlsx([row(opis="=HYPERLINK(1)")])
    assert basket.read_table("k.xlsx", written)[0]["opis"] == "=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("filename", "content", "words"),
    [
        ("zdjecie.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "CSV ani XLSX"),
        ("koszyk.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "CSV ani XLSX"),
        ("koszyk.xlsx", b"\x89PNG\r\n\x1a\nnot a zip", "XLSX"),
        ("stary.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), ".xls"),
        ("pusty.csv", b"", "pusty"),
        ("pusty.csv", b" \r\n\r\n", "pusty"),
        ("naglowek.csv", (";".join(basket.COLUMNS) + "\r\n").encode(), "tylko nagłówek"),
        ("duzy.csv", b"a" * (basket.MAX_FILE_BYTES + 1), "10 MB"),
    ],
    ids=["png", "pdf", "png-named-xlsx", "old-xls", "empty", "blank", "header-only", "too-big"],
)
def test_unreadable_files_are_refused_with_a_reason(
    filename: str, content: bytes, words: str
) -> None:
    with pytest.raises(basket.BasketFileError) as caught:
        basket.read_table(filename, content)
    assert words in caught.value.reason


def test_template_lists_categories_and_sectors() -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(basket.template_xlsx()))
    first, lists = workbook.worksheets[:2]
    assert [c.value for c in first[1]] == basket.COLUMNS and first.max_row == 1
    values = {c.value for column in lists.iter_cols() for c in column}
    assert set(basket.CATEGORIES.values()) <= values
    assert {"pomoc społeczna", "organizacja pozarządowa", "sąd"} <= values


# ---------------------------------------------------------------- search


@pytest.fixture
async def demo(db: Database) -> dict[str, int]:
    """The demo basket of the eight towns; municipality ids by name."""
    async with db.session() as session:
        assert await load_demo_basket(session) > 100
        places = {}
        for town in TOWNS:
            found = await basket.find_municipality(session, town.name)
            assert found is not None
            places[town.name] = found.id
    return places


@pytest.mark.parametrize(
    "query", ["przemoc", "przemocy", "przemocą", "PRZEMOC", "Przemocy w rodzinie", "przemc"]
)
async def test_search_ignores_case_diacritics_inflection_and_typos(
    db: Database, demo: dict[str, int], query: str
) -> None:
    async with db.session() as session:
        page = await basket.search(session, query, municipality_id=demo["Sieradz"], limit=3)
    assert page.total >= 8 * 3
    assert len(page.hits) == 3
    for hit in page.hits:
        assert hit.municipality == "Sieradz"
        assert "przemoc w rodzinie" in hit.categories
        assert hit.is_example


async def test_natural_phrases_find_the_right_service(db: Database, demo: dict[str, int]) -> None:
    cases = {
        "gdzie skierować osobę bezdomną": "Schronienie, noclegownia",
        "gdzie skierowac osobe bezdomna": "Schronienie, noclegownia",
        "senior potrzebuje pomocy w domu": "Usługi opiekuńcze",
        "mąż pije, rodzina potrzebuje wsparcia": "Punkt konsultacyjny",
        "darmowa porada prawnika": "Nieodpłatna pomoc prawna",
        "kwantowa teleportacja": None,  # in no service: nothing, and no error
    }
    async with db.session() as session:
        for query, expected in cases.items():
            page = await basket.search(session, query, municipality_id=demo["Zgierz"])
            if expected is None:
                assert page.total == 0 and page.hits == []
                continue
            assert page.hits[0].name.startswith(expected), (query, page.hits[0].name)
            assert page.hits[0].municipality == "Zgierz"


async def test_polish_letters_are_optional_both_ways(db: Database) -> None:
    rows = [row(usluga="Dyżur prawnika", opis="W każdą środę.", kategorie="pomoc prawna")]
    rows.append(row(usluga="Łaźnia i pralnia", opis="Dla osób bez domu.", kategorie="bezdomność"))
    async with db.session() as session:
        await basket.import_rows(session, rows)
        for query, name in [("sroda", "Dyżur"), ("ŚRODĘ", "Dyżur"), ("lazni", "Łaźnia")]:
            page = await basket.search(session, query)
            assert [h.name.split()[0] for h in page.hits] == [name], query


async def test_own_municipality_first_then_relevance_and_pages(
    db: Database, demo: dict[str, int]
) -> None:
    async with db.session() as session:
        everywhere = await basket.search(session, "bezdomność", limit=50)
        first = await basket.search(session, "bezdomność", municipality_id=demo["Radomsko"])
        second = await basket.search(
            session, "bezdomność", municipality_id=demo["Radomsko"], offset=5
        )
        beyond = await basket.search(session, "bezdomność", offset=1000)
    assert everywhere.total == len(everywhere.hits) == first.total == 8
    assert first.hits[0].municipality == "Radomsko"
    assert {h.municipality for h in first.hits[1:]} != {"Radomsko"}
    names = [h.id for h in first.hits + second.hits]
    assert len(names) == len(set(names)) == 8  # the pages neither overlap nor miss
    scores = [h.score for h in first.hits[1:] + second.hits]
    assert scores == sorted(scores, reverse=True)
    assert beyond.total == 8 and beyond.hits == []


async def test_typos_are_corrected_to_words_of_the_basket(
    db: Database, demo: dict[str, int]
) -> None:
    async with db.session() as session:
        words = set(await session.scalars(select(ServiceWord.word)))
        assert {"noclegownia", "interdyscyplinarny", "rodzin"} <= words
        assert not any(w.startswith("gm") and w[2:].isdigit() for w in words)  # no markers
        for query, expected in [
            ("noclegwonia", "Schronienie, noclegownia"),
            ("interdyscyplinary", "Zespół interdyscyplinarny"),
            ("asystnet rodziny", "Asystent rodziny"),
        ]:
            page = await basket.search(session, query, municipality_id=demo["Łódź"])
            assert page.hits and page.hits[0].name.startswith(expected), (query, page.hits)


async def test_totals_are_counted_up_to_a_limit(
    db: Database, demo: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.basket import index

    monkeypatch.setattr(index, "COUNT_LIMIT", 5)
    async with db.session() as session:
        many = await basket.search(session, "bezdomność", municipality_id=demo["Sieradz"])
        few = await basket.search(session, "pomost")
        category = await basket.by_category(session, "bezdomnosc")
    assert (many.total, many.capped) == (5, True)
    assert many.hits[0].municipality == "Sieradz"
    assert (few.total, few.capped) == (1, False)
    assert (category.total, category.capped) == (5, True)


async def test_search_matches_institution_names(db: Database, demo: dict[str, int]) -> None:
    async with db.session() as session:
        page = await basket.search(session, "pomost")
        police = await basket.search(session, "komenda policji łowicz")
    assert page.total == 1 and page.hits[0].institution == 'Stowarzyszenie "POMOST"'
    assert police.hits[0].institution == "Komenda Powiatowa Policji w Łowiczu"


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("a", Problem.QUERY_TOO_SHORT),
        ("   ", Problem.QUERY_TOO_SHORT),
        ("?!…--", Problem.QUERY_TOO_SHORT),
        ("przemoc " * 30, Problem.QUERY_TOO_LONG),
    ],
)
async def test_queries_too_short_or_too_long(
    db: Database, demo: dict[str, int], query: str, problem: Problem
) -> None:
    async with db.session() as session:
        with pytest.raises(DomainError) as caught:
            await basket.search(session, query)
    assert caught.value.problem == problem


async def test_only_stop_words_find_nothing(db: Database, demo: dict[str, int]) -> None:
    async with db.session() as session:
        assert await basket.search(session, "gdzie jest?") == basket.SearchPage([], 0)


async def test_by_category_own_town_first_by_name(db: Database, demo: dict[str, int]) -> None:
    async with db.session() as session:
        first = await basket.by_category(session, "seniorzy", municipality_id=demo["Łódź"])
        rest = await basket.by_category(
            session, "seniorzy", municipality_id=demo["Łódź"], offset=5, limit=20
        )
        with pytest.raises(DomainError) as caught:
            await basket.by_category(session, "kosmos")
    assert caught.value.problem == Problem.STALE_BUTTON
    assert first.total == 9  # care at home in 8 towns, and ZUS in Łódź
    assert [h.municipality for h in first.hits[:2]] == ["Łódź", "Łódź"]
    assert [h.name for h in first.hits[:2]] == sorted(h.name for h in first.hits[:2])
    assert all("seniorzy" in h.categories for h in first.hits + rest.hits)
    assert len({h.id for h in first.hits + rest.hits}) == 9


async def test_get_service_and_members_town(db: Database, demo: dict[str, int]) -> None:
    async with db.session() as session:
        hit = await basket.search(session, "asystent rodziny", municipality_id=demo["Łowicz"])
        service = await basket.get_service(session, hit.hits[0].id)
        with pytest.raises(DomainError) as caught:
            await basket.get_service(session, 999_999)
        team = await arrange.team(session, town="Łowicz")
        await arrange.person(session, team.team_id, 3001, "Ola")
        member = await members.find_member(session, 3001)
        assert member is not None
        assert basket.municipality_of_member(member) == demo["Łowicz"]
        assert basket.municipality_of_member(None) is None
    assert caught.value.problem == Problem.SERVICE_UNKNOWN
    assert service.municipality.name == "Łowicz"
    assert service.institution.name == "MOPS w Łowiczu"


async def test_demo_basket_covers_every_category_in_every_town_and_is_idempotent(
    db: Database, demo: dict[str, int]
) -> None:
    async with db.session() as session:
        assert await load_demo_basket(session) == 0
        services = list(await session.scalars(select(Service)))
    for town, place_id in demo.items():
        mine = [s for s in services if s.municipality_id == place_id]
        assert 8 <= len(mine) <= 21, town
        assert {c for s in mine for c in s.categories} == set(basket.CATEGORIES), town
    assert all(s.is_example and not s.phone and not s.email for s in services)


async def test_deleting_a_municipality_empties_the_index(db: Database) -> None:
    async with db.session() as session:
        await basket.import_rows(session, ROWS)
    async with db.session() as session:
        place = await basket.find_municipality(session, "Łódź")
        assert place is not None
        await session.execute(delete(Municipality).where(Municipality.id == place.id))
    async with db.session() as session:
        assert (await basket.search(session, "noclegownia")).total == 0
        assert (await basket.search(session, "staże")).total == 1


# ---------------------------------------------------------------- command line


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return tmp_path


async def _run(argv: list[str]) -> int:
    # The CLI runs its own event loop, so it goes to a worker thread.
    return await asyncio.get_running_loop().run_in_executor(None, main, argv)


async def test_cli_import_export_search(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await _run(["basket", "template", "szablon.xlsx"]) == 0
    template = (cli_env / "szablon.xlsx").read_bytes()
    with pytest.raises(basket.BasketFileError):  # headers only
        basket.read_table("szablon.xlsx", template)
    source = cli_env / "koszyk.csv"
    source.write_bytes(basket.write_csv(ROWS))
    assert await _run(["basket", "import", str(source)]) == 0
    assert "3 new, 0 changed, 0 unchanged" in capsys.readouterr().out
    assert await _run(["basket", "import", "koszyk.csv"]) == 0
    assert "0 new, 0 changed, 3 unchanged" in capsys.readouterr().out

    assert await _run(["basket", "export", "Łódź", "out.xlsx"]) == 0
    assert "2 services" in capsys.readouterr().out
    assert len(basket.read_table("out.xlsx", (cli_env / "out.xlsx").read_bytes())) == 2
    assert await _run(["basket", "export", "lodz", "out.csv", "--format", "csv"]) == 0
    assert (cli_env / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert await _run(["basket", "export", "Łódź", "hsds", "--format", "hsds"]) == 0
    services = json.loads((cli_env / "hsds" / "services.json").read_text("utf-8"))
    assert len(services) == 2
    capsys.readouterr()

    assert await _run(["basket", "search", "noclegownia", "--gmina", "lodz", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["total"] == 1 and found["hits"][0]["name"] == "Noclegownia dla mężczyzn"
    assert await _run(["basket", "search", "przemocy"]) == 0
    assert "1. Punkt interwencji kryzysowej" in capsys.readouterr().out


async def test_cli_errors(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = cli_env / "zly.csv"
    bad.write_bytes(basket.write_csv([ROWS[0], row(usluga="B", email="nie-adres")]))
    assert await _run(["basket", "import", str(bad)]) == 1
    assert "wiersz 3: niepoprawny adres e-mail „nie-adres”" in capsys.readouterr().err
    (cli_env / "obraz.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert await _run(["basket", "import", "obraz.png"]) == 1
    assert "CSV ani XLSX" in capsys.readouterr().err
    assert await _run(["basket", "import", "nie-ma.csv"]) == 1
    assert "nie-ma.csv" in capsys.readouterr().err
    assert await _run(["basket", "export", "Atlantyda", "x.csv"]) == 1
    assert "municipality unknown" in capsys.readouterr().err
    assert await _run(["basket", "search", "?"]) == 1
    assert "query too short" in capsys.readouterr().err
