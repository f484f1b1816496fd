"""Date polls: dates proposed in Polish, votes with one tap, the best date becomes a meeting."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from storage import polls, teams
from storage.models import DatePoll, Meeting, PollState, PollVote
from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
TUESDAY = datetime(2026, 11, 24, 14, 30, tzinfo=WARSAW)
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=WARSAW)
MOPS, POLICE = arrange.MOPS, arrange.POLICE
GROUP = -1001800
KASIA, MAREK, OLA = 2101, 2102, 2103
ONE_LINE = "/termin MOPS <sala 12> & kawa; wtorek 14:30; środa 10; 15 grudnia o 9"


@pytest.fixture
async def team(harness: Harness) -> arrange.TeamIds:
    """A PZK: a coordinator (MOPS), two members (police, MOPS), its group linked; Monday 9:00."""
    people = arrange.three(KASIA, MAREK, OLA, marek_name="Marek <Wiśniewski>")
    return await arrange.linked_team(harness, people, clock=MONDAY_9, group=GROUP)


async def _poll(harness: Harness) -> dict[int, dict[str, Any]]:
    """Kasia's one-line poll; the card as each chat got it."""
    done = await harness.say(KASIA, ONE_LINE)
    assert "Ankieta utworzona" in done["text"], done["text"]
    return {chat: await harness.emu.next_message(chat) for chat in (GROUP, MAREK, OLA, KASIA)}


async def _vote(harness: Harness, user: int, card: dict[str, Any], label: str) -> dict[str, Any]:
    answer = await harness.press(user, card, label)
    assert not answer.get("show_alert"), answer
    return await harness.edited(card)


async def _refused(harness: Harness, user: int, card: dict[str, Any], data: str) -> str:
    query_id = harness.emu.send_callback(user, card["chat"]["id"], card["message_id"], data)
    answer = await harness.emu.callback_answer(query_id)
    assert answer["show_alert"], answer
    return str(answer["text"])


async def _only_poll(harness: Harness) -> DatePoll:
    async with harness.session() as session:
        return await polls.load_poll(session, (await session.scalars(select(DatePoll.id))).one())


async def test_one_line_poll_reaches_every_member_and_the_group(
    harness: Harness, team: arrange.TeamIds
) -> None:
    cards = await _poll(harness)
    group = cards[GROUP]["text"]
    assert "Ankieta terminu: PZK Zduńska Wola" in group
    assert "MOPS <sala 12> & kawa" in group
    for when in (
        "wtorek, 24 listopada 2026, 14:30",
        "środa, 25 listopada 2026, 10:00",
        "wtorek, 15 grudnia 2026, 09:00",
    ):
        assert when in group
    assert harness.button_labels(cards[MAREK])[:3] == [
        "✅ 1 wt. 24.11",
        "❔ 1 wt. 24.11",
        "❌ 1 wt. 24.11",
    ]
    assert "Wyniki" not in harness.button_labels(cards[MAREK])
    assert "Wyniki" not in harness.button_labels(cards[GROUP])
    kasia = harness.button_labels(cards[KASIA])
    assert kasia[-2:] == ["Wyniki", "Zamknij ankietę"]
    poll = await _only_poll(harness)
    assert [s.starts_at for s in poll.slots][:2] == [TUESDAY, WEDNESDAY]
    assert poll.place == "MOPS <sala 12> & kawa" and poll.state == PollState.OPEN


