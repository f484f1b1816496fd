"""All benchmarks in one go: `python -m bench [--quick] [--out DIR] [NAME ...]`.

Each benchmark runs as its own process (`python -m bench.<name> [--quick] --json FILE`), one
after another: peak memory figures stay per benchmark, timings do not compete for the CPU,
and one crash does not hide the others. Their output streams to the terminal; then
DIR/bench.md (default ./bench-results) gets the machine and every module's tables, and
DIR/bench.json the same figures with the machine and each module's duration. Exits with 1
if any module failed (the others still run). PostgreSQL is benchmarked too when
BENCH_DATABASE_URL or TEST_DATABASE_URL is set, as by each module.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, text

from bench import postgres_url, table
from storage.db import Database

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MODULES = [
    "dates",
    "reminders",
    "basket",
    "broadcast",
    "updates",
    "live_card",
    "crash",
    "annual",
    "feeds",
    "national",
    "webapp",
]


@dataclass
class Outcome:
    name: str
    status: str  # "ok", "failed" or "skipped"
    seconds: float
    returncode: int | None
    report: dict[str, Any] | None  # what the module's `bench.report` wrote
    why: str = ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _os_name() -> str:
    try:
        pretty = platform.freedesktop_os_release().get("PRETTY_NAME", "")
    except OSError:
        pretty = ""
    return f"{pretty} ({platform.platform()})" if pretty else platform.platform()


def _commit() -> str | None:
    """The commit measured, marked when the tree has changes of its own."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    except OSError:
        return None
    if head.returncode:
        return None
    return head.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


async def _server_version(url: str) -> str:
    db = Database(url)
    try:
        async with db.engine.connect() as connection:
            return str(await connection.scalar(text("SHOW server_version")))
    finally:
        await db.dispose()


def _postgres() -> str:
    url = postgres_url()
    if not url:
        return "not set (SQLite only): set BENCH_DATABASE_URL to include it"
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        return f"{asyncio.run(_server_version(url))} at {shown}"
    except Exception as exc:  # the modules will fail on it too; say why here
        return f"{shown}, unreachable: {exc}"


def machine() -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "ram (GiB)": _ram_gib(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": _os_name(),
        "postgresql": _postgres(),
        "commit": _commit(),
    }


def run_module(name: str, quick: bool, folder: Path) -> Outcome:
    if not (HERE / f"{name}.py").exists():
        print(f"\n=== bench.{name}: skipped, bench/{name}.py does not exist yet ===", flush=True)
        return Outcome(name, "skipped", 0.0, None, None, f"bench/{name}.py does not exist")
    figures = folder / f"{name}.json"
    command = [sys.executable, "-m", f"bench.{name}", "--json", str(figures)]
    command += ["--quick"] if quick else []
    print(f"\n=== bench.{name} ===", flush=True)
    started = time.perf_counter()
    # Unbuffered, so the module's output streams even when ours goes to a pipe.
    done = subprocess.run(command, cwd=ROOT, env=os.environ | {"PYTHONUNBUFFERED": "1"})
    seconds = round(time.perf_counter() - started, 1)
    try:
        report = json.loads(figures.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # not written, or cut short by a crash
        report = None
    if done.returncode:
        why = f"exit code {done.returncode}"
    elif report is None:
        why = "no figures written"
    else:
        return Outcome(name, "ok", seconds, 0, report)
    print(f"=== bench.{name} FAILED: {why} ===", flush=True)
    return Outcome(name, "failed", seconds, done.returncode, report, why)


def markdown(
    outcomes: list[Outcome], box: dict[str, Any], command: str, date: str, total: float
) -> str:
    lines = [
        "# kooperacje-bot benchmarks",
        "",
        f"- Date: {date}",
        f"- Command: `{command}`",
        f"- Machine: {box['cpu']}, {box['cpus']} CPUs, {box['ram (GiB)']} GiB RAM",
        f"- Python: {box['python']}",
        f"- OS: {box['os']}",
        f"- PostgreSQL: {box['postgresql']}",
        f"- Commit: {box['commit'] or 'unknown'}",
        f"- Total: {total:.1f} s ("
        + ", ".join(f"{o.name} {o.seconds:.1f} s" for o in outcomes if o.status != "skipped")
        + ")",
    ]
    for outcome in outcomes:
        title = outcome.report["title"] if outcome.report else ""
        lines += ["", f"## {outcome.name}" + (f": {title}" if title else ""), ""]
        if outcome.status == "skipped":
            lines.append(f"Skipped: {outcome.why}.")
            continue
        status = "" if outcome.status == "ok" else f" **FAILED: {outcome.why}.**"
        lines.append(f"Took {outcome.seconds:.1f} s.{status}")
        for part in outcome.report["tables"] if outcome.report else []:
            lines += ["", f"{part['caption']}:", ""]
            lines.append(table(part["rows"]) if part["rows"] else "(no results)")
        notes = outcome.report["notes"] if outcome.report else []
        if notes:
            lines.append("")
            lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="each module's --quick sizes")
    parser.add_argument("--out", default="bench-results", help="folder for bench.md and .json")
    parser.add_argument("modules", nargs="*", metavar="NAME", help=f"only these of {MODULES}")
    args = parser.parse_args()
    began = time.perf_counter()
    # Checked here: argparse rejects an empty `nargs="*"` list that has choices (before 3.12).
    unknown = set(args.modules) - set(MODULES)
    if unknown:
        parser.error(f"unknown modules: {', '.join(sorted(unknown))}")
    out = Path(args.out).resolve()  # before anything: the modules run from the project root
    command = shlex.join(["python", "-m", "bench", *sys.argv[1:]])
    date = datetime.now().astimezone().isoformat(timespec="seconds")
    box = machine()
    with tempfile.TemporaryDirectory() as folder:
        outcomes = [
            run_module(name, args.quick, Path(folder))
            for name in MODULES
            if not args.modules or name in args.modules
        ]
    total = round(time.perf_counter() - began, 1)

    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.md").write_text(markdown(outcomes, box, command, date, total), encoding="utf-8")
    figures = {
        "date": date,
        "command": command,
        "quick": args.quick,
        "machine": box,
        "total (s)": total,
        "modules": [asdict(outcome) for outcome in outcomes],
    }
    (out / "bench.json").write_text(
        json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    failed = [o.name for o in outcomes if o.status == "failed"]
    print(f"\n=== {len(outcomes)} modules in {total:.1f} s: ", end="")
    print(", ".join(f"{o.name} {o.seconds:.1f} s ({o.status})" for o in outcomes), "===")
    print(f"Written: {out / 'bench.md'}, {out / 'bench.json'}")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
