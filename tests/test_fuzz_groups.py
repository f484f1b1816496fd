"""Any command with arbitrary arguments in a group added by a stranger (hypothesis).

Each example is a fresh group of a stranger's, with a fresh person in it (a coordinator, a
member or a stranger to the team) who sends one command, Polish or English, with arbitrary
Unicode arguments. Whatever it is: an answer comes, no Bot API call of the bot is refused (a
400), the generic apology never shows, and nothing of the team (its name, its members' names,
its meetings' places and agendas, its tasks and announcements) reaches the group.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from bot.application import COMMANDS
from storage import announcements, meetings, minutes, teams
from storage.members import find_member
from storage.models import AnnouncementState, Audience, Role
from tests import arrange
from tests.conftest import Harness
from tests.fuzzing import count_case, fuzz_settings

EXAMPLES = 40
APOLOGY = "wystąpił błąd po mojej stronie"
ROLES = (Role.COORDINATOR, Role.MEMBER, None)
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
COORDINATOR_ID = 799_999
SECRETS = (
    "Zduńsk",
    "Koordynatorka Tajna",
    "Tajna Osoba",  # every example's own person
    "MOPS, sala 12",
    "Budżet na 2027",
    "Rozpoznać potrzeby rodzin",
    "Dyżury świąteczne",
)
_ids = itertools.count(800_000)
_group_ids = itertools.count(-1008880000, -1)

names = st.sampled_from(
    [name for polish, english, _ in COMMANDS for name in (polish, english) if name] + ["nieznana"]
)
# Mostly text people could type, with control characters, HTML, digits and dates among them.
free_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=300
) | st.sampled_from(
    ["<b>", "&amp;", "\u200b", "x" * 5000, "44051401359", "2026", "@tajna", "1;2;3", "en"]
)


@pytest.fixture
async def world(harness: Harness) -> dict[str, int]:
    """A team with a meeting that has started (minutes, tasks, a register) and one to come,
    and an announcement sent by its coordinator."""
    harness.set_clock(NOW)
    async with harness.session() as session:
        ids = await arrange.team(session)
        await arrange.person(
            session, ids.team_id, COORDINATOR_ID, "Koordynatorka Tajna", Role.COORDINATOR
        )
        team = await teams.get_team(session, ids.team_id)
        author = await find_member(session, COORDINATOR_ID)
        assert author is not None
        started = NOW - timedelta(minutes=30)
        held = await meetings.schedule(
            session, team, started, "MOPS, sala 12", None, author, now=started - timedelta(days=1)
        )
        await meetings.schedule(
            session,
            team,
            NOW + timedelta(days=2),
            "MOPS, sala 12",
            "Budżet na 2027",
            author,
            now=NOW,
        )
        await minutes.add_task(
            session,
            team.id,
            held.id,
            "Rozpoznać potrzeby rodzin",
            author,
            (NOW + timedelta(days=5)).date(),
            author,
            NOW,
        )
        sent = await announcements.start_draft(session, author, COORDINATOR_ID, NOW)
        sent.audience, sent.audience_id = Audience.TEAM, team.id
        sent.text_html, sent.state = "Dyżury świąteczne w MOPS", AnnouncementState.DONE
    harness.user(COORDINATOR_ID, "Koordynatorka")
    return {"team_id": ids.team_id}


async def _person(harness: Harness, team_id: int, role: Role | None) -> int:
    user_id = next(_ids)
    return await arrange.fuzz_person(harness, team_id, user_id, role, f"Tajna Osoba {user_id}")


def _strangers_group(harness: Harness, user_id: int) -> int:
    chat_id = next(_group_ids)
    harness.emu.add_group(chat_id, "Wycieczka klasowa")
    for person in (user_id, COORDINATOR_ID):
        harness.emu.set_member(chat_id, person)
    harness.emu.add_bot_to_group(chat_id, by_user_id=user_id)
    return chat_id


@fuzz_settings(EXAMPLES)
@given(role=st.sampled_from(ROLES), name=names, args=free_text)
# Found before: the announcement history, texts and a cancel button, posted into the group.
@example(role=Role.COORDINATOR, name="ogloszenia", args="")
async def test_any_command_in_a_strangers_group_shows_nothing_of_the_team(
    request: pytest.FixtureRequest,
    harness: Harness,
    world: dict[str, int],
    role: Role | None,
    name: str,
    args: str,
) -> None:
    # A coordinator's /polacz there is the one way to make it the team's group, by design.
    assume(not (role == Role.COORDINATOR and name in ("polacz", "link")))
    count_case(request, "group commands")
    user = await _person(harness, world["team_id"], role)
    chat_id = _strangers_group(harness, user)
    await harness.emu.next_message(chat_id, timeout=30)  # the greeting for being added
    since = len(harness.emu.calls)
    with contextlib.suppress(ValueError):  # a text Telegram itself would not send
        harness.emu.send_message(user, f"/{name} {args}".rstrip(), chat_id=chat_id)
        answer = await harness.emu.next_message(chat_id, timeout=30)
        assert answer.get("text") or answer.get("document") or answer.get("photo")
    await harness.emu.settle(quiet=0.05)
    calls = harness.emu.calls[since:]
    refused = [c for c in calls if c.status == 400]
    assert not refused, [(c.method, c.response.get("description")) for c in refused]
    said = [str(c.params) for c in calls if c.params.get("chat_id") == chat_id]
    assert not any(APOLOGY in text for text in said)
    leaks = [text[:300] for text in said if any(s in text for s in SECRETS)]
    assert not leaks, leaks
    files = [c for c in calls if c.method in ("sendDocument", "sendPhoto")]
    assert not [c for c in files if c.params.get("chat_id") == chat_id]
