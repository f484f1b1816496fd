"""A meeting's life as members see it: changes old → new, holidays decided before anyone is
told, the coordinator's card following the answers, the day-before summary, stale buttons."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from icalendar import Calendar

from storage import meetings
from storage.models import Answer, Role
from tests import arrange, test_meetings
from tests.conftest import Harness
from tests.test_meetings import GROUP, KASIA, MAREK, MOPS, OLA, WARSAW, _call_meeting

team = test_meetings.team  # the fixture: a PZK, its group, a coordinator and two members

ANNA = 2004  # a second coordinator


async def _cards(harness: Harness) -> dict[int, dict]:
    cards = {GROUP: await harness.emu.next_message(GROUP)}
    for user in (MAREK, OLA, KASIA):
        cards[user] = await harness.emu.next_message(user)
    return cards


async def _called_and_answered(harness: Harness, user: int, label: str) -> dict[int, dict]:
    """The meeting called, its cards, and `user`'s answer on theirs."""
    await _call_meeting(harness)
    cards = await _cards(harness)
    await harness.press(user, cards[user], label)
    await harness.edited(cards[user])
    return cards


async def _open_edit(harness: Harness, user: int, card: dict, label: str) -> None:
    await harness.press(user, card, "Zarządzaj")
    menu = await harness.emu.next_message(user)
    await harness.press(user, menu, label)
    await harness.edited(menu)


async def test_moving_shows_old_and_new_resets_answers_and_asks_again(
    harness: Harness, team: arrange.TeamIds
) -> None:
    cards = await _called_and_answered(harness, MAREK, "Będę")
    await _open_edit(harness, KASIA, cards[KASIA], "Zmień termin")
    saved = await harness.say(KASIA, "piątek 10:00")
    assert "Zapisano" in saved["text"]
    notice = await harness.emu.next_message(MAREK)
    assert "wtorek, 24 listopada 2026, 14:30" in notice["text"]
    assert "→" in notice["text"] and "piątek, 27 listopada 2026, 10:00" in notice["text"]
    assert "budżet 2027 →" not in notice["text"]  # only what changed
    assert "wyzerowane" in notice["text"]
    assert harness.button_labels(notice)[:3] == ["Będę", "Może", "Nie będę"]
    assert "Będę" in harness.button_labels(await harness.emu.next_message(OLA))
    async with harness.session() as session:
        assert (await meetings.counts(session, 1)).yes == 0
    # The old card's button (an answer for Tuesday) changes nothing.
    query = harness.emu.send_callback(MAREK, MAREK, cards[MAREK]["message_id"], "rv:1:y:0")
    stale = await harness.emu.callback_answer(query)
    assert stale["show_alert"] and "zmienione" in stale["text"]
    async with harness.session() as session:
        assert (await meetings.counts(session, 1)).yes == 0
    fresh = await harness.press(MAREK, notice, "Będę")
    assert fresh["text"] == "Zapisano: Będę"
    await harness.emu.settle()
    assert not [m for m in harness.emu.messages(KASIA) if "zmienione:" in m["text"]]  # her own
    await harness.press(KASIA, cards[KASIA], "Do kalendarza")
    document = await harness.emu.next_message(KASIA)
    while "document" not in document:
        document = await harness.emu.next_message(KASIA)
    event = Calendar.from_ical(harness.emu.file_bytes(document["document"]["file_id"])).walk(
        "VEVENT"
    )[0]
    assert int(event["SEQUENCE"]) == 1
    assert event["DTSTART"].dt == datetime(2026, 11, 27, 10, 0, tzinfo=WARSAW)


async def test_place_change_reaches_everyone_but_those_who_declined(
    harness: Harness, team: arrange.TeamIds
) -> None:
    cards = await _called_and_answered(harness, OLA, "Nie będę")
    await _open_edit(harness, KASIA, cards[KASIA], "Zmień miejsce")
    await harness.say(KASIA, "Urząd Miasta, sala 5")
    notice = await harness.emu.next_message(MAREK)  # no answer yet: told as well
    assert "MOPS, sala 12</s> → <b>Urząd Miasta, sala 5" in notice.get("text_html", "") or (
        "MOPS, sala 12 → Urząd Miasta, sala 5" in notice["text"]
    )
    assert "wyzerowane" not in notice["text"]
    await harness.emu.settle()
    assert not [m for m in harness.emu.messages(OLA) if "zmienione" in m["text"]]


async def test_cancel_notice_names_team_and_date(harness: Harness, team: arrange.TeamIds) -> None:
    await _call_meeting(harness)
    cards = await _cards(harness)
    await harness.press(KASIA, cards[KASIA], "Zarządzaj")
    menu = await harness.emu.next_message(KASIA)
    await harness.press(KASIA, menu, "Odwołaj to spotkanie")
    confirm = await harness.edited(menu)
    await harness.press(KASIA, confirm, "Tak, odwołaj")
    notice = await harness.emu.next_message(MAREK)
    assert "PZK Zduńska Wola" in notice["text"]
    assert "wtorek, 24 listopada 2026, 14:30" in notice["text"] and "odwołane" in notice["text"]
    stale = await harness.press(MAREK, cards[MAREK], "Będę")
    assert stale["show_alert"] and "odwołane" in stale["text"]


