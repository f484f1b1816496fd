"""Each member's language everywhere: stored at join from the Telegram app, used for what
jobs send (cards, reminders), and a team's group in the team's own language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.i18n import pick_language
from storage.models import Member
from tests import arrange, test_meetings
from tests.conftest import Harness
from tests.test_meetings import GROUP, KASIA, MOPS, OLA, WARSAW, _call_meeting

team = test_meetings.team  # the fixture: a PZK, its group, a coordinator and two members

JOHN = 3001


async def _language_of(harness: Harness, telegram_id: int) -> str | None:
    async with harness.session() as session:
        found = select(Member.language).where(Member.telegram_id == telegram_id)
        return await session.scalar(found)


async def _join_in_english(harness: Harness, team: arrange.TeamIds) -> None:
    async with harness.session() as session:
        token = await arrange.invitation(session, team.team_id)
    harness.user(JOHN, "John", language_code="en-GB")
    question = await harness.say(JOHN, f"/start {token}")
    await harness.press(JOHN, question, MOPS)
    welcome = await harness.edited(question)
    assert "Welcome to" in welcome["text"]
    assert "/jezyk" in welcome["text"]  # offered once, in the welcome


async def test_an_english_app_gets_english_cards_and_reminders_without_choosing(
    harness: Harness, team: arrange.TeamIds
) -> None:
    await _join_in_english(harness, team)
    assert await _language_of(harness, JOHN) == "en"

    await _call_meeting(harness)  # by a Polish coordinator
    group_card = await harness.emu.next_message(GROUP)
    assert "Będę" in harness.button_labels(group_card)  # the team's language: Polish
    card = await harness.emu.next_message(JOHN)
    assert "I'll come" in harness.button_labels(card)
    assert "Będę" not in harness.button_labels(card)

    # The reminder a day before comes from a job, with no update of John's to read from.
    harness.set_clock(datetime(2026, 11, 23, 14, 30, tzinfo=WARSAW).astimezone(UTC))
    await harness.tick()
    reminder = [m for m in harness.emu.messages(JOHN) if "Reminder" in m.get("text", "")]
    assert reminder and "I'll come" in harness.button_labels(reminder[-1])
    polish = [m for m in harness.emu.messages(KASIA) if "Przypomnienie" in m.get("text", "")]
    assert polish


async def test_a_team_set_to_english_gets_english_cards_in_its_group(
    harness: Harness, team: arrange.TeamIds
) -> None:
    roster = await harness.say(KASIA, "/zespol")
    await harness.press(KASIA, roster, "💬 Język w grupie zespołu: Polski")
    switched = await harness.edited(roster)
    assert "💬 Język w grupie zespołu: English" in harness.button_labels(switched)

    await _call_meeting(harness)
    group_card = await harness.emu.next_message(GROUP)
    assert "I'll come" in harness.button_labels(group_card)
    # Members keep their own language: Kasia's private card stays Polish.
    assert "Będę" in harness.button_labels(await harness.emu.next_message(KASIA))
    # A command typed in the group is answered in the group's language.
    reply = await harness.say(KASIA, "/spotkania", chat_id=GROUP)
    assert "1 upcoming meeting" in reply["text"]


async def test_members_from_before_get_their_app_language_stored_at_their_next_message(
    harness: Harness, team: arrange.TeamIds
) -> None:
    assert await _language_of(harness, OLA) is None  # joined before the language was stored
    harness.user(OLA, "Aleksandra", language_code="en")
    await harness.say(OLA, "/pomoc")
    assert await _language_of(harness, OLA) == "en"
    # A choice made with /jezyk is kept whatever the app says later.
    choice = await harness.say(OLA, "/jezyk")
    await harness.press(OLA, choice, "Polski")
    await harness.edited(choice)
    await harness.say(OLA, "/pomoc")
    assert await _language_of(harness, OLA) == "pl"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (None, "pl"),
        ("", "pl"),
        ("pl", "pl"),
        ("en", "en"),
        ("EN", "en"),
        ("en-GB", "en"),
        ("en_US", "en"),
        (" en ", "en"),
        ("uk", "pl"),
        ("de", "pl"),
        ("eno", "pl"),
        ("💬", "pl"),
        ("x" * 300, "pl"),
    ],
)
def test_any_telegram_language_code_gives_polish_or_english(
    code: str | None, expected: str
) -> None:
    assert pick_language(None, code) == expected
