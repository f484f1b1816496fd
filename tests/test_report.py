"""/raport: the programme's figures over a seeded year of twice-monthly PZK meetings.

The history is written straight into the database with bulk inserts; the expected figures
are counted here from the same seed description, never by the code under test.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import main
from bot.dates.phrases import parse_period
from storage import teams
from storage.demo import SOCIAL_CENTRES
from storage.errors import DomainError, Problem
from storage.models import (
    Attendance,
    Meeting,
    MeetingStatus,
    Member,
    Role,
    Sector,
    Task,
    TaskState,
    TeamKind,
)
from storage.text import sort_key
from tests import arrange
from tests.conftest import ADMIN_ID, Harness

WARSAW = ZoneInfo("Europe/Warsaw")
YEAR = 2025  # wholly past, so that the command line (real clock) sees every meeting held
CLOCK = datetime(2026, 1, 20, 9, 0, tzinfo=WARSAW)
TOWNS = list(SOCIAL_CENTRES)  # the 8 municipalities of the Łódź region
PEOPLE_PER_TOWN = 20
INSTITUTIONS = [
    ("MOPS", Sector.SOCIAL_ASSISTANCE),
    ("Komenda Policji", Sector.POLICE),
    ("Powiatowy Urząd Pracy", Sector.LABOUR),
    ("Szkoła Podstawowa nr 1", Sector.EDUCATION),
    ("Fundacja Pomocna Dłoń", Sector.NGO),
]
GUEST_INSTITUTION = ("Sąd Rejonowy", Sector.COURT)
KASIA, MAREK = 2001, 2002  # coordinator of PZK Sieradz and PZK Zduńska Wola; a plain member
KASIA_TOWNS = ("Sieradz", "Zduńska Wola")
REPORT_WAIT = 30.0  # seconds
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Core inserts of plain rows: the ORM's bulk path costs more than the database here.
MEMBER, MEETING = Member.__table__, Meeting.__table__


def _cancelled(town: int, number: int) -> bool:
    return (town + number) % 11 == 0  # a couple of cancellations per municipality


def _comes(person: int, number: int) -> bool:
    return (person + number) % 4 != 0  # three quarters of the 20 at each meeting


def _guest(number: int) -> str | None:
    """A guest at every fourth meeting: the same woman, her name typed differently."""
    if number % 4:
        return None
    return "anna  KOWALSKA" if number % 8 == 0 else "Anna Kowalska"


@dataclass
class Expected:
    """Figures of one municipality's PZK, counted from the seed description."""

    held: int = 0
    cancelled: int = 0
    participants: int = 0
    unique: set[Any] = field(default_factory=set)
    by_institution: Counter[str] = field(default_factory=Counter)
    by_sector: Counter[Sector] = field(default_factory=Counter)
    months: Counter[str] = field(default_factory=Counter)  # YYYY-MM -> participants
    opened: int = 0
    closed: int = 0


