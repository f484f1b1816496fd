"""`kooperacje-bot sandbox`, driven through its standard input as a newcomer would type."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bot.sandbox.screen import formatted

SCRIPT = """\
/osoby
/jako Nikt
/jako Marta
/start demo-pzk-lodz
5
6
1
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


def _sandbox(tmp_path: Path, script: str, launcher: str | None = None) -> tuple[str, str, Path]:
    """Standard output, standard error and the files folder of one scripted session."""
    files = tmp_path / "pliki"
    arguments = ["sandbox", "--now", "2026-11-23 09:00", "--files", str(files)]
    start = ["-c", f"{launcher}\nfrom bot.cli import main\nmain({arguments!r})"] if launcher else []
    done = subprocess.run(
        [sys.executable, *(start or ["-m", "bot", *arguments])],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # no .env of the developer's
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr, files


def test_scripted_conversation(tmp_path: Path) -> None:
    out, err, files = _sandbox(tmp_path, SCRIPT)
    assert "Traceback" not in err + out
    # /osoby and a wrong name
    assert '5. Marta Zielińska: Stowarzyszenie "POMOST"; jeszcze nie w zespole' in out
    assert "Nie znam tej osoby." in out
    # join: the institution is picked by typing its button's number (two pages on)
    assert '[1] Stowarzyszenie "POMOST"' in out.split("Marta › 6\n", 1)[1]
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


# Library log lines as they come while the sandbox runs: APScheduler's when a tick overruns,
# httpx's and PTB's on a network hiccup.
NOISY = """\
import logging
from bot.sandbox import terminal
typed = terminal.TerminalChat.handle
async def handle(self, line):
    logging.getLogger("apscheduler.scheduler").warning(
        "Execution of job skipped: maximum number of running instances reached (1)")
    logging.getLogger("httpx").warning("HTTP Request: POST getUpdates")
    logging.getLogger("telegram.ext.Updater").error("Exception happened while polling")
    return await typed(self, line)
terminal.TerminalChat.handle = handle
"""


def test_library_log_lines_go_to_the_log_file_not_the_chat(tmp_path: Path) -> None:
    out, err, _ = _sandbox(tmp_path, "/pomoc\n", launcher=NOISY)
    transcript = out + err
    for noise in ("maximum number of running instances", "HTTP Request", "while polling"):
        assert noise not in transcript
    # the file is named once, at start, and holds the lines
    named = re.findall(r"^Dziennik \(logi bota i bibliotek\) zapisuję w: (.+)$", out, re.M)
    assert len(named) == 1
    log = Path(named[0]).read_text(encoding="utf-8")
    assert "maximum number of running instances reached" in log
    assert "Exception happened while polling" in log and "HTTP Request" in log


GROUP_SCRIPT = """\
/grupa
/nowe czwartek 10:00; MOPS, sala 3; Budżet
/prywatnie
/nowe czwartek 10:00; MOPS, sala 3; Budżet
/grupa
/jako Piotr
1
/czas +3d2h
/decyzja Przyjmujemy harmonogram
/prywatnie
"""


def test_group_chat_of_the_demo_team(tmp_path: Path) -> None:
    out, err, _ = _sandbox(tmp_path, GROUP_SCRIPT)
    assert "Traceback" not in out + err
    # the prompt says which chat the line goes to; meetings are called in private
    in_group = out.split("Anna › /grupa\n", 1)[1]
    assert in_group.startswith("— Piszesz w grupie PZK Łódź jako Anna Kowalska.")
    assert "Anna [grupa PZK Łódź] › /nowe czwartek" in in_group
    assert "Spotkania zwołuj w prywatnej rozmowie ze mną." in in_group
    # called in private, the card reaches the linked group too
    private = in_group.split("Anna [grupa PZK Łódź] › /prywatnie\n", 1)[1]
    assert "Spotkanie zwołane." in private
    assert "(✉ grupa PZK Łódź: 1 nowe — /grupa)" in private
    group = private.split("Anna › /grupa\n", 1)[1].split("Anna [grupa PZK Łódź] › /jako", 1)[0]
    assert "Spotkanie zespołu *PZK Łódź*" in group and "📍 MOPS, sala 3" in group
    # another member answers on the group's card, in the group
    pressed = out.split("Piotr [grupa PZK Łódź] › 1\n", 1)[1]
    assert pressed.startswith("bot (powiadomienie) › Zapisano: Będę")
    assert "✅ 1 · ❔ 0 · ❌ 0" in pressed
    # /decyzja in the group once the meeting has begun
    decided = out.split("Piotr [grupa PZK Łódź] › /decyzja Przyjmujemy harmonogram\n", 1)[1]
    assert decided.startswith("bot › Decyzja dopisana do protokołu: *PZK Łódź*")
    assert "Piotr › " not in decided.split("/prywatnie\n", 1)[0]
    assert "— Piszesz prywatnie do bota jako Piotr Nowak." in decided