async def test_moved_occurrence_keeps_the_series_label(
    harness: Harness, team: arrange.TeamIds
) -> None:
    await _call_meeting(harness, when="wtorek 10:00", repeat="2. i 4. wtorek miesiąca")
    cards = await _cards(harness)
    assert "2. i 4. wtorek miesiąca" in cards[MAREK]["text"]
    await _open_edit(harness, KASIA, cards[KASIA], "Zmień termin")
    await harness.say(KASIA, "środa 10:00")
    notice = await harness.emu.next_message(MAREK)
    assert "2. i 4. wtorek miesiąca" in notice["text"]
    assert "2. i 4. środa" not in notice["text"]
    assert "przeniesione z wtorek, 24 listopada 2026" in notice["text"]


async def test_holiday_is_decided_before_anyone_is_told(
    harness: Harness, team: arrange.TeamIds
) -> None:
    harness.emu.send_message(KASIA, "/nowe 24.12 o 10; MOPS")
    question = await harness.emu.next_message(KASIA)
    assert "Wigilia" in question["text"]
    assert harness.button_labels(question) == ["Przenieś na 28.12", "Zostaw", "Pomiń ten termin"]
    await harness.emu.settle()
    assert not harness.emu.messages(GROUP)[1:] and not harness.emu.messages(MAREK)
    await harness.press(KASIA, question, "Przenieś na 28.12")
    done = await harness.edited(question)
    assert "poniedziałek, 28 grudnia 2026, 10:00" in done["text"]
    group_card = await harness.emu.next_message(GROUP)
    assert "poniedziałek, 28 grudnia 2026, 10:00" in group_card["text"]
    marek_card = await harness.emu.next_message(MAREK)
    assert "Święto" not in marek_card["text"]


async def test_series_holiday_dropped_then_cards_go(
    harness: Harness, team: arrange.TeamIds
) -> None:
    harness.emu.send_message(KASIA, "/nowe co tydzień w czwartek o 10; MOPS")
    reply = await harness.emu.next_message(KASIA)
    while "Wigilia" not in reply["text"]:  # a confirmation first, when the bot asks one
        await harness.press(KASIA, reply, harness.button_labels(reply)[0])
        reply = await harness.edited(reply)
    await harness.emu.settle()
    assert not harness.emu.messages(MAREK)
    await harness.press(KASIA, reply, "Pomiń ten termin")
    reply = await harness.edited(reply)
    while "święto" in reply["text"]:  # further holiday Thursdays within the horizon
        await harness.press(KASIA, reply, "Zostaw")
        reply = await harness.edited(reply)
    assert "Wysyłam" in reply["text"]
    assert "co tydzień" in (await harness.emu.next_message(MAREK))["text"]
    async with harness.session() as session:
        dropped = [
            m
            for m in await meetings.series_occurrences(session, 1, limit=50)
            if m.starts_at.astimezone(WARSAW).date() == datetime(2026, 12, 24).date()
        ]
        assert dropped and dropped[0].status.value == "cancelled"


async def test_coordinator_card_follows_answers_throttled(
    harness: Harness, team: arrange.TeamIds
) -> None:
    from handlers.meeting_card import live_cards

    live = live_cards(harness.app)
    live.every = 3.0
    await _call_meeting(harness)
    cards = await _cards(harness)
    await harness.press(MAREK, cards[MAREK], "Będę")
    first = await harness.edited(cards[KASIA])
    assert "✅ 1 · ❔ 0 · ❌ 0" in first["text"]
    await harness.press(OLA, cards[OLA], "Może")
    await harness.press(MAREK, cards[MAREK], "Nie będę")
    await asyncio.sleep(0.3)
    edits_before = live.edits
    assert edits_before == 1  # the next edit waits for the throttle
    last = await harness.edited(cards[KASIA])
    assert "✅ 0 · ❔ 1 · ❌ 1" in last["text"]
    assert live.edits == 2


async def test_nudge_never_reaches_the_person_who_taps(
    harness: Harness, team: arrange.TeamIds
) -> None:
    cards = await _called_and_answered(harness, MAREK, "Będę")
    await harness.press(KASIA, cards[KASIA], "Kto będzie?")
    listing = await harness.emu.next_message(KASIA)
    answer = await harness.press(KASIA, listing, "Przypomnij osobom bez odpowiedzi")
    assert answer["text"] == "Przypomniano 1 osobie."
    assert "czy będziesz?" in (await harness.emu.next_message(OLA))["text"]
    await harness.emu.settle()
    assert not [m for m in harness.emu.messages(KASIA) if "czy będziesz?" in m["text"]]


