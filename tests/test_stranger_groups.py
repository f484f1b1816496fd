"""A group the bot was added to by a stranger: nothing of any team is shown there.

Anyone can add a bot to a group. Members of a team may well be in such a group too (a
school's parents' chat, a conference), so the test sends every command there, bare and with
arguments that would show data, from a stranger, a member and a coordinator, and presses
forged buttons of the team's meeting: each gets an answer, and no name, place, decision, task,
announcement or file of the team reaches the group. The same in another team's linked group:
a member of the first team writing there sees nothing of the first team (a member of both
sees the other team's things, which belong there). Only a coordinator's explicit /polacz turns
a group into the team's.

Every kind of the team's data exists, so that a leak would show: meetings past and upcoming,
a register with a guest, decisions and tasks, a date poll, an announcement sent and a planned
one, figures for the year, and everything /moje_dane would export. (/ogloszenia once posted
the history, texts and a cancel button into any group: no announcement existed here then.)
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.application import COMMANDS
from storage import announcements, attendance, meetings, members, minutes, polls, teams
from storage.models import AnnouncementState, Answer, Audience, MeetingStatus, Role
from tests import arrange
from tests.conftest import Harness

_group_ids = itertools.count(-1009990000, -1)
TEAM_GROUP = -1001800
KASIA, MAREK, OBCY, EWA = 2001, 2002, 2666, 2003
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
# What must never show up in a stranger's group (Ewa is a coordinator of the team too).
SECRETS = (
    "Zduńsk",  # the team, its municipality and its institutions
    "Katarzyna",
    "Nowak",
    "Wiśniewski",
    "Zielińsk",
    "MOPS, sala 12",
    "Urząd Miasta, sala 5",
    "Budżet na 2027",
    "Rozpoznać potrzeby rodzin",
    "Gościński",  # a guest in the register
    "Szkoła Podstawowa nr 3",  # the date poll
    "Ferie zimowe",
    "Dyżury świąteczne",  # an announcement sent
    "Szkolenie z Niebieskiej Karty",  # and one planned
)
# In the other team's group Ewa belongs: her name may show there, nothing else of the team.
OTHER_TEAMS_SECRETS = tuple(s for s in SECRETS if s != "Zielińsk")
# Arguments that take each command past its first question or into its data; the English
# alias gets the last (the same handler reads them).
ARGUMENTS: dict[str, tuple[str, ...]] = {
    "start": ("", "{token}"),
    "nowe": ("", "wtorek 14:30; MOPS sala 12; budżet"),
    "spotkania": ("", "2"),
    "zadania": ("", "wszystkie"),
    "zadanie": ("", "do piątku: sprawdzić salę", "@marek do piątku: sprawdzić salę"),
    "decyzja": ("", "Przyjmujemy harmonogram"),
    "protokol": ("", "1"),
    "obecnosc": ("", "1"),
    "termin": ("", "MOPS; wtorek 10; środa 10"),
    "przypomnienia": ("", "2h"),
    "koszyk": ("", "pomoc"),
    "ogloszenie": ("", "Ważne"),
    "ogloszenia": ("", "wszystkie"),
    "raport": ("", "1.01.2026 – 30.11.2026", "2026"),
    "zespol": ("", "PZK"),
    "zaproszenie": ("", "koordynator"),
    "jezyk": ("", "en"),
    "moje_dane": ("", "json"),
    "usun_dane": ("", "tak"),
}


async def _arrange(harness: Harness) -> dict[str, Any]:
    for user_id, first_name in ((KASIA, "Katarzyna"), (OBCY, "Obcy"), (EWA, "Ewa")):
        harness.user(user_id, first_name)
    harness.user(MAREK, "Marek", username="marek")
    harness.set_clock(NOW)
    async with harness.session() as session:
        ids = await arrange.team(session)
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
        await arrange.person(session, ids.team_id, MAREK, "Marek Wiśniewski")
        await arrange.person(session, ids.team_id, EWA, "Ewa Zielińska", Role.COORDINATOR)
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
        marek = await members.find_member(session, MAREK)
        assert author is not None and marek is not None
        await minutes.add_decision(session, held, "Budżet na 2027 przyjęty", author)
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
        await attendance.mark(session, held, marek.id, True, author, NOW)
        await attendance.add_guest(session, held, "Jan Gościński, Kuratorium Oświaty", author, NOW)
        await meetings.schedule(
            session,
            team,
            datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
            "Urząd Miasta, sala 5",
            None,
            None,
            now=NOW,
        )
        poll = await polls.create_poll(
            session,
            team,
            [NOW + timedelta(days=3), NOW + timedelta(days=4)],
            "Szkoła Podstawowa nr 3",
            "Ferie zimowe",
            author,
            now=NOW,
        )
        await polls.vote(session, poll.slots[0].id, marek, Answer.YES)
        sent = await announcements.start_draft(session, author, KASIA, NOW)
        sent.audience, sent.audience_id = Audience.TEAM, team.id
        sent.text_html, sent.ask_read = "Dyżury świąteczne w MOPS", True
        sent.state, sent.started_at = AnnouncementState.DONE, NOW
        planned = await announcements.start_draft(session, author, KASIA, NOW)
        planned.audience, planned.audience_id = Audience.TEAM, team.id
        planned.text_html = "Szkolenie z Niebieskiej Karty"
        planned.send_at = NOW + timedelta(days=10)
        await announcements.confirm(session, planned, NOW, actor_telegram_id=KASIA)
        draft = await announcements.start_draft(session, author, KASIA, NOW)
        token = await arrange.invitation(session, team.id)
    return {
        "meeting_id": held.id,
        "team_id": ids.team_id,
        "poll_id": poll.id,
        "planned_id": planned.id,
        "draft_id": draft.id,
        "token": token,
    }


def _texts(polish: str, english: str | None, token: str) -> list[str]:
    variants = ARGUMENTS.get(polish, ("",))
    sent = [f"/{polish} {args}" for args in variants]
    if english:
        sent.append(f"/{english} {variants[-1]}")
    return [text.format(token=token).strip() for text in sent]


def _strangers_group(harness: Harness, people: tuple[int, ...] = (OBCY, MAREK, KASIA)) -> int:
    """A new group of the stranger's, with people of the team in it too."""
    chat_id = next(_group_ids)
    harness.emu.add_group(chat_id, "Rodzice 3b")
    for user_id in people:
        harness.emu.set_member(chat_id, user_id)
    harness.emu.add_bot_to_group(chat_id, by_user_id=people[0])
    return chat_id


