"""`kooperacje-bot sandbox`, driven through its standard input as a newcomer would type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.sandbox.screen import formatted

SCRIPT = """\
/osoby
/jako Nikt
/jako Marta
/start demo-pzk-lodz
9
/jako Anna
/nowe środa 10:00; MOPS, sala <12> & kawa; Niebieska Karta
/jako Piotr
1
/kalendarz
/koszyk przemoc
/czas -1d
/czas +1d2h
/jako ewa
"""


def test_scripted_conversation(tmp_path: Path) -> None:
    files = tmp_path / "pliki"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--now", "2026-11-23 09:00", "--files", files],
        input=SCRIPT,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # no .env of the developer's
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + out
    # /osoby and a wrong name
    assert '5. Marta Zielińska: Stowarzyszenie "POMOST"; jeszcze nie w zespole' in out
    assert "Nie znam tej osoby." in out
    # join: the institution is picked by typing its button's number
    assert '[9] Stowarzyszenie "POMOST"' in out
    assert "Witaj w zespole *PZK Łódź*! Dołączasz jako członek." in out
    # schedule: the card goes to everyone, the text typed is shown as typed
    assert "Spotkanie zwołane." in out
    assert "🗓 środa, 25 listopada 2026, 10:00" in out
    assert "📍 MOPS, sala <12> & kawa" in out
    assert "(✉ Piotr: 1 nowe — /jako Piotr)" in out
    # RSVP with one typed number; the card changes in place
    after_press = out.split("Piotr › 1\n", 1)[1]
    assert after_press.startswith("bot (powiadomienie) › Zapisano: Będę")
    assert "[1] ✓ Będę" in after_press
    # a document is saved and its path printed
    calendar = next(files.glob("*.ics"))
    assert f"📎 {calendar}" in out
    assert b"BEGIN:VCALENDAR" in calendar.read_bytes()
    # basket search
    assert "Znaleziono" in out and "*Interwencja domowa i dzielnicowy*" in out
    # the clock only moves forward; a jump makes the reminder fire
    assert "Zegar przesuwam tylko do przodu" in out
    after_jump = out.split("Piotr › /czas +1d2h\n", 1)[1]
    assert after_jump.startswith("— Zegar bota: wtorek, 24 listopada 2026, 11:00.")
    assert "*⏰ Przypomnienie: spotkanie za 23 godziny*" in after_jump
    # Ewa's waiting messages: the invitation card and the reminder
    ewa = out.split("Piotr › /jako ewa\n", 1)[1]
    assert ewa.count("Spotkanie zespołu *PZK Łódź*") == 2
    assert out.rstrip().endswith("Do zobaczenia.")


def test_formatting_counts_utf16_and_prints_links() -> None:
    text = "🗓 wtorek, zob. strona"
    entities = [
        {"type": "bold", "offset": 3, "length": 6},  # the emoji takes two UTF-16 units
        {"type": "text_link", "offset": 16, "length": 6, "url": "https://example.org"},
    ]
    assert formatted(text, entities, ansi=False) == "🗓 *wtorek*, zob. strona <https://example.org>"
    assert formatted(text, entities, ansi=True).startswith("🗓 \x1b[1mwtorek\x1b[22m")
