"""Kinds of events in the chat: /nowe offers the programme's kinds a tap away (the team's own
meeting unless chosen), spans over days, coaching for chosen workers, spans too long refused,
and a person's own hours in the register."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.dates.spans import parse_hours, parse_span
from storage import attendance, meetings
from storage.members import find_member
from storage.models import CoachedWorker, EventKind, Meeting
from tests import arrange, test_meetings
from tests.conftest import Harness
from tests.test_meetings import GROUP, KASIA, MAREK, MONDAY_9, WARSAW

team = test_meetings.team  # the fixture: a PZK, its group, a coordinator and two members


async def _kind_chosen(harness: Harness, label: str) -> dict:
    """/nowe, then the kind's button on the "When?" question; returns the edited question."""
    question = await harness.say(KASIA, "/nowe")
    assert "Kiedy?" in question["text"]
    assert "✓ Spotkanie PZK" in harness.button_labels(question)  # the team's own, by default
    await harness.press(KASIA, question, label)
    return await harness.edited(question)


async def _confirmed(harness: Harness, when: str) -> dict:
    echo = await harness.say(KASIA, when)
    await harness.press(KASIA, echo, "Zgadza się")
    await harness.edited(echo)
    return echo


async def _stored(harness: Harness) -> list[Meeting]:
    async with harness.session() as session:
        return list(await session.scalars(select(Meeting)))


async def _coaching_for_marek(harness: Harness) -> int:
    chosen = await _kind_chosen(harness, "Coaching")
    assert "Kogo obejmuje coaching?" in chosen["text"]
    await harness.press(KASIA, chosen, "⬜ Marek <Wiśniewski>")
    toggled = await harness.edited(chosen)
    assert "✅ Marek <Wiśniewski>" in harness.button_labels(toggled)
    await harness.press(KASIA, toggled, "Gotowe")
    asked = await harness.edited(chosen)
    assert "Kiedy?" in asked["text"] and "Coaching dla: Marek <Wiśniewski>" in asked["text"]
    await _confirmed(harness, "wtorek 10:00–13:00")
    await harness.say(KASIA, "MOPS, sala 2")
    done = await harness.say(KASIA, "superwizja przypadków")  # no repeat question: one day
    assert "Spotkanie zwołane" in done["text"]
    (event,) = await _stored(harness)
    return event.id


async def test_a_training_over_two_days_shows_both_dates(
    harness: Harness, team: arrange.TeamIds
) -> None:
    chosen = await _kind_chosen(harness, "Szkolenie międzysektorowe")
    assert chosen["text"].startswith("Szkolenie międzysektorowe — PZK Zduńska Wola. Kiedy?")
    assert "✓ Szkolenie międzysektorowe" in harness.button_labels(chosen)
    assert "Na kilka dni" in chosen["text"]
    echo = await harness.say(KASIA, "15 grudnia 9:00 – 16 grudnia 15:00")
    assert echo["text"] == "wtorek, 15 grudnia 2026, 09:00 – środa, 16 grudnia 2026, 15:00"
    await harness.press(KASIA, echo, "Zgadza się")
    await harness.edited(echo)
    await harness.say(KASIA, "Hotel Parkowy, Łódź")
    repeat = await harness.say(KASIA, "współpraca w sprawach przemocy")
    await harness.press(KASIA, repeat, "Tylko raz")
    assert "Spotkanie zwołane" in (await harness.edited(repeat))["text"]
    card = await harness.emu.next_message(GROUP)
    assert card["text"].startswith("Szkolenie międzysektorowe · PZK Zduńska Wola")
    assert "wtorek, 15 grudnia 2026, 09:00 – środa, 16 grudnia 2026, 15:00" in card["text"]
    (event,) = await _stored(harness)
    assert event.kind == EventKind.TRAINING and event.duration_minutes == 30 * 60


async def test_the_quick_flow_still_calls_the_teams_own_meeting(
    harness: Harness, team: arrange.TeamIds
) -> None:
    await test_meetings._call_meeting(harness, when="wtorek 9:00–15:00")
    card = await harness.emu.next_message(GROUP)
    assert card["text"].startswith("Spotkanie zespołu PZK Zduńska Wola")
    (event,) = await _stored(harness)
    assert event.kind == EventKind.PZK_MEETING and event.duration_minutes == 6 * 60


async def test_coaching_is_stored_with_its_worker_and_shown_on_the_card(
    harness: Harness, team: arrange.TeamIds
) -> None:
    event_id = await _coaching_for_marek(harness)
    card = await harness.emu.next_message(GROUP)
    assert card["text"].startswith("Coaching · PZK Zduńska Wola")
    assert "Coaching dla: Marek <Wiśniewski>" in card["text"]
    assert "wtorek, 24 listopada 2026, 10:00–13:00" in card["text"]
    async with harness.session() as session:
        event = await meetings.load_meeting(session, event_id)
        coached = list(await session.scalars(select(CoachedWorker.member_id)))
        marek = await find_member(session, MAREK)
    assert event.kind == EventKind.COACHING and event.series_id is None
    assert marek is not None and coached == [marek.id]


