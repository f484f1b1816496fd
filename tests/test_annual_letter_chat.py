"""/raport <year> for region admins: the period's figures as before, then the annual letter of
their regions (its sentences as a message, a Word document and a spreadsheet); a year with
no events is answered in one clear message."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from docx import Document
from openpyxl import load_workbook

from storage import members, regions, teams
from storage.models import EventKind
from tests import arrange
from tests.conftest import ADMIN_ID, Harness
from tests.test_annual_letter import AFTER, YEAR, _arrange_year, _event, _people, at

REGINA = 4301  # admin of łódzkie, in no team
WAIT = 30.0  # seconds: the first chart of a process loads matplotlib
FIRST = "W 2026 r. w regionie łódzkie (RCPS w Łodzi) zrealizowano: 2 szkolenia międzysektorowe"


async def _two_regions(harness: Harness) -> None:
    """The year of test_annual_letter in łódzkie, and a training in Brzeg (opolskie)."""
    harness.set_clock(AFTER)
    harness.user(REGINA, "Regina")
    harness.user(ADMIN_ID, "Admin")
    async with harness.session() as session:
        await _arrange_year(session)
        opole = await regions.get_or_create_region(session, "opolskie", "ROPS w Opolu")
        brzeg = await arrange.team(session, "Brzeg")
        town = await teams.get_municipality(session, brzeg.municipality_id)
        await regions.place_municipality(session, town, opole, "brzeski", None)
        people = await _people(session, brzeg.team_id, 800, brzeg.institution_ids[arrange.MOPS], 2)
        await _event(session, brzeg.team_id, at(5, 12), EventKind.TRAINING, people, hours=5)
        await members.ensure_member(session, REGINA, "Regina Rolska", None)
        await regions.appoint(session, REGINA, await regions.find_region(session, "łódzkie"), None)


async def _next(harness: Harness, chat_id: int) -> dict[str, Any]:
    return await harness.emu.next_message(chat_id, timeout=WAIT)


async def _letter(harness: Harness, user_id: int) -> tuple[str, Any, list[tuple[Any, ...]]]:
    """/raport YEAR: the figures (summary, workbook, chart), then the letter, its DOCX and
    XLSX. Returns the letter's message, the document and the workbook's rows."""
    harness.emu.send_message(user_id, f"/raport {YEAR}")
    summary = await _next(harness, user_id)
    assert summary["text"].startswith(f"Liczby za okres 1.01.{YEAR} – 31.12.{YEAR}")
    figures = await _next(harness, user_id)
    assert figures["document"]["file_name"] == f"raport-{YEAR}-01-01_{YEAR}-12-31.xlsx"
    chart = await _next(harness, user_id)
    assert harness.emu.file_bytes(chart["photo"][-1]["file_id"]).startswith(b"\x89PNG")
    letter = await _next(harness, user_id)
    assert letter["text"].startswith(f"Sprawozdanie roczne za {YEAR} r.")
    assert len(letter["text"]) <= 4096
    document = await _next(harness, user_id)
    assert document["document"]["file_name"] == f"sprawozdanie-{YEAR}.docx"
    written = Document(BytesIO(harness.emu.file_bytes(document["document"]["file_id"])))
    workbook = await _next(harness, user_id)
    assert workbook["document"]["file_name"] == f"sprawozdanie-{YEAR}.xlsx"
    sheet = load_workbook(BytesIO(harness.emu.file_bytes(workbook["document"]["file_id"])))
    rows = list(sheet[f"Rok {YEAR}"].values)
    return letter["text"], written, rows


async def test_a_region_admin_gets_the_letter_of_their_region(harness: Harness) -> None:
    await _two_regions(harness)
    text, document, rows = await _letter(harness, REGINA)
    assert FIRST in text
    assert "Zduńska Wola (powiat zduńskowolski): 2 szkolenia międzysektorowe" in text
    assert "opolskie" not in text and "Brzeg" not in text
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "Kooperacje 3D: sprawozdanie za 2026 r." in paragraphs
    assert "2 szkolenia międzysektorowe (uczestnictwa: 10; 6 osób)" in paragraphs
    assert ("łódzkie", "razem", "Coaching (sesje)", 2, 4, 2, 10.5) in rows
    assert not [row for row in rows if row[0] == "opolskie"]


async def test_a_super_admin_gets_every_region(harness: Harness) -> None:
    await _two_regions(harness)
    text, _, rows = await _letter(harness, ADMIN_ID)
    assert FIRST in text
    assert "W 2026 r. w regionie opolskie (ROPS w Opolu) zrealizowano: 1 szkolenie" in text
    assert ("opolskie", "Brzeg", "Szkolenie międzysektorowe", 1, 2, 2, 10) in rows


async def test_a_year_without_events_is_answered_clearly(harness: Harness) -> None:
    await _two_regions(harness)
    answer = await harness.say(REGINA, "/raport 2019")
    assert "W okresie 1.01.2019 – 31.12.2019" in answer["text"]
    assert "Nie ma sprawozdania rocznego za 2019 r." in answer["text"]
    # Each user's updates are handled in order: the letter below comes after nothing else.
    assert (await harness.say(REGINA, "/region"))["text"].startswith("Regiony")
    assert not [c for c in harness.emu.calls if c.method in ("sendDocument", "sendPhoto")]