async def _seed(session: AsyncSession) -> dict[str, Expected]:
    """A PZK and a ZZK in each of the 8 towns; a year of PZK meetings twice a month."""
    expected: dict[str, Expected] = {}
    meeting_rows: list[dict[str, Any]] = []
    plan: list[tuple[str, int, int, bool]] = []  # town, town index, meeting number, held
    team_of: dict[str, int] = {}
    for index, town in enumerate(TOWNS):
        team_of[town] = (await teams.add_team(session, town, TeamKind.PZK)).id
        await teams.add_team(session, town, TeamKind.ZZK)
        expected[town] = Expected()
        for month in range(1, 13):
            for number, day in ((2 * (month - 1), 5), (2 * (month - 1) + 1, 19)):
                starts = datetime(YEAR, month, day, 10, 0, tzinfo=WARSAW)
                held = not _cancelled(index, number)
                meeting_rows.append(_meeting(team_of[town], starts, held, f"{town}-{number}"))
                plan.append((town, index, number, held))
        # Outside the year: the last day of the year before, and one still to come.
        for starts in (
            datetime(YEAR - 1, 12, 31, 23, 30, tzinfo=WARSAW),
            datetime(YEAR + 1, 3, 2, 10, 0, tzinfo=WARSAW),
        ):
            meeting_rows.append(_meeting(team_of[town], starts, True, f"{town}-{starts:%Y}"))
            plan.append((town, index, -1, False))

    member_ids = list(
        await session.scalars(
            insert(MEMBER).returning(MEMBER.c.id, sort_by_parameter_order=True),
            [
                {"telegram_id": 500_000 + n, "name": f"Osoba {n}"}
                for n in range(len(TOWNS) * PEOPLE_PER_TOWN)
            ],
        )
    )
    meeting_ids = list(
        await session.scalars(
            insert(MEETING).returning(MEETING.c.id, sort_by_parameter_order=True), meeting_rows
        )
    )
    attendance: list[dict[str, Any]] = []
    for meeting_id, row, (town, index, number, held) in zip(
        meeting_ids, meeting_rows, plan, strict=True
    ):
        if number < 0:
            # Outside the period: people came, and none of it may be counted.
            attendance.append(_present(meeting_id, member_ids[index * PEOPLE_PER_TOWN], 0, town))
            continue
        if not held:
            continue
        figures = expected[town]
        figures.held += 1
        month = row["starts_at"].astimezone(WARSAW).strftime("%Y-%m")
        for person in range(PEOPLE_PER_TOWN):
            if _comes(person, number):
                member_id = member_ids[index * PEOPLE_PER_TOWN + person]
                attendance.append(_present(meeting_id, member_id, person, town))
                figures.unique.add(member_id)
                name, sector = INSTITUTIONS[person % len(INSTITUTIONS)]
                figures.by_institution[f"{name} ({town})"] += 1
                figures.by_sector[sector] += 1
                figures.participants += 1
                figures.months[month] += 1
        guest = _guest(number)
        if guest:
            name, sector = GUEST_INSTITUTION
            attendance.append(
                {
                    "meeting_id": meeting_id,
                    "member_id": None,
                    "guest_name": guest,
                    "institution_name": f"{name} ({town})",
                    "sector": sector,
                }
            )
            figures.unique.add("guest")
            figures.by_institution[f"{name} ({town})"] += 1
            figures.by_sector[sector] += 1
            figures.participants += 1
            figures.months[month] += 1
    for town, _index, number, held in plan:
        if number >= 0 and not held:
            expected[town].cancelled += 1
    await session.execute(insert(Attendance.__table__), attendance)
    await session.execute(insert(Task.__table__), _tasks(team_of, expected))
    return expected


def _meeting(team_id: int, starts: datetime, held: bool, uid: str) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "starts_at": starts.astimezone(UTC),
        "place": "MOPS, sala 1",
        "status": MeetingStatus.SCHEDULED if held else MeetingStatus.CANCELLED,
        "uid": f"seed-{uid}",
    }


def _present(meeting_id: int, member_id: int, person: int, town: str) -> dict[str, Any]:
    name, sector = INSTITUTIONS[person % len(INSTITUTIONS)]
    return {
        "meeting_id": meeting_id,
        "member_id": member_id,
        "guest_name": None,
        "institution_name": f"{name} ({town})",
        "sector": sector,
    }


def _tasks(team_of: dict[str, int], expected: dict[str, Expected]) -> list[dict[str, Any]]:
    """Per team: 4 done in the year, 1 still open, 1 dropped, 1 done only next January,
    and 1 from the year before done in this one."""
    rows = []
    for town, team_id in team_of.items():
        for number in range(7):
            created = datetime(YEAR, number + 1, 10, 12, 0, tzinfo=UTC)
            state, closed = TaskState.DONE, created + timedelta(days=20)
            if number == 4:
                state, closed = TaskState.OPEN, None
            elif number == 5:
                state = TaskState.DROPPED
            elif number == 6:
                closed = datetime(YEAR + 1, 1, 5, 12, 0, tzinfo=UTC)
            rows.append(_task(team_id, created, state, closed))
        rows.append(
            _task(
                team_id,
                datetime(YEAR - 1, 11, 3, tzinfo=UTC),
                TaskState.DONE,
                datetime(YEAR, 2, 1, tzinfo=UTC),
            )
        )
        expected[town].opened = 7
        expected[town].closed = 4 + 1
    return rows


def _task(
    team_id: int, created: datetime, state: TaskState, closed: datetime | None
) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "text": "Zaktualizować koszyk usług",
        "due_on": created.date() + timedelta(days=14),
        "state": state,
        "created_at": created,
        "closed_at": closed,
    }


