"""No keyboard taller than 6 rows (issue 19, e), with a big team: a coordinator of two teams,
one of 31 members from 12 institutions with a started meeting, 31 invitation links, 6
reminder times; a region admin with 11 municipalities and 18 teams. Long lists are paged and a
toggle or a choice on page 2 works; a crawl presses every button reachable from each command
(two presses deep, nothing destructive) and measures every keyboard it sees."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from storage import meetings, reminders, teams
from storage.members import find_member
from storage.models import Role, Sector, TeamKind
from tests import arrange
from tests.conftest import ADMIN_ID, Harness

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
KASIA = 2301  # coordinator of the big PZK and of a ZZK
PEOPLE = 30  # members besides her, Osoba00 … Osoba29
GROUP = -1002300
TOWN = "Zduńska Wola"
MAX_ROWS = 6
# Buttons the crawl leaves alone: they remove, revoke, cancel, send or close something.
DESTRUCTIVE = ("usuń", "unieważ", "anuluj", "wyślij", "odwołaj", "zamknij", "opuść", "✕", "✖")


@pytest.fixture
async def region(harness: Harness) -> dict[str, int]:
    harness.set_clock(MONDAY_9)
    async with harness.session() as session:
        big = await arrange.team(session, TOWN, TeamKind.PZK, institutions=())
        zzk = await teams.add_team(session, TOWN, TeamKind.ZZK, "ZZK Przemoc")
        for n in range(5):  # a municipality of seven teams: its team lists are paged
            await teams.add_team(session, TOWN, TeamKind.ZZK, f"ZZK Zespół {n}")
        for n in range(10):  # eleven municipalities
            await teams.add_team(session, f"Gmina {n:02d}", TeamKind.PZK)
        places = [
            await teams.get_or_create_institution(
                session, big.municipality_id, f"Instytucja {n:02d}", Sector.SOCIAL_ASSISTANCE
            )
            for n in range(12)
        ]
        await arrange.person(
            session, big.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR, places[0].id
        )
        await arrange.person(session, zzk.id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
        for n in range(PEOPLE):
            await arrange.person(
                session, big.team_id, 3000 + n, f"Osoba{n:02d} Kowalska", Role.MEMBER,
                places[n % 12].id,
            )  # fmt: skip
        kasia = await find_member(session, KASIA)
        team = await teams.get_team(session, big.team_id)
        await reminders.set_offsets(
            session, team, [10080, 4320, 1440, 180, 60, 30], actor_telegram_id=KASIA
        )
        earlier = MONDAY_9 - timedelta(days=2)
        await meetings.schedule(
            session, team, MONDAY_9 - timedelta(hours=1), "MOPS sala 12", None, kasia, now=earlier
        )
        for day in range(7, 14):  # seven upcoming, after the reminders: the list is paged
            await meetings.schedule(
                session, team, datetime(2026, 12, day, 10, tzinfo=WARSAW), "Sala", None, kasia,
                now=earlier,
            )  # fmt: skip
    harness.user(KASIA, "Katarzyna")
    harness.user(ADMIN_ID, "Admin")
    return {"big": big.team_id, "zzk": zzk.id}


def _rows(harness: Harness, message: dict[str, Any]) -> int:
    return len(harness.emu.buttons(message))


def _forward(harness: Harness, message: dict[str, Any]) -> str:
    """The label of the button to the next page ("7–12 ›")."""
    return next(label for label in harness.button_labels(message) if label.endswith("›"))


async def test_register_pages_its_toggles_and_toggles_on_page_2(
    harness: Harness, region: dict[str, int]
) -> None:
    card = await harness.say(KASIA, "/obecnosc")
    await harness.press(KASIA, card, f"Wszyscy członkowie ({PEOPLE + 1})")
    card = await harness.edited(card)
    assert _rows(harness, card) <= MAX_ROWS
    await harness.press(KASIA, card, _forward(harness, card))
    card = await harness.edited(card)
    assert _rows(harness, card) <= MAX_ROWS
    toggle = next(label for label in harness.button_labels(card) if label.startswith("⬜"))
    await harness.press(KASIA, card, toggle)
    card = await harness.edited(card)
    labels = harness.button_labels(card)
    # The same page, the person now marked present.
    assert "✅" + toggle.removeprefix("⬜") in labels
    assert any(label.startswith("‹") for label in labels)
    assert _rows(harness, card) <= MAX_ROWS


async def test_task_owner_is_chosen_on_page_2(harness: Harness, region: dict[str, int]) -> None:
    # The meeting that began at 8 has its register sent to Kasia whenever the scheduler ticks:
    # sent now and taken, so that her next message is the answer awaited.
    await harness.tick()
    await harness.drain(KASIA)
    question = await harness.say(KASIA, "/zadanie napisać raport")
    assert "Kto to zrobi?" in question["text"]
    assert _rows(harness, question) <= MAX_ROWS
    await harness.press(KASIA, question, _forward(harness, question))
    question = await harness.edited(question)
    assert _rows(harness, question) <= MAX_ROWS
    person = next(label for label in harness.button_labels(question) if "Osoba" in label)
    await harness.press(KASIA, question, person)
    await harness.emu.next_message(KASIA)  # by when?
    done = await harness.say(KASIA, "piątek")
    assert f"Zadanie dla: {person}," in done["text"], done["text"]


async def test_admin_team_choice_is_paged_and_works_on_page_2(
    harness: Harness, region: dict[str, int]
) -> None:
    question = await harness.say(ADMIN_ID, "/zaproszenie")
    assert _rows(harness, question) <= MAX_ROWS
    await harness.press(ADMIN_ID, question, _forward(harness, question))
    question = await harness.edited(question)
    team = harness.button_labels(question)[0]
    await harness.press(ADMIN_ID, question, team)
    roles = await harness.edited(question)
    assert team in roles["text"]


def _destructive(label: str) -> bool:
    return any(word in label.casefold() for word in DESTRUCTIVE)


async def _crawl(harness: Harness, user_id: int, command: str, chat_id: int | None) -> list[str]:
    """Every keyboard taller than 6 rows seen from the command's reply and two presses on."""
    chat = chat_id or user_id
    first = await harness.say(user_id, command, chat_id=chat_id)
    await harness.emu.settle(quiet=0.1)
    frontier = [m for m in harness.emu.messages(chat) if m["message_id"] >= first["message_id"]]
    pressed: set[str] = set()
    tall: list[str] = []
    for depth in range(3):
        reached: list[dict[str, Any]] = []
        for message in frontier:
            rows = harness.emu.buttons(message)
            if len(rows) > MAX_ROWS:
                tall.append(f"{command} → {message['text'][:50]!r}: {len(rows)} rows")
            if depth == 2:
                continue
            for label, data in (button for row in rows for button in row):
                if data is None or data in pressed or _destructive(label):
                    continue
                pressed.add(data)
                before = {m["message_id"]: m for m in harness.emu.messages(chat)}
                query = harness.emu.send_callback(user_id, chat, message["message_id"], data)
                await harness.emu.callback_answer(query)
                await harness.emu.settle(quiet=0.1)
                reached += [
                    m for m in harness.emu.messages(chat) if before.get(m["message_id"]) != m
                ]
        frontier = reached
    return tall