async def test_votes_a_changed_vote_and_the_tally_by_institution(
    harness: Harness, team: arrange.TeamIds
) -> None:
    cards = await _poll(harness)
    marek = await _vote(harness, MAREK, cards[MAREK], "✅ 1 wt. 24.11")
    assert "✅ 1 · ❔ 0 · ❌ 0 · Ty: pasuje" in marek["text"]
    assert "• ✅ 1 wt. 24.11" in harness.button_labels(marek)
    marek = await _vote(harness, MAREK, marek, "❌ 1 wt. 24.11")
    assert "✅ 0 · ❔ 0 · ❌ 1 · Ty: nie pasuje" in marek["text"]
    await _vote(harness, MAREK, marek, "✅ 2 śr. 25.11")
    await _vote(harness, OLA, cards[OLA], "✅ 2 śr. 25.11")
    await _vote(harness, OLA, harness.current(cards[OLA]), "❔ 3 wt. 15.12")
    group = await _vote(harness, KASIA, cards[GROUP], "❔ 1 wt. 24.11")
    assert "Ty:" not in group["text"]
    async with harness.session() as session:
        votes = (await session.scalars(select(PollVote))).all()
    assert len(votes) == 5  # Marek's changed vote replaced his first one

    await harness.press(KASIA, cards[KASIA], "Wyniki")
    results = await harness.emu.next_message(KASIA)
    text = results["text"]
    assert "⭐ 2. środa, 25 listopada 2026, 10:00" in text
    assert f"✅ pasuje: {POLICE} (Marek <Wiśniewski>); {MOPS} (Aleksandra Zielińska)" in text
    assert f"❔ ewentualnie: {MOPS} (Katarzyna Nowak)" in text
    assert "Jeszcze bez głosu (0)" in text
    assert "Utwórz spotkanie: śr. 25.11 10:00" in harness.button_labels(results)
    await _vote(harness, KASIA, cards[KASIA], "✅ 2 śr. 25.11")
    await harness.press(KASIA, results, "Odśwież")
    assert "✅ 3 · ❔ 0 · ❌ 0" in (await harness.edited(results))["text"]


async def test_one_tap_turns_the_best_date_into_a_meeting(
    harness: Harness, team: arrange.TeamIds
) -> None:
    cards = await _poll(harness)
    await _vote(harness, MAREK, cards[MAREK], "✅ 2 śr. 25.11")
    await harness.press(KASIA, cards[KASIA], "Wyniki")
    results = await harness.emu.next_message(KASIA)
    await harness.press(KASIA, results, "Utwórz spotkanie: śr. 25.11 10:00")
    done = await harness.edited(results)
    assert "Zwołano spotkanie: środa, 25 listopada 2026, 10:00" in done["text"]
    assert harness.button_labels(done) == []
    meeting_card = await harness.emu.next_message(GROUP)
    assert "środa, 25 listopada 2026, 10:00" in meeting_card["text"]
    assert "MOPS <sala 12> & kawa" in meeting_card["text"]
    assert harness.button_labels(meeting_card)[:3] == ["Będę", "Może", "Nie będę"]
    assert "środa, 25 listopada" in (await harness.emu.next_message(OLA))["text"]
    async with harness.session() as session:
        meeting = (await session.scalars(select(Meeting))).one()
        poll = (await session.scalars(select(DatePoll))).one()
    assert meeting.starts_at == WEDNESDAY and meeting.place == "MOPS <sala 12> & kawa"
    assert poll.state == PollState.CLOSED and poll.meeting_id == meeting.id

    # The poll is closed now: old buttons refuse, clearly.
    assert "zamknięta" in await _refused(
        harness,
        OLA,
        cards[OLA],
        cards[OLA]["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
    )


async def test_another_date_and_a_date_passed_meanwhile(
    harness: Harness, team: arrange.TeamIds
) -> None:
    cards = await _poll(harness)
    poll = await _only_poll(harness)
    first, second = poll.slots[0].id, poll.slots[1].id
    harness.set_clock(datetime(2026, 11, 24, 15, 0, tzinfo=WARSAW))
    assert "minął" in await _refused(harness, KASIA, cards[KASIA], f"pl:m:{poll.id}:{first}")
    await harness.press(KASIA, cards[KASIA], "Wyniki")
    results = await harness.emu.next_message(KASIA)
    assert "Utwórz spotkanie: śr. 25.11 10:00" in harness.button_labels(results)  # not the past one
    await harness.press(KASIA, results, "Inny termin…")
    choice = await harness.emu.next_message(KASIA)
    assert [data for row in harness.emu.buttons(choice) for _, data in row] == [
        f"pl:m:{poll.id}:{second}",
        f"pl:m:{poll.id}:{poll.slots[2].id}",
    ]
    await harness.press(KASIA, choice, f"pl:m:{poll.id}:{second}")
    assert "Zwołano spotkanie" in (await harness.edited(choice))["text"]
    async with harness.session() as session:
        assert (await session.scalars(select(Meeting.starts_at))).one() == WEDNESDAY


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/termin MOPS; wtorek 14:30", "od 2 do 6 różnych terminów; podano 1"),
        ("/termin MOPS; wtorek 14:30; wtorek o 14:30", "podano 1"),
        (
            "/termin MOPS; " + "; ".join(f"{d} grudnia o 10" for d in range(1, 8)),
            "od 2 do 6 różnych terminów; podano 7",
        ),
        ("/termin MOPS; wtorek 14:30; wczoraj o 10", "wczoraj o 10 już minął"),
        ("/termin MOPS; wtorek 14:30; kiedyś", "Nie udało mi się odczytać kiedyś"),
        ("/termin MOPS; wtorek 14:30; 15 grudnia", "odczytać 15 grudnia jako dnia i godziny"),
    ],
)
async def test_bad_dates_get_clear_answers(
    harness: Harness, team: arrange.TeamIds, line: str, expected: str
) -> None:
    reply = await harness.say(KASIA, line)
    assert expected in reply["text"], reply["text"]
    async with harness.session() as session:
        assert (await session.scalars(select(DatePoll))).all() == []


