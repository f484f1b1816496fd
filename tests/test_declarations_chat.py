"""Declarations of accession in chat (issue 22): a coordinator sends the framework rules from
/zespol, every institution of the team is asked to accept them, /zespol shows which have, a
new version asks again, a newcomer is asked after joining, and the register is exported."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document

from storage import declarations
from storage.models import Role
from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
KASIA, MAREK, OLA, JAN = 2601, 2602, 2603, 2604  # MOPS (coordinator), police, MOPS; newcomer
PDF = b"%PDF-1.4 Ramowy Regulamin Partnerskiego Zespolu Kooperacyjnego"
DOCX = b"PK\x03\x04 regulamin w wersji drugiej"
SEND = "📜 Wyślij ramowy regulamin"
RULES = "📄 Ramowy regulamin"
ACCEPT_POLICE = f"✅ Akceptuję w imieniu: {arrange.POLICE}"
ACCEPT_MOPS = f"✅ Akceptuję w imieniu: {arrange.MOPS}"


async def _team(harness: Harness) -> int:
    ids = await arrange.linked_team(harness, arrange.three(KASIA, MAREK, OLA), clock=MONDAY_9)
    return ids.team_id


async def _send_rules(harness: Harness, name: str, content: bytes) -> dict[str, Any]:
    """Kasia presses "Send the framework rules" in /zespol and sends the file; returns the
    bot's answer to the file."""
    card = await harness.say(KASIA, "/zespol")
    await harness.press(KASIA, card, SEND)
    asked = await harness.emu.next_message(KASIA)
    assert "PDF lub DOCX" in asked["text"]
    harness.emu.send_document(KASIA, name, content)
    return await harness.emu.next_message(KASIA)


async def _question(harness: Harness, user: int) -> dict[str, Any]:
    question = await harness.emu.next_message(user)
    assert "prosi swoje instytucje o przyjęcie" in question["text"]
    return question


async def _accept(harness: Harness, user: int, question: dict[str, Any], label: str) -> str:
    await harness.press(user, question, label)
    role = await harness.emu.next_message(user)
    assert "Jaką funkcję pełnisz" in role["text"]
    done = str((await harness.say(user, "komendant powiatowy"))["text"])
    if user != KASIA:  # the coordinator learns it
        told = await harness.emu.next_message(KASIA)
        assert "przyjęty w imieniu" in told["text"]
    return done


async def test_rules_sent_asked_accepted_and_shown(harness: Harness) -> None:
    team_id = await _team(harness)
    saved = await _send_rules(harness, "Regulamin PZK.pdf", PDF)
    assert "Zapisano wersję 1" in saved["text"]
    assert "Poproszono 3 osoby" in saved["text"]
    await _question(harness, KASIA)
    question = await _question(harness, MAREK)
    assert harness.button_labels(question) == [RULES, ACCEPT_POLICE]
    await _question(harness, OLA)

    await harness.press(MAREK, question, RULES)
    file = await harness.emu.next_message(MAREK)
    assert file["document"]["file_name"] == "Regulamin PZK.pdf"
    assert harness.emu.file_bytes(file["document"]["file_id"]) == PDF

    done = await _accept(harness, MAREK, question, ACCEPT_POLICE)
    assert "przyjęła wersję 1" in done and "Marek Wiśniewski, komendant powiatowy" in done
    # Pressed again: the institution has accepted already.
    answer = await harness.press(MAREK, question, ACCEPT_POLICE)
    assert answer.get("show_alert") and "przyjęła już tę wersję" in answer["text"]

    roster = await harness.say(OLA, "/zespol")
    assert "Ramowy regulamin: wersja 1" in roster["text"]
    assert "przez 1 z 2 instytucji" in roster["text"]
    assert f"✅ {arrange.POLICE} — wersja 1, 23.11.2026" in roster["text"]
    assert f"⏳ {arrange.MOPS} — jeszcze nie" in roster["text"]
    # Ola's MOPS has not accepted: /zespol offers it too; Marek's police has.
    assert harness.button_labels(roster) == [RULES, ACCEPT_MOPS]
    assert harness.button_labels(await harness.say(MAREK, "/zespol")) == [RULES]
    async with harness.session() as session:
        (kept,) = await declarations.register(session, team_id)
        assert (kept.signer_name, kept.signer_role, kept.rules_version) == (
            "Marek Wiśniewski",
            "komendant powiatowy",
            1,
        )


