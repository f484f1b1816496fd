"""Seeing the team, managing members, invitations made in chat, linking a group."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEntry, Membership, Role, Team
from tests import arrange
from tests.conftest import ADMIN_ID, Harness

MOPS = "MOPS – Centrum Opieki Socjalnej w Zduńskiej Woli"
POLICE = "Komenda Powiatowa Policji w Zduńskiej Woli"


async def _team_with_people(harness: Harness) -> tuple[arrange.TeamIds, dict[str, int]]:
    async with harness.session() as session:
        team = await arrange.team(session)
        ids = {
            "kasia": await arrange.person(
                session,
                team.team_id,
                2001,
                "Katarzyna Nowak",
                Role.COORDINATOR,
                team.institution_ids[MOPS],
            ),
            "marek": await arrange.person(
                session,
                team.team_id,
                2002,
                "Marek Wiśniewski",
                Role.MEMBER,
                team.institution_ids[POLICE],
            ),
            "ola": await arrange.person(
                session,
                team.team_id,
                2003,
                "Aleksandra Zielińska",
                Role.MEMBER,
                team.institution_ids[MOPS],
            ),
        }
    for user_id, name in ((2001, "Katarzyna"), (2002, "Marek"), (2003, "Aleksandra")):
        harness.user(user_id, name)
    return team, ids


async def test_roster_groups_members_by_institution(harness: Harness) -> None:
    await _team_with_people(harness)
    roster = await harness.say(2002, "/zespol")
    text = roster["text"]
    assert text.startswith("PZK Zduńska Wola · Zduńska Wola · 3 osoby")
    # Institutions in Polish alphabetical order, each with its sector; coordinator marked.
    assert text.index(POLICE) < text.index(MOPS)
    assert f"{POLICE} (policja)" in text
    assert "Katarzyna Nowak — koordynator" in text
    assert text.index("Katarzyna Nowak") < text.index("Aleksandra Zielińska")


async def test_coordinator_promotes_and_removes(harness: Harness) -> None:
    team, ids = await _team_with_people(harness)
    roster = await harness.say(2001, "/zespol")
    await harness.press(2001, roster, "Zarządzaj członkami")
    members = await harness.edited(roster)
    marek_button = next(label for label in harness.button_labels(members) if "Marek" in label)
    await harness.press(2001, members, marek_button)
    card = await harness.edited(members)
    await harness.press(2001, card, "Nadaj rolę koordynatora")
    promoted = await harness.edited(card)
    assert "koordynator" in promoted["text"]

    await harness.press(2001, promoted, "Usuń z zespołu")
    confirm = await harness.edited(promoted)
    await harness.press(2001, confirm, "Tak, usuń")
    removed = await harness.edited(confirm)
    assert "Marek Wiśniewski" in removed["text"]

    async with harness.session() as session:
        left = await session.scalars(select(Membership.member_id))
        assert len(list(left)) == 2
        actions = [a.action for a in await session.scalars(select(AuditEntry))]
        assert "member.role" in actions and "member.remove" in actions


async def test_last_coordinator_cannot_step_down(harness: Harness) -> None:
    _, ids = await _team_with_people(harness)
    roster = await harness.say(2001, "/zespol")
    answer = await harness.press(2001, roster, "Zarządzaj członkami")
    members = await harness.edited(roster)
    mine = next(label for label in harness.button_labels(members) if "Katarzyna" in label)
    await harness.press(2001, members, mine)
    card = await harness.edited(members)
    answer = await harness.press(2001, card, "Zmień na członka")
    assert answer.get("show_alert") and "koordynator" in answer["text"]


async def test_forged_buttons_are_refused(harness: Harness) -> None:
    """A member crafting callback data for management gets a refusal, nothing changes."""
    team, ids = await _team_with_people(harness)
    roster = await harness.say(2002, "/zespol")
    chat = roster["chat"]["id"]
    for forged in (
        f"mb:c:{ids['marek']}",
        f"mb:rx:{ids['kasia']}",
        f"tm:{team.team_id}",
        f"iv:r:{team.team_id}:c",
        "mb:c:not-a-number",
        "zz:1",
        "j:i:1",
        "lg:xx",
    ):
        query = harness.emu.send_callback(2002, chat, roster["message_id"], forged)
        answer = await harness.emu.callback_answer(query)
        assert answer.get("show_alert"), forged
        assert answer["text"] in (
            "Niestety, tylko koordynator tego zespołu może to zrobić.",
            "Ten przycisk jest już nieaktualny. Wpisz polecenie jeszcze raz, "
            "np. /spotkania lub /pomoc.",
        ), forged
    async with harness.session() as session:
        roles = {m.id: m.role for m in await session.scalars(select(Membership))}
        assert roles[ids["marek"]] == Role.MEMBER and roles[ids["kasia"]] == Role.COORDINATOR


async def test_coordinator_creates_an_invitation_that_works(harness: Harness) -> None:
    await _team_with_people(harness)
    question = await harness.say(2001, "/zaproszenie")
    assert harness.button_labels(question) == ["Członkowie", "Koordynatorzy", "Aktywne linki"]
    await harness.press(2001, question, "Członkowie")
    link_message = await harness.edited(question)
    link = next(word for word in link_message["text"].split() if "start=" in word)
    assert link.startswith("https://t.me/kooperacje_test_bot?start=")
    token = link.split("start=")[1]

    newcomer = harness.user(2010, "Zofia")
    join = await harness.say(newcomer, f"/start {token}")
    await harness.press(newcomer, join, POLICE)
    assert "Witaj w zespole" in (await harness.edited(join))["text"]


async def test_members_and_strangers_cannot_invite(harness: Harness) -> None:
    await _team_with_people(harness)
    assert "koordynator" in (await harness.say(2002, "/invite"))["text"]
    harness.user(2099, "Obcy")
    assert "koordynator" in (await harness.say(2099, "/zaproszenie"))["text"]


async def test_admin_picks_any_team_for_an_invitation(harness: Harness) -> None:
    async with harness.session() as session:
        await arrange.team(session)
        await arrange.team(session, town="Sieradz", institutions=())
    harness.user(ADMIN_ID, "Admin")
    question = await harness.say(ADMIN_ID, "/zaproszenie")
    assert harness.button_labels(question) == ["PZK Sieradz", "PZK Zduńska Wola"]
    await harness.press(ADMIN_ID, question, "PZK Sieradz")
    roles = await harness.edited(question)
    await harness.press(ADMIN_ID, roles, "Koordynatorzy")
    assert "start=" in (await harness.edited(roles))["text"]


async def test_coordinator_links_a_group(harness: Harness) -> None:
    team, _ = await _team_with_people(harness)
    group = -1001500
    harness.emu.add_group(group, "PZK Zduńska Wola — grupa")
    harness.emu.set_member(group, 2001, status="administrator")
    harness.emu.set_member(group, 2002, status="member")
    harness.emu.add_bot_to_group(group, by_user_id=2001)
    greeting = await harness.emu.next_message(group)
    assert "/polacz" in greeting["text"]

    refused = await harness.say(2002, "/polacz", chat_id=group)
    assert "koordynator" in refused["text"]
    linked = await harness.say(2001, "/polacz@kooperacje_test_bot", chat_id=group)
    assert "PZK Zduńska Wola" in linked["text"]
    async with harness.session() as session:
        assert (await session.get(Team, team.team_id)).chat_id == group  # type: ignore[union-attr]

    roster = await harness.say(2002, "/zespol", chat_id=group)
    assert "Marek Wiśniewski" in roster["text"]


async def test_private_only_commands_in_a_group(harness: Harness) -> None:
    await _team_with_people(harness)
    group = -1001501
    harness.emu.add_group(group, "Inna grupa")
    harness.emu.set_member(group, 2001, status="member")
    harness.emu.add_bot_to_group(group, by_user_id=2001)
    await harness.emu.next_message(group)  # the greeting
    reply = await harness.say(2001, "/zaproszenie", chat_id=group)
    assert "prywatn" in reply["text"]
    reply = await harness.say(2001, "/zespol", chat_id=group)
    assert "/polacz" in reply["text"]
