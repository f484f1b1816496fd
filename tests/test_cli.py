"""The command line, run in-process as `kooperacje-bot ...` would run it."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from botapi_emulator import BotApiEmulator
from storage.db import Database
from tests import arrange, processes
from tests.conftest import TOKEN


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: object) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


async def _run(argv: list[str]) -> int:
    # The CLI owns its event loop (asyncio.run), so it runs in a worker thread while this
    # loop keeps serving the emulator.
    return await asyncio.get_running_loop().run_in_executor(None, main, argv)


async def test_team_add_list_and_demo_data(
    cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _run(["db", "upgrade"]) == 0
    assert await _run(["team", "add", "Zgierz", "--kind", "ZZK"]) == 0
    assert "ZZK Zgierz" in capsys.readouterr().out
    assert await _run(["team", "add", "zgierz", "--kind", "ZZK"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert await _run(["demo-data"]) == 0
    assert "15 new teams" in capsys.readouterr().out
    assert await _run(["demo-data"]) == 0
    assert "0 new teams" in capsys.readouterr().out
    assert await _run(["team", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 16
    assert "PZK Łódź" in listing[0]  # Polish order: Łódź before Łowicz
    assert "PZK Łowicz" in listing[2]


async def test_invite_prints_a_link_with_the_bot_name(
    cli_env: None,
    capsys: pytest.CaptureFixture[str],
    emulator: BotApiEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    assert await _run(["team", "add", "Sieradz"]) == 0
    assert await _run(["invite", "pzk sieradz", "--role", "coordinator", "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert "https://t.me/kooperacje_test_bot?start=" in out
    assert await _run(["invite", "PZK Nigdzie"]) == 1
    assert "team unknown" in capsys.readouterr().err

    assert await _run(["invite", "create", "PZK Sieradz", "--max-uses", "5"]) == 0
    second = capsys.readouterr().out.split("start=")[1].strip()
    assert await _run(["invite", "list", "pzk sieradz"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 2
    assert "PZK Sieradz  member  by command line" in listing[0] and "used 0/5" in listing[0]
    assert "coordinator" in listing[1]
    link_id = listing[0].split()[0]
    assert await _run(["invite", "revoke", link_id]) == 0
    assert "revoked" in capsys.readouterr().out
    assert await _run(["invite", "revoke", f"https://t.me/bot?start={second}"]) == 0
    assert "already revoked" in capsys.readouterr().out
    assert await _run(["invite", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_run_without_token_says_how_to_get_one(tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(__import__("pathlib").Path(__file__).parents[1]),
        },
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "@BotFather" in lines[0]


async def test_db_backup_is_a_consistent_copy_taken_while_a_writer_works(
    cli_env: None, db: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with db.session() as session:
        await arrange.team(session, town="Sieradz")
    target = tmp_path / "kopia.db"
    if not db_url.startswith("sqlite"):
        assert await _run(["db", "backup", str(target)]) == 2
        assert "pg_dump" in capsys.readouterr().err
        return
    # A write transaction stays open during the copy: the copy waits for nothing it need not.
    async with db.session() as session:
        await arrange.team(session, town="Łowicz")
        assert await _run(["db", "backup", str(target)]) == 0
    assert "copied the database" in capsys.readouterr().out
    with sqlite3.connect(target) as copy:
        names = [row[0] for row in copy.execute("SELECT name FROM team ORDER BY name")]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert names == ["PZK Sieradz"]  # committed data only: Łowicz was not committed yet
    assert await _run(["db", "backup", str(target)]) == 2
    assert "exists already" in capsys.readouterr().err


async def test_run_serves_until_sigterm_and_stops_cleanly(
    emulator: BotApiEmulator, db_url: str, tmp_path: Path
) -> None:
    emulator.add_user(2501, "Ola")
    telegram = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": emulator.base_url}
    # From another directory (as a service manager starts it), stdout left to the terminal.
    process = await processes.cli(
        db_url, "run", env={**telegram, "LOG_FORMAT": "json"}, cwd=tmp_path, stdout=None
    )
    try:
        emulator.send_message(2501, "/start")
        hello = await emulator.next_message(2501, timeout=30)
        assert "Kooperacje 3D" in hello["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    lines = [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]
    assert any("ready" in line["message"] for line in lines)
    assert all("update_id" in line for line in lines)
    assert TOKEN not in stderr.decode()
