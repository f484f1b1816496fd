"""Formula (CSV) injection: what people type reaches every CSV and XLSX the bot writes as
text, never as a formula, and the basket's export -> import round trip gives it back."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook

from bot.report_files import report_xlsx
from storage import basket, meetings, spreadsheets, teams
from storage.db import Database
from storage.figures import Figures, MonthFigures, MunicipalityFigures, Period, Tally, TeamFigures
from storage.members import find_member
from storage.models import Answer, Role, Sector, TeamKind
from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
START = datetime(2026, 11, 24, 10, 0, tzinfo=WARSAW)
KASIA, EVIL = 2201, 2202
MOPS = "MOPS – Centrum Opieki Socjalnej w Zduńskiej Woli"
MEMBER = '=HYPERLINK("http://evil.example/x")'
GUEST = "+cmd|' /C calc'!A0"
GUEST_INSTITUTION = "@SUM(1)"
PLACE = "-2+3"
PHONE = "+48 42 123 45 67"


def _cells(content: bytes) -> list[tuple[str, object, str]]:
    """(sheet, value, data_type) of every filled cell of every sheet."""
    workbook = load_workbook(io.BytesIO(content))
    return [
        (sheet.title, cell.value, cell.data_type)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


# ---------------------------------------------------------------- the shared writer


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_a_dangerous_first_character_gets_a_quote_and_comes_back(first: str) -> None:
    text = first + "SUM(1)"
    assert spreadsheets.neutralise(text) == "'" + text
    assert spreadsheets.restore("'" + text) == text
    assert _csv(spreadsheets.csv_bytes([[text]])) == [["'" + text]]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    spreadsheets.append(sheet, [text])
    spreadsheets.put(sheet, 2, 1, text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _cells(buffer.getvalue()) == [("Sheet", "'" + text, "s")] * 2


def test_safe_texts_numbers_and_dates_stay_as_they_are() -> None:
    values = ["Jan Nowak", "a=b", " =1", "", None, 42, -3, 2.5, Decimal("-1.5"), date(2026, 1, 2)]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    spreadsheets.append(sheet, values)
    assert [cell.value for cell in sheet[1]] == values
    assert "".join(cell.data_type for cell in sheet[1]) == "ssssnnnnnd"
    rows = _csv(spreadsheets.csv_bytes([values]))
    assert rows == [["Jan Nowak", "a=b", " =1", "", "", "42", "-3", "2.5", "-1.5", "2026-01-02"]]


@pytest.mark.parametrize(
    "text", ["'", "''", "'=x", "''=x", "'a", "a'", "it's", "=", "'\t", "-", "+48", "@"]
)
def test_restore_undoes_neutralise_for_any_text(text: str) -> None:
    written = spreadsheets.neutralise(text)
    assert not written.startswith(spreadsheets.DANGEROUS)
    assert spreadsheets.restore(written) == text


# ---------------------------------------------------------------- the register, in the bot


async def test_register_export_has_no_formula_and_quoted_cells(harness: Harness) -> None:
    harness.set_clock(START - timedelta(days=1))
    async with harness.session() as session:
        ids = await arrange.team(session)
        mops = ids.institution_ids[MOPS]
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR, mops)
        await arrange.person(session, ids.team_id, EVIL, MEMBER, Role.MEMBER, mops)
        team = await teams.get_team(session, ids.team_id)
        kasia = await find_member(session, KASIA)
        evil = await find_member(session, EVIL)
        assert kasia is not None and evil is not None
        meeting = await meetings.schedule(
            session, team, START.astimezone(UTC), PLACE, None, kasia, now=START - timedelta(days=1)
        )
        await meetings.answer(session, meeting, evil, Answer.YES, START - timedelta(days=1))
    harness.user(KASIA, "Katarzyna")
    # The scheduler sends its reminders and the register card now, not mid-conversation.
    harness.set_clock(START + timedelta(minutes=5))
    await harness.tick()
    await harness.drain(KASIA)

    card = await harness.say(KASIA, "/obecnosc")
    toggle = next(
        data for row in harness.emu.buttons(card) for label, data in row if "=HYP" in label
    )
    await harness.press(KASIA, card, toggle)
    card = await harness.edited(card)
    await harness.press(KASIA, card, "Dodaj gościa")
    await harness.emu.next_message(KASIA)  # the prompt
    await harness.say(KASIA, f"{GUEST}, {GUEST_INSTITUTION}")
    card = await harness.emu.next_message(KASIA)
    assert "Obecnych: 2" in card["text"]

    await harness.press(KASIA, card, "Eksport XLSX + CSV")
    xlsx = await harness.emu.next_message(KASIA)
    cells = _cells(harness.emu.file_bytes(xlsx["document"]["file_id"]))
    assert [cell for cell in cells if cell[2] == "f"] == []
    values = [value for _, value, _ in cells]
    for text in (MEMBER, GUEST, GUEST_INSTITUTION, PLACE):
        assert "'" + text in values and text not in values
    assert all(isinstance(v, int) or not v.startswith(spreadsheets.DANGEROUS) for v in values)

    csv_message = await harness.emu.next_message(KASIA)
    table = _csv(harness.emu.file_bytes(csv_message["document"]["file_id"]))
    assert table[0][:3] == ["Spotkanie", "Data", "Miejsce"]
    by_name = {row[3]: row for row in table[1:]}
    assert by_name["'" + MEMBER][2] == "'" + PLACE
    assert by_name["'" + GUEST][2:5] == ["'" + PLACE, "'" + GUEST, "'" + GUEST_INSTITUTION]
    assert not any(cell.startswith(spreadsheets.DANGEROUS) for row in table for cell in row)


# ---------------------------------------------------------------- the report and the basket


def test_report_workbook_quotes_dangerous_names_and_keeps_numbers() -> None:
    tally = Tally(meetings_held=2, participants=3, unique_participants=2)
    tally.by_institution[GUEST_INSTITUTION] = 3
    tally.by_sector[Sector.OTHER] = 3
    figures = Figures(
        period=Period(date(2026, 1, 1), date(2026, 1, 31)),
        whole_region=False,
        teams=[TeamFigures(1, MEMBER, TeamKind.PZK, PLACE, tally)],
        municipalities=[MunicipalityFigures(1, PLACE, tally)],
        total=tally,
        months=[MonthFigures("2026-01", 2, 3)],
    )
    cells = _cells(report_xlsx(figures))
    assert [cell for cell in cells if cell[2] == "f"] == []
    assert ("Podsumowanie", "'" + MEMBER, "s") in cells
    assert ("Instytucje", "'" + GUEST_INSTITUTION, "s") in cells
    assert ("Sektory", "'" + PLACE, "s") in cells  # a column header
    assert ("Podsumowanie", 2, "n") in cells and ("Miesiące", "2026-01", "s") in cells


def _service(**values: str) -> dict[str, str]:
    row = {column: "" for column in basket.COLUMNS}
    row.update(
        gmina="Łódź",
        instytucja="Miejski Ośrodek Pomocy Społecznej w Łodzi",
        sektor="pomoc społeczna",
        usluga="Punkt interwencji kryzysowej",
        kategorie="przemoc w rodzinie",
    )
    row.update(values)
    return row


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_basket_export_quotes_and_import_takes_the_quote_off(db: Database, kind: str) -> None:
    rows = [
        _service(telefon=PHONE, opis="- bez skierowania\n- bezpłatnie", godziny="@ pn-pt"),
        _service(usluga="+Plus dla seniorów", adres="'-kreska' w cudzysłowie", telefon="-"),
    ]
    async with db.session() as session:
        await basket.import_rows(session, rows)
    async with db.session() as session:
        exported = await basket.export_rows(session, "Łódź")
    assert {r["telefon"] for r in exported} == {PHONE, "-"}
    content = basket.write_csv(exported) if kind == "csv" else basket.write_xlsx(exported)

    if kind == "csv":
        written = [cell for row in _csv(content) for cell in row]
    else:
        cells = _cells(content)
        assert {data_type for _, _, data_type in cells} == {"s"}
        written = [str(value) for _, value, _ in cells]
    assert "'" + PHONE in written and "'+Plus dla seniorów" in written and "'-" in written
    assert "''-kreska' w cudzysłowie" in written
    assert not any(cell.startswith(spreadsheets.DANGEROUS) for cell in written)

    read = basket.read_table(f"koszyk.{kind}", content)
    assert read == exported
    async with db.session() as session:
        again = await basket.import_rows(session, read)
    assert again == basket.ImportReport(created=0, updated=0, unchanged=2)


def test_a_quote_typed_before_a_phone_in_a_csv_is_read_without_it() -> None:
    header = ";".join(basket.COLUMNS)
    line = ";".join(_service(telefon=" '" + PHONE, www="'www")[column] for column in basket.COLUMNS)
    read = basket.read_table("koszyk.csv", f"{header}\r\n{line}\r\n".encode())
    assert (read[0]["telefon"], read[0]["www"]) == (PHONE, "'www")  # only the quote before "+"