def _leaks(harness: Harness, groups: set[int], secrets: tuple[str, ...]) -> list[str]:
    """Texts, captions and buttons sent or edited into the groups that name a secret."""
    return [
        f"{c.method} {c.params.get('chat_id')}: "
        + (c.params.get("text") or c.params.get("caption") or str(c.params))[:300]
        for c in harness.emu.calls
        if c.params.get("chat_id") in groups and any(s in str(c.params) for s in secrets)
    ]


def _readable(content: bytes) -> str:
    """A file's text as a reader would see it: Office files unzipped and their tags dropped,
    calendar lines unfolded and unescaped."""
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            xml = " ".join(archive.read(n).decode("utf-8", "ignore") for n in archive.namelist())
        return re.sub(r"<[^>]+>", "", xml)
    text = content.decode("utf-8", "ignore").replace("\r\n ", "").replace("\\", "")
    return text


def _files_with(harness: Harness, groups: set[int], secrets: tuple[str, ...]) -> list[str]:
    found = []
    for chat_id in groups:
        for message in harness.emu.messages(chat_id):
            files = [message["document"]] if "document" in message else []
            files += message.get("photo", [])[-1:]
            for sent in files:
                text = _readable(harness.emu.file_bytes(sent["file_id"]))
                text += " " + str(message.get("caption", ""))
                found += [f"{chat_id}: {s}" for s in secrets if s in text]
    return found


async def test_every_command_is_answered_and_shows_nothing_of_the_team(harness: Harness) -> None:
    """Each command in a group of its own: Telegram lets a bot send 20 a minute to a group."""
    data = await _arrange(harness)
    groups: list[int] = []
    for user_id in (OBCY, MAREK, KASIA):
        for polish, english, _ in COMMANDS:
            if polish == "polacz" and user_id == KASIA:
                continue  # her explicit choice to make this the team's group; tested below
            for text in _texts(polish, english, data["token"]):
                chat_id = _strangers_group(harness)
                groups.append(chat_id)
                harness.emu.send_message(user_id, text, chat_id=chat_id)
    for chat_id in groups:
        # The greeting for being added, and the answer (in either order: two people's updates).
        for _ in range(2):
            await harness.emu.next_message(chat_id, timeout=60)
    await harness.emu.settle()
    leaks = _leaks(harness, set(groups), SECRETS)
    assert not leaks, "\n---\n".join(leaks)
    files = [c for c in harness.emu.calls if c.method in ("sendDocument", "sendPhoto")]
    assert not [c for c in files if c.params.get("chat_id") in groups]
    async with harness.session() as session:
        planned = await announcements.get(session, data["planned_id"])
        assert planned.state == AnnouncementState.SCHEDULED


