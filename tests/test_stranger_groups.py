"""A group the bot was added to by a stranger: nothing of any team is shown there.

Anyone can add a bot to a group. Members of a team may well be in such a group too (a
school's parents' chat, a conference), so the test sends every command there from a
stranger, a member and a coordinator, and presses forged buttons of the team's meeting:
each gets an answer, and no name, place, decision, task or file of the team reaches the
group. Only a coordinator's explicit /polacz turns the group into the team's.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from bot.application import COMMANDS
from storage import meetings, members, minutes, teams
from storage.models import MeetingStatus, Role
from tests import arrange
from tests.conftest import Harness

_group_ids = itertools.count(-1009990000, -1)
TEAM_GROUP = -1001800
KASIA, MAREK, OBCY = 2001, 2002, 2666
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
# What must never show up in the stranger's group.
SECRETS = (
    "Zduńska Wola",
    "Katarzyna",
    "Nowak",
    "Wiśniewski",
    "MOPS, sala 12",
    "Urząd Miasta, sala 5",
    "Budżet na 2027",
    "Rozpoznać potrzeby rodzin",
)
# Arguments for commands that take some, so that each goes past its first question.
ARGUMENTS = {
    "nowe": "wtorek 14:30; MOPS sala 12; budżet",
    "decyzja": "Przyjmujemy harmonogram",
    "zadanie": "@marek do piątku: sprawdzić salę",
    "termin": "MOPS; wtorek 10; środa 10",
    "ogloszenie": "Ważne",
    "raport": "2026",
    "koszyk": "pomoc",
}


async def _arrange(harness: Harness) -> int:
    harness.user(KASIA, "Katarzyna")
    harness.user(MAREK, "Marek", username="marek")
    harness.user(OBCY, "Obcy")
    harness.set_clock(NOW)
    async with harness.session() as session:
        ids = await arrange.team(session)
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
        await arrange.person(session, ids.team_id, MAREK, "Marek Wiśniewski")
        team = await teams.get_team(session, ids.team_id)
        team.chat_id = TEAM_GROUP
        held = await meetings.schedule(
            session,
            team,
            datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
            "MOPS, sala 12",
            "Budżet na 2027",
            None,
            now=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        )
        author = await members.find_member(session, KASIA)
        await minutes.add_decision(session, held, "Budżet na 2027 przyjęty", author)
        marek = await members.find_member(session, MAREK)
        await minutes.add_task(
            session,
            team.id,
            held.id,
            "Rozpoznać potrzeby rodzin",
            marek,
            date(2026, 11, 30),
            author,
            NOW,
        )
        await meetings.schedule(
            session,
            team,
            datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
            "Urząd Miasta, sala 5",
            None,
            None,
            now=NOW,
        )
    return held.id


def _strangers_group(harness: Harness) -> int:
    """A new group of the stranger's, with both people of the team in it too."""
    chat_id = next(_group_ids)
    harness.emu.add_group(chat_id, "Rodzice 3b")
    for user_id in (OBCY, MAREK, KASIA):
        harness.emu.set_member(chat_id, user_id)
    harness.emu.add_bot_to_group(chat_id, by_user_id=OBCY)
    return chat_id


async def test_every_command_is_answered_and_shows_nothing_of_the_team(harness: Harness) -> None:
    """Each command in a group of its own: Telegram lets a bot send 20 a minute to a group."""
    await _arrange(harness)
    groups: list[int] = []
    for user_id in (OBCY, MAREK, KASIA):
        for polish, english, _ in COMMANDS:
            if polish == "polacz":
                continue  # the one command meant for such a group; tested below
            for name in filter(None, (polish, english)):
                chat_id = _strangers_group(harness)
                groups.append(chat_id)
                text = f"/{name} {ARGUMENTS.get(polish, '')}".strip()
                harness.emu.send_message(user_id, text, chat_id=chat_id)
    for chat_id in groups:
        # The greeting for being added, and the answer (in either order: two people's updates).
        for _ in range(2):
            await harness.emu.next_message(chat_id, timeout=60)
    await harness.emu.settle()
    leaks = [
        (c.params.get("text") or c.params.get("caption") or "")[:300]
        for c in harness.emu.calls
        if c.params.get("chat_id") in groups
        and any(s in str(c.params) for s in SECRETS)  # texts, captions and buttons
    ]
    assert not leaks, "\n---\n".join(leaks)
    files = [c for c in harness.emu.calls if c.method in ("sendDocument", "sendPhoto")]
    assert not [c for c in files if c.params.get("chat_id") in groups]


