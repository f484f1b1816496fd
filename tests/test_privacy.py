"""No client data in the bot: PESEL numbers in free texts are refused before anything is kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from storage import attendance, meetings, retention, teams
from storage.db import Database
from storage.members import find_member
from storage.models import (
    Announcement,
    Attendance,
    AuditEntry,
    Decision,
    Meeting,
    Role,
    Task,
)
from storage.privacy import contains_pesel, is_pesel
from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=WARSAW)
KASIA, MAREK = 2301, 2302
POLICE = "Komenda Powiatowa Policji w Zduńskiej Woli"
PESEL = "44051401359"  # the checksum-valid example of the PESEL rules


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        (PESEL, True),
        ("02070803628", True),  # born in 2002: the month carries +20
        ("44051401358", False),  # checksum off by one
        ("48601234567", False),  # a phone number with the country code
        ("44133101359", False),  # no 13th month
        ("4405140135", False),
        ("48221200010", False),  # checksum right, but born in 2048: not yet
        ("80810101012", False),  # born in 1880 (month + 80): no living client
        ("45410101019", False),  # born in 2145 (month + 40)
    ],
)
def test_pesel_rules(digits: str, valid: bool) -> None:
    assert is_pesel(digits) is valid


def test_pesel_found_only_as_a_whole_number() -> None:
    assert contains_pesel(f"Rodzina Kowalskich, PESEL {PESEL}, wymaga wsparcia")
    assert contains_pesel(f"pesel:{PESEL}.")
    assert not contains_pesel(f"sygnatura 1{PESEL}")  # twelve digits: not a PESEL
    assert not contains_pesel("tel. 42 123 45 67, sala 12, 2026-11-24")


@pytest.mark.parametrize(
    "text",
    [
        "440514 01359",
        "440-514-013-59",
        "4405 1401 359",
        "4405.1401.359",
        "44 05 14 01 35 9",
        "440514 - 01359",
        "4405\u00a01401\u00a0359",  # no-break spaces
        "4405\u20091401\u2009359",  # thin spaces
        "4405\u202f1401\u202f359",  # narrow no-break spaces (a French-style keyboard)
        "440514\u201301359",  # en dash
        "440514\u201401359",  # em dash
        "440514\u221201359",  # minus sign
        "440514\u201001359",  # hyphen
        "4405\u200b1401359",  # zero-width space
        "4405\u00ad1401359",  # soft hyphen
        "\uff14\uff14\uff10\uff15\uff11\uff14\uff10\uff11\uff13\uff15\uff19",  # full width
        "440514<b>01359</b>",  # an announcement's HTML
        "4405&nbsp;1401&nbsp;359",
        "klient 440514 01359 12 osób",  # whole groups of 11 digits among others
        "sala 12 440514 01359",
        "02 27 08 03 62 4",  # born in 2002: the month carries +20
    ],
)
def test_pesel_found_with_separators_between_its_digits(text: str) -> None:
    assert contains_pesel(text), text


@pytest.mark.parametrize(
    "text",
    [
        "tel. 42 123 45 67",
        "tel. +48 42 123 45 67 wew. 12",
        "+48 22 123 45 67",  # 11 digits: 2048 is not a birth date yet
        "+48 612 345 678",
        "601-234-567, 602-345-678",
        "601 234 567 602 345 678",
        "24.11.2026 – 30.11.2026, godz. 10.30",
        "1 234 567 890,00 zł",
        "kwota 12 345 678 901 zł",
        "440514 01358",  # the checksum is still required
        "4405 1401 3590",  # twelve digits in whole groups
    ],
)
def test_ordinary_numbers_with_separators_pass(text: str) -> None:
    assert not contains_pesel(text), text


def test_separated_digits_never_split_a_group() -> None:
    assert contains_pesel(f"{PESEL} 0")  # a whole group of 11, next to another
    assert not contains_pesel(f"1{PESEL}0")  # one group of 13
    assert not contains_pesel("4 40514013590")  # 1 + 11, but the 11 are not a PESEL
    assert not contains_pesel("440514     01359")  # too far apart to be one number
    assert not contains_pesel("440514 a 01359")


async def test_client_data_refused_everywhere_before_it_is_kept(harness: Harness) -> None:
    harness.set_clock(NOW)
    async with harness.session() as session:
        ids = await arrange.team(session)
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
        team = await teams.get_team(session, ids.team_id)
        kasia = await find_member(session, KASIA)
        started = NOW - timedelta(hours=13)  # its register card is long dropped
        meeting = await meetings.schedule(
            session,
            team,
            started.astimezone(UTC),
            "MOPS",
            None,
            kasia,
            now=started - timedelta(days=1),
        )
        meeting_id = meeting.id
    harness.user(KASIA, "Katarzyna")
    refusal = "To wygląda na numer PESEL"

    for text in (
        f"/nowe jutro o 10; MOPS; sprawa {PESEL}",
        f"/decyzja Wsparcie dla rodziny {PESEL}",
        f"/zadanie Katarzyna do piątku: zadzwonić w sprawie {PESEL}",
        f"/ogloszenie Uwaga, klient {PESEL} zgłosi się jutro",
        f"/termin MOPS {PESEL}; jutro o 10; środa o 12",
    ):
        answer = await harness.say(KASIA, text)
        assert refusal in answer["text"], text

    card = await harness.say(KASIA, "/obecnosc")
    await harness.press(KASIA, card, "Dodaj gościa")
    await harness.emu.next_message(KASIA)
    answer = await harness.say(KASIA, f"Jan Nowak {PESEL}, Kuratorium")
    assert refusal in answer["text"]

    async with harness.session() as session:
        assert await session.scalar(select(func.count()).select_from(Meeting)) == 1
        for model in (Decision, Task):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
        texts = (await session.scalars(select(Announcement.text_html))).all()
        assert not any(PESEL in text for text in texts)
        assert (await meetings.load_meeting(session, meeting_id)).agenda is None


async def test_my_data_as_a_file_then_erased_keeping_anonymous_counts(harness: Harness) -> None:
    await arrange.marek_with_data(harness, KASIA, MAREK, NOW)

    await harness.say(MAREK, "/moje_dane")  # a summary, a file to read, then the JSON
    sent = [await harness.emu.next_message(MAREK) for _ in range(2)][-1]
    data = json.loads(harness.emu.file_bytes(sent["document"]["file_id"]))
    assert sent["document"]["file_name"] == "moje-dane.json"
    assert data["member"]["name"] == "Marek <Wiśniewski>" and data["member"]["telegram_id"] == MAREK
    assert data["teams"][0]["role"] == "member"
    assert [a["answer"] for a in data["meeting_answers"]] == ["yes"]
    assert data["attendance"][0]["institution"] == POLICE
    assert [d["text"] for d in data["decisions"]] == ["Policja dyżuruje w ferie"]
    assert data["tasks"][0]["text"] == "lista dyżurów" and data["tasks"][0]["owner"]

    question = await harness.say(MAREK, "/usun_dane")
    await harness.press(MAREK, question, "Anuluj")
    assert "Nic nie zostało usunięte" in (await harness.edited(question))["text"]
    question = await harness.say(MAREK, "/usun_dane")
    await harness.press(MAREK, question, "Tak, usuń moje dane")
    done = await harness.edited(question)
    assert "Twoje dane zostały usunięte" in done["text"] and "1 wpis obecności" in done["text"]

    async with harness.session() as session:
        assert await find_member(session, MAREK) is None
        kept = (await session.scalars(select(Attendance))).one()
        assert kept.member_id is None and kept.institution_name == POLICE
        assert (await session.scalars(select(Decision.author_id))).one() is None
        assert (await session.scalars(select(Task.owner_id))).one() is None
        actors = (await session.scalars(select(AuditEntry.actor_telegram_id))).all()
        assert MAREK not in actors
    again = await harness.say(MAREK, "/moje_dane")
    assert "Nie przechowuję żadnych Twoich danych" in again["text"]


async def test_start_shows_the_privacy_notice_with_the_configured_rules(harness: Harness) -> None:
    harness.app.bot_data["settings"] = harness.app.bot_data["settings"].model_copy(
        update={"privacy_controller": "RCPS w Łodzi <ul. Snycerska 8>"}
    )
    harness.user(KASIA, "Katarzyna")
    hello = await harness.say(KASIA, "/start")
    assert "Prywatność:" in hello["text"]
    # The full notice is one button away (a short one fits a phone: tests/test_phone_sized.py).
    await harness.press(KASIA, hello, "Prywatność: pełny tekst")
    full = (await harness.emu.next_message(KASIA))["text"]
    assert "nieaktywnych przez 24 mies." in full and "starsze niż 60 mies." in full
    assert "Administrator danych: RCPS w Łodzi <ul. Snycerska 8>" in full


async def test_retention_erases_inactive_members_and_old_meetings(db: Database) -> None:
    long_ago = NOW - timedelta(days=61 * 31)
    async with db.session() as session:
        ids = await arrange.team(session)
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
        await arrange.person(session, ids.team_id, MAREK, "Marek", Role.MEMBER)
        team = await teams.get_team(session, ids.team_id)
        kasia, marek = await find_member(session, KASIA), await find_member(session, MAREK)
        old = await meetings.schedule(
            session, team, long_ago, "MOPS", None, kasia, now=long_ago - timedelta(days=1)
        )
        recent = await meetings.schedule(
            session,
            team,
            NOW - timedelta(days=30),
            "MOPS",
            None,
            kasia,
            now=NOW - timedelta(days=31),
        )
        for meeting in (old, recent):
            await attendance.mark(session, meeting, kasia.id, True, kasia, NOW)
        marek.last_seen_at = NOW - timedelta(days=25 * 31)
        kasia.last_seen_at = NOW - timedelta(days=3)
        old_id, recent_id = old.id, recent.id
    async with db.session() as session:
        purged = await retention.purge(session, NOW, retention.Rules())
    assert (purged.members, purged.meetings) == (1, 1)
    async with db.session() as session:
        assert await find_member(session, MAREK) is None
        assert await find_member(session, KASIA) is not None
        left = (await session.scalars(select(Meeting.id))).all()
        assert left == [recent_id] and old_id not in left
        assert (await session.scalars(select(Attendance.meeting_id))).all() == [recent_id]
    async with db.session() as session:
        again = await retention.purge(session, NOW, retention.Rules())
    assert (again.members, again.meetings) == (0, 0)


async def test_an_agenda_with_a_separated_pesel_is_refused_and_nothing_kept(
    harness: Harness,
) -> None:
    harness.set_clock(NOW)
    async with harness.session() as session:
        ids = await arrange.team(session)
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
    harness.user(KASIA, "Katarzyna")
    refusal = "To wygląda na numer PESEL"
    for agenda in ("sprawa 440514 01359", "sprawa 440-514-013-59", "4405\u00a01401\u2009359"):
        answer = await harness.say(KASIA, f"/nowe jutro o 10; MOPS; {agenda}")
        assert refusal in answer["text"], agenda
    # Step by step, the agenda typed as the answer to its question.
    await harness.say(KASIA, "/nowe")
    confirm = await harness.say(KASIA, "jutro o 10")
    await harness.press(KASIA, confirm, "Zgadza się")
    await harness.edited(confirm)
    await harness.say(KASIA, "MOPS")
    answer = await harness.say(KASIA, "Rodzina, PESEL 4405 1401 359")
    assert refusal in answer["text"]
    async with harness.session() as session:
        assert await session.scalar(select(func.count()).select_from(Meeting)) == 0
        actions = (await session.scalars(select(AuditEntry.action))).all()
        assert "meeting.schedule" not in actions


async def _member_who_may_erase(harness: Harness) -> None:
    harness.set_clock(NOW)
    async with harness.session() as session:
        ids = await arrange.team(session)
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
        await arrange.person(session, ids.team_id, MAREK, "Marek Wiśniewski")
    harness.user(MAREK, "Marek")


async def _still_there(harness: Harness) -> bool:
    async with harness.session() as session:
        return await find_member(session, MAREK) is not None


NOT_ERASED = "nic nie zostało usunięte"


async def test_a_forged_yes_without_the_question_erases_nothing(harness: Harness) -> None:
    await _member_who_may_erase(harness)
    anchor = await harness.say(MAREK, "/pomoc")
    for data in ("pd:yes", "pd:yes:", "pd:yes:AAAAAAAAAAAAAAAA", "pd:yes:x:y"):
        query = harness.emu.send_callback(MAREK, MAREK, anchor["message_id"], data)
        answer = await harness.emu.callback_answer(query)
        assert answer.get("show_alert") and NOT_ERASED in answer["text"], (data, answer)
        assert await _still_there(harness), data
    # Asked, but the token guessed: still nothing.
    await harness.say(MAREK, "/usun_dane")
    query = harness.emu.send_callback(MAREK, MAREK, anchor["message_id"], "pd:yes:guess")
    assert NOT_ERASED in (await harness.emu.callback_answer(query))["text"]
    assert await _still_there(harness)
    await harness.emu.settle()
    assert harness.current(anchor)["text"] == anchor["text"]  # the help was not edited


async def test_only_the_latest_fresh_question_erases(harness: Harness) -> None:
    await _member_who_may_erase(harness)
    first = await harness.say(MAREK, "/usun_dane")
    second = await harness.say(MAREK, "/usun_dane")
    answer = await harness.press(MAREK, first, "Tak, usuń moje dane")
    assert answer.get("show_alert") and NOT_ERASED in answer["text"]
    assert await _still_there(harness)
    # The second question is still good, but not for ever.
    harness.set_clock(NOW + timedelta(minutes=31))
    answer = await harness.press(MAREK, second, "Tak, usuń moje dane")
    assert NOT_ERASED in answer["text"]
    assert await _still_there(harness)
    # The real flow: ask, answer at once.
    third = await harness.say(MAREK, "/usun_dane")
    yes = harness.emu.buttons(third)[0][0][1]
    assert yes and yes.startswith("pd:yes:") and yes != harness.emu.buttons(second)[0][0][1]
    await harness.press(MAREK, third, "Tak, usuń moje dane")
    assert "Twoje dane zostały usunięte" in (await harness.edited(third))["text"]
    assert not await _still_there(harness)
    # Replayed: nobody's data is left to erase, and the press is answered.
    query = harness.emu.send_callback(MAREK, MAREK, third["message_id"], yes)
    assert await harness.emu.callback_answer(query) is not None
