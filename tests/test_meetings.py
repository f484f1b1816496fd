"""Calling meetings in Polish, answering with one tap, changes, calendar files."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from storage.models import Meeting
from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
MOPS, POLICE = arrange.MOPS, arrange.POLICE
GROUP = -1001700
KASIA, MAREK, OLA = 2001, 2002, 2003


@pytest.fixture
async def team(harness: Harness) -> arrange.TeamIds:
    """A PZK with a coordinator and two members, its group linked, the clock on a Monday."""
    people = arrange.three(KASIA, MAREK, OLA, marek_name="Marek <Wiśniewski>")
    return await arrange.linked_team(harness, people, clock=MONDAY_9, group=GROUP)


async def _call_meeting(
    harness: Harness,
    when: str = "wtorek 14:30",
    place: str = "MOPS, sala 12",
    agenda: str | None = "budżet 2027",
    repeat: str = "Tylko raz",
) -> dict:
    question = await harness.say(KASIA, "/nowe")
    assert "Kiedy?" in question["text"]
    echo = await harness.say(KASIA, when)
    await harness.press(KASIA, echo, "Zgadza się")
    await harness.edited(echo)
    agenda_question = await harness.say(KASIA, place)
    if agenda is None:
        await harness.press(KASIA, agenda_question, "Bez agendy")
        repeat_question = await harness.edited(agenda_question)
    else:
        repeat_question = await harness.say(KASIA, agenda)
    await harness.press(KASIA, repeat_question, repeat)
    done = await harness.edited(repeat_question)
    assert "Spotkanie zwołane" in done["text"]
    return done


async def test_call_a_meeting_step_by_step(harness: Harness, team: arrange.TeamIds) -> None:
    question = await harness.say(KASIA, "/nowe")
    echo = await harness.say(KASIA, "wtorek 14:30")
    assert echo["text"] == "wtorek, 24 listopada 2026, 14:30"
    assert harness.button_labels(echo) == ["Zgadza się", "Zmień"]
    await harness.press(KASIA, echo, "Zmień")
    again = await harness.edited(echo)
    assert "Kiedy?" in again["text"]
    echo = await harness.say(KASIA, "15 grudnia o 9")
    assert echo["text"] == "wtorek, 15 grudnia 2026, 09:00"
    await harness.press(KASIA, echo, "Zgadza się")
    await harness.edited(echo)
    agenda_question = await harness.say(KASIA, "MOPS <sala 12> & kawa")
    assert "Bez agendy" in harness.button_labels(agenda_question)
    repeat_question = await harness.say(KASIA, "1. Budżet 2027\n2. Sprawy <różne>")
    assert "Tylko raz" in harness.button_labels(repeat_question)
    assert "2. i 4. wtorek miesiąca" in harness.button_labels(repeat_question)
    await harness.press(KASIA, repeat_question, "Tylko raz")
    await harness.edited(repeat_question)

    group_card = await harness.emu.next_message(GROUP)
    assert "PZK Zduńska Wola" in group_card["text"]
    assert "wtorek, 15 grudnia 2026, 09:00" in group_card["text"]
    assert "MOPS <sala 12> & kawa" in group_card["text"]
    assert "Sprawy <różne>" in group_card["text"]
    assert "Zwołuje: Katarzyna Nowak" in group_card["text"]
    assert harness.button_labels(group_card)[:3] == ["Będę", "Może", "Nie będę"]
    marek_card = await harness.emu.next_message(MAREK)
    assert "Zarządzaj" not in harness.button_labels(marek_card)
    kasia_card = await harness.emu.next_message(KASIA)
    assert "Zarządzaj" in harness.button_labels(kasia_card)
    del question


async def test_date_needs_a_time_and_bad_dates_get_examples(
    harness: Harness, team: arrange.TeamIds
) -> None:
    await harness.say(KASIA, "/nowe")
    ask_time = await harness.say(KASIA, "15 grudnia")
    assert "o której?" in ask_time["text"]
    echo = await harness.say(KASIA, "10")
    assert echo["text"] == "wtorek, 15 grudnia 2026, 10:00"
    await harness.press(KASIA, echo, "Zmień")
    await harness.edited(echo)
    for bad in ("25:00", "32 grudnia o 10", "kiedyś"):
        reply = await harness.say(KASIA, bad)
        assert "Nie udało mi się odczytać" in reply["text"], bad
        assert "jutro o 10" in reply["text"]
    past = await harness.say(KASIA, "wczoraj o 10")
    assert "minął" in past["text"]


async def test_one_line_form(harness: Harness, team: arrange.TeamIds) -> None:
    harness.emu.send_message(KASIA, "/nowe jutro o 10; Urząd Miasta, sala 5; budżet 2027")
    done = await harness.emu.next_message(KASIA)
    assert "Spotkanie zwołane" in done["text"]
    group_card = await harness.emu.next_message(GROUP)
    assert "wtorek, 24 listopada 2026, 10:00" in group_card["text"]
    assert "Urząd Miasta, sala 5" in group_card["text"]
    assert "has_protected_content" not in group_card  # until the team chooses otherwise


async def test_answers_update_cards_in_place(harness: Harness, team: arrange.TeamIds) -> None:
    await _call_meeting(harness)
    group_card = await harness.emu.next_message(GROUP)
    marek_card = await harness.emu.next_message(MAREK)
    answer = await harness.press(MAREK, marek_card, "Będę")
    assert answer["text"] == "Zapisano: Będę"
    mine = await harness.edited(marek_card)
    assert "Twoja odpowiedź: Będę" in mine["text"]
    assert "✓ Będę" in harness.button_labels(mine)
    updated_group = await harness.edited(group_card)
    assert "✅ 1 · ❔ 0 · ❌ 0" in updated_group["text"]

    ola_card = await harness.emu.next_message(OLA)
    await harness.press(OLA, ola_card, "Może")
    await harness.edited(ola_card)
    assert "✅ 1 · ❔ 1 · ❌ 0" in (await harness.edited(group_card))["text"]
    # Answering in the group works too, and changes the answer.
    await harness.press(MAREK, updated_group, "Nie będę")
    assert "✅ 0 · ❔ 1 · ❌ 1" in (await harness.edited(group_card))["text"]


async def test_who_comes_by_institution_and_nudge(harness: Harness, team: arrange.TeamIds) -> None:
    await _call_meeting(harness)
    await harness.emu.next_message(GROUP)
    marek_card = await harness.emu.next_message(MAREK)
    await harness.emu.next_message(OLA)
    kasia_card = await harness.emu.next_message(KASIA)
    await harness.press(MAREK, marek_card, "Będę")
    await harness.edited(marek_card)
    await harness.press(KASIA, kasia_card, "Kto będzie?")
    listing = await harness.emu.next_message(KASIA)
    assert f"{POLICE}: Marek <Wiśniewski>" in listing["text"]
    assert "Brak odpowiedzi (2)" in listing["text"]
    assert "Aleksandra Zielińska" in listing["text"]
    answer = await harness.press(KASIA, listing, "Przypomnij osobom bez odpowiedzi")
    assert answer["text"] == "Przypomniano 1 osobie."  # Ola; never the coordinator who taps
    nudge = await harness.emu.next_message(OLA)
    assert "czy będziesz?" in nudge["text"]


async def test_coordinators_only_policy(harness: Harness, team: arrange.TeamIds) -> None:
    roster = await harness.say(KASIA, "/zespol")
    await harness.press(KASIA, roster, "Kto zwołuje spotkania: wszyscy")
    updated = await harness.edited(roster)
    assert "Kto zwołuje spotkania: tylko koordynatorzy" in harness.button_labels(updated)
    refused = await harness.say(MAREK, "/nowe")
    assert "tylko koordynatorzy" in refused["text"]


async def test_change_and_cancel_notify_and_update(harness: Harness, team: arrange.TeamIds) -> None:
    await _call_meeting(harness)
    group_card = await harness.emu.next_message(GROUP)
    marek_card = await harness.emu.next_message(MAREK)
    await harness.emu.next_message(OLA)
    kasia_card = await harness.emu.next_message(KASIA)
    await harness.press(MAREK, marek_card, "Będę")
    marek_card = await harness.edited(marek_card)
    await harness.edited(group_card)

    await harness.press(KASIA, kasia_card, "Zarządzaj")
    menu = await harness.emu.next_message(KASIA)
    await harness.press(KASIA, menu, "Zmień miejsce")
    await harness.edited(menu)
    saved = await harness.say(KASIA, "Urząd Miasta, sala 5")
    assert "Zapisano" in saved["text"]
    notice = await harness.emu.next_message(MAREK)
    assert "zmieni" in notice["text"] and "Urząd Miasta, sala 5" in notice["text"]
    assert "Urząd Miasta, sala 5" in (await harness.edited(group_card))["text"]

    await harness.press(KASIA, kasia_card, "Zarządzaj")
    menu = await harness.emu.next_message(KASIA)
    await harness.press(KASIA, menu, "Odwołaj to spotkanie")
    confirm = await harness.edited(menu)
    await harness.press(KASIA, confirm, "Tak, odwołaj")
    await harness.edited(confirm)
    assert "odwołane" in (await harness.emu.next_message(MAREK))["text"]
    cancelled_card = await harness.edited(group_card)
    assert "ODWOŁANE" in cancelled_card["text"]
    assert not harness.emu.buttons(cancelled_card)
    stale = await harness.press(MAREK, marek_card, "Może")
    assert stale["show_alert"] and "odwołane" in stale["text"]


async def test_buttons_of_past_meetings_and_of_a_team_one_left(
    harness: Harness, team: arrange.TeamIds
) -> None:
    await _call_meeting(harness, when="jutro o 10")
    await harness.emu.next_message(GROUP)
    marek_card = await harness.emu.next_message(MAREK)
    ola_card = await harness.emu.next_message(OLA)
    async with harness.session() as session:
        from storage import teams

        roster = await teams.roster(session, team.team_id)
        ola = next(e for g in roster.groups for e in g.members if "Aleksandra" in e.name)
        await teams.remove_membership(
            session, await teams.get_membership(session, ola.membership_id), actor_telegram_id=KASIA
        )
    left = await harness.press(OLA, ola_card, "Będę")
    assert left["show_alert"] and "nie należysz" in left["text"].lower()
    harness.set_clock(datetime(2026, 11, 24, 10, 5, tzinfo=WARSAW))
    late = await harness.press(MAREK, marek_card, "Będę")
    assert late["show_alert"] and "już się" in late["text"]


async def test_holiday_is_flagged_and_moved(harness: Harness, team: arrange.TeamIds) -> None:
    await harness.say(KASIA, "/nowe")
    echo = await harness.say(KASIA, "24.12 o 10")
    assert "Wigilia" in echo["text"]
    await harness.press(KASIA, echo, "Zgadza się")
    await harness.edited(echo)
    agenda_question = await harness.say(KASIA, "MOPS")
    await harness.press(KASIA, agenda_question, "Bez agendy")
    repeat_question = await harness.edited(agenda_question)
    await harness.press(KASIA, repeat_question, "Tylko raz")
    done = await harness.edited(repeat_question)
    assert "Przenieś na 28.12" in harness.button_labels(done)
    await harness.press(KASIA, done, "Przenieś na 28.12")
    moved = await harness.edited(done)
    assert "poniedziałek, 28 grudnia 2026, 10:00" in moved["text"]
    # The group hears of it only now, and of the new day.
    assert "28 grudnia 2026" in (await harness.emu.next_message(GROUP))["text"]


async def test_recurring_series_and_calendar_file(harness: Harness, team: arrange.TeamIds) -> None:
    done = await _call_meeting(harness, when="wtorek 10:00", repeat="2. i 4. wtorek miesiąca")
    assert "8 grudnia 2026" in done["text"] and "22 grudnia 2026" in done["text"]
    await harness.emu.next_message(GROUP)
    marek_card = await harness.emu.next_message(MAREK)
    assert "2. i 4. wtorek miesiąca" in marek_card["text"]
    await harness.press(MAREK, marek_card, "Do kalendarza")
    document = await harness.emu.next_message(MAREK)
    calendar = Calendar.from_ical(harness.emu.file_bytes(document["document"]["file_id"]))
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    event = events[0]
    assert event["RRULE"]["FREQ"] == ["MONTHLY"]
    assert event["DTSTART"].dt.tzinfo.key == "Europe/Warsaw"  # type: ignore[union-attr]
    assert calendar.walk("VTIMEZONE")
    assert "Marek" not in calendar.to_ical().decode()
    async with harness.session() as session:
        occurrences = list(await session.scalars(select(Meeting).order_by(Meeting.starts_at)))
        local_times = {m.starts_at.astimezone(WARSAW).strftime("%H:%M") for m in occurrences}
        assert local_times == {"10:00"}
        assert len(occurrences) >= 7  # four months ahead


async def test_single_meeting_calendar_file_and_sequence(
    harness: Harness, team: arrange.TeamIds
) -> None:
    await _call_meeting(harness)
    await harness.emu.next_message(GROUP)
    kasia_card = await harness.emu.next_message(KASIA)
    await harness.press(KASIA, kasia_card, "Do kalendarza")
    document = await harness.emu.next_message(KASIA)
    event = Calendar.from_ical(harness.emu.file_bytes(document["document"]["file_id"])).walk(
        "VEVENT"
    )[0]
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    uid = str(event["UID"])
    now = MONDAY_9.astimezone(ZoneInfo("UTC"))
    async with harness.session() as session:
        from storage import meetings

        meeting = await meetings.load_meeting(session, 1)
        await meetings.reschedule(
            session, meeting, place="Urząd Miasta", actor_telegram_id=KASIA, now=now
        )
    await harness.press(KASIA, kasia_card, "Do kalendarza")
    document = await harness.emu.next_message(KASIA)
    event = Calendar.from_ical(harness.emu.file_bytes(document["document"]["file_id"])).walk(
        "VEVENT"
    )[0]
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    assert str(event["LOCATION"]) == "Urząd Miasta"
    async with harness.session() as session:
        meeting = await meetings.load_meeting(session, 1)
        await meetings.cancel(session, meeting, actor_telegram_id=KASIA, now=now)
    await harness.press(KASIA, kasia_card, "Do kalendarza")
    document = await harness.emu.next_message(KASIA)
    event = Calendar.from_ical(harness.emu.file_bytes(document["document"]["file_id"])).walk(
        "VEVENT"
    )[0]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    reply = await harness.say(KASIA, "/kalendarz")
    assert "Brak nadchodzących spotkań" in reply["text"]


async def test_list_of_my_meetings_is_paginated(harness: Harness, team: arrange.TeamIds) -> None:
    for day in range(1, 8):
        harness.emu.send_message(KASIA, f"/nowe {day}.12 o 10; MOPS")
        await harness.emu.next_message(KASIA)  # "Spotkanie zwołane"
        await harness.emu.next_message(KASIA)  # the card
    for _ in range(7):
        await harness.emu.next_message(MAREK)  # the cards
    first = await harness.say(MAREK, "/spotkania")
    assert first["text"].startswith("7 nadchodzących spotkań")
    assert "wtorek, 1 grudnia 2026, 10:00" in first["text"]
    assert "▶" in harness.button_labels(first)
    await harness.press(MAREK, first, "▶")
    second = await harness.edited(first)
    assert "poniedziałek, 7 grudnia 2026, 10:00" in second["text"]
    calendar = await harness.say(MAREK, "/kalendarz")
    events = Calendar.from_ical(harness.emu.file_bytes(calendar["document"]["file_id"])).walk(
        "VEVENT"
    )
    assert len(events) == 7


async def test_place_and_agenda_limits(harness: Harness, team: arrange.TeamIds) -> None:
    await harness.say(KASIA, "/nowe")
    echo = await harness.say(KASIA, "jutro o 10")
    await harness.press(KASIA, echo, "Zgadza się")
    await harness.edited(echo)
    too_long = await harness.say(KASIA, "x" * 301)
    assert "najwyżej 300 znaków" in too_long["text"]
    agenda_question = await harness.say(KASIA, "MOPS")
    assert "agend" in agenda_question["text"]
    too_long = await harness.say(KASIA, "punkt " * 400)
    assert "najwyżej 2000 znaków" in too_long["text"]


async def test_a_team_can_protect_its_messages_from_forwarding(
    harness: Harness, team: arrange.TeamIds
) -> None:
    roster = await harness.say(KASIA, "/zespol")
    await harness.press(KASIA, roster, "🔒 Przekazywanie wiadomości zespołu: dozwolone")
    roster = await harness.edited(roster)
    assert "🔒 Przekazywanie wiadomości zespołu: zablokowane" in harness.button_labels(roster)
    members_view = await harness.say(MAREK, "/zespol")
    assert members_view.get("has_protected_content") is True
    assert not [b for b in harness.button_labels(members_view) if "🔒" in b]
    forged = harness.emu.send_callback(
        MAREK, MAREK, members_view["message_id"], f"tp:{team.team_id}:f"
    )
    assert (await harness.emu.callback_answer(forged)).get("show_alert")

    harness.emu.send_message(KASIA, "/nowe jutro o 10; Urząd Miasta, sala 5")
    await harness.emu.next_message(KASIA)
    group_card = await harness.emu.next_message(GROUP)
    marek_card = await harness.emu.next_message(MAREK)
    assert group_card.get("has_protected_content") is True
    assert marek_card.get("has_protected_content") is True
    await harness.press(MAREK, group_card, "Kto będzie?")
    who = await harness.emu.next_message(GROUP)
    assert who.get("has_protected_content") is True
    await harness.press(MAREK, marek_card, "Do kalendarza")
    ics = await harness.emu.next_message(MAREK)
    assert ics["document"]["file_name"].endswith(".ics")
    assert ics.get("has_protected_content") is True
    listing = await harness.say(MAREK, "/spotkania")
    assert listing.get("has_protected_content") is True

    harness.set_clock(datetime(2026, 11, 23, 10, 0, tzinfo=WARSAW))
    await harness.app.bot_data["scheduler"].tick()
    reminder = await harness.emu.next_message(MAREK, timeout=10)
    assert "Przypomnienie" in reminder["text"]
    assert reminder.get("has_protected_content") is True
