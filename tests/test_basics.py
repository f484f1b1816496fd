"""Help, languages, command menus, bad input and faults of the Bot API."""

from __future__ import annotations

from sqlalchemy import func, select

from botapi_emulator import FloodLimits
from storage.models import Institution, Member, Role
from tests import arrange
from tests.conftest import Harness

MOPS = "MOPS – Centrum Opieki Socjalnej w Zduńskiej Woli"


async def test_unknown_command_and_stray_text(harness: Harness) -> None:
    anna = harness.user(1001, "Anna")
    assert (await harness.say(anna, "/cokolwiek"))["text"].startswith("Nie znam tego polecenia")
    assert (await harness.say(anna, "dzień dobry"))["text"].startswith("Nie rozumiem")


async def test_text_where_a_button_is_expected(harness: Harness) -> None:
    async with harness.session() as session:
        team = await arrange.team(session)
        token = await arrange.invitation(session, team.team_id)
    anna = harness.user(1001, "Anna")
    await harness.say(anna, f"/start {token}")
    reply = await harness.say(anna, "MOPS")
    assert "przycisk" in reply["text"]


async def test_overlong_and_empty_institution_names_store_nothing(harness: Harness) -> None:
    async with harness.session() as session:
        team = await arrange.team(session)
        token = await arrange.invitation(session, team.team_id)
    anna = harness.user(1001, "Anna")
    question = await harness.say(anna, f"/start {token}")
    await harness.press(anna, question, "Mojej instytucji nie ma na liście")
    await harness.edited(question)
    too_long = await harness.say(anna, "Ośrodek " * 625)  # 5,000 characters
    assert "za długa" in too_long["text"] or "za długie" in too_long["text"]
    too_short = await harness.say(anna, "x")
    assert "za krótka" in too_short["text"] or "za krótkie" in too_short["text"]
    async with harness.session() as session:
        assert await session.scalar(select(func.count()).select_from(Institution)) == 2
        assert await session.scalar(select(func.count()).select_from(Member)) == 0


async def test_non_text_message_in_private_chat(harness: Harness) -> None:
    anna = harness.user(1001, "Anna")
    harness.emu.send_document(anna, "lista.pdf", b"%PDF-1.4")
    reply = await harness.emu.next_message(anna)
    assert "koordynatorzy" in reply["text"]  # only they send files: the basket
    harness.emu.send_message(anna, "🙂")
    assert (await harness.emu.next_message(anna))["text"].startswith("Nie rozumiem")


async def test_help_depends_on_role(harness: Harness) -> None:
    async with harness.session() as session:
        team = await arrange.team(session)
        await arrange.person(session, team.team_id, 3001, "Koordynatorka", Role.COORDINATOR)
        await arrange.person(session, team.team_id, 3002, "Członek")
    harness.user(3001, "K")
    harness.user(3002, "C")
    # /pomoc is one screen; invitations are in the team topic, for coordinators only.
    for user_id, shown in ((3001, True), (3002, False)):
        help_text = await harness.say(user_id, "/pomoc" if shown else "/help")
        await harness.press(user_id, help_text, "Zespół i zaproszenia")
        assert ("/zaproszenie" in (await harness.edited(help_text))["text"]) == shown


async def test_english_user_and_language_choice(harness: Harness) -> None:
    async with harness.session() as session:
        team = await arrange.team(session)
        token = await arrange.invitation(session, team.team_id)
    john = harness.user(1050, "John", language_code="en")
    intro = await harness.say(john, "/start")
    assert "ask its coordinator for an invitation link" in intro["text"]
    question = await harness.say(john, f"/start {token}")
    await harness.press(john, question, MOPS)
    assert "Welcome to" in (await harness.edited(question))["text"]

    menu = await harness.say(john, "/language")
    await harness.press(john, menu, "Polski")
    assert "po polsku" in (await harness.edited(menu))["text"]
    assert "Nie znam" in (await harness.say(john, "/nieznane"))["text"]
    menu = await harness.say(john, "/jezyk")
    await harness.press(john, menu, "English")
    assert "English" in (await harness.edited(menu))["text"]


async def test_command_menus_in_both_languages(harness: Harness) -> None:
    polish = [c["command"] for c in harness.emu.commands("all_private_chats")]
    english = [c["command"] for c in harness.emu.commands("all_private_chats", "en")]
    assert polish == [
        "start",
        "nowe",
        "spotkania",
        "kalendarz",
        "zadania",
        "zadanie",
        "decyzja",
        "protokol",
        "obecnosc",
        "termin",
        "przypomnienia",
        "koszyk",
        "koszyk_szablon",
        "ogloszenie",
        "ogloszenia",
        "raport",
        "region",
        "zespol",
        "nowy_zespol",
        "zaproszenie",
        "polacz",
        "jezyk",
        "moje_dane",
        "usun_dane",
        "pomoc",
    ]
    assert english == [
        "start",
        "new",
        "meetings",
        "calendar",
        "tasks",
        "task",
        "decision",
        "minutes",
        "attendance",
        "poll",
        "reminders",
        "services",
        "basket_template",
        "announce",
        "announcements",
        "report",
        "region",
        "team",
        "new_team",
        "invite",
        "link",
        "language",
        "mydata",
        "deletedata",
        "help",
    ]
    assert [c["command"] for c in harness.emu.commands("all_group_chats")] == [
        "spotkania",
        "zadania",
        "zadanie",
        "decyzja",
        "koszyk",
        "zespol",
        "polacz",
        "pomoc",
    ]


async def test_replies_survive_server_errors(harness: Harness) -> None:
    anna = harness.user(1001, "Anna")
    harness.emu.inject_error(status=502, method="sendMessage", count=2)
    reply = await harness.say(anna, "/start")
    assert "Kooperacje 3D" in reply["text"]


async def test_replies_wait_out_flood_limits(harness: Harness) -> None:
    """Over the per-chat limit Telegram answers 429; the reply still arrives, once."""
    harness.emu.limits = FloodLimits(private_per_second=1, private_burst=1)
    anna = harness.user(1001, "Anna")
    for _ in range(3):
        harness.emu.send_message(anna, "/pomoc")
    replies = [await harness.emu.next_message(anna, timeout=10) for _ in range(3)]
    assert all("/zespol" in r["text"] for r in replies)
    await harness.emu.settle()
    assert len(harness.emu.messages(anna)) == 3