@pytest.fixture
async def seeded(harness: Harness) -> dict[str, Expected]:
    """The region's year, Kasia coordinating two PZKs, Marek a plain member of one."""
    harness.set_clock(CLOCK)
    async with harness.session() as session:
        expected = await _seed(session)
        by_name = {team.name: team.id for team in await teams.list_teams(session)}
        for town in KASIA_TOWNS:
            await arrange.person(
                session, by_name[f"PZK {town}"], KASIA, "Katarzyna Nowak", Role.COORDINATOR
            )
        await arrange.person(session, by_name["PZK Łódź"], MAREK, "Marek Wiśniewski")
    harness.user(KASIA, "Katarzyna")
    harness.user(MAREK, "Marek")
    harness.user(ADMIN_ID, "Regina", language_code="en")
    return expected


def _total(expected: dict[str, Expected], towns: Iterable[str]) -> Expected:
    total = Expected()
    for town in towns:
        part = expected[town]
        total.held += part.held
        total.cancelled += part.cancelled
        total.participants += part.participants
        total.unique |= {(town, person) for person in part.unique}
        total.by_institution.update(part.by_institution)
        total.by_sector.update(part.by_sector)
        total.months.update(part.months)
        total.opened += part.opened
        total.closed += part.closed
    return total


async def _report_files(
    harness: Harness, chat_id: int, filename: str = f"raport-{YEAR}-01-01_{YEAR}-12-31.xlsx"
) -> tuple[Any, bytes]:
    """The workbook and the chart the bot sent after its summary."""
    document = await harness.emu.next_message(chat_id, timeout=REPORT_WAIT)
    assert document["document"]["file_name"] == filename
    photo = await harness.emu.next_message(chat_id, timeout=REPORT_WAIT)
    workbook = load_workbook(BytesIO(harness.emu.file_bytes(document["document"]["file_id"])))
    chart = harness.emu.file_bytes(photo["photo"][-1]["file_id"])
    return workbook, chart


async def _ask(harness: Harness, user_id: int, command: str) -> dict[str, Any]:
    """The summary comes with the files, after the chart is drawn: the first chart of a
    process loads matplotlib, seconds on a busy machine."""
    harness.emu.send_message(user_id, command)
    return await harness.emu.next_message(user_id, timeout=REPORT_WAIT)


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    """Data rows under the headers (row 4)."""
    return [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0] is not None]


def _numbers(part: Expected) -> tuple[Any, ...]:
    average = round(part.participants / part.held, 1)
    unique = len(part.unique)
    return (part.held, part.cancelled, part.participants, unique, average, part.opened, part.closed)


