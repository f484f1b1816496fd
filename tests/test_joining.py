"""Joining a team with an invitation link, over HTTP through the emulator."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from botapi_emulator import BotApiEmulator
from storage.db import Database
from storage.models import Institution, Member, Membership, Role, TeamKind
from tests import arrange
from tests.conftest import Harness, running_bot

MOPS = "MOPS – Centrum Opieki Socjalnej w Zduńskiej Woli"


async def test_start_without_token_explains_the_bot(harness: Harness) -> None:
    anna = harness.user(1001, "Anna")
    reply = await harness.say(anna, "/start")
    assert "Kooperacje 3D" in reply["text"]
    assert "/zaproszenie" in reply["text"]
    async with harness.session() as session:
        # Strangers are not stored: nothing personal is kept before someone joins.
        assert await session.scalar(select(func.count()).select_from(Member)) == 0


async def test_join_with_institution_from_the_list(harness: Harness) -> None:
    async with harness.session() as session:
        team = await arrange.team(session)
        token = await arrange.invitation(session, team.team_id)
    anna = harness.user(1001, "Anna", last_name="Kowalska")
    question = await harness.say(anna, f"/start {token}")
    assert "PZK Zduńska Wola" in question["text"]
    assert MOPS in harness.button_labels(question)
    assert "Mojej instytucji nie ma na liście" in harness.button_labels(question)

    await harness.press(anna, question, MOPS)
    welcome = await harness.edited(question)
    assert "Witaj w zespole PZK Zduńska Wola" in welcome["text"]
    assert "członek" in welcome["text"]

    roster = await harness.say(anna, "/zespol")
    assert "Anna Kowalska" in roster["text"]
    assert MOPS in roster["text"]
    # A plain member gets no management buttons.
    assert not harness.emu.buttons(roster)


async def test_join_with_a_new_institution_escapes_what_was_typed(harness: Harness) -> None:
    async with harness.session() as session:
        team = await arrange.team(session)
        token = await arrange.invitation(session, team.team_id)
    piotr = harness.user(1002, "Piotr <b>&", last_name="🙂")
    question = await harness.say(piotr, f"/start {token}")
    await harness.press(piotr, question, "Mojej instytucji nie ma na liście")
    await harness.edited(question)

    typed = 'Fundacja "Tęcza" <Dzieci & Rodzina> 🙂'
    sectors = await harness.say(piotr, typed)
    assert typed in sectors["text"]  # shown literally: it was escaped in HTML
    assert "organizacja pozarządowa" in harness.button_labels(sectors)
    await harness.press(piotr, sectors, "organizacja pozarządowa")
    welcome = await harness.edited(sectors)
    assert "Witaj w zespole" in welcome["text"]

    roster = await harness.say(piotr, "/team")
    assert typed in roster["text"]
    assert "Piotr <b>& 🙂" in roster["text"]
    async with harness.session() as session:
        institution = await session.scalar(select(Institution).where(Institution.name == typed))
        assert institution is not None and institution.sector.value == "ngo"


async def test_typing_a_known_institution_reuses_it(harness: Harness) -> None:
    async with harness.session() as session:
        team = await arrange.team(session)
        token = await arrange.invitation(session, team.team_id)
    ewa = harness.user(1003, "Ewa")
    question = await harness.say(ewa, f"/start {token}")
    await harness.press(ewa, question, "Mojej instytucji nie ma na liście")
    await harness.edited(question)
    welcome = await harness.say(ewa, "  komenda powiatowa POLICJI w zduńskiej woli ")
    assert "Witaj w zespole" in welcome["text"]
    async with harness.session() as session:
        count = await session.scalar(select(func.count()).select_from(Institution))
        assert count == 2


async def test_member_with_an_institution_joins_a_second_team_at_once(harness: Harness) -> None:
    async with harness.session() as session:
        pzk = await arrange.team(session)
        zzk = await arrange.team(session, kind=TeamKind.ZZK, institutions=())
        await arrange.person(
            session, pzk.team_id, 1004, "Jan", institution_id=pzk.institution_ids[MOPS]
        )
        token = await arrange.invitation(session, zzk.team_id)
    jan = harness.user(1004, "Jan")
    welcome = await harness.say(jan, f"/start {token}")
    assert "Witaj w zespole ZZK Zduńska Wola" in welcome["text"]
    again = await harness.say(jan, f"/start {token}")
    assert "Już należysz do zespołu ZZK Zduńska Wola" in again["text"]
    roster_pzk = await harness.say(jan, "/zespol")
    roster_zzk = await harness.emu.next_message(jan)
    assert {"PZK Zduńska Wola", "ZZK Zduńska Wola"} <= {
        roster_pzk["text"].split(" · ")[0],
        roster_zzk["text"].split(" · ")[0],
    }


async def test_unusable_tokens_get_clear_answers(harness: Harness) -> None:
    async with harness.session() as session:
        team = await arrange.team(session)
        expired = await arrange.invitation(session, team.team_id, ttl=timedelta(seconds=-1))
        single = await arrange.invitation(session, team.team_id, max_uses=1)
        await arrange.person(session, team.team_id, 1010, "Pierwsza")
    anna = harness.user(1001, "Anna")
    assert "nieważny" in (await harness.say(anna, "/start nie-ma-takiego"))["text"]
    assert "wygasł" in (await harness.say(anna, f"/start {expired}"))["text"]

    first = harness.user(1011, "Basia")
    question = await harness.say(first, f"/start {single}")
    await harness.press(first, question, MOPS)
    await harness.edited(question)
    assert "wykorzystany" in (await harness.say(anna, f"/start {single}"))["text"]


async def test_coordinator_invitation_role_and_link(harness: Harness) -> None:
    async with harness.session() as session:
        team = await arrange.team(session)
        token = await arrange.invitation(session, team.team_id, Role.COORDINATOR)
    kasia = harness.user(1020, "Kasia")
    question = await harness.say(kasia, f"/start {token}")
    await harness.press(kasia, question, MOPS)
    welcome = await harness.edited(question)
    assert "koordynator" in welcome["text"]
    async with harness.session() as session:
        role = await session.scalar(select(Membership.role))
        assert role == Role.COORDINATOR


async def test_conversation_survives_a_restart(
    emulator: BotApiEmulator, db: Database, db_url: str
) -> None:
    """The join dialogue lives in the database: a new process continues it."""
    async with db.session() as session:
        team = await arrange.team(session)
        token = await arrange.invitation(session, team.team_id)
    async with running_bot(emulator, db_url) as first_process:
        harness = Harness(emulator, db, first_process)
        ola = harness.user(1030, "Ola")
        question = await harness.say(ola, f"/start {token}")
        await harness.press(ola, question, "Mojej instytucji nie ma na liście")
        await harness.edited(question)

    async with running_bot(emulator, db_url) as second_process:
        harness = Harness(emulator, db, second_process)
        sectors = await harness.say(ola, "Poradnia Psychologiczno-Pedagogiczna")
        await harness.press(ola, sectors, "edukacja")
        welcome = await harness.edited(sectors)
        assert "Witaj w zespole" in welcome["text"]