async def _other_teams_group(harness: Harness, n: int) -> int:
    """A group linked to another team (Ewa is in it too), with its own upcoming meeting."""
    chat_id = next(_group_ids)
    async with harness.session() as session:
        other = await arrange.team(session, f"Sieradz {n}", institutions=())
        await arrange.person(session, other.team_id, EWA, "Ewa Zielińska")
        team = await teams.get_team(session, other.team_id)
        team.chat_id = chat_id
        await meetings.schedule(
            session, team, NOW + timedelta(days=5), "Sieradz, ul. Długa 1", None, None, now=NOW
        )
    harness.emu.add_group(chat_id, f"PZK Sieradz {n}")
    for user_id in (OBCY, MAREK, KASIA, EWA):
        harness.emu.set_member(chat_id, user_id)
    harness.emu.add_bot_to_group(chat_id, by_user_id=EWA)
    return chat_id


async def test_another_teams_group_shows_nothing_of_the_first_team(harness: Harness) -> None:
    """Members of the first team (Ewa of both) write every command in the second team's
    group: in chunks of 15 per group, within Telegram's 20 messages a minute to a group."""
    data = await _arrange(harness)
    texts = [
        text for polish, english, _ in COMMANDS for text in _texts(polish, english, data["token"])
    ]
    sent: dict[int, int] = {}
    for user_id in (OBCY, MAREK, KASIA, EWA):
        for start in range(0, len(texts), 15):
            chat_id = await _other_teams_group(harness, len(sent))
            sent[chat_id] = len(texts[start : start + 15])
            for text in texts[start : start + 15]:
                harness.emu.send_message(user_id, text, chat_id=chat_id)
    for chat_id, count in sent.items():
        for _ in range(1 + count):  # the greeting and at least one answer to each
            await harness.emu.next_message(chat_id, timeout=90)
    await harness.emu.settle()
    leaks = _leaks(harness, set(sent), OTHER_TEAMS_SECRETS)
    assert not leaks, "\n---\n".join(leaks)
    files = _files_with(harness, set(sent), OTHER_TEAMS_SECRETS)
    assert not files, files
    # Ewa's own things of the second team do show there: the check above could see them.
    listed = [
        c
        for c in harness.emu.calls
        if c.params.get("chat_id") in sent and "Sieradz, ul. Długa 1" in str(c.params)
    ]
    assert listed


async def test_forged_buttons_of_the_team_are_refused_there(harness: Harness) -> None:
    """Buttons crafted with the team's ids, pressed in the stranger's group."""
    data = await _arrange(harness)
    meeting_id, team_id = data["meeting_id"], data["team_id"]
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
        f"pl:r:{data['poll_id']}",
        f"an:c:{data['planned_id']}",
        f"an:aud:{data['draft_id']}",
        f"an:s:{data['draft_id']}",
        "mb:r:1",
        "mn:d:1:l",
    ]
    for user_id in (OBCY, MAREK, KASIA):  # a stranger, a member, a coordinator
        for button in forged:
            if user_id == KASIA and button.startswith("ln:"):
                continue  # the link question's button: hers to press (tested below)
            query = harness.emu.send_callback(user_id, chat_id, anchor["message_id"], button)
            answer = await harness.emu.callback_answer(query, timeout=30)
            assert answer.get("show_alert"), (user_id, button, answer)  # a refusal
    await harness.emu.settle()
    leaks = _leaks(harness, {chat_id}, SECRETS)
    assert not leaks, leaks
    async with harness.session() as session:
        team = await teams.get_team(session, team_id)
        assert team.chat_id == TEAM_GROUP  # still the team's own group
        meeting = await meetings.load_meeting(session, meeting_id)
        assert meeting.status == MeetingStatus.SCHEDULED
        planned = await announcements.get(session, data["planned_id"])
        assert planned.state == AnnouncementState.SCHEDULED


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


async def test_the_teams_own_group_sees_the_teams_meetings_and_tasks(harness: Harness) -> None:
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
    # The team's tasks, with whose they are, and no Done buttons (refused in groups anyway).
    tasks = await harness.say(MAREK, "/zadania", chat_id=TEAM_GROUP)
    assert "Rozpoznać potrzeby rodzin · Marek Wiśniewski" in tasks["text"]
    assert "Twoje otwarte zadania" not in tasks["text"] and not harness.emu.buttons(tasks)
    # Announcements, sent or planned, are their coordinators' private view, even here.
    history = await harness.say(KASIA, "/ogloszenia", chat_id=TEAM_GROUP)
    assert "Dyżury" not in history["text"] and not harness.emu.buttons(history)
