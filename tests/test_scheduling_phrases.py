"""Calling a meeting as people write the time (issue 17), through the emulator.

The clock is Monday 23 November 2026, 09:00 (Europe/Warsaw); the team is test_meetings'.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.dates import EXAMPLES_PL, WhenStatus, parse_when
from handlers.typed_when import EXAMPLES_EN
from storage.models import Meeting, MeetingSeries, Role
from tests import arrange
from tests.conftest import Harness
from tests.test_meetings import GROUP, KASIA, MAREK, WARSAW
from tests.test_meetings import team as _team  # noqa: F401 (the fixture, by its name)


@pytest.fixture
async def alone(harness: Harness) -> Harness:
    """A team of one coordinator, no group: the fewest cards to wait for."""
    harness.set_clock(_at("2026-11-23 09:00"))
    async with harness.session() as session:
        ids = await arrange.team(session)
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
    return harness


APOLOGY = "wystąpił błąd po mojej stronie"


CARD_HEADINGS = ("Spotkanie zespołu", "Meeting of")


async def _in_english(harness: Harness) -> None:
    """Kasia's language was stored when she first wrote (Polish): she switches with /jezyk."""
    harness.user(KASIA, "Katarzyna", language_code="en")
    await harness.emu.settle(quiet=0.2)
    choice = await harness.say(KASIA, "/language")
    await harness.press(KASIA, choice, "English")
    await harness.edited(choice)


async def _call(harness: Harness, line: str, user: int = KASIA) -> dict[str, Any]:
    """Send a command and return the bot's answer to it; the meeting cards that members get
    (from the queue, at any moment) are skipped."""
    await harness.emu.settle(quiet=0.2)
    await harness.drain(user)
    harness.emu.send_message(user, line)
    while True:
        message = await harness.emu.next_message(user)
        if not str(message.get("text", "")).startswith(CARD_HEADINGS):
            return message


async def _meetings(harness: Harness) -> list[Meeting]:
    async with harness.session() as session:
        return list(await session.scalars(select(Meeting).order_by(Meeting.starts_at)))


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WARSAW)


@pytest.mark.usefixtures("_team")
async def test_a_weekday_with_its_date_in_one_line(harness: Harness) -> None:
    for typed in ("czwartek 10 grudnia o 12", "wtorek 8.12 o 10", "za 3 tyg. o 9"):
        done = await _call(harness, f"/nowe {typed}; MOPS, sala 12; plan")
        assert "Spotkanie zwołane" in done["text"]
    starts = [m.starts_at.astimezone(WARSAW) for m in await _meetings(harness)]
    assert starts == [_at("2026-12-08 10:00"), _at("2026-12-10 12:00"), _at("2026-12-14 09:00")]


@pytest.mark.usefixtures("_team")
async def test_a_weekday_that_is_not_the_dates_is_asked_about(harness: Harness) -> None:
    question = await harness.say(KASIA, "/nowe środa 10 grudnia o 12; MOPS")
    assert "różne dni" in question["text"]
    labels = harness.button_labels(question)
    assert "czwartek, 10 grudnia 2026, 12:00" in labels
    assert "środa, 25 listopada 2026, 12:00" in labels
    await harness.press(KASIA, question, "środa, 25 listopada 2026, 12:00")
    assert "Spotkanie zwołane" in (await harness.edited(question))["text"]
    assert [m.starts_at for m in await _meetings(harness)] == [_at("2026-11-25 12:00")]


@pytest.mark.usefixtures("_team")
async def test_an_afternoon_hour_is_confirmed_with_the_other_reading(harness: Harness) -> None:
    question = await harness.say(KASIA, "/nowe piątek o 4; MOPS")
    assert "piątek, 27 listopada 2026, 16:00" in question["text"]
    assert "po południu" in question["text"]
    assert "Nie, o 04:00" in harness.button_labels(question)
    await harness.press(KASIA, question, "Zgadza się")
    assert "Spotkanie zwołane" in (await harness.edited(question))["text"]
    assert [m.starts_at for m in await _meetings(harness)] == [_at("2026-11-27 16:00")]

    question = await _call(harness, "/nowe sobota o 3; MOPS")
    await harness.press(KASIA, question, "Nie, o 03:00")
    await harness.edited(question)
    assert _at("2026-11-28 03:00") in [m.starts_at for m in await _meetings(harness)]


