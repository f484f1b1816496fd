"""/moje_dane for the person who asked: a short summary in their language, a text file with
labelled sections (dates as people write them, answers and roles named), and the JSON."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=WARSAW)
KASIA, MAREK = 2401, 2402
POLICE = "Komenda Powiatowa Policji w Zduńskiej Woli"
# The export's keys and stored values: none of them may show in the file to read.
TECHNICAL = ("telegram_id", "meeting_answers", "created_at", "reminders_muted", "member", "yes")


async def _export(harness: Harness) -> tuple[str, str, dict[str, object]]:
    """The summary, the text file and the JSON, in the order they come."""
    summary = await harness.say(MAREK, "/moje_dane")
    readable = await harness.emu.next_message(MAREK)
    machine = await harness.emu.next_message(MAREK)
    assert readable["document"]["file_name"].endswith(".txt")
    assert machine["document"]["file_name"].endswith(".json")
    text = harness.emu.file_bytes(readable["document"]["file_id"]).decode("utf-8-sig")
    return summary["text"], text, json.loads(harness.emu.file_bytes(machine["document"]["file_id"]))


async def test_my_data_reads_in_polish(harness: Harness) -> None:
    await arrange.marek_with_data(harness, KASIA, MAREK, NOW, "pl")
    summary, text, data = await _export(harness)
    assert summary.startswith("Co bot przechowuje o Tobie")
    assert "Zespoły: PZK Zduńska Wola (członek)" in summary
    assert "1 odpowiedź na spotkania · 1 wpis obecności · 0 głosów w ankietach" in summary
    assert "1 decyzja · 1 zadanie · 0 ogłoszeń" in summary
    assert 3 <= len(summary.splitlines()) <= 6
    assert "== O Tobie ==" in text and "Imię i nazwisko: Marek <Wiśniewski>" in text
    assert f"Instytucja: {POLICE}" in text and "Język wiadomości: Polski" in text
    assert "PZK Zduńska Wola: członek, dołączenie: " in text
    # dates as people write them, in the bot's zone; answers and states named
    assert "poniedziałek, 23 listopada 2026, 22:00, MOPS: Będę" in text
    assert "== Decyzje dodane przez Ciebie (1) ==\n• „Policja dyżuruje w ferie”" in text
    assert (
        "lista dyżurów — termin: piątek, 27 listopada 2026; otwarte; przypisane do Ciebie" in text
    )
    assert "== Głosy w ankietach terminów (0) ==\n(brak)" in text
    assert ": dodanie zadania\n" in text  # his own action in the log, named
    for key in TECHNICAL:
        assert key not in text
    # the JSON for machines is as before
    assert data["meeting_answers"][0]["answer"] == "yes"  # type: ignore[index]


async def test_my_data_reads_in_english(harness: Harness) -> None:
    await arrange.marek_with_data(harness, KASIA, MAREK, NOW, "en")
    summary, text, data = await _export(harness)
    assert summary.startswith("What the bot keeps about you")
    assert "1 answer to meetings · 1 attendance record · 0 date poll votes" in summary
    assert "== About you ==" in text and "Name: Marek <Wiśniewski>" in text
    assert "Monday, 23 November 2026, 22:00, MOPS: I'll come" in text
    assert "PZK Zduńska Wola: member, joined " in text
    assert ": task added\n" in text
    for key in TECHNICAL[:4]:
        assert key not in text
    assert data["member"]["telegram_id"] == MAREK  # type: ignore[index]
