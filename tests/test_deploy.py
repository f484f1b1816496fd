"""The systemd unit of production (deploy/kooperacje-bot.service): valid for systemd, stopping
after the bot's bounded stop, naming only settings the bot has, and its hardening compatible
with what the bot does (MemoryDenyWriteExecute with basket files read in forkserver children).
"""

from __future__ import annotations

import ctypes
import os
import platform
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from bot.application import STOP_WITHIN
from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "kooperacje-bot.service"
ENV_EXAMPLE = ROOT / ".env.example"
# Variables of the process itself, not settings of the bot.
NOT_SETTINGS = {"PYTHONUNBUFFERED"}
# systemd's SIGKILL must come well after the bot's own deadline, not race it.
STOP_MARGIN = 5.0


def unit_entries(section: str) -> list[tuple[str, str]]:
    """(key, value) pairs of one section of the unit, in order; keys may repeat."""
    entries, current = [], None
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
        elif current == section:
            key, _, value = line.partition("=")
            entries.append((key.strip(), value.strip()))
    return entries


def service(key: str) -> list[str]:
    return [value for k, value in unit_entries("Service") if k == key]


def seconds(value: str) -> float:
    """A systemd time span of the forms used here: 20, 20s, 1min 30s, 2min."""
    units = {"": 1, "s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", value)
    assert parts, f"not a time span: {value!r}"
    return sum(float(number) * units[unit] for number, unit in parts)


