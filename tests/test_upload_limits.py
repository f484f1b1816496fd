"""Basket files that cannot stall the bot: limits before and while reading, reading in a child
process with a time limit, and the download outside the database transaction."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Callable, Iterable

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from storage import basket
from storage.basket import COLUMNS, upload
from storage.basket.reading import MAX_CELLS, MAX_ROWS, MAX_ZIP_MEMBERS
from storage.models import Role, Service
from tests import arrange
from tests.conftest import Harness

KASIA, MAREK = 2101, 2102
HEADER = ";".join(COLUMNS)
ROW = (
    "Sieradz;Poradnia Rodzinna w Sieradzu;pomoc społeczna;Konsultacje dla rodzin;"
    "Rozmowa z psychologiem;dzieci i rodzina;rodziny;telefonicznie;;;;;pn-pt 8-16;bezpłatna"
)
# While a file is downloaded or read, another member's /pomoc must not wait for it: checked by
# the order of the answers, not by the clock (figures belong in benchmarks).


@pytest.fixture
async def coordinator(harness: Harness) -> None:
    """A ZZK in Sieradz with Kasia, its coordinator, and Marek, a member."""
    async with harness.session() as session:
        ids = await arrange.team(session, town="Sieradz", institutions=())
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna", Role.COORDINATOR)
        await arrange.person(session, ids.team_id, MAREK, "Marek")
    harness.user(KASIA, "Katarzyna")
    harness.user(MAREK, "Marek")


def xlsx(rows: Iterable[bytes], level: int = 6) -> bytes:
    """A minimal XLSX whose sheet XML is written as given, after a header row: a million
    blank rows stay a few kilobytes on disk."""
    header = b"".join(
        b'<c t="inlineStr"><is><t>%s</t></is></c>' % column.encode() for column in COLUMNS
    )
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = b"http://schemas.openxmlformats.org/package/2006/relationships"
    office = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kind = b"application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="rels" ContentType="application/vnd.'
        b'openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        b'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        b'ContentType="%s.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
        b'ContentType="%s.worksheet+xml"/></Types>' % (kind, kind),
        "_rels/.rels": b'<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/'
        b'officeDocument" Target="xl/workbook.xml"/></Relationships>' % (rels, office),
        "xl/workbook.xml": b'<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="Koszyk" '
        b'sheetId="1" r:id="rId1"/></sheets></workbook>' % (main, office),
        "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="%s"><Relationship Id="rId1" '
        b'Type="%s/worksheet" Target="worksheets/sheet1.xml"/></Relationships>' % (rels, office),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="%s"><sheetData><row>%s</row>' % (main, header))
            for chunk in rows:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _many_members() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"xl/media/{number}.xml", b"")
    return buffer.getvalue()


LIMITS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "filled-rows": (
        "k.csv",
        lambda: (f"{HEADER}\n" + f"{ROW}\n" * (MAX_ROWS + 1)).encode(),
        "rows",
    ),
    "blank-rows": ("k.xlsx", lambda: xlsx([b"<row/>" * (MAX_ROWS + 1)]), "rows"),
    "blank-before-header": ("k.csv", lambda: ("\n" * (MAX_ROWS + 2) + HEADER).encode(), "rows"),
    "wide-row": ("k.csv", lambda: f"{HEADER}\n{';' * MAX_CELLS}\n".encode(), "cells"),
    # A cell in the last column (XFD) makes a row 16,384 cells wide: 97 rows are too many.
    "far-column": (
        "k.xlsx",
        lambda: xlsx(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (n, n) for n in range(2, 99)),
        "cells",
    ),
    "zip-members": ("k.xlsx", _many_members, "unpacked"),
    "zip-bomb": ("k.xlsx", lambda: xlsx([b" " * (1 << 20)] * 64, level=9), "unpacked"),
}


@pytest.mark.parametrize("case", list(LIMITS))
def test_reading_stops_at_the_limits(case: str) -> None:
    filename, make, limit = LIMITS[case]
    with pytest.raises(basket.BasketFileTooBig) as caught:  # stopped by the limit, not the end
        basket.read_table(filename, make())
    assert caught.value.limit == limit


async def _services(harness: Harness) -> int:
    async with harness.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Service)) or 0)


async def _help_answered(harness: Harness) -> None:
    harness.emu.send_message(MAREK, "/pomoc")
    await harness.emu.next_message(MAREK, timeout=30)


async def test_a_million_blank_rows_are_refused_quickly_and_nobody_waits(
    harness: Harness, coordinator: None
) -> None:
    # Rows holding only an empty cell: 21 MB of sheet XML, 50 kB on disk.
    content = xlsx([b'<row><c s="0"/></row>' * 1_000_000])
    harness.emu.send_document(KASIA, "koszyk.xlsx", content)
    await _help_answered(harness)  # another member is answered meanwhile
    refused = await harness.emu.next_message(KASIA, timeout=30)
    assert "więcej niż 20" in refused["text"] and "liczą się też puste" in refused["text"]
    assert await _services(harness) == 0


async def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    harness: Harness, coordinator: None
) -> None:
    # 64 MB of spaces in the sheet, 65 kB on disk.
    content = xlsx([b" " * (1 << 20)] * 64, level=9)
    assert len(content) < 100_000
    harness.emu.send_document(KASIA, "koszyk.xlsx", content)
    refused = await harness.emu.next_message(KASIA, timeout=30)
    assert "po rozpakowaniu jest za duży" in refused["text"]


async def test_a_csv_over_the_row_limit_is_refused_blank_rows_included(
    harness: Harness, coordinator: None
) -> None:
    # One service, then 30,000 blank lines: read to the end, it would add one service.
    content = (f"{HEADER}\n{ROW}\n" + "\n" * 30_000).encode()
    harness.emu.send_document(KASIA, "koszyk.csv", content)
    refused = await harness.emu.next_message(KASIA, timeout=10)
    assert "więcej niż 20" in refused["text"] and "nie został zmieniony" in refused["text"]
    assert await _services(harness) == 0


async def test_a_slow_download_holds_nobody_else(
    harness: Harness, coordinator: None, db_url: str
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's process-wide writer turn; PostgreSQL has a pool of connections")
    harness.emu.inject_delay(8, method="getFile")
    harness.emu.send_document(KASIA, "koszyk.csv", f"{HEADER}\n{ROW}\n".encode())
    while harness.emu.pending_updates:  # fetched, then in the handler within milliseconds
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)  # the bot waits for getFile now
    await _help_answered(harness)
    # Answered while the download still hangs: the upload's reply has not come yet.
    assert (
        not harness.emu.messages(KASIA) or "nowe 1" not in harness.emu.messages(KASIA)[-1]["text"]
    )
    done = await harness.emu.next_message(KASIA, timeout=30)
    assert "nowe 1" in done["text"]


async def test_a_normal_upload_still_works(harness: Harness, coordinator: None) -> None:
    harness.emu.send_document(KASIA, "koszyk.csv", f"{HEADER}\n{ROW}\n".encode("cp1250"))
    assert "nowe 1" in (await harness.emu.next_message(KASIA))["text"]

    workbook = Workbook()
    workbook.active.append(COLUMNS)
    workbook.active.append(ROW.replace("Rozmowa", "Spotkanie").split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    harness.emu.send_document(KASIA, "koszyk.xlsx", buffer.getvalue())
    assert "zmienione 1" in (await harness.emu.next_message(KASIA))["text"]

    harness.emu.send_document(MAREK, "koszyk.csv", f"{HEADER}\n{ROW}\n".encode())
    assert "koordynatorzy" in (await harness.emu.next_message(MAREK))["text"]
    assert await _services(harness) == 1


async def test_a_file_declared_too_large_is_not_downloaded(
    harness: Harness, coordinator: None
) -> None:
    harness.emu.send_document(KASIA, "koszyk.csv", b"x" * (10 * 1024 * 1024 + 1))
    refused = await harness.emu.next_message(KASIA)
    assert "za duży (ponad 10 MB)" in refused["text"]
    assert not [call for call in harness.emu.calls if call.method == "getFile"]


async def test_a_read_past_the_time_limit_is_stopped(
    harness: Harness, coordinator: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file that takes a child far longer than a millisecond to read (20,000 rows): a tiny
    # one may be read before the parent even starts waiting.
    monkeypatch.setattr(upload, "PARSE_SECONDS", 0.001)
    rows = "\n".join(ROW.replace("Konsultacje", f"Konsultacje {n}") for n in range(19_000))
    harness.emu.send_document(KASIA, "koszyk.csv", f"{HEADER}\n{rows}\n".encode())
    refused = await harness.emu.next_message(KASIA)
    assert "trwało za długo" in refused["text"] and "nie został zmieniony" in refused["text"]
    assert await _services(harness) == 0


async def test_a_failed_download_is_explained(harness: Harness, coordinator: None) -> None:
    harness.emu.inject_error(400, method="getFile", description="Bad Request: file is too big")
    harness.emu.send_document(KASIA, "koszyk.csv", f"{HEADER}\n{ROW}\n".encode())
    answer = await harness.emu.next_message(KASIA)
    assert "Nie udało mi się pobrać pliku" in answer["text"]


async def test_files_of_members_and_strangers_are_not_downloaded(
    harness: Harness, coordinator: None
) -> None:
    """Only someone who keeps a basket makes the bot download and read a file."""
    harness.user(2199, "Obcy")
    for user in (MAREK, 2199):
        harness.emu.send_document(user, "koszyk.csv", f"{HEADER}\n{ROW}\n".encode())
        assert "koordynatorzy" in (await harness.emu.next_message(user))["text"]
    assert not [call for call in harness.emu.calls if call.method == "getFile"]
