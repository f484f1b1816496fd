"""Invitation links that can be revoked, and roles that links cannot change.

Security finding 1: a demoted coordinator opened their old coordinator link and was
coordinator again; a removed member opened the member link and was back in the team.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import AuditEntry, Invitation, Member, Membership, Role
from tests import arrange
from tests.conftest import Harness

MOPS = "MOPS – Centrum Opieki Socjalnej w Zduńskiej Woli"
POLICE = "Komenda Powiatowa Policji w Zduńskiej Woli"
KASIA, MAREK, BARTEK, OBCY = 3001, 3002, 3003, 3004


async def _team(harness: Harness) -> arrange.TeamIds:
    async with harness.session() as session:
        team = await arrange.team(session)
        await arrange.person(
            session, team.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR,
            team.institution_ids[MOPS],
        )  # fmt: skip
    harness.user(KASIA, "Katarzyna")
    return team


async def _link(harness: Harness, role_label: str = "Członkowie") -> str:
    question = await harness.say(KASIA, "/zaproszenie")
    await harness.press(KASIA, question, role_label)
    made = await harness.edited(question)
    return next(word for word in made["text"].split() if "start=" in word).split("start=")[1]


async def _join(harness: Harness, user: int, token: str) -> str:
    answer = await harness.say(user, f"/start {token}")
    if POLICE in harness.button_labels(answer):
        await harness.press(user, answer, POLICE)
        answer = await harness.edited(answer)
    return str(answer["text"])


async def _role(harness: Harness, telegram_id: int) -> Role | None:
    async with harness.session() as session:
        return await session.scalar(
            select(Membership.role)
            .join(Member, Member.id == Membership.member_id)
            .where(Member.telegram_id == telegram_id)
        )


async def _member_card(harness: Harness, name: str) -> dict[str, Any]:
    roster = await harness.say(KASIA, "/zespol")
    await harness.press(KASIA, roster, "Zarządzaj członkami")
    members = await harness.edited(roster)
    await harness.press(
        KASIA, members, next(b for b in harness.button_labels(members) if name in b)
    )
    return await harness.edited(members)


async def _remove(harness: Harness, name: str) -> str:
    card = await _member_card(harness, name)
    await harness.press(KASIA, card, "Usuń z zespołu")
    confirm = await harness.edited(card)
    await harness.press(KASIA, confirm, "Tak, usuń")
    return str((await harness.edited(confirm))["text"])


async def test_a_demoted_coordinator_cannot_promote_themselves_back(harness: Harness) -> None:
    await _team(harness)
    token = await _link(harness, "Koordynatorzy")
    harness.user(BARTEK, "Bartek")
    assert "koordynator" in await _join(harness, BARTEK, token)
    card = await _member_card(harness, "Bartek")
    answer = await harness.press(KASIA, card, "Zmień na członka")
    assert "Unieważniono 1 link tej osoby" in answer["text"]
    assert await _role(harness, BARTEK) == Role.MEMBER

    again = await harness.say(BARTEK, f"/start {token}")
    assert "unieważniony" in again["text"]
    assert await _role(harness, BARTEK) == Role.MEMBER


async def test_opening_a_link_never_changes_the_role_of_a_member(harness: Harness) -> None:
    await _team(harness)
    member_link = await _link(harness)
    harness.user(MAREK, "Marek")
    await _join(harness, MAREK, member_link)
    coordinator_link = await _link(harness, "Koordynatorzy")
    answer = await harness.say(MAREK, f"/start {coordinator_link}")
    assert "Już należysz do zespołu" in answer["text"]
    assert await _role(harness, MAREK) == Role.MEMBER
    async with harness.session() as session:
        link = await session.scalar(select(Invitation).where(Invitation.token == coordinator_link))
        assert link is not None and link.uses == 0  # nothing used up
    # And a coordinator opening a member link stays coordinator.
    assert "Już należysz" in (await harness.say(KASIA, f"/start {member_link}"))["text"]
    assert await _role(harness, KASIA) == Role.COORDINATOR


async def test_a_removed_member_needs_a_link_made_after_the_removal(harness: Harness) -> None:
    await _team(harness)
    used = await _link(harness)
    older = await _link(harness)
    harness.user(MAREK, "Marek")
    await _join(harness, MAREK, used)
    removed = await _remove(harness, "Marek")
    assert "tylko przez nowy link" in removed
    told = await harness.emu.next_message(MAREK)
    assert "Nie należysz już do zespołu PZK Zduńska Wola" in told["text"]
    assert "Usunięcie z zespołu: Katarzyna Nowak" in told["text"]
    assert "Unieważniono 1 link tej osoby" in removed
    assert await _role(harness, MAREK) is None

    assert "unieważniony" in (await harness.say(MAREK, f"/start {used}"))["text"]
    assert "po utworzeniu tego linku" in (await harness.say(MAREK, f"/start {older}"))["text"]
    assert await _role(harness, MAREK) is None
    # The older link still works for everyone else.
    harness.user(BARTEK, "Bartek")
    assert "Witaj w zespole" in await _join(harness, BARTEK, older)

    fresh = await _link(harness)
    assert "Witaj w zespole" in await _join(harness, MAREK, fresh)
    assert await _role(harness, MAREK) == Role.MEMBER


async def test_removing_a_coordinator_revokes_the_links_they_made(harness: Harness) -> None:
    team = await _team(harness)
    async with harness.session() as session:
        await arrange.person(session, team.team_id, BARTEK, "Bartek Kowal", Role.COORDINATOR)
    harness.user(BARTEK, "Bartek")
    question = await harness.say(BARTEK, "/zaproszenie")
    await harness.press(BARTEK, question, "Członkowie")
    made = await harness.edited(question)
    token = next(w for w in made["text"].split() if "start=" in w).split("start=")[1]
    await _remove(harness, "Bartek")
    harness.user(MAREK, "Marek")
    assert "unieważniony" in (await harness.say(MAREK, f"/start {token}"))["text"]


async def test_coordinator_lists_and_revokes_links(harness: Harness) -> None:
    await _team(harness)
    first = await _link(harness)
    second = await _link(harness, "Koordynatorzy")
    harness.user(MAREK, "Marek")
    await _join(harness, MAREK, first)

    question = await harness.say(KASIA, "/zaproszenie")
    assert harness.button_labels(question) == ["Członkowie", "Koordynatorzy", "Aktywne linki"]
    await harness.press(KASIA, question, "Aktywne linki")
    listing = await harness.edited(question)
    text = listing["text"]
    # Newest first: the coordinator link, then the member link Marek came by.
    assert text.index(second) < text.index(first)
    assert "Dla koordynatorów · autor: Katarzyna Nowak" in text
    assert "Użyty przez: Marek" in text
    assert "użyty 1 z 50 razy" in text
    # Kasia's own link (made on the command line) is the third.
    assert "autor: administrator" in text and "Użyty przez: Katarzyna Nowak" in text
    assert harness.button_labels(listing) == [
        "Unieważnij link 1",
        "Unieważnij link 2",
        "Unieważnij link 3",
        "Unieważnij wszystkie",
        "Nowy link",
    ]

    answer = await harness.press(KASIA, listing, "Unieważnij link 2")
    assert answer["text"] == "Link unieważniony."
    listing = await harness.edited(listing)
    assert first not in listing["text"] and second in listing["text"]
    harness.user(BARTEK, "Bartek")
    assert "unieważniony" in (await harness.say(BARTEK, f"/start {first}"))["text"]
    assert await _role(harness, MAREK) == Role.MEMBER  # who joined stays

    await harness.press(KASIA, listing, "Unieważnij wszystkie")
    listing = await harness.edited(listing)
    assert "Nie ma aktywnych linków" in listing["text"]
    assert "unieważniony" in (await harness.say(BARTEK, f"/start {second}"))["text"]
    async with harness.session() as session:
        actions = [a.action for a in await session.scalars(select(AuditEntry))]
    assert actions.count("invitation.revoke") == 3
    assert actions.count("invitation.use") >= 1 and "invitation.create" in actions


async def test_revoke_all(harness: Harness) -> None:
    await _team(harness)
    tokens = [await _link(harness) for _ in range(3)]
    question = await harness.say(KASIA, "/zaproszenie")
    await harness.press(KASIA, question, "Aktywne linki")
    listing = await harness.edited(question)
    answer = await harness.press(KASIA, listing, "Unieważnij wszystkie")
    assert answer["text"] == "Unieważnione linki: 4."  # with Kasia's own
    harness.user(MAREK, "Marek")
    for token in tokens:
        assert "unieważniony" in (await harness.say(MAREK, f"/start {token}"))["text"]


async def test_members_and_other_teams_cannot_list_or_revoke(harness: Harness) -> None:
    team = await _team(harness)
    token = await _link(harness)
    async with harness.session() as session:
        other = await arrange.team(session, town="Sieradz", institutions=())
        await arrange.person(session, other.team_id, OBCY, "Obca Koordynatorka", Role.COORDINATOR)
        await arrange.person(session, team.team_id, MAREK, "Marek")
        link_id = await session.scalar(select(Invitation.id).where(Invitation.token == token))
    for user in (MAREK, OBCY):
        harness.user(user, "Ktoś")
        anchor = await harness.say(user, "/pomoc")
        for forged in (f"iv:x:{link_id}", f"iv:X:{team.team_id}", f"iv:l:{team.team_id}"):
            query = harness.emu.send_callback(user, user, anchor["message_id"], forged)
            answer = await harness.emu.callback_answer(query)
            assert answer.get("show_alert"), forged
            assert token not in str(harness.emu.messages(user))
    harness.user(BARTEK, "Bartek")
    assert "Witaj w zespole" in await _join(harness, BARTEK, token)
