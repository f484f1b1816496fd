"""One-line forms forgive: `/nowe środa 10:00`, `/termin`, `/zadanie`, `/ogloszenie` keep what
was typed and ask only for what is missing (issue 19)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from storage.models import Meeting, Role
from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
MOPS = "MOPS – Centrum Opieki Socjalnej w Zduńskiej Woli"
POLICE = "Komenda Powiatowa Policji w Zduńskiej Woli"
KASIA, MAREK = 2001, 2002


@pytest.fixture
async def team(harness: Harness) -> arrange.TeamIds:
    """A PZK with a coordinator and a member, the clock on a Monday."""
    harness.set_clock(MONDAY_9)
    async with harness.session() as session:
        ids = await arrange.team(session)
        await arrange.person(
            session,
            ids.team_id,
            KASIA,
            "Katarzyna Nowak",
            Role.COORDINATOR,
            ids.institution_ids[MOPS],
        )
        await arrange.person(
            session,
            ids.team_id,
            MAREK,
            "Marek Wiśniewski",
            Role.MEMBER,
            ids.institution_ids[POLICE],
        )
    harness.user(KASIA, "Katarzyna")
    harness.user(MAREK, "Marek")
    return ids


async def _meetings(harness: Harness) -> int:
    async with harness.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Meeting)) or 0)


async def _second_team(harness: Harness) -> None:
    """Kasia coordinates a second team too: /nowe must know which one."""
    async with harness.session() as session:
        other = await arrange.team(session, "Sieradz")
        await arrange.person(session, other.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)


async def test_day_and_hour_typed_by_a_member_of_two_teams(
    harness: Harness, team: arrange.TeamIds
) -> None:
    """Failed before: the team was asked, then "Kiedy?" again, the time typed forgotten."""
    await _second_team(harness)
    choice = await harness.say(KASIA, "/nowe środa 10:00")
    assert "Którego zespołu" in choice["text"]
    await harness.press(KASIA, choice, "PZK Zduńska Wola")
    echo = await harness.emu.next_message(KASIA)
    assert "Kiedy?" not in echo["text"]
    assert echo["text"] == "środa, 25 listopada 2026, 10:00"
    assert harness.button_labels(echo) == ["Zgadza się", "Zmień"]


async def test_day_hour_and_place_without_separators(
    harness: Harness, team: arrange.TeamIds
) -> None:
    """Failed before: "sala 12" was dropped and "Gdzie?" asked."""
    echo = await harness.say(KASIA, "/nowe środa 10:00 sala 12")
    assert "środa, 25 listopada 2026, 10:00" in echo["text"]
    assert "sala 12" in echo["text"]
    await harness.press(KASIA, echo, "Zgadza się")
    done = await harness.edited(echo)
    assert "Spotkanie zwołane" in done["text"]
    card = await harness.emu.next_message(MAREK)
    assert "sala 12" in card["text"]
    assert "środa, 25 listopada 2026, 10:00" in card["text"]


async def test_documented_form_with_separators_still_calls_at_once(
    harness: Harness, team: arrange.TeamIds
) -> None:
    done = await harness.say(KASIA, "/nowe jutro o 10; sala 12; budżet")
    assert "Spotkanie zwołane" in done["text"]
    card = await harness.emu.next_message(MAREK)
    assert "wtorek, 24 listopada 2026, 10:00" in card["text"]
    assert "budżet" in card["text"]


async def test_place_before_the_time(harness: Harness, team: arrange.TeamIds) -> None:
    echo = await harness.say(KASIA, "/nowe sala 12; środa 10; budżet")
    assert "środa, 25 listopada 2026, 10:00" in echo["text"]
    assert "sala 12" in echo["text"]
    await harness.press(KASIA, echo, "Zgadza się")
    assert "Spotkanie zwołane" in (await harness.edited(echo))["text"]
    card = await harness.emu.next_message(MAREK)
    assert "budżet" in card["text"]


async def test_team_named_in_the_line(harness: Harness, team: arrange.TeamIds) -> None:
    await _second_team(harness)
    echo = await harness.say(KASIA, "/nowe PZK Sieradz; środa 10")
    assert echo["text"] == "środa, 25 listopada 2026, 10:00"
    await harness.press(KASIA, echo, "Zgadza się")
    where = await harness.edited(echo)
    assert "Gdzie?" in where["text"]


async def _asked_then_called(
    harness: Harness, line: str, asked: tuple[str, ...], answer: str, echoed: tuple[str, ...]
) -> None:
    """`line` lacks a part: the question shows `asked`, `answer` fills the part in, the echo
    shows `echoed`, and confirming calls the meeting."""
    question = await harness.say(KASIA, line)
    for text in asked:
        assert text in question["text"]
    echo = await harness.say(KASIA, answer)
    for text in echoed:
        assert text in echo["text"]
    await harness.press(KASIA, echo, "Zgadza się")
    assert "Spotkanie zwołane" in (await harness.edited(echo))["text"]


async def test_hour_without_a_day_asks_only_the_day(
    harness: Harness, team: arrange.TeamIds
) -> None:
    await _asked_then_called(
        harness,
        "/nowe 10:00 sala 12",
        ("10:00", "Którego dnia?"),
        "środa",
        ("środa, 25 listopada 2026, 10:00", "sala 12"),
    )


async def test_day_without_an_hour_asks_only_the_hour(
    harness: Harness, team: arrange.TeamIds
) -> None:
    await _asked_then_called(
        harness,
        "/nowe środa sala 12",
        ("25 listopada", "o której?"),
        "10",
        ("środa, 25 listopada 2026, 10:00",),
    )


async def test_weekday_and_date_in_conflict_are_asked(
    harness: Harness, team: arrange.TeamIds
) -> None:
    question = await harness.say(KASIA, "/nowe czwartek 25 listopada o 10 sala 12")
    assert "różne dni" in question["text"]
    assert "czwartek, 26 listopada 2026, 10:00" in harness.button_labels(question)
    await harness.press(KASIA, question, "czwartek, 26 listopada 2026, 10:00")
    assert "Spotkanie zwołane" in (await harness.edited(question))["text"]
    card = await harness.emu.next_message(MAREK)
    assert "czwartek, 26 listopada 2026, 10:00" in card["text"]
    assert "sala 12" in card["text"]


async def test_garbage_after_nowe_is_answered_and_nothing_saved(
    harness: Harness, team: arrange.TeamIds
) -> None:
    reply = await harness.say(KASIA, "/nowe asdf qwer ☃")
    assert "Nie udało mi się odczytać" in reply["text"]
    assert "jutro o 10" in reply["text"]
    assert await _meetings(harness) == 0


async def _poll_card(harness: Harness, line: str) -> dict:
    """The poll made at once from `line`; the card Marek gets."""
    done = await harness.say(KASIA, line)
    assert "Ankieta utworzona" in done["text"], done["text"]
    return await harness.emu.next_message(MAREK)


async def test_poll_dates_before_the_place(harness: Harness, team: arrange.TeamIds) -> None:
    """Failed before: "wtorek 14:30" was taken as the place and only one date was left."""
    card = await _poll_card(harness, "/termin wtorek 14:30; środa 10; MOPS sala 12")
    assert "MOPS sala 12" in card["text"]


async def test_poll_place_and_first_date_in_one_part(
    harness: Harness, team: arrange.TeamIds
) -> None:
    card = await _poll_card(harness, "/termin MOPS, wtorek 14:30; środa 10")
    assert "📍 MOPS\n" in card["text"]


async def test_poll_dates_without_a_place_ask_only_the_place(
    harness: Harness, team: arrange.TeamIds
) -> None:
    ask = await harness.say(KASIA, "/termin wtorek 14:30; środa 10")
    assert "Gdzie odbędzie się spotkanie?" in ask["text"]
    done = await harness.say(KASIA, "MOPS sala 12")
    assert "Ankieta utworzona" in done["text"], done["text"]


async def test_poll_one_date_without_a_place_keeps_it(
    harness: Harness, team: arrange.TeamIds
) -> None:
    await harness.say(KASIA, "/termin wtorek 14:30")
    more = await harness.say(KASIA, "MOPS")
    assert "Już podane: wtorek 14:30" in more["text"]
    done = await harness.say(KASIA, "środa 10")
    assert "Ankieta utworzona" in done["text"], done["text"]


async def test_documented_poll_form_keeps_a_place_with_numbers(
    harness: Harness, team: arrange.TeamIds
) -> None:
    card = await _poll_card(harness, "/termin Urząd, ul. 3 Maja 10; wtorek 14:30; środa 10")
    assert "ul. 3 Maja 10" in card["text"]


async def _marek_has_a_username(harness: Harness) -> None:
    from storage.members import find_member

    async with harness.session() as session:
        marek = await find_member(session, MAREK)
        assert marek is not None
        marek.username = "marek"


async def test_task_owner_and_day_in_any_order(harness: Harness, team: arrange.TeamIds) -> None:
    """Failed before: without the colon, the whole line was the task and both were asked."""
    await _marek_has_a_username(harness)
    given = await harness.say(KASIA, "/zadanie wysłać zaproszenia @marek do piątku")
    assert "Zadanie dla: Marek Wiśniewski, termin 27.11.2026" in given["text"], given["text"]
    assert "„wysłać zaproszenia”" in given["text"]
    named = await harness.say(KASIA, "/zadanie Marek przygotować salę 15 grudnia")
    assert "Zadanie dla: Marek Wiśniewski, termin 15.12.2026" in named["text"], named["text"]
    assert "„przygotować salę”" in named["text"]


async def test_task_missing_parts_are_asked(harness: Harness, team: arrange.TeamIds) -> None:
    ask = await harness.say(KASIA, "/zadanie policzyć budżet do piątku")
    assert "Kto to zrobi?" in ask["text"]
    assert "policzyć budżet" in ask["text"] and "piątku" not in ask["text"]
    await harness.press(KASIA, ask, "Marek Wiśniewski")
    done = await harness.emu.next_message(KASIA)
    assert "termin 27.11.2026" in done["text"]
    # Two days: which one is meant is asked, nothing is guessed.
    await _marek_has_a_username(harness)
    ask_day = await harness.say(KASIA, "/zadanie @marek piątek raport, środa spotkanie")
    assert "Do kiedy?" in ask_day["text"]


async def test_task_garbage_and_unknown_person(harness: Harness, team: arrange.TeamIds) -> None:
    unknown = await harness.say(KASIA, "/zadanie coś zrobić @nikt jutro")
    assert "Nie znajduję w zespołu" in unknown["text"] or "@nikt" in unknown["text"]
    only_day = await harness.say(KASIA, "/zadanie do piątku")
    assert "Zadanie dla" not in only_day["text"]
    from storage.models import Task

    async with harness.session() as session:
        assert await session.scalar(select(func.count()).select_from(Task)) == 0


async def test_announcement_typed_with_the_command_goes_to_preview(
    harness: Harness, team: arrange.TeamIds
) -> None:
    empty = await harness.say(KASIA, "/ogloszenie    ")
    assert "Napisz ogłoszenie" in empty["text"]
    audience = await harness.say(KASIA, "/ogloszenie Zebranie w piątek o 10, sala 12")
    assert "Do kogo?" in audience["text"]  # the text was taken: no "Napisz ogłoszenie"
    await harness.press(KASIA, audience, harness.button_labels(audience)[0])
    preview = await harness.emu.next_message(KASIA)
    assert "Zebranie w piątek o 10, sala 12" in preview["text"]
