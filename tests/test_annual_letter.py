"""The annual letter: a year of the programme's forms of support in two municipalities of one
region, counted from closed registers only, written out in the programme's own sentences.

The expected sentences are written here by hand from the arrangement, never by the code under
test."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import main
from bot.letter import clock_hours, counted, letter_docx, letter_text
from storage import annual, attendance, declarations, meetings, members, regions, teams
from storage.db import Database
from storage.models import EventKind, Member, Role, TeamKind
from tests import arrange

WARSAW = ZoneInfo("Europe/Warsaw")
YEAR = 2026
AFTER = datetime(YEAR + 1, 1, 15, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.4 regulamin"


async def _event(
    session: object,
    team_id: int,
    when: datetime,
    kind: EventKind,
    people: list[Member],
    *,
    hours: float = 2,
    close: bool = True,
    coached: list[Member] | None = None,
    own_minutes: dict[int, int] | None = None,
) -> None:
    team = await teams.get_team(session, team_id)  # type: ignore[arg-type]
    event = await meetings.schedule(
        session,  # type: ignore[arg-type]
        team,
        when,
        "Sala konferencyjna",
        None,
        None,
        kind=kind,
        duration_minutes=int(hours * 60),
        coached=coached or (),
        now=when - timedelta(days=7),
    )
    after = when + timedelta(hours=hours)
    for person in people:
        await attendance.mark(session, event, person.id, True, None, now=after)  # type: ignore[arg-type]
    for member_id, minutes in (own_minutes or {}).items():
        await attendance.set_minutes(session, event, member_id, minutes, now=after)  # type: ignore[arg-type]
    if close:
        await attendance.set_closed(session, event, True, None, now=after)  # type: ignore[arg-type]


async def _people(
    session: object, team_id: int, first_id: int, institution_id: int, n: int
) -> list[Member]:
    found = []
    for number in range(n):
        telegram_id = first_id + number
        await arrange.person(
            session,
            team_id,
            telegram_id,
            f"Osoba {telegram_id}",
            Role.MEMBER,
            institution_id,  # type: ignore[arg-type]
        )
        member = await members.find_member(session, telegram_id)  # type: ignore[arg-type]
        assert member is not None
        found.append(member)
    return found


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(YEAR, month, day, hour, 0, tzinfo=WARSAW)


async def _arrange_year(session: AsyncSession, *, placed: bool = True) -> None:
    """Two municipalities of łódzkie (placed in it here, or later by the command line)."""
    if True:
        zdunska = await arrange.team(session, "Zduńska Wola")
        sieradz = await arrange.team(session, "Sieradz")
        if placed:
            region = await regions.get_or_create_region(session, "łódzkie", "RCPS w Łodzi")
            for ids, county in ((zdunska, "zduńskowolski"), (sieradz, "sieradzki")):
                town = await teams.get_municipality(session, ids.municipality_id)
                await regions.place_municipality(session, town, region, county, None)
        mops_z = zdunska.institution_ids[arrange.MOPS]
        police_z = zdunska.institution_ids[arrange.POLICE]
        mops_s = sieradz.institution_ids[arrange.MOPS]
        z_people = await _people(session, zdunska.team_id, 700, mops_z, 4)
        z_police = await _people(session, zdunska.team_id, 710, police_z, 2)
        s_people = await _people(session, sieradz.team_id, 720, mops_s, 3)
        await teams.add_team(session, "Zduńska Wola", TeamKind.ZZK, "ZZK Karsznice")

        # Zduńska Wola: 2 trainings (6 and 4 people, 6 different), a two-day workshop (5),
        # 2 coaching sessions of 3 h for 2 workers (one left the second after 1.5 h: 10.5 h),
        # 2 PZK meetings, one of them with its register still open (not counted).
        everyone_z = z_people + z_police
        await _event(session, zdunska.team_id, at(2, 10), EventKind.TRAINING, everyone_z, hours=6)
        await _event(session, zdunska.team_id, at(3, 10), EventKind.TRAINING, z_people, hours=6)
        await _event(
            session, zdunska.team_id, at(4, 14, 9), EventKind.WORKSHOP, everyone_z[:5], hours=31
        )
        pair = z_people[:2]
        await _event(
            session, zdunska.team_id, at(5, 5), EventKind.COACHING, pair, hours=3, coached=pair
        )
        await _event(
            session,
            zdunska.team_id,
            at(6, 5),
            EventKind.COACHING,
            pair,
            hours=3,
            coached=pair,
            own_minutes={pair[1].id: 90},
        )
        await _event(session, zdunska.team_id, at(9, 8), EventKind.PZK_MEETING, z_people)
        await _event(
            session, zdunska.team_id, at(10, 13), EventKind.PZK_MEETING, z_people, close=False
        )
        # Sieradz: one PZK meeting of 3, one conference of 2 (the same people).
        await _event(session, sieradz.team_id, at(3, 17), EventKind.PZK_MEETING, s_people)
        await _event(
            session, sieradz.team_id, at(11, 20), EventKind.CONFERENCE, s_people[:2], hours=16
        )

        # Declarations: the MOPS and the police in Zduńska Wola, the MOPS in Sieradz.
        for ids, who in ((zdunska, z_people[0]), (zdunska, z_police[0]), (sieradz, s_people[0])):
            team = await teams.get_team(session, ids.team_id)
            if await declarations.current_rules(session, ids.team_id) is None:
                await declarations.upload_rules(session, team, "regulamin.pdf", PDF, who)
            await declarations.declare(session, team, who, "dyrektor", 1, at(1, 20))


async def test_a_year_of_the_programme_in_its_own_sentences(db: Database) -> None:
    async with db.session() as session:
        await _arrange_year(session)
        report = await annual.annual(session, YEAR, None, AFTER)

    (lodz,) = [r for r in report.regions if r.name == "łódzkie"]
    text = letter_text(report)
    assert text.split("\n\n") == [
        "W 2026 r. w regionie łódzkie (RCPS w Łodzi) zrealizowano: "
        "2 szkolenia międzysektorowe (uczestnictwa: 10; 6 osób); "
        "1 warsztat kooperacyjny (uczestnictwa: 5; 5 osób); "
        "2 spotkania PZK (uczestnictwa: 7; 7 osób); "
        "1 konferencja (uczestnictwa: 2; 2 osoby); "
        "coaching dla 2 osób, łącznie 10,5 godziny zegarowej (2 sesje coachingu). "
        "Łącznie we wszystkich formach wsparcia: 9 osób.",
        "Zadaniowe Zespoły Kooperacyjne (ZZK) działają w 1 gminie.",
        "Deklarację przystąpienia do Partnerskich Zespołów Kooperacyjnych złożyły 3 instytucje.",
        "Nie policzono 1 wydarzenia z niezamkniętą listą obecności (wykaz na końcu).",
        "Sieradz (powiat sieradzki): 1 spotkanie PZK (uczestnictwa: 3; 3 osoby); "
        "1 konferencja (uczestnictwa: 2; 2 osoby). "
        f"Deklaracje przystąpienia do PZK: 1 ({arrange.MOPS}).",
        "Zduńska Wola (powiat zduńskowolski): "
        "2 szkolenia międzysektorowe (uczestnictwa: 10; 6 osób); "
        "1 warsztat kooperacyjny (uczestnictwa: 5; 5 osób); "
        "1 spotkanie PZK (uczestnictwa: 4; 4 osoby); "
        "coaching dla 2 osób, łącznie 10,5 godziny zegarowej (2 sesje coachingu). "
        "ZZK: ZZK Karsznice. "
        f"Deklaracje przystąpienia do PZK: 2 ({arrange.POLICE}, {arrange.MOPS}).",
        "Wydarzenia z niezamkniętą listą obecności:\n"
        "• 13.10.2026: PZK Zduńska Wola (Zduńska Wola), spotkanie PZK",
    ]
    assert lodz.unclosed[0].kind == EventKind.PZK_MEETING

    document = Document(BytesIO(letter_docx(report)))
    written = "\n".join(p.text for p in document.paragraphs)
    assert "Kooperacje 3D: sprawozdanie za 2026 r." in written
    assert "2 szkolenia międzysektorowe (uczestnictwa: 10; 6 osób)" in written
    assert "13.10.2026: PZK Zduńska Wola (Zduńska Wola), spotkanie PZK" in written


def test_polish_numbers_agree_with_their_nouns() -> None:
    forms = ("szkolenie", "szkolenia", "szkoleń")
    assert [counted(n, *forms) for n in (1, 2, 4, 5, 12, 22, 25, 101)] == [
        "1 szkolenie",
        "2 szkolenia",
        "4 szkolenia",
        "5 szkoleń",
        "12 szkoleń",
        "22 szkolenia",
        "25 szkoleń",
        "101 szkoleń",
    ]
    assert [clock_hours(m) for m in (60, 120, 201 * 60, 270)] == [
        "1 godzina zegarowa",
        "2 godziny zegarowe",
        "201 godzin zegarowych",
        "4,5 godziny zegarowej",
    ]


async def test_the_command_line_places_regions_and_writes_the_letter(
    db: Database,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with db.session() as session:
        await _arrange_year(session, placed=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)

    async def run(*argv: str) -> int:
        # The CLI owns its event loop: it runs in a worker thread.
        return await asyncio.get_running_loop().run_in_executor(None, main, list(argv))

    assert await run("region", "add", "łódzkie", "--centre", "RCPS w Łodzi") == 0
    assert await run("region", "place", "zdunska wola", "lodzkie", "--county", "zduńskowolski") == 0
    assert await run("region", "place", "Sieradz", "łódzkie", "--county", "sieradzki") == 0
    assert await run("region", "appoint", "555", "--region", "łódzkie") == 0
    assert await run("region", "appoint", "555", "--region", "łódzkie") == 0
    assert await run("region", "list") == 0
    printed = capsys.readouterr().out
    assert "555 is now admin of łódzkie" in printed and "555 already was admin" in printed
    assert "admins: 555" in printed
    assert "Sieradz (powiat sieradzki), Zduńska Wola (powiat zduńskowolski)" in printed
    assert await run("region", "place", "Nigdzie", "łódzkie") == 1
    assert "municipality unknown" in capsys.readouterr().err

    out = tmp_path / "out"
    assert await run("report", "--year", str(YEAR), "--region", "łódzkie", "--out", str(out)) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("W 2026 r. w regionie łódzkie (RCPS w Łodzi) zrealizowano: ")
    assert "Zduńska Wola (powiat zduńskowolski): 2 szkolenia międzysektorowe" in printed
    rows = list(load_workbook(out / f"sprawozdanie-{YEAR}.xlsx")[f"Rok {YEAR}"].values)
    assert rows[0][2:] == ("Forma wsparcia", "Wydarzenia", "Uczestnictwa", "Osoby", "Godziny")
    assert ("łódzkie", "razem", "Coaching (sesje)", 2, 4, 2, 10.5) in rows
    assert (
        Document(str(out / f"sprawozdanie-{YEAR}.docx"))
        .paragraphs[0]
        .text.startswith("Kooperacje 3D")
    )
    assert await run("report", "--year", "2019", "--out", str(out)) == 0
    assert "no events with a closed register in 2019" in capsys.readouterr().out
    assert await run("region", "dismiss", "555", "--region", "łódzkie") == 0
