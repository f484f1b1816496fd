"""After the meeting: the attendance register, decisions and tasks, the minutes document."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from storage import meetings, teams
from storage.models import Answer, Attendance, Role, Task, TaskState
from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=WARSAW)
POLICE = arrange.POLICE
GROUP = -1001900
KASIA, MAREK, OLA, OTHER_COORDINATOR = 2101, 2102, 2103, 2104


@pytest.fixture
async def meeting_id(harness: Harness) -> int:
    """A PZK (Kasia coordinates; Marek, police, answered yes; Ola, MOPS, maybe), its group
    linked, and a meeting on Tuesday at 10 called on Monday."""
    harness.set_clock(MONDAY_9)
    people = arrange.three(KASIA, MAREK, OLA, marek_name="Marek <Wiśniewski>")
    async with harness.session() as session:
        ids = await arrange.team_of(session, people, group=GROUP)
        team = await teams.get_team(session, ids.team_id)
        kasia = await _member(session, KASIA)
        meeting = await meetings.schedule(
            session,
            team,
            TUESDAY_10.astimezone(UTC),
            "MOPS, sala 12",
            "Budżet 2027",
            kasia,
            now=MONDAY_9,
        )
        await meetings.answer(session, meeting, await _member(session, MAREK), Answer.YES, MONDAY_9)
        await meetings.answer(session, meeting, await _member(session, OLA), Answer.MAYBE, MONDAY_9)
        found = meeting.id
    arrange.in_telegram(harness, people, group=GROUP, usernames=True)
    await harness.emu.next_message(GROUP)  # the greeting
    # Every reminder goes out now, so none arrives in the middle of a test's conversation.
    await _tick(harness, TUESDAY_10 - timedelta(minutes=59))
    for chat in (KASIA, MAREK, OLA, GROUP):
        await harness.drain(chat)
    return found


async def _member(session, telegram_id: int):  # type: ignore[no-untyped-def]
    from storage.members import find_member

    return await find_member(session, telegram_id)


async def _tick(harness: Harness, at: datetime) -> None:
    harness.set_clock(at.astimezone(UTC))
    await harness.tick()


async def _forge(harness: Harness, user_id: int, message: dict, data: str) -> dict:
    """Press a button that is not (or no longer) on the message: crafted or replayed."""
    chat = message["chat"]["id"]
    query = harness.emu.send_callback(user_id, chat, message["message_id"], data)
    return await harness.emu.callback_answer(query)


def _card(harness: Harness, chat_id: int) -> dict:
    return next(
        m for m in reversed(harness.emu.messages(chat_id)) if "Obecność" in m.get("text", "")
    )


async def test_register_card_at_the_start_marks_people_and_guests_and_exports(
    harness: Harness, meeting_id: int
) -> None:
    await _tick(harness, TUESDAY_10 - timedelta(minutes=1))
    assert not [m for m in harness.emu.messages(KASIA) if "Obecność" in m.get("text", "")]
    await _tick(harness, TUESDAY_10 + timedelta(minutes=2))
    await harness.drain(KASIA)
    card = _card(harness, KASIA)
    assert "Spotkanie się rozpoczęło" in card["text"]
    assert "⬜ Marek <Wiśniewski>" in card["text"]  # escaped on the wire, shown as typed
    assert "(może)" in card["text"]
    assert not [m for m in harness.emu.messages(MAREK) if "Obecność" in m.get("text", "")]

    answer = await harness.press(KASIA, card, "⬜ Marek <.")
    assert answer["text"] == "Marek <Wiśniewski>: jest"
    card = await harness.edited(card)
    assert "✅ Marek <Wiśniewski>" in card["text"] and "Obecnych: 1" in card["text"]
    # The same "mark present" button again (a replay): refused, nothing doubled.
    replay = next(
        data for row in harness.emu.buttons(card) for label, data in row if "Marek" in label
    )
    again = await _forge(harness, KASIA, card, replay.replace(":0:0", ":1:0"))
    assert "już zaznaczona" in again["text"]

    await harness.press(KASIA, card, "Dodaj gościa")
    prompt = await harness.emu.next_message(KASIA)
    assert "po przecinku" in prompt["text"]
    refused = await harness.say(KASIA, "Jan Nowak")
    assert "po przecinku" in refused["text"]
    await harness.say(KASIA, "Jan <Nowak>, Kuratorium Oświaty")
    card = await harness.emu.next_message(KASIA)
    assert "Jan <Nowak>, Kuratorium Oświaty" in card["text"] and "Obecnych: 2" in card["text"]

    await harness.press(KASIA, card, "Eksport XLSX + CSV")
    xlsx = await harness.emu.next_message(KASIA)
    sheet = load_workbook(io.BytesIO(harness.emu.file_bytes(xlsx["document"]["file_id"]))).active
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["Spotkanie", "PZK Zduńska Wola"] in rows or any("Spotkanie" in r for r in rows)
    assert ["Marek <Wiśniewski>", POLICE, "policja"] in rows
    assert ["Jan <Nowak>", "Kuratorium Oświaty", "inne"] in rows
    assert ["Razem", 2] in rows
    csv_message = await harness.emu.next_message(KASIA)
    text = harness.emu.file_bytes(csv_message["document"]["file_id"]).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][3:] == ["Imię i nazwisko", "Instytucja", "Sektor"]
    assert {row[3] for row in table[1:]} == {"Marek <Wiśniewski>", "Jan <Nowak>"}

    await harness.press(KASIA, card, "Zamknij listę")
    closed = await harness.edited(card)
    assert "Lista jest zamknięta" in closed["text"]
    forged = await _forge(harness, KASIA, closed, f"ob:m:{meeting_id}:1:1:0")
    assert "zamknięta" in forged["text"]
    await harness.press(KASIA, closed, "Otwórz ponownie")
    assert "Zamknij listę" in harness.button_labels(await harness.edited(card))


async def test_register_refuses_members_future_meetings_and_other_teams(
    harness: Harness, meeting_id: int
) -> None:
    harness.set_clock(TUESDAY_10 - timedelta(hours=1))
    message = await harness.say(KASIA, "/obecnosc")
    assert "nie rozpoczęło się żadne spotkanie" in message["text"]
    anchor = await harness.say(KASIA, "/spotkania")
    early = await _forge(harness, KASIA, anchor, f"ob:s:{meeting_id}")
    assert "otwiera się z początkiem spotkania" in early["text"]

    harness.set_clock(TUESDAY_10 + timedelta(minutes=5))
    member_try = await harness.say(MAREK, "/obecnosc")
    assert "koordynator" in member_try["text"]
    forged = await _forge(harness, MAREK, member_try, f"ob:m:{meeting_id}:1:1:0")
    assert "prowadzi koordynator" in forged["text"]

    # A coordinator of another team presses a crafted button for this meeting.
    async with harness.session() as session:
        other = await arrange.team(session, town="Sieradz", institutions=())
        await arrange.person(
            session, other.team_id, OTHER_COORDINATOR, "Inna Koordynatorka", Role.COORDINATOR
        )
    harness.user(OTHER_COORDINATOR, "Inna")
    anchor = await harness.say(OTHER_COORDINATOR, "/spotkania")
    stranger = await _forge(harness, OTHER_COORDINATOR, anchor, f"ob:x:{meeting_id}")
    assert "prowadzi koordynator" in stranger["text"]
    garbage = await _forge(harness, KASIA, anchor, "ob:m:abc")
    assert "nieaktualny" in garbage["text"] or "nie jest już aktywny" in garbage["text"]

    card = await harness.say(KASIA, "/obecnosc")
    assert "Obecność" in card["text"] and "Wszyscy członkowie (3)" in harness.button_labels(card)
    async with harness.session() as session:
        assert (await session.scalars(select(Attendance))).all() == []


async def test_decisions_and_tasks_become_the_minutes(harness: Harness, meeting_id: int) -> None:
    harness.set_clock(TUESDAY_10 - timedelta(hours=2))
    early = await harness.say(MAREK, "/decyzja Dyżury w ferie")
    assert "Brak spotkania" in early["text"]

    await _tick(harness, TUESDAY_10 + timedelta(minutes=30))
    await harness.drain(KASIA)  # the register card
    reply = await harness.say(MAREK, "/decyzja Dyżury w ferie: MOPS i <policja>")
    assert "Decyzja dopisana do protokołu" in reply["text"]
    assert "MOPS i <policja>" in reply["text"]
    in_group = await harness.say(OLA, "/decyzja Następne spotkanie w MOPS", chat_id=GROUP)
    assert "Decyzja dopisana" in in_group["text"]

    given = await harness.say(MAREK, "/zadanie @aleksandra do piątku: wysłać zaproszenia")
    assert "Zadanie dla: Aleksandra Zielińska, termin 27.11.2026" in given["text"]
    told = await harness.emu.next_message(OLA)
    assert "przydziela Ci zadanie" in told["text"] and "Zrobione" in harness.button_labels(told)

    ask = await harness.say(KASIA, "/zadanie do jutra: policzyć budżet")
    assert "Kto to zrobi?" in ask["text"]
    await harness.press(KASIA, ask, "Katarzyna Nowak")
    mine = await harness.emu.next_message(KASIA)
    assert "Zadanie dla: Katarzyna Nowak, termin 25.11.2026" in mine["text"]

    ask_day = await harness.say(KASIA, "/zadanie Marek: przygotować salę")
    assert "Do kiedy?" in ask_day["text"]
    wrong = await harness.say(KASIA, "kiedyś")
    assert "Nie rozumiem terminu" in wrong["text"]
    done = await harness.say(KASIA, "15 grudnia")
    assert "Zadanie dla: Marek <Wiśniewski>, termin 15.12.2026" in done["text"]

    unknown = await harness.say(KASIA, "/zadanie @nikt do piątku: coś")
    assert "Nie znajduję w zespole" in unknown["text"] and "@nikt" in unknown["text"]
    past = await harness.say(KASIA, "/zadanie Marek do wczoraj: coś")
    assert "już minął" in past["text"]

    tasks = await harness.say(OLA, "/zadania")
    assert "Twoje otwarte zadania" in tasks["text"] and "wysłać zaproszenia" in tasks["text"]
    assert "policzyć budżet · Katarzyna Nowak" in tasks["text"]
    await harness.press(OLA, tasks, "✅ wysłać zaproszenia")
    assert "wysłać zaproszenia" not in (await harness.edited(tasks))["text"]
    replay = await harness.press(OLA, told, "Zrobione")
    assert "już zamknięte" in replay["text"]
    budget = await _task_id(harness, "policzyć budżet")
    not_hers = await _forge(harness, OLA, tasks, f"mn:d:{budget}")
    assert "wykonawca albo koordynator" in not_hers["text"]

    marek = await _member_id(harness, MAREK)
    await _forge(harness, KASIA, mine, f"ob:m:{meeting_id}:{marek}:1:0")
    document = await harness.say(OLA, "/protokol")
    content = Document(io.BytesIO(harness.emu.file_bytes(document["document"]["file_id"])))
    text = "\n".join(p.text for p in content.paragraphs)
    assert "Protokół spotkania: PZK Zduńska Wola" in text
    assert "Dyżury w ferie: MOPS i <policja>" in text and "Następne spotkanie w MOPS" in text
    assert "wysłać zaproszenia — Aleksandra Zielińska, termin 27.11.2026 (wykonane)" in text
    cells = [cell.text for table in content.tables for row in table.rows for cell in row.cells]
    assert "Marek <Wiśniewski>" in cells and POLICE in cells


async def _task_id(harness: Harness, text: str) -> int:
    async with harness.session() as session:
        return (await session.scalars(select(Task.id).where(Task.text == text))).one()


async def _member_id(harness: Harness, telegram_id: int) -> int:
    async with harness.session() as session:
        return (await _member(session, telegram_id)).id


async def test_owner_reminded_the_day_before_and_open_tasks_carried_to_the_next_card(
    harness: Harness, meeting_id: int
) -> None:
    await _tick(harness, TUESDAY_10 + timedelta(minutes=30))
    await harness.drain(KASIA)  # the register card
    await harness.drain(KASIA)  # the register card
    await harness.say(KASIA, "/zadanie Marek do piątku: lista instytucji")
    await harness.emu.next_message(MAREK)
    await harness.say(KASIA, "/zadanie Aleksandra do piątku: zamknięte wcześniej")
    told = await harness.emu.next_message(OLA)
    await harness.press(OLA, told, "Zrobione")

    await _tick(harness, datetime(2026, 11, 26, 8, 59, tzinfo=WARSAW))
    await _tick(harness, datetime(2026, 11, 26, 9, 0, tzinfo=WARSAW))
    reminders = [m for m in harness.emu.messages(MAREK) if "Jutro mija termin" in m.get("text", "")]
    assert len(reminders) == 1 and "lista instytucji" in reminders[0]["text"]
    assert not [m for m in harness.emu.messages(OLA) if "Jutro mija termin" in m.get("text", "")]
    await _tick(harness, datetime(2026, 11, 26, 9, 5, tzinfo=WARSAW))
    assert len([m for m in harness.emu.messages(MAREK) if "Jutro mija" in m.get("text", "")]) == 1

    await harness.press(MAREK, reminders[0], "Zrobione")
    async with harness.session() as session:
        states = dict((await session.execute(select(Task.text, Task.state))).all())
    assert states == {"lista instytucji": TaskState.DONE, "zamknięte wcześniej": TaskState.DONE}

    await harness.say(KASIA, "/zadanie Marek do 15 grudnia: plan ferii")
    await harness.emu.next_message(MAREK)
    created = await harness.say(KASIA, "/nowe 1 grudnia o 10; MOPS, sala 12")
    assert "Spotkanie zwołane" in created["text"]
    card = await harness.emu.next_message(GROUP)
    assert "Otwarte zadania zespołu (1):" in card["text"] and "• plan ferii" in card["text"]