async def test_forged_buttons_of_the_team_are_refused_there(harness: Harness) -> None:
    """Buttons crafted with the team's ids, pressed in the stranger's group."""
    meeting_id = await _arrange(harness)
    async with harness.session() as session:
        team_id = (await meetings.load_meeting(session, meeting_id)).team_id
    chat_id = _strangers_group(harness)
    harness.emu.send_message(OBCY, "/pomoc", chat_id=chat_id)
    anchor = await harness.emu.next_message(chat_id, timeout=30)
    forged = [
        f"rv:{meeting_id}:y",
        f"at:{meeting_id}",
        f"nd:{meeting_id}",
        f"ic:{meeting_id}",
        f"mt:{meeting_id}",
        f"mg:{meeting_id}:c",
        f"ob:v:{meeting_id}:1",
        f"ob:x:{meeting_id}",
        f"ln:{team_id}",
        f"tm:{team_id}",
        f"rm:m:{team_id}",
        f"pl:t:{team_id}",
        "mb:r:1",
    ]
    for user_id in (OBCY, MAREK):  # MAREK: a member, but not a coordinator
        for data in forged:
            query = harness.emu.send_callback(user_id, chat_id, anchor["message_id"], data)
            answer = await harness.emu.callback_answer(query, timeout=30)
            assert answer.get("show_alert"), (user_id, data, answer)  # a refusal
    await harness.emu.settle()
    leaks = [
        c.params
        for c in harness.emu.calls
        if c.params.get("chat_id") == chat_id and any(s in str(c.params) for s in SECRETS)
    ]
    assert not leaks, leaks
    async with harness.session() as session:
        team = await teams.get_team(session, team_id)
        assert team.chat_id == TEAM_GROUP  # still the team's own group
        meeting = await meetings.load_meeting(session, meeting_id)
        assert meeting.status == MeetingStatus.SCHEDULED


async def test_only_a_coordinator_links_such_a_group(harness: Harness) -> None:
    await _arrange(harness)
    chat_id = _strangers_group(harness)
    greeting = await harness.emu.next_message(chat_id)
    assert "Zduńska" not in greeting["text"]
    for user_id in (OBCY, MAREK):
        refusal = await harness.say(user_id, "/polacz", chat_id=chat_id)
        assert "Tylko koordynator" in refusal["text"]
    linked = await harness.say(KASIA, "/polacz", chat_id=chat_id)
    assert "PZK Zduńska Wola" in linked["text"]  # her explicit choice, so now it may


async def test_the_teams_own_group_sees_the_teams_meetings(harness: Harness) -> None:
    await _arrange(harness)
    harness.emu.add_group(TEAM_GROUP, "PZK")
    for user_id in (MAREK, KASIA):
        harness.emu.set_member(TEAM_GROUP, user_id)
    harness.emu.add_bot_to_group(TEAM_GROUP, by_user_id=KASIA)
    await harness.emu.next_message(TEAM_GROUP)  # the greeting
    listing = await harness.say(MAREK, "/spotkania", chat_id=TEAM_GROUP)
    assert "Urząd Miasta, sala 5" in listing["text"]
    harness.emu.press_button(MAREK, listing, harness.button_labels(listing)[0])
    card = await harness.emu.next_message(TEAM_GROUP)
    assert "Urząd Miasta, sala 5" in card["text"] and "Twoja odpowiedź" not in card["text"]