async def test_two_coordinators_editing_at_once(harness: Harness, team: arrange.TeamIds) -> None:
    async with harness.session() as session:
        await arrange.person(
            session, team.team_id, ANNA, "Anna Lis", Role.COORDINATOR, team.institution_ids[MOPS]
        )
    harness.user(ANNA, "Anna")
    await _call_meeting(harness)
    cards = await _cards(harness)
    anna_card = await harness.emu.next_message(ANNA)
    await harness.press(MAREK, cards[MAREK], "Będę")
    await harness.edited(cards[MAREK])
    await _open_edit(harness, KASIA, cards[KASIA], "Zmień miejsce")
    await _open_edit(harness, ANNA, anna_card, "Zmień miejsce")
    assert "Zapisano" in (await harness.say(ANNA, "Sala Rady"))["text"]
    assert "Sala Rady" in (await harness.emu.next_message(KASIA))["text"]  # the notice
    refused = await harness.say(KASIA, "Urząd Miasta")
    assert "Ktoś inny" in refused["text"]
    async with harness.session() as session:
        meeting = await meetings.load_meeting(session, 1)
        assert meeting.place == "Sala Rady" and meeting.sequence == 1
        assert await meetings.my_answer(session, 1, await _member(session, MAREK)) == Answer.YES


async def _member(session, telegram_id: int):  # type: ignore[no-untyped-def]
    from storage.members import find_member

    return await find_member(session, telegram_id)


async def test_day_before_summary_with_a_nudge_to_the_silent(
    harness: Harness, team: arrange.TeamIds
) -> None:
    await _called_and_answered(harness, MAREK, "Będę")
    harness.set_clock(datetime(2026, 11, 23, 14, 31, tzinfo=WARSAW))
    await harness.app.bot_data["scheduler"].tick()
    summary = None
    for _ in range(3):
        message = await harness.emu.next_message(KASIA, timeout=10)
        if "Jutro" in message["text"]:
            summary = message
            break
    assert summary is not None
    assert "Będę</b> (1)" in summary.get("text_html", "") or "Będę (1)" in summary["text"]
    assert "Komenda Powiatowa Policji w Zduńskiej Woli: Marek <Wiśniewski>" in summary["text"]
    assert "Brak odpowiedzi (1)" in summary["text"] and "Aleksandra Zielińska" in summary["text"]
    assert "Katarzyna Nowak" not in summary["text"].split("Brak odpowiedzi")[1]
    await harness.emu.settle()
    assert not [m for m in harness.emu.messages(MAREK) if "Jutro" in m["text"]]
    answer = await harness.press(KASIA, summary, "Przypomnij osobom bez odpowiedzi")
    assert answer["text"] == "Przypomniano 1 osobie."
    await harness.emu.settle()
    assert [m for m in harness.emu.messages(OLA) if "czy będziesz?" in m["text"]]
    await harness.app.bot_data["scheduler"].tick()
    await harness.emu.settle()
    assert len([m for m in harness.emu.messages(KASIA) if "Jutro" in m["text"]]) == 1


async def test_fifty_answers_at_once_few_edits_of_the_coordinator_card(
    harness: Harness, team: arrange.TeamIds, db_url: str
) -> None:
    """50 members answer at once; the coordinator's card is edited a handful of times (each
    at most once per 10 s) and the group's card once per 3 s (a group takes 20 messages a
    minute), neither refused with a 429. On SQLite only: nothing here depends on the
    database."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the throttle does not depend on the database")
    from botapi_emulator.limits import FloodLimits
    from handlers.meeting_card import LIVE_EVERY, live_cards

    people = list(range(3000, 3050))
    async with harness.session() as session:
        for user in people:
            await arrange.person(session, team.team_id, user, f"Osoba {user}", Role.MEMBER)
    for user in people:
        harness.user(user, f"Osoba {user}")
    harness.emu.send_message(KASIA, "/nowe jutro o 10; MOPS")
    await harness.emu.next_message(KASIA)
    kasia_card = await harness.emu.next_message(KASIA)
    group_card = await harness.emu.next_message(GROUP)
    cards = {user: await harness.emu.next_message(user, timeout=30) for user in people}
    await harness.emu.settle()
    harness.emu.limits = FloodLimits()  # Telegram's limits from here on
    started = len(harness.emu.calls)
    for user in people:
        harness.emu.send_callback(user, user, cards[user]["message_id"], "rv:1:y")
    for _ in range(120):
        if "✅ 50 ·" in harness.current(kasia_card)["text"]:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(LIVE_EVERY + 1)  # nothing more should come
    calls = harness.emu.calls[started:]
    to_kasia = [
        c for c in calls if c.method == "editMessageText" and c.params.get("chat_id") == KASIA
    ]
    assert 1 <= len(to_kasia) <= 4, len(to_kasia)
    assert not [c for c in to_kasia if c.status == 429]
    assert live_cards(harness.app).edits == len(to_kasia)
    assert "✅ 50 · ❔ 0 · ❌ 0" in harness.current(kasia_card)["text"]
    to_group = [
        c for c in calls if c.method == "editMessageText" and c.params.get("chat_id") == GROUP
    ]
    assert 1 <= len(to_group) <= 12 and not [c for c in to_group if c.status == 429]
    assert "✅ 50 · ❔ 0 · ❌ 0" in harness.current(group_card)["text"]
    print(f"coordinator card: {len(to_kasia)} edits for 50 answers, 0 refused")  # with -s
