"""Arbitrary input to every handler, through the strict emulator (hypothesis).

Each example is a fresh person (a coordinator, a member or a stranger) sending one command
with arbitrary Unicode arguments, arbitrary text during a dialogue, or a crafted button.
Whatever it is: an answer comes, no Bot API call of the bot is refused (a 400 would mean an
unescaped text, an overlong message or bad callback data), and the generic "error on my side"
apology never shows (it means an unhandled exception).
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.application import CALLBACKS, COMMANDS
from storage import meetings, teams
from storage.members import find_member
from storage.models import Role
from tests import arrange
from tests.conftest import Harness
from tests.fuzzing import count_case, fuzz_settings

WARSAW = ZoneInfo("Europe/Warsaw")
# Per kind and backend: about half a minute in all, the same examples every run (CI must not
# turn red by chance). FUZZ_EXAMPLES=1000 hunts longer, with new random examples each time.
EXAMPLES = 60
APOLOGY = "wystąpił błąd po mojej stronie"
ROLES = (Role.COORDINATOR, Role.MEMBER, None)
_ids = itertools.count(700_000)

commands = st.sampled_from([polish for polish, _, _ in COMMANDS] + ["nieznana", "start@inny_bot"])
# Mostly text people could type, with some control characters, HTML and digits among them.
free_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=300
) | st.sampled_from(["<b>", "&amp;", "</i>", "\u200b", "x" * 5000, "44051401359", "1;2;3;4"])
callback = st.builds(
    lambda prefix, parts: ":".join([prefix, *parts])[:64],
    st.sampled_from(list(CALLBACKS) + ["zz"]),
    st.lists(st.text("0123456789-abcyn", max_size=6) | st.integers(-5, 10**6).map(str), max_size=5),
)


@pytest.fixture
async def world(harness: Harness) -> dict[str, int]:
    """A team with a meeting that has started (register, minutes) and one still to come."""
    now = await _now(harness)
    async with harness.session() as session:
        ids = await arrange.team(session)
        await arrange.person(session, ids.team_id, 699_999, "Koordynatorka", Role.COORDINATOR)
        team = await teams.get_team(session, ids.team_id)
        author = await find_member(session, 699_999)
        past, future = now - timedelta(minutes=30), now + timedelta(days=2)
        await meetings.schedule(
            session, team, past, "MOPS", None, author, now=past - timedelta(days=1)
        )
        await meetings.schedule(session, team, future, "MOPS", "Plan", author, now=now)
    harness.user(699_999, "Koordynatorka")  # gets the register card of the started meeting
    return {"team_id": ids.team_id}


async def _now(harness: Harness):  # type: ignore[no-untyped-def]
    from datetime import datetime

    moment = datetime(2026, 11, 24, 10, 30, tzinfo=WARSAW)
    harness.set_clock(moment)
    return moment


async def _person(harness: Harness, team_id: int, role: Role | None) -> int:
    user_id = next(_ids)
    return await arrange.fuzz_person(harness, team_id, user_id, role, f"Osoba {user_id}")


def _check_calls(harness: Harness, since: int) -> None:
    refused = [c for c in harness.emu.calls[since:] if c.status == 400]
    assert not refused, [(c.method, c.response.get("description")) for c in refused]
    said = " ".join(str(c.params.get("text", "")) for c in harness.emu.calls[since:])
    assert APOLOGY not in said


@fuzz_settings(EXAMPLES)
@given(role=st.sampled_from(ROLES), command=commands, args=free_text, reply=free_text)
async def test_any_command_and_any_typed_answer_gets_an_answer(
    request: pytest.FixtureRequest,
    harness: Harness,
    world: dict[str, int],
    role: Role | None,
    command: str,
    args: str,
    reply: str,
) -> None:
    count_case(request, "commands with typed answers")
    user = await _person(harness, world["team_id"], role)
    since = len(harness.emu.calls)
    answer = await harness.say(user, f"/{command} {args}".rstrip())
    assert answer["text"] if "text" in answer else answer.get("document") or answer.get("photo")
    # Whatever was asked (a place, a due day, a guest, a poll's dates...), answer anything.
    with contextlib.suppress(ValueError):  # a text Telegram itself would not send
        harness.emu.send_message(user, reply)
    await harness.emu.settle(quiet=0.05)
    _check_calls(harness, since)


@fuzz_settings(EXAMPLES)
@given(role=st.sampled_from(ROLES), data=callback)
async def test_any_crafted_button_is_answered(
    request: pytest.FixtureRequest,
    harness: Harness,
    world: dict[str, int],
    role: Role | None,
    data: str,
) -> None:
    count_case(request, "callback data")
    user = await _person(harness, world["team_id"], role)
    anchor = await harness.say(user, "/pomoc")
    since = len(harness.emu.calls)
    query = harness.emu.send_callback(user, user, anchor["message_id"], data)
    answered = await harness.emu.callback_answer(query)
    assert answered is not None
    await harness.emu.settle(quiet=0.05)
    _check_calls(harness, since)