async def test_coordinator_gets_summary_workbook_and_chart(
    harness: Harness, seeded: dict[str, Expected]
) -> None:
    total = _total(seeded, KASIA_TOWNS)
    summary = await _ask(harness, KASIA, f"/raport {YEAR}")
    text = summary["text"]
    assert text.startswith(f"Liczby za okres 1.01.{YEAR} – 31.12.{YEAR}")
    assert "PZK Sieradz, PZK Zduńska Wola" in text
    assert f"Spotkania odbyte: {total.held}; odwołane: {total.cancelled}" in text
    assert f"Uczestnicy: {total.participants} łącznie ({len(total.unique)} różne osoby)" in text
    assert "Według gmin" in text and "Łódź" not in text

    workbook, chart = await _report_files(harness, KASIA)
    assert workbook.sheetnames == ["Podsumowanie", "Instytucje", "Sektory", "Miesiące"]
    summary_sheet = workbook["Podsumowanie"]
    assert (
        summary_sheet["A1"].value == f"Kooperacje 3D – liczby za okres 1.01.{YEAR} – 31.12.{YEAR}"
    )
    rows = _rows(summary_sheet)
    assert [row[:2] for row in rows] == [
        ("zespół", "PZK Sieradz"),
        ("zespół", "PZK Zduńska Wola"),
        ("gmina", "Sieradz"),
        ("gmina", "Zduńska Wola"),
        ("razem", "Razem"),
    ]
    assert rows[0][4:] == _numbers(seeded["Sieradz"])
    assert rows[3][4:] == _numbers(seeded["Zduńska Wola"])
    assert rows[4][4:] == _numbers(total)

    institutions = {(town, name): count for town, name, count in _rows(workbook["Instytucje"])}
    assert institutions == {
        (town, name): count
        for town in KASIA_TOWNS
        for name, count in seeded[town].by_institution.items()
    }
    sectors = {row[0]: row[1:] for row in _rows(workbook["Sektory"])}
    assert sectors["policja"] == (
        total.by_sector[Sector.POLICE],
        seeded["Sieradz"].by_sector[Sector.POLICE],
        seeded["Zduńska Wola"].by_sector[Sector.POLICE],
    )
    assert sectors["sąd"][0] == total.by_sector[Sector.COURT] > 0
    assert sectors["ochrona zdrowia"] == (0, 0, 0)
    months = _rows(workbook["Miesiące"])
    assert [month for month, _, _ in months] == [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    assert {month: people for month, _, people in months} == dict(total.months)
    assert sum(held for _, held, _ in months) == total.held

    assert chart.startswith(PNG_SIGNATURE) and 10_000 < len(chart) < 1_000_000


async def test_admin_gets_the_whole_region_in_english(
    harness: Harness, seeded: dict[str, Expected]
) -> None:
    total = _total(seeded, TOWNS)
    summary = await _ask(harness, ADMIN_ID, f"/report {YEAR}")
    text = summary["text"]
    assert "Whole region" in text and "By municipality" in text
    assert f"Meetings held: {total.held}; cancelled: {total.cancelled}" in text
    average = f"{total.participants / total.held:.1f}"
    assert f"on average {average} per meeting" in text
    assert all(f"{town}: {seeded[town].held} meetings" in text for town in TOWNS)

    workbook, chart = await _report_files(harness, ADMIN_ID)
    rows = _rows(workbook["Podsumowanie"])
    assert sum(1 for row in rows if row[0] == "zespół") == 16  # a PZK and a ZZK each
    assert [row[1] for row in rows if row[0] == "gmina"] == sorted(TOWNS, key=sort_key)
    assert rows[-1][4:] == _numbers(total)
    zzk_rows = [row for row in rows if row[0] == "zespół" and row[3] == "ZZK"]
    assert all(row[4:] == (0, 0, 0, 0, 0, 0, 0) for row in zzk_rows)
    assert len(next(workbook["Sektory"].iter_rows(min_row=4, max_row=4))) == 2 + len(TOWNS)
    assert chart.startswith(PNG_SIGNATURE)


async def test_members_and_strangers_are_refused(
    harness: Harness, seeded: dict[str, Expected]
) -> None:
    refusal = "Liczby widzą koordynatorzy (swoich zespołów) i administratorzy."
    assert (await harness.say(MAREK, f"/raport {YEAR}"))["text"] == refusal
    stranger = harness.user(2999, "Ktoś")
    assert (await harness.say(stranger, "/raport"))["text"] == refusal

    group = -1009001
    harness.emu.add_group(group, "PZK Sieradz")
    harness.emu.set_member(group, KASIA, status="member")
    harness.emu.add_bot_to_group(group, by_user_id=KASIA)
    await harness.emu.next_message(group)
    answer = await harness.say(KASIA, f"/raport {YEAR}", chat_id=group)
    assert "prywatnej rozmowie" in answer["text"]
    # Each user's updates are handled in order: an earlier reply's files would be out by now.
    assert not [c for c in harness.emu.calls if c.method in ("sendDocument", "sendPhoto")]


async def test_empty_and_unreadable_periods(harness: Harness, seeded: dict[str, Expected]) -> None:
    empty = await harness.say(KASIA, "/raport 2023")
    assert empty["text"].startswith(
        "W okresie 1.01.2023 – 31.12.2023 (PZK Sieradz, PZK Zduńska Wola)"
    )
    assert "nie odbyło się żadne spotkanie" in empty["text"]
    unreadable = "Nie rozumiem tego okresu."
    # Two, to stay within Telegram's burst of 3 in a private chat; the rest in test_period_forms.
    for period in (f"31.02.{YEAR}", f"30.06.{YEAR} – 1.01.{YEAR}"):
        assert (await harness.say(KASIA, f"/raport {period}"))["text"].startswith(unreadable)
    # Each user's updates are handled in order: an earlier reply's files would be out by now.
    assert not [c for c in harness.emu.calls if c.method in ("sendDocument", "sendPhoto")]


async def test_this_year_so_far_counts_only_what_has_started(
    harness: Harness, seeded: dict[str, Expected]
) -> None:
    """With no period: 1 January to today; meetings later today or after are not held yet."""
    harness.set_clock(datetime(YEAR, 3, 19, 9, 0, tzinfo=WARSAW))  # an hour before the 6th
    summary = await _ask(harness, KASIA, "/raport")
    assert f"Liczby za okres 1.01.{YEAR} – 19.03.{YEAR}" in summary["text"]
    held = sum(
        1 for n in range(5) for i in (TOWNS.index(t) for t in KASIA_TOWNS) if not _cancelled(i, n)
    )
    assert f"Spotkania odbyte: {held};" in summary["text"]
    workbook, _ = await _report_files(harness, KASIA, f"raport-{YEAR}-01-01_{YEAR}-03-19.xlsx")
    assert [row[0] for row in _rows(workbook["Miesiące"])] == [
        f"{YEAR}-01",
        f"{YEAR}-02",
        f"{YEAR}-03",
    ]


def test_period_forms() -> None:
    today = datetime(2026, 11, 23).date()
    assert parse_period("", today).label == "1.01.2026 – 23.11.2026"
    assert parse_period("2026", today).label == "1.01.2026 – 31.12.2026"
    assert parse_period("1.01.2026 – 30.06.2026", today).label == "1.01.2026 – 30.06.2026"
    assert parse_period("2026-01-01 - 2026-06-30", today).label == "1.01.2026 – 30.06.2026"
    assert parse_period("od 1.03.2026 do 31.03.2026", today).label == "1.03.2026 – 31.03.2026"
    assert parse_period("02.2026", today).label == "1.02.2026 – 28.02.2026"
    assert parse_period("2026-12", today).months() == ["2026-12"]
    assert parse_period("2025-11-15 – 2026-02-01", today).months() == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    # Slashes and dashes, with or without spaces; months by name (issue 17).
    assert parse_period("1/01/2026-30/06/2026", today).label == "1.01.2026 – 30.06.2026"
    assert parse_period("1-01-2026 – 30-06-2026", today).label == "1.01.2026 – 30.06.2026"
    assert parse_period("sty.–cze. 2026", today).label == "1.01.2026 – 30.06.2026"
    assert parse_period("od stycznia do marca 2026", today).label == "1.01.2026 – 31.03.2026"
    assert parse_period("grudzień 2025 - luty 2026", today).label == "1.12.2025 – 28.02.2026"
    assert parse_period("lut 2028", today).label == "1.02.2028 – 29.02.2028"
    assert parse_period("02/2026", today).label == "1.02.2026 – 28.02.2026"
    unreadable_forms = ("kiedyś", "13.2025", "1999", "2026 2027", "1.01.2026 x 2.01.2026")
    for unreadable in (*unreadable_forms, "cze.–sty. 2026", "sty 1999", "31/02/2026"):
        with pytest.raises(DomainError) as refused:
            parse_period(unreadable, today)
        assert refused.value.problem == Problem.REPORT_PERIOD_INVALID


async def test_command_line_writes_workbook_and_chart(
    db: Any,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with db.session() as session:
        expected = await _seed(session)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    argv = [
        "report",
        "--municipality",
        "sieradz",
        "--period",
        str(YEAR),
        "--out",
        str(tmp_path / "out"),
    ]
    assert await asyncio.get_running_loop().run_in_executor(None, main, argv) == 0
    printed = capsys.readouterr().out
    assert f"Spotkania odbyte: {expected['Sieradz'].held};" in printed and "<b>" not in printed
    workbook = load_workbook(tmp_path / "out" / f"raport-{YEAR}-01-01_{YEAR}-12-31.xlsx")
    rows = _rows(workbook["Podsumowanie"])
    assert [row[1] for row in rows] == ["PZK Sieradz", "ZZK Sieradz", "Sieradz", "Razem"]
    assert rows[-1][4:] == _numbers(expected["Sieradz"])
    chart = (tmp_path / "out" / f"raport-{YEAR}-01-01_{YEAR}-12-31.png").read_bytes()
    assert chart.startswith(PNG_SIGNATURE)

    argv = ["report", "--team", "PZK Nigdzie", "--out", str(tmp_path)]
    assert await asyncio.get_running_loop().run_in_executor(None, main, argv) == 1
    assert "team unknown" in capsys.readouterr().err