@pytest.fixture
def drawn_alike(db_url: str) -> None:
    """Before the arrangement: the crawl runs on SQLite only (keyboards are drawn alike on
    both databases; the page-2 tests, which store choices, run on both)."""
    if not db_url.startswith("sqlite"):
        pytest.skip("keyboards are drawn alike on both databases")


@pytest.mark.parametrize(
    ("user_id", "command"),
    [
        (KASIA, "/obecnosc"),
        (KASIA, "/przypomnienia"),
        (KASIA, "/zaproszenie"),
        (KASIA, "/nowe"),
        (KASIA, "/zadanie napisać raport"),
        (KASIA, "/ogloszenie Zebranie w piątek"),
        (ADMIN_ID, "/spotkania"),
        (ADMIN_ID, "/nowe"),
        (ADMIN_ID, "/zaproszenie"),
        (ADMIN_ID, "/ogloszenie Zebranie w piątek"),
    ],
)
async def test_no_keyboard_is_taller_than_six_rows(
    drawn_alike: None, harness: Harness, region: dict[str, int], user_id: int, command: str
) -> None:
    assert await _crawl(harness, user_id, command, None) == []


async def test_linking_a_group_offers_teams_a_page_at_a_time(
    harness: Harness, region: dict[str, int]
) -> None:
    harness.emu.add_group(GROUP, "Zespoły")
    harness.emu.set_member(GROUP, ADMIN_ID, status="member")
    harness.emu.add_bot_to_group(GROUP, by_user_id=ADMIN_ID)
    await harness.emu.next_message(GROUP)
    assert await _crawl(harness, ADMIN_ID, "/polacz", GROUP) == []