def setting_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def env_example_names() -> set[str]:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_unit_passes_systemd_analyze_verify() -> None:
    """The same check as .ci/run: a copy of the unit pointing at this venv, verified offline;
    a warning about the unit fails too."""
    venv = Path(sys.executable).parent.parent
    result = subprocess.run(
        ["bash", str(ROOT / "deploy" / "verify-unit")],
        env={**os.environ, "VENV": str(venv)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "verify passed" in result.stdout


def test_stop_timeout_is_above_the_bounded_stop() -> None:
    [timeout] = service("TimeoutStopSec")
    assert seconds(timeout) >= STOP_WITHIN + STOP_MARGIN
    assert service("KillSignal") == ["SIGTERM"]
    assert service("Restart") == ["on-failure"]


def test_environment_names_only_settings_the_bot_has() -> None:
    """Environment= of the unit and the variables the README's deployment section sets are
    settings of bot/config.py, each documented in .env.example."""
    names = {value.partition("=")[0] for value in service("Environment")} - NOT_SETTINGS
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deployment = readme.partition("## Deployment")[2].partition("\n## ")[0]
    assert deployment, "README.md has no Deployment section"
    names |= set(re.findall(r"^([A-Z][A-Z0-9_]+)=", deployment, flags=re.MULTILINE))
    assert "DATABASE_URL" in names and "TELEGRAM_BOT_TOKEN" in names
    assert names <= setting_names(), names - setting_names()
    assert names <= env_example_names(), names - env_example_names()
    assert service("EnvironmentFile") == ["/etc/kooperacje-bot/env"]


def test_sqlite_file_is_in_the_writable_state_directory() -> None:
    [state] = service("StateDirectory")
    state_path = f"/var/lib/{state}"
    [url] = [v.partition("=")[2] for v in service("Environment") if v.startswith("DATABASE_URL=")]
    assert url.startswith(f"sqlite+aiosqlite:///{state_path}/")
    assert service("ReadWritePaths") == [state_path]
    assert service("WorkingDirectory") == [state_path]
    assert service("ProtectSystem") == ["strict"]
    [user] = service("User")
    sysusers = (ROOT / "deploy" / "kooperacje-bot.sysusers").read_text(encoding="utf-8")
    assert re.search(rf"^u {user} ", sysusers, flags=re.MULTILINE)


# --- MemoryDenyWriteExecute, emulated -------------------------------------------------------
# systemd implements it (v252, Debian 12) as a seccomp filter: EPERM for mmap() asking for
# writable and executable memory at once, mprotect()/pkey_mprotect() adding PROT_EXEC, and
# shmat() with SHM_EXEC. The same filter, installed here on a child Python, shows whether the
# bot's work (imports, SQLite, basket files in forkserver children, charts, documents) runs
# under it: seccomp filters are inherited by forked and executed children.

_ARCH_X86_64 = 0xC000003E
_SYS = {"mmap": 9, "mprotect": 10, "shmat": 30, "pkey_mprotect": 329}
_PROT_WRITE, _PROT_EXEC, _SHM_EXEC = 0x2, 0x4, 0o100000
_ALLOW, _EPERM = 0x7FFF0000, 0x00050000 | 1
# BPF opcodes: load a 32-bit word of seccomp_data, jump if equal, and with a constant, return.
_LD, _JEQ, _AND, _RET = 0x20, 0x15, 0x54, 0x06
_NR, _ARCH, _ARG2 = 0, 4, 16 + 2 * 8  # offsets in seccomp_data; an argument's low 32 bits


def _deny_write_execute_program() -> bytes:
    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("<HBBI", code, jt, jf, k)

    def masked(mask: int) -> list[bytes]:  # EPERM if all bits of mask are set in argument 2
        return [op(_LD, _ARG2), op(_AND, mask), op(_JEQ, mask, 0, 1), op(_RET, _EPERM)]

    blocks = [masked(_PROT_WRITE | _PROT_EXEC), masked(_PROT_EXEC), masked(_SHM_EXEC)]
    allow = op(_RET, _ALLOW)
    # Layout: the arch check, the dispatch on the syscall number, allow, then each block
    # followed by allow. Jumps count the instructions skipped.
    dispatch_targets = [("mmap", 0), ("mprotect", 1), ("pkey_mprotect", 1), ("shmat", 2)]
    header = [op(_LD, _ARCH), op(_JEQ, _ARCH_X86_64, 0, 1 + len(dispatch_targets))]
    starts, position = [], 0
    for block in blocks:
        starts.append(position)
        position += len(block) + 1
    program = [*header, op(_LD, _NR)]
    for index, (name, block) in enumerate(dispatch_targets):
        remaining = len(dispatch_targets) - index - 1
        program.append(op(_JEQ, _SYS[name], remaining + 1 + starts[block], 0))
    program.append(allow)
    for block in blocks:
        program.extend([*block, allow])
    return b"".join(program)


def deny_write_execute() -> None:
    """Install the filter on this process (and all it starts): the no-new-privileges bit
    first, as an unprivileged process must (and as NoNewPrivileges=yes does anyway)."""
    libc = ctypes.CDLL(None, use_errno=True)
    program = _deny_write_execute_program()
    filters = ctypes.create_string_buffer(program)

    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = Fprog(len(program) // 8, ctypes.addressof(filters))
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")
    if libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_SECCOMP")


_WORKLOAD = """
import asyncio, io, mmap
from tests.test_deploy import deny_write_execute
deny_write_execute()
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_WRITE | mmap.PROT_EXEC)
except PermissionError:
    pass
else:
    raise SystemExit("the filter does not refuse writable and executable memory")

import sqlite3
import asyncpg, aiosqlite  # noqa: F401  (their C extensions load)
import bot.application, bot.cli  # noqa: F401  (every handler, PTB, SQLAlchemy)
from openpyxl import Workbook
from storage.basket import COLUMNS
from storage.basket.upload import read_upload

sqlite3.connect(":memory:").execute("select 1").fetchall()
book = Workbook()
book.active.append(list(COLUMNS))
book.active.append(["Sieradz", "Poradnia"] + [""] * (len(COLUMNS) - 2))
xlsx = io.BytesIO()
book.save(xlsx)
csv = (";".join(COLUMNS) + "\\nSieradz;Poradnia" + ";" * (len(COLUMNS) - 2) + "\\n").encode()
for name, content in (("k.xlsx", xlsx.getvalue()), ("k.csv", csv)):
    rows = asyncio.run(read_upload(name, content))  # in a forkserver child
    assert len(rows) == 1, (name, rows)

import matplotlib
matplotlib.use("Agg")
from matplotlib.figure import Figure
figure = Figure()
figure.add_subplot().bar([1, 2], [3, 4])
figure.savefig(io.BytesIO(), format="png")

import docx
docx.Document().save(io.BytesIO())
print("ok")
"""


@pytest.mark.skipif(
    sys.platform != "linux" or platform.machine() != "x86_64",
    reason="the emulated filter is written for Linux on x86_64",
)
def test_bot_works_under_memory_deny_write_execute() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _WORKLOAD],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
    assert service("MemoryDenyWriteExecute") == ["yes"]
