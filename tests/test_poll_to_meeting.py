"""Issue 18, polls feed meetings: a poll's "pasuje" and "ewentualnie" on the chosen date become
"Będę" and "Może" on the meeting it makes; the others are asked; a closed poll's buttons refuse."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from storage.models import Answer, DatePoll, Meeting, PollSlot, PollVote, Rsvp
from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
GROUP = -1001801
KASIA, MAREK, OLA, JAN = 2201, 2202, 2203, 2204
ONE_LINE = "/termin MOPS, sala 12; wtorek 14:30; środa 10"
WEDNESDAY = "✅ 2 śr. 25.11"
CALL = "Utwórz spotkanie: śr. 25.11 10:00"
ANSWERS = ["Będę", "Może", "Nie będę"]


@pytest.fixture
async def team(harness: Harness) -> arrange.TeamIds:
    """A PZK: a coordinator, three members (one never votes), its group linked; Monday 9:00."""
    people = (
        *arrange.three(KASIA, MAREK, OLA),
        arrange.Person(JAN, "Jan Kowalczyk", institution=arrange.POLICE),
    )
    return await arrange.linked_team(harness, people, clock=MONDAY_9, group=GROUP)


async def _vote(harness: Harness, user: int, card: dict[str, Any], label: str) -> None:
    answer = await harness.press(user, card, label)
    assert not answer.get("show_alert"), answer
    await harness.edited(card)


async def _poll_to_meeting(harness: Harness) -> tuple[dict[int, Any], dict[int, Any]]:
    """Marek: pasuje, Ola: ewentualnie, Kasia: nie pasuje on Wednesday; Jan silent. Kasia calls
    the meeting on Wednesday. The poll cards and the meeting cards, by chat."""
    assert "Ankieta utworzona" in (await harness.say(KASIA, ONE_LINE))["text"]
    polls = {chat: await harness.emu.next_message(chat) for chat in (GROUP, MAREK, OLA, JAN, KASIA)}
    await _vote(harness, MAREK, polls[MAREK], WEDNESDAY)
    await _vote(harness, OLA, polls[OLA], "❔ 2 śr. 25.11")
    await _vote(harness, KASIA, polls[KASIA], "❌ 2 śr. 25.11")
    await _vote(harness, KASIA, harness.current(polls[KASIA]), "✅ 1 wt. 24.11")
    await harness.press(KASIA, polls[KASIA], "Wyniki")
    results = await harness.emu.next_message(KASIA)
    await harness.press(KASIA, results, CALL)
    assert "Zwołano spotkanie" in (await harness.edited(results))["text"]
    cards = {chat: await harness.emu.next_message(chat) for chat in (GROUP, MAREK, OLA, JAN, KASIA)}
    return polls, cards


async def _answers(harness: Harness) -> dict[int, Answer]:
    async with harness.session() as session:
        return dict((await session.execute(select(Rsvp.member_id, Rsvp.answer))).all())


async def test_pasuje_and_ewentualnie_carry_over_the_others_are_asked(
    harness: Harness, team: arrange.TeamIds
) -> None:
    _, cards = await _poll_to_meeting(harness)
    assert "✅ 1 · ❔ 1 · ❌ 0" in cards[GROUP]["text"]
    assert "Twoja odpowiedź" not in cards[GROUP]["text"]
    assert "Twoja odpowiedź: Będę (z ankiety)" in cards[MAREK]["text"]
    assert harness.button_labels(cards[MAREK])[:3] == ["✓ Będę", "Może", "Nie będę"]
    assert "Twoja odpowiedź: Może (z ankiety)" in cards[OLA]["text"]
    assert harness.button_labels(cards[OLA])[:3] == ["Będę", "✓ Może", "Nie będę"]
    # "nie pasuje" and no vote at all: asked, with nothing chosen for them.
    for asked in (KASIA, JAN):
        assert "Twoja odpowiedź" not in cards[asked]["text"], asked
        assert "✅ 1 · ❔ 1 · ❌ 0" in cards[asked]["text"]
        assert harness.button_labels(cards[asked])[:3] == ANSWERS
    assert sorted((await _answers(harness)).values()) == sorted([Answer.YES, Answer.MAYBE])


async def test_a_carried_answer_can_be_changed_and_the_counts_follow(
    harness: Harness, team: arrange.TeamIds
) -> None:
    _, cards = await _poll_to_meeting(harness)
    answer = await harness.press(MAREK, cards[MAREK], "Nie będę")
    assert not answer.get("show_alert"), answer
    marek = await harness.edited(cards[MAREK])
    assert "Twoja odpowiedź: Nie będę" in marek["text"]
    assert "z ankiety" not in marek["text"]
    assert "✅ 0 · ❔ 1 · ❌ 1" in (await harness.edited(cards[GROUP]))["text"]
    await harness.press(JAN, cards[JAN], "Będę")
    assert "Twoja odpowiedź: Będę\n" in (await harness.edited(cards[JAN]))["text"] + "\n"


async def test_a_closed_polls_vote_button_answers_clearly_and_changes_nothing(
    harness: Harness, team: arrange.TeamIds
) -> None:
    polls, cards = await _poll_to_meeting(harness)
    before = await _answers(harness)
    async with harness.session() as session:
        votes = sorted(
            (v.slot_id, v.member_id, v.answer) for v in await session.scalars(select(PollVote))
        )
    for user, label in ((OLA, WEDNESDAY), (JAN, "❌ 2 śr. 25.11"), (MAREK, "❌ 1 wt. 24.11")):
        answer = await harness.press(user, polls[user], label)
        assert answer["show_alert"] and "zamknięta" in answer["text"], answer
    answer = await harness.press(KASIA, harness.current(polls[KASIA]), "Zamknij ankietę")
    assert answer["show_alert"] and "zamknięta" in answer["text"], answer
    async with harness.session() as session:
        poll_id = (await session.scalars(select(DatePoll.id))).one()
        slot_id = max(await session.scalars(select(PollSlot.id)))
    forged = f"pl:m:{poll_id}:{slot_id}"  # "call the meeting" again: no second meeting
    query = harness.emu.send_callback(KASIA, KASIA, polls[KASIA]["message_id"], forged)
    answer = await harness.emu.callback_answer(query)
    assert answer["show_alert"] and "zamknięta" in answer["text"], answer
    async with harness.session() as session:
        assert len((await session.scalars(select(Meeting))).all()) == 1
    assert await _answers(harness) == before
    async with harness.session() as session:
        assert votes == sorted(
            (v.slot_id, v.member_id, v.answer) for v in await session.scalars(select(PollVote))
        )
    assert "✅ 1 · ❔ 1 · ❌ 0" in harness.current(cards[GROUP])["text"]