async def test_a_new_version_asks_again_and_old_buttons_are_stale(harness: Harness) -> None:
    await _team(harness)
    await _send_rules(harness, "regulamin.pdf", PDF)
    await _question(harness, KASIA)
    first = await _question(harness, MAREK)
    await _question(harness, OLA)
    await _accept(harness, MAREK, first, ACCEPT_POLICE)

    saved = await _send_rules(harness, "regulamin-v2.docx", DOCX)
    assert "Zapisano wersję 2" in saved["text"]
    await _question(harness, KASIA)
    second = await _question(harness, MAREK)
    await _question(harness, OLA)
    assert "wersja 2" in second["text"]
    roster = await harness.say(MAREK, "/zespol")
    assert f"⏳ {arrange.POLICE} — przyjęta tylko wersja 1" in roster["text"]

    # The question of version 1: both its buttons are stale now.
    for label in (RULES, ACCEPT_POLICE):
        answer = await harness.press(MAREK, first, label)
        assert "nieaktualny" in answer["text"], label
    done = await _accept(harness, MAREK, second, ACCEPT_POLICE)
    assert "przyjęła wersję 2" in done


async def test_wrong_files_are_refused_and_the_basket_upload_still_works(
    harness: Harness,
) -> None:
    team_id = await _team(harness)
    for name, content in (
        ("regulamin.txt", b"zwykly tekst"),
        ("regulamin.pdf", b"%PDF" + bytes(declarations.RULES_MAX_BYTES)),
    ):
        card = await harness.say(KASIA, "/zespol")
        await harness.press(KASIA, card, SEND)
        await harness.emu.next_message(KASIA)
        harness.emu.send_document(KASIA, name, content)
        refused = await harness.emu.next_message(KASIA)
        assert "jednym plikiem PDF lub DOCX" in refused["text"], name
        # Still waiting for the rules: the right file is taken.
        harness.emu.send_document(KASIA, "regulamin.pdf", PDF)
        assert "Zapisano wersję" in (await harness.emu.next_message(KASIA))["text"]
        for user in (KASIA, MAREK, OLA):
            await _question(harness, user)
    async with harness.session() as session:
        rules = await declarations.current_rules(session, team_id)
        assert rules is not None and rules.version == 2
    # Not waiting for the rules any more: a file is the basket's again.
    harness.emu.send_document(KASIA, "koszyk.txt", b"cokolwiek")
    answer = await harness.emu.next_message(KASIA)
    assert "regulamin" not in answer["text"].lower()


async def test_members_do_not_send_rules_and_a_newcomer_is_asked(harness: Harness) -> None:
    team_id = await _team(harness)
    roster = await harness.say(MAREK, "/zespol")
    assert SEND not in harness.button_labels(roster)
    for forged in (f"dc:u:{team_id}", f"dc:x:{team_id}"):
        query = harness.emu.send_callback(MAREK, MAREK, roster["message_id"], forged)
        answer = await harness.emu.callback_answer(query)
        assert answer.get("show_alert") and "koordynator" in answer["text"], forged

    await _send_rules(harness, "regulamin.pdf", PDF)
    for user in (KASIA, MAREK, OLA):
        await _question(harness, user)
    async with harness.session() as session:
        token = await arrange.invitation(session, team_id, Role.MEMBER)
    harness.user(JAN, "Jan")
    joining = await harness.say(JAN, f"/start {token}")
    await harness.press(JAN, joining, arrange.MOPS)
    assert "Witaj w zespole" in (await harness.edited(joining))["text"]
    question = await _question(harness, JAN)
    assert harness.button_labels(question) == [RULES, ACCEPT_MOPS]


async def test_coordinators_export_the_register(harness: Harness) -> None:
    await _team(harness)
    await _send_rules(harness, "regulamin.pdf", PDF)
    await _question(harness, KASIA)
    question = await _question(harness, MAREK)
    await _question(harness, OLA)
    await _accept(harness, MAREK, question, ACCEPT_POLICE)

    card = await harness.say(KASIA, "/zespol")
    assert len(harness.emu.buttons(card)) <= 6
    await harness.press(KASIA, card, "📥 Rejestr deklaracji")
    file = await harness.emu.next_message(KASIA)
    assert file["document"]["file_name"].endswith(".docx")
    document = Document(BytesIO(harness.emu.file_bytes(file["document"]["file_id"])))
    cells = [cell.text for row in document.tables[0].rows for cell in row.cells]
    assert cells[:6] == ["Lp.", "Instytucja", "Imię i nazwisko", "Funkcja", "Data", "Wersja"]
    assert cells[6:] == [
        "1",
        arrange.POLICE,
        "Marek Wiśniewski",
        "komendant powiatowy",
        "23.11.2026",
        "1",
    ]
    # Members get no register.
    roster = await harness.say(MAREK, "/zespol")
    assert "📥 Rejestr deklaracji" not in harness.button_labels(roster)