async def test_coaching_without_a_worker_is_refused_and_nothing_stored(
    harness: Harness, team: arrange.TeamIds
) -> None:
    chosen = await _kind_chosen(harness, "Coaching")
    refused = await harness.press(KASIA, chosen, "Gotowe")
    assert "Coaching jest dla kogoś" in refused["text"]
    # Typing a time instead of choosing: the buttons are asked for.
    hint = await harness.say(KASIA, "wtorek 10:00")
    assert "przycisk" in hint["text"]
    assert await _stored(harness) == []
    # Another kind, then back: nobody is chosen behind the coordinator's back.
    await harness.press(KASIA, chosen, "Inny rodzaj wydarzenia")
    again = await harness.edited(chosen)
    assert "✓ Spotkanie PZK" in harness.button_labels(again)
    await harness.press(KASIA, again, "Coaching")
    back = await harness.edited(chosen)
    assert not [label for label in harness.button_labels(back) if label.startswith("✅")]


async def test_a_twenty_day_workshop_and_an_end_before_the_start_are_refused(
    harness: Harness, team: arrange.TeamIds
) -> None:
    await _kind_chosen(harness, "Warsztaty kooperacyjne")
    refused = await harness.say(KASIA, "1 grudnia 9:00 – 21 grudnia 15:00")
    assert "To za długo jak na jedno wydarzenie" in refused["text"]
    assert "najwyżej 3 dni, pozostałe najwyżej 24 godzin" in refused["text"]
    backwards = await harness.say(KASIA, "16 grudnia 9:00 – 15 grudnia 15:00")
    assert "Koniec wypada przed początkiem" in backwards["text"]
    # Still waiting for the time: a good span goes on.
    echo = await harness.say(KASIA, "15 grudnia 9:00 – 16 grudnia 15:00")
    assert "Zgadza się" in harness.button_labels(echo)
    # The team's own meeting is one sitting: two days are too long for it.
    await harness.say(KASIA, "/nowe")
    too_long = await harness.say(KASIA, "15 grudnia 9:00 – 16 grudnia 15:00")
    assert "To za długo" in too_long["text"]
    assert await _stored(harness) == []


async def test_the_register_sets_a_persons_hours(harness: Harness, team: arrange.TeamIds) -> None:
    event_id = await _coaching_for_marek(harness)
    marek_card = await harness.emu.next_message(MAREK)
    assert "Coaching dla: Marek" in marek_card["text"]
    await harness.press(MAREK, marek_card, "Będę")
    harness.set_clock(datetime(2026, 11, 24, 10, 30, tzinfo=WARSAW))
    await harness.tick()  # the register's own message at the start
    await harness.drain(KASIA)  # the cards and reminders so far
    card = await harness.say(KASIA, "/obecnosc")
    assert "Obecność" in card["text"]
    assert "⏱ Godziny" not in harness.button_labels(card)  # nobody present yet
    await harness.press(KASIA, card, "⬜ Marek <.")
    card = await harness.edited(card)
    await harness.press(KASIA, card, "⏱ Godziny")
    whose = await harness.emu.next_message(KASIA)
    assert harness.button_labels(whose) == ["Marek <Wiśniewski> · 3 h"]
    await harness.press(KASIA, whose, "Marek <Wiśniewski> · 3 h")
    prompt = await harness.emu.next_message(KASIA)
    assert "ile godzin" in prompt["text"] and "całe wydarzenie: 3 h" in prompt["text"]
    refused = await harness.say(KASIA, "4")
    assert "najwyżej tyle, ile trwa wydarzenie (3 godz.)" in refused["text"]
    refused = await harness.say(KASIA, "dużo")
    assert "Podaj czas w godzinach" in refused["text"]
    saved = await harness.say(KASIA, "1,5")
    assert saved["text"] == "Zapisano: Marek <Wiśniewski>, 1,5 h"
    card = await harness.emu.next_message(KASIA)
    assert "✅ Marek <Wiśniewski> · ⏱ 1,5 h" in card["text"]
    async with harness.session() as session:
        event = await meetings.load_meeting(session, event_id)
        register = await attendance.load_register(session, event)
    assert [p.minutes for p in register.people if p.present] == [90]
    assert timedelta(minutes=event.duration_minutes) == timedelta(hours=3)


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        ("15 grudnia 9:00 – 16 grudnia 15:00", (12, 15, 9), (12, 16, 15)),
        ("od 15.12 9:00 do 16.12 15:00", (12, 15, 9), (12, 16, 15)),
        ("wtorek 15.12 o 9 - środa 16.12 o 15", (12, 15, 9), (12, 16, 15)),
        ("30 grudnia o 9 – 2 stycznia o 15", (12, 30, 9), (1, 2, 15)),  # into the next year
    ],
)
def test_spans_over_days_are_read(
    typed: str, start: tuple[int, int, int], end: tuple[int, int, int]
) -> None:
    found = parse_span(typed, MONDAY_9)
    assert found is not None and found.value is not None and found.end is not None
    assert (found.value.month, found.value.day, found.value.hour) == start
    assert (found.end.month, found.end.day, found.end.hour) == end


@pytest.mark.parametrize("typed", ["wtorek 9:00–15:00", "od 14 do 16", "15.12 9:00-15:00", "jutro"])
def test_ranges_within_a_day_are_left_to_the_grammar(typed: str) -> None:
    assert parse_span(typed, MONDAY_9) is None


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("1,5", 90), ("1.5 h", 90), ("2 godziny", 120), ("90 min", 90), ("1:30", 90), ("0", 0)],
)
def test_hours_typed_in_the_register(typed: str, minutes: int) -> None:
    assert parse_hours(typed) == minutes


def test_hours_that_are_no_number_are_none() -> None:
    assert parse_hours("dużo") is None and parse_hours("1,5 dnia") is None