@pytest.mark.usefixtures("_team")
async def test_a_range_gives_the_meeting_its_end(harness: Harness) -> None:
    harness.emu.send_message(KASIA, "/nowe jutro od 9 do 11:30; MOPS")
    assert "Spotkanie zwołane" in (await harness.emu.next_message(KASIA))["text"]
    card = await harness.emu.next_message(GROUP)
    assert "wtorek, 24 listopada 2026, 09:00–11:30" in card["text"]
    [meeting] = await _meetings(harness)
    assert meeting.duration_minutes == 150
    marek_card = await harness.emu.next_message(MAREK)
    await harness.press(MAREK, marek_card, "Do kalendarza")
    document = await harness.emu.next_message(MAREK)
    calendar = Calendar.from_ical(harness.emu.file_bytes(document["document"]["file_id"]))
    [event] = calendar.walk("VEVENT")
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(minutes=150)


@pytest.mark.usefixtures("_team")
async def test_a_series_in_one_line(harness: Harness) -> None:
    harness.emu.send_message(KASIA, "/nowe 1. i 3. czwartek miesiąca o 9; MOPS; PZK")
    done = await harness.emu.next_message(KASIA)
    assert "Spotkanie zwołane" in done["text"]
    assert "3 grudnia 2026" in done["text"] and "17 grudnia 2026" in done["text"]
    card = await harness.emu.next_message(GROUP)
    assert "1. i 3. czwartek miesiąca" in card["text"]
    async with harness.session() as session:
        series = await session.scalar(select(MeetingSeries))
        assert series is not None and series.rule == "FREQ=MONTHLY;BYDAY=+1TH,+3TH"


@pytest.mark.usefixtures("_team")
async def test_a_weekly_series_with_a_range_in_the_guided_form(harness: Harness) -> None:
    await harness.say(KASIA, "/nowe")
    echo = await harness.say(KASIA, "co tydzień w środę od 13 do 14")
    assert "🔁" in echo["text"]
    await harness.press(KASIA, echo, "Zgadza się")
    place = await harness.edited(echo)
    assert "Gdzie?" in place["text"]
    agenda = await harness.say(KASIA, "MOPS")
    await harness.press(KASIA, agenda, "Bez agendy")
    done = await harness.edited(agenda)
    while "dzień wolny od pracy" in done["text"]:  # 6 January: decided before anyone is told
        await harness.press(KASIA, done, "Pomiń ten termin")
        done = await harness.edited(done)
    assert "Wysyłam kartę do zespołu" in done["text"]
    found = await _meetings(harness)
    assert found[0].starts_at == _at("2026-11-25 13:00")
    assert found[1].starts_at == _at("2026-12-02 13:00")
    assert {m.duration_minutes for m in found} == {60}


@pytest.mark.usefixtures("_team")
async def test_a_time_inside_a_longer_message_is_found_and_shown(harness: Harness) -> None:
    await harness.say(KASIA, "/nowe")
    echo = await harness.say(
        KASIA, "Dzień dobry, proponuję spotkanie w czwartek 10 grudnia o 12 w MOPS, pasuje?"
    )
    assert "czwartek, 10 grudnia 2026, 12:00" in echo["text"]
    assert "Odczytane z wiadomości" in echo["text"] and "10 grudnia o 12" in echo["text"]


@pytest.mark.usefixtures("_team")
async def test_the_time_alone_after_nowe_is_not_asked_again(harness: Harness) -> None:
    echo = await harness.say(KASIA, "/nowe środa 10:00")
    assert "środa, 25 listopada 2026, 10:00" in echo["text"]
    await harness.press(KASIA, echo, "Zgadza się")
    assert "Gdzie?" in (await harness.edited(echo))["text"]


@pytest.mark.usefixtures("_team")
async def test_english_in_one_line(harness: Harness) -> None:
    await _in_english(harness)
    for line in ("/new tomorrow at 9; MOPS", "/new Thursday 4:15pm; MOPS"):
        assert "Meeting called" in (await _call(harness, line))["text"]
    starts = [m.starts_at for m in await _meetings(harness)]
    assert starts == [_at("2026-11-24 09:00"), _at("2026-11-26 16:15")]


