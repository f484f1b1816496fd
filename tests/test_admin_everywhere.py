"""A region admin outside every team, and new task teams created in the chat (issue 18)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.permissions import Actor, may_create_team
from storage import meetings, teams
from storage.members import find_member
from storage.models import AuditEntry, Meeting, Membership, Role, Team, TeamKind
from tests import arrange
from tests.conftest import ADMIN_ID, Harness

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
KASIA, MAREK, OLA = 2101, 2102, 2103  # PZK coordinator, PZK member, ZZK coordinator
TOWN = "Zduńska Wola"


@pytest.fixture
async def region(harness: Harness) -> dict[str, int]:
    """Zduńska Wola (PZK + ZZK) and Kutno (PZK), each with upcoming meetings; one meeting in
    Kutno started an hour ago."""
    harness.set_clock(MONDAY_9)
    async with harness.session() as session:
        pzk = await arrange.team(session, TOWN, TeamKind.PZK)
        zzk = await teams.add_team(session, TOWN, TeamKind.ZZK, "ZZK Przemoc")
        kutno = await arrange.team(session, "Kutno", TeamKind.PZK, institutions=())
        await arrange.person(session, pzk.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
        await arrange.person(session, pzk.team_id, MAREK, "Marek Wiśniewski")
        await arrange.person(session, zzk.id, OLA, "Aleksandra Zielińska", Role.COORDINATOR)
        kasia = await find_member(session, KASIA)
        for team_id, day, place in (
            (pzk.team_id, 25, "MOPS sala 12"),
            (zzk.id, 26, "Szkoła nr 3"),
            (kutno.team_id, 27, "Urząd Kutno"),
        ):
            team = await teams.get_team(session, team_id)
            await meetings.schedule(
                session,
                team,
                datetime(2026, 11, day, 10, tzinfo=WARSAW),
                place,
                None,
                kasia,
                now=MONDAY_9,
            )
        # Of a team without a coordinator: nobody else is sent its register when it starts.
        team = await teams.get_team(session, kutno.team_id)
        await meetings.schedule(
            session,
            team,
            MONDAY_9 - timedelta(hours=1),
            "Sala obrad",
            None,
            kasia,
            now=MONDAY_9 - timedelta(days=1),
        )
    for user_id, name in (
        (ADMIN_ID, "Admin"),
        (KASIA, "Katarzyna"),
        (MAREK, "Marek"),
        (OLA, "Aleksandra"),
    ):
        harness.user(user_id, name)
    return {"pzk": pzk.team_id, "zzk": zzk.id, "kutno": kutno.team_id}


async def test_admin_lists_a_municipalitys_meetings_and_opens_one(
    harness: Harness, region: dict[str, int]
) -> None:
    choice = await harness.say(ADMIN_ID, "/spotkania")
    assert "Nie należysz" not in choice["text"]
    assert {"Kutno", TOWN} <= set(harness.button_labels(choice))
    await harness.press(ADMIN_ID, choice, TOWN)
    listed = await harness.edited(choice)
    assert "MOPS sala 12" in listed["text"] and "Szkoła nr 3" in listed["text"]
    assert "Urząd Kutno" not in listed["text"]
    # Narrowed to one team of the municipality, chosen on a screen of its own.
    await harness.press(ADMIN_ID, listed, "👥 Zespoły")
    listed = await harness.edited(listed)
    await harness.press(ADMIN_ID, listed, "ZZK Przemoc")
    narrowed = await harness.edited(listed)
    assert "Szkoła nr 3" in narrowed["text"] and "MOPS sala 12" not in narrowed["text"]
    card_button = next(b for b in harness.button_labels(narrowed) if b.startswith("1."))
    await harness.press(ADMIN_ID, narrowed, card_button)
    card = await harness.emu.next_message(ADMIN_ID)
    assert "Szkoła nr 3" in card["text"] and "ZZK Przemoc" in card["text"]


async def test_admin_calls_a_meeting_for_any_team(harness: Harness, region: dict[str, int]) -> None:
    question = await harness.say(ADMIN_ID, "/nowe")
    assert "Nie należysz" not in question["text"]
    await harness.press(ADMIN_ID, question, "Kutno")
    teams_of = await harness.edited(question)
    await harness.press(ADMIN_ID, teams_of, "PZK Kutno")
    when = await harness.edited(teams_of)
    assert "Kiedy?" in when["text"] and "PZK Kutno" in when["text"]
    echo = await harness.say(ADMIN_ID, "czwartek 3 grudnia o 11")
    await harness.press(ADMIN_ID, echo, "Zgadza się")
    await harness.edited(echo)
    agenda = await harness.say(ADMIN_ID, "Urząd, sala 2")
    repeat = await harness.say(ADMIN_ID, "budżet")
    await harness.press(ADMIN_ID, repeat, "Tylko raz")
    done = await harness.edited(repeat)
    assert "Spotkanie zwołane" in done["text"], done["text"]
    async with harness.session() as session:
        found = await session.scalar(select(Meeting).where(Meeting.place == "Urząd, sala 2"))
        assert found is not None and found.team_id == region["kutno"]
    del agenda


async def test_admin_sees_a_register_and_figures(harness: Harness, region: dict[str, int]) -> None:
    register = await harness.say(ADMIN_ID, "/obecnosc")
    assert "Obecność" in register["text"] and "Sala obrad" in register["text"]
    # Figures come with a spreadsheet and a chart: drawn off the event loop, slower.
    harness.emu.send_message(ADMIN_ID, "/raport")
    figures = await harness.emu.next_message(ADMIN_ID, timeout=30)
    assert "Liczby za okres" in figures["text"]


async def test_pzk_coordinator_creates_a_zzk_and_coordinates_it(
    harness: Harness, region: dict[str, int]
) -> None:
    question = await harness.say(KASIA, "/nowy_zespol")
    assert f"ZZK {TOWN}" in harness.button_labels(question)[0]
    taken = await harness.say(KASIA, "zzk  przemoc")
    assert "już istnieje" in taken["text"]
    done = await harness.say(KASIA, "ZZK Bezdomność")
    assert "ZZK Bezdomność" in done["text"]
    async with harness.session() as session:
        team = await session.scalar(select(Team).where(Team.name == "ZZK Bezdomność"))
        assert team is not None and team.kind == TeamKind.ZZK
        member = await find_member(session, KASIA)
        role = await session.scalar(
            select(Membership.role).where(
                Membership.team_id == team.id, Membership.member_id == member.id
            )
        )
        assert role == Role.COORDINATOR
        logged = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "team.add", AuditEntry.team_id == team.id)
        )
        assert logged is not None and logged.actor_telegram_id == KASIA
    # The default name, with a suffix when it is taken.
    again = await harness.say(KASIA, "/new_team")
    await harness.press(KASIA, again, harness.button_labels(again)[0])
    await harness.edited(again)
    third = await harness.say(KASIA, "/nowy_zespol")
    assert f"ZZK {TOWN} 2" in harness.button_labels(third)[0]
    help_text = await harness.say(KASIA, "/pomoc")
    await harness.press(KASIA, help_text, "Zespół i zaproszenia")
    assert "/nowy_zespol" in (await harness.edited(help_text))["text"]


async def test_admin_creates_a_pzk_of_a_municipality(
    harness: Harness, region: dict[str, int]
) -> None:
    question = await harness.say(ADMIN_ID, "/nowy_zespol")
    await harness.press(ADMIN_ID, question, "Kutno")
    kind = await harness.edited(question)
    await harness.press(ADMIN_ID, kind, "ZZK")
    name = await harness.edited(kind)
    assert "ZZK Kutno" in harness.button_labels(name)[0]
    done = await harness.say(ADMIN_ID, "ZZK Seniorzy")
    assert "ZZK Seniorzy" in done["text"] and "start=" in done["text"]


@pytest.mark.parametrize("who", [OLA, MAREK])
async def test_zzk_coordinators_and_members_cannot_create_teams(
    harness: Harness, region: dict[str, int], who: int
) -> None:
    refused = await harness.say(who, "/nowy_zespol")
    assert "koordynatorzy PZK" in refused["text"]
    # A crafted button (municipality 1, a ZZK) changes nothing either.
    forged = harness.emu.send_callback(who, who, refused["message_id"], "nz:k:1:ZZK")
    assert (await harness.emu.callback_answer(forged)).get("show_alert")
    help_text = await harness.say(who, "/pomoc")
    await harness.press(who, help_text, "Zespół i zaproszenia")
    assert "/nowy_zespol" not in (await harness.edited(help_text))["text"]
    async with harness.session() as session:
        count = len((await session.scalars(select(Team))).all())
    assert count == 3


def test_only_admins_create_a_pzk() -> None:
    pzk_coordinator = Actor(KASIA, roles={1: Role.COORDINATOR})
    assert may_create_team(pzk_coordinator, TeamKind.ZZK, [1])
    assert not may_create_team(pzk_coordinator, TeamKind.PZK, [1])
    assert not may_create_team(pzk_coordinator, TeamKind.ZZK, [2])  # another municipality
    assert not may_create_team(Actor(MAREK, roles={1: Role.MEMBER}), TeamKind.ZZK, [1])
    assert may_create_team(Actor(ADMIN_ID, is_admin=True), TeamKind.PZK)