async def test_step_by_step_keeps_the_question_after_a_mistake(
    harness: Harness, team: arrange.TeamIds
) -> None:
    ask_place = await harness.say(KASIA, "/termin")
    assert "Gdzie" in ask_place["text"]
    ask_dates = await harness.say(KASIA, "Urząd Miasta, sala 5")
    assert "od 2 do 6" in ask_dates["text"]
    wrong = await harness.say(KASIA, "wtorek 14:30\nkiedyś")
    assert "kiedyś" in wrong["text"]
    done = await harness.say(KASIA, "wtorek 14:30\nśroda 10")
    assert "Ankieta utworzona" in done["text"]
    assert "Urząd Miasta, sala 5" in (await harness.emu.next_message(MAREK))["text"]


async def test_only_coordinators_run_polls_and_forged_buttons_are_refused(
    harness: Harness, team: arrange.TeamIds
) -> None:
    refused = await harness.say(MAREK, "/termin MOPS; wtorek 14:30; środa 10")
    assert "Tylko koordynatorzy" in refused["text"]
    cards = await _poll(harness)
    poll = await _only_poll(harness)
    assert "Tylko koordynatorzy" in await _refused(harness, MAREK, cards[MAREK], f"pl:r:{poll.id}")
    async with harness.session() as session:
        other = await arrange.team(session, town="Sieradz", institutions=())
        foreign = await polls.create_poll(
            session,
            await teams.get_team(session, other.team_id),
            [TUESDAY, WEDNESDAY],
            "MOPS Sieradz",
            None,
            None,
            now=MONDAY_9,
        )
        foreign_slot = foreign.slots[0].id
    assert (
        "nie należysz"
        in (await _refused(harness, MAREK, cards[MAREK], f"pl:v:{foreign_slot}:y")).lower()
    )
    for forged in ("pl:v:abc:y", "pl:v:999999:y", f"pl:v:{foreign_slot}:q", "pl:zz:1"):
        assert await _refused(harness, MAREK, cards[MAREK], forged)
    async with harness.session() as session:
        assert (await session.scalars(select(PollVote))).all() == []


async def test_closing_a_poll_stops_votes(harness: Harness, team: arrange.TeamIds) -> None:
    cards = await _poll(harness)
    await harness.press(KASIA, cards[KASIA], "Zamknij ankietę")
    confirm = await harness.emu.next_message(KASIA)
    await harness.press(KASIA, confirm, "Tak, zamknij")
    assert "zamknięta" in (await harness.edited(confirm))["text"]
    poll = await _only_poll(harness)
    assert poll.state == PollState.CLOSED and poll.meeting_id is None
    text = await _refused(harness, MAREK, cards[MAREK], f"pl:v:{poll.slots[0].id}:y")
    assert "zamknięta" in text
    async with harness.session() as session:
        assert (await session.scalars(select(PollVote))).all() == []