@pytest.mark.usefixtures("_team")
async def test_refusals_say_what_was_understood(harness: Harness) -> None:
    refusal = await harness.say(KASIA, "/nowe o xyzzy; MOPS")
    assert "Rozumiem: o." in refusal["text"]
    assert "Nie rozumiem: «xyzzy»" in refusal["text"]
    assert "Na przykład" in refusal["text"]
    for typed in ("x" * 4000, "?!.,;", "🙂" * 300, "rano o 20", "32 grudnia o 10"):
        since = len(harness.emu.calls)
        answer = await harness.say(KASIA, f"/nowe {typed}")
        assert answer["text"] and APOLOGY not in answer["text"]
        assert not [c for c in harness.emu.calls[since:] if c.status == 400]
    assert await _meetings(harness) == []


@pytest.mark.parametrize(("language", "examples"), [("pl", EXAMPLES_PL), ("en", EXAMPLES_EN)])
def test_examples_shown_to_people_are_read(language: str, examples: tuple[str, ...]) -> None:
    now = _at("2026-11-25 09:00")
    for example in examples:
        assert parse_when(example, now, language).status == WhenStatus.OK, example


# (language, typed in /nowe … ; MOPS, the start stored, its length in minutes)
EVERYDAY_FORMS = [
    ("pl", "czwartek, 10 grudnia, godz. 12", "2026-12-10 12:00", 120),
    ("pl", "10.12 (czwartek) 12:00", "2026-12-10 12:00", 120),
    ("pl", "7/12 o 9", "2026-12-07 09:00", 120),
    ("pl", "07.01.2027 o 10", "2027-01-07 10:00", 120),
    ("pl", "śr. o 10", "2026-11-25 10:00", 120),
    ("pl", "w grudniu 20-go o 10", "2026-12-20 10:00", 120),
    ("pl", "pasuje mi piątek około 9?", "2026-11-27 09:00", 120),
    ("pl", "10:00-11:30 jutro", "2026-11-24 10:00", 90),
    ("pl", "jutro o 10 przez 3 godziny", "2026-11-24 10:00", 180),
    ("pl", "koło wpół do drugiej w pt.", "2026-11-27 13:30", 120),
    ("en", "Thursday 10 December at 12", "2026-12-10 12:00", 120),
    ("en", "7/12 at 9", "2026-12-07 09:00", 120),
    ("en", "next Monday at noon", "2026-11-30 12:00", 120),
    ("en", "Jan 7 at 11am", "2027-01-07 11:00", 120),
    ("en", "in three weeks at 10", "2026-12-14 10:00", 120),
    ("en", "the day after tomorrow at 8", "2026-11-25 08:00", 120),
    ("en", "maybe Friday around 9?", "2026-11-27 09:00", 120),
    ("en", "tomorrow from 9 to 11:30", "2026-11-24 09:00", 150),
    ("en", "Friday at 4", "2026-11-27 16:00", 120),
]


@pytest.mark.parametrize(("language", "typed", "start", "minutes"), EVERYDAY_FORMS)
async def test_everyday_forms_in_both_languages(
    alone: Harness, language: str, typed: str, start: str, minutes: int
) -> None:
    """Each form of issue 17 typed in the one-line /nowe; what needs a confirmation (an hour
    read as the afternoon) is confirmed with one tap."""
    harness = alone
    harness.user(KASIA, "Katarzyna", language_code=language)
    command = "/nowe" if language == "pl" else "/new"
    answer = await _call(harness, f"{command} {typed}; MOPS")
    confirm = {"pl": "Zgadza się", "en": "That's right"}[language]
    if confirm in harness.button_labels(answer):
        await harness.press(KASIA, answer, confirm)
        answer = await harness.edited(answer)
    assert ("Spotkanie zwołane" if language == "pl" else "Meeting called") in answer["text"]
    [meeting] = await _meetings(harness)
    assert (meeting.starts_at, meeting.duration_minutes) == (_at(start), minutes)


@pytest.mark.usefixtures("_team")
async def test_english_conflict_afternoon_and_series(harness: Harness) -> None:
    await _in_english(harness)
    question = await _call(harness, "/new Wednesday 10 December at 12; MOPS")
    assert "different days" in question["text"]
    assert "Wednesday, 25 November 2026, 12:00" in harness.button_labels(question)
    question = await _call(harness, "/new Friday at 4; MOPS")
    assert "afternoon" in question["text"] and "No, at 04:00" in harness.button_labels(question)
    done = await _call(harness, "/new every other Tuesday at 10; MOPS")
    assert "Meeting called" in done["text"]
    async with harness.session() as session:
        series = await session.scalar(select(MeetingSeries))
        assert series is not None and series.rule == "FREQ=WEEKLY;INTERVAL=2"
