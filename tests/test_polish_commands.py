"""Commands typed with Polish letters ("/zespół", "/usuń_dane"), as phones autocorrect them.

Telegram marks no bot_command entity for "/zespół" (tdlib's rule, which the emulator
mirrors), so the bot reads such a text itself (bot/commands.py). Every command's Polish-letter
spelling and its ASCII one must reach the same handler, in a private chat and in the team's
group (with @botname too), and any other text after "/" gets a clear answer, never a crash.

Also the figures of issue 19: the longest message and the tallest keyboard each command
answers with, in both languages (printed, not asserted).
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from telegram import Bot, Update, User
from telegram.ext import CommandHandler

from bot.application import COMMANDS, build_application, polling
from bot.commands import POLISH_SPELLINGS, SpelledCommandHandler, fold
from botapi_emulator.entities import detect_entities
from storage import meetings, minutes, teams
from storage.members import find_member
from storage.models import Role
from tests import arrange
from tests.conftest import BOT_USERNAME, Harness, make_settings
from tests.fuzzing import count_case, fuzz_settings

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
KASIA, JOHN = 3101, 3102  # coordinators: Polish and English Telegram apps
GROUP = -1003100
UNKNOWN = ("Nie znam tego polecenia", "I don't know that command")
APOLOGY = "wystąpił błąd po mojej stronie"
ARGS = "przemoc w rodzinie"


@pytest.fixture
async def fast(emulator: Any, db: Any, db_url: str) -> AsyncIterator[Harness]:
    """The real bot and the emulator without Telegram's flood limits (the bot's pacing and
    the emulator's limits are tested elsewhere): many commands in one chat, quickly."""
    emulator.limits = None
    async with polling(build_application(make_settings(emulator, db_url), paced=False)) as app:
        yield Harness(emulator, db, app)


def _routing_only(db_url: str) -> None:
    """Which handler a spelling reaches, and the shape of the answers, do not depend on the
    database: the long runs of these go on SQLite only (the group test runs on both)."""
    if not db_url.startswith("sqlite"):
        pytest.skip("routing, not storage: SQLite is enough")


async def _arrange(h: Harness, bot_status: str = "administrator") -> None:
    """A PZK with two coordinators, a meeting that has started (register, minutes, a task)
    and one to come, its group linked (the bot an administrator there: it reads everything)."""
    h.set_clock(NOW)
    async with h.session() as session:
        ids = await arrange.team(session)
        for user_id, name in ((KASIA, "Katarzyna Nowak"), (JOHN, "John Smith")):
            await arrange.person(session, ids.team_id, user_id, name, Role.COORDINATOR)
        team = await teams.get_team(session, ids.team_id)
        team.chat_id = GROUP
        author = await find_member(session, KASIA)
        assert author is not None
        started = NOW - timedelta(minutes=30)
        held = await meetings.schedule(
            session, team, started, "MOPS, sala 12", None, author, now=started - timedelta(days=1)
        )
        await meetings.schedule(
            session, team, NOW + timedelta(days=2), "MOPS, sala 12", "Budżet", author, now=NOW
        )
        due = (NOW + timedelta(days=5)).date()
        await minutes.add_task(session, team.id, held.id, "Dyżury", author, due, author, NOW)
    h.user(KASIA, "Katarzyna")
    h.user(JOHN, "John", language_code="en")
    h.emu.add_group(GROUP, "PZK Zduńska Wola")
    for user_id in (KASIA, JOHN):
        h.emu.set_member(GROUP, user_id)
    h.emu.add_bot_to_group(GROUP, by_user_id=KASIA, status=bot_status)
    await h.emu.next_message(GROUP)  # the greeting for being added
    # The register card of the started meeting reaches the coordinators at the scheduler's
    # next tick: let it come first, not amid the answers compared below.
    await h.emu.next_message(KASIA, timeout=30)
    await h.emu.settle(quiet=1.5, timeout=30)


def _last_id(h: Harness, chat_id: int) -> int:
    return max((m["message_id"] for m in h.emu.messages(chat_id)), default=0)


async def _answers(
    h: Harness, user_id: int, text: str, chat_id: int | None = None, *, silent: bool = False
) -> list[Any]:
    """Everything the bot sent into the chat after ``text`` (waiting for a first message
    unless ``silent`` is expected: a document takes a while to make)."""
    chat = chat_id if chat_id is not None else user_id
    since = _last_id(h, chat)
    h.emu.send_message(user_id, text, chat_id=chat_id)
    for _ in range(300 if not silent else 0):
        if _last_id(h, chat) > since:
            break
        await asyncio.sleep(0.1)
    await h.emu.settle(quiet=0.3 if silent else 0.15, timeout=30)
    return [m for m in h.emu.messages(chat) if m["message_id"] > since]


def _shape(h: Harness, message: dict[str, Any]) -> str:
    """A message with what changes between two sends (numbers, tokens) masked."""
    body = message.get("text") or message.get("caption") or ""
    body += " " + message.get("document", {}).get("file_name", "")
    body += " " + repr(h.button_labels(message))
    return re.sub(r"[A-Za-z0-9_-]{12,}|\d+", "#", body)


def _spellings(polish: str, english: str | None) -> list[str]:
    names = [polish] + ([english] if english else [])
    spelled = POLISH_SPELLINGS.get(polish)
    # As typed: the autocorrected word, capitalised by the phone, or only partly accented.
    return names + ([spelled, spelled.capitalize(), spelled.replace("ó", "o")] if spelled else [])


def test_the_table_spells_our_commands() -> None:
    ascii_names = {polish for polish, _, _ in COMMANDS}
    assert set(POLISH_SPELLINGS) <= ascii_names
    for ascii_name, spelled in POLISH_SPELLINGS.items():
        assert fold(spelled) == ascii_name
        assert spelled != ascii_name and not spelled.isascii()


@pytest.mark.parametrize("spelled", sorted(POLISH_SPELLINGS.values()))
def test_telegram_marks_no_command_in_a_polish_word(spelled: str) -> None:
    """Why the bot reads the text itself: tdlib marks nothing in "/zespół", nor its
    "@botname" (a mention must not follow a letter)."""
    assert detect_entities(f"/{spelled}") == []
    assert detect_entities(f"/{spelled}@{BOT_USERNAME} a") == []
    assert [e["type"] for e in detect_entities(f"/{spelled} @{BOT_USERNAME}")] == ["mention"]


@pytest.mark.parametrize(
    "text", ["/zespol  a\nb  c", "/zespol@" + BOT_USERNAME + " a b", "/zespol"]
)
def test_args_are_filled_as_command_handler_fills_them(text: str) -> None:
    bot = Bot("1:x")
    bot._bot_user = User(id=1, first_name="b", is_bot=True, username=BOT_USERNAME)
    first = text.split()[0]
    ascii_update = _update(text, bot, [{"type": "bot_command", "offset": 0, "length": len(first)}])
    spelled_update = _update(text.replace("zespol", "Zespół"), bot, [])
    expected = CommandHandler("zespol", _noop).check_update(ascii_update)
    assert isinstance(expected, tuple)
    assert SpelledCommandHandler(["zespół"], _noop).check_update(spelled_update) == expected[0]
    other = _update(text.replace("zespol", "zespół").split()[0] + "@inny_bot", bot, [])
    assert SpelledCommandHandler(["zespół"], _noop).check_update(other) is None


async def _noop(update: object, context: object) -> None:
    return None


def _message(text: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 5, "type": "private"},
        "from": {"id": 5, "is_bot": False, "first_name": "A"},
        "text": text,
        **extra,
    }


def _update(text: str, bot: Bot, entities: list[dict[str, Any]]) -> Update:
    return Update.de_json({"update_id": 1, "message": _message(text, {"entities": entities})}, bot)


async def test_every_command_with_polish_letters_reaches_its_handler_in_private(
    fast: Harness, db_url: str
) -> None:
    _routing_only(db_url)
    await _arrange(fast)
    for polish, english, _ in COMMANDS:
        for args in ("", " " + ARGS):
            expected = [_shape(fast, m) for m in await _answers(fast, KASIA, f"/{polish}{args}")]
            assert expected, f"/{polish}{args} got no answer"
            for name in _spellings(polish, english)[1:]:
                got = [_shape(fast, m) for m in await _answers(fast, KASIA, f"/{name}{args}")]
                assert got == expected, f"/{name}{args} answered unlike /{polish}{args}"
            assert not any(u in text for text in expected for u in UNKNOWN), expected


async def test_every_command_with_polish_letters_reaches_its_handler_in_the_group(
    fast: Harness,
) -> None:
    await _arrange(fast)
    me = f"@{BOT_USERNAME}"
    for polish, spelled in POLISH_SPELLINGS.items():
        expected = [_shape(fast, m) for m in await _answers(fast, KASIA, f"/{polish}", GROUP)]
        assert expected and not any(u in t for t in expected for u in UNKNOWN), expected
        for text in (f"/{polish}{me}", f"/{spelled}", f"/{spelled}{me}", f"/{spelled.upper()}"):
            got = [_shape(fast, m) for m in await _answers(fast, KASIA, text, GROUP)]
            assert got == expected, f"{text} answered unlike /{polish} in the group"
        for_another = await _answers(fast, KASIA, f"/{spelled}@inny_bot", GROUP, silent=True)
        assert for_another == [], f"/{spelled}@inny_bot is not for this bot"


async def test_in_privacy_mode_a_polish_command_reaches_the_bot_as_a_reply(
    fast: Harness,
) -> None:
    """A plain member of a group with privacy mode gets "/zespół" only when addressed: as a
    reply to its message (Telegram marks no command, nor the @botname glued to it)."""
    await _arrange(fast, bot_status="member")
    assert await _answers(fast, KASIA, f"/zespół@{BOT_USERNAME}", GROUP, silent=True) == []
    greeting = fast.emu.messages(GROUP)[0]
    expected = [_shape(fast, m) for m in await _answers(fast, KASIA, "/zespol", GROUP)]
    since = _last_id(fast, GROUP)
    fast.emu.send_message(
        KASIA, "/zespół", chat_id=GROUP, reply_to_message_id=greeting["message_id"]
    )
    # The first answer, then quiet: settling alone returned before a loaded machine answered.
    for _ in range(300):
        if _last_id(fast, GROUP) > since:
            break
        await asyncio.sleep(0.1)
    await fast.emu.settle(quiet=0.15, timeout=30)
    got = [_shape(fast, m) for m in fast.emu.messages(GROUP) if m["message_id"] > since]
    assert got == expected


@pytest.mark.parametrize("text", ["/żółw", "/😀", "/", "/ start", "/zespółx", "/ZAŻÓŁĆ_gęślą"])
async def test_other_slashes_get_the_unknown_command_answer(fast: Harness, text: str) -> None:
    await _arrange(fast)
    said = await _answers(fast, KASIA, text)
    assert [m["text"] for m in said] == ["Nie znam tego polecenia. Zobacz, co potrafię: /pomoc."]
    # In the group (where the bot reads everything) only when addressed to it.
    assert await _answers(fast, KASIA, text, GROUP, silent=True) == []
    addressed = await _answers(fast, KASIA, f"{text.split()[0]}@{BOT_USERNAME}", GROUP)
    assert [m["text"] for m in addressed] == [
        "Nie znam tego polecenia. Zobacz, co potrafię: /pomoc."
    ]


OURS = {fold(name) for polish, english, _ in COMMANDS for name in (polish, english) if name}


@fuzz_settings(40)
@given(rest=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
@example(rest="zespół\u0301")
@example(rest="ус")
@example(rest="zespo\u0301ł")  # decomposed "ó": Telegram marks "/zespo" only
@example(rest="żółw@inny_bot")  # in a private chat too, an answer
async def test_any_unicode_after_the_slash_gets_an_answer(
    request: pytest.FixtureRequest, fast: Harness, db_url: str, rest: str
) -> None:
    _routing_only(db_url)
    count_case(request, "slash commands")
    harness = fast
    harness.user(KASIA, "Katarzyna")
    try:
        sent = harness.emu.send_message(KASIA, "/" + rest)
    except ValueError:
        return  # a text Telegram itself would not send
    answer = await harness.emu.next_message(KASIA, timeout=30)
    await harness.emu.settle(quiet=0.05)
    assert APOLOGY not in str(answer)
    first = sent["text"].split()[0][1:].partition("@")[0] if sent["text"].strip() != "/" else ""
    if fold(first) not in OURS:
        assert answer["text"].startswith("Nie znam tego polecenia"), answer


# -- figures ------------------------------------------------------------------------------


def _figures(h: Harness, said: list[dict[str, Any]]) -> tuple[int, int, int, int]:
    """(lines, characters) of the longest message, (rows, buttons) of the tallest keyboard."""
    texts = [m.get("text") or m.get("caption") or "" for m in said]
    keyboards = [h.emu.buttons(m) for m in said]
    return (
        max((t.count("\n") + 1 for t in texts if t), default=0),
        max((len(t) for t in texts), default=0),
        max((len(rows) for rows in keyboards), default=0),
        max((sum(len(r) for r in rows) for rows in keyboards), default=0),
    )


async def test_figures_longest_message_and_tallest_keyboard_per_command(
    fast: Harness, db_url: str, capsys: pytest.CaptureFixture[str], record_property: Any
) -> None:
    """Printed for the issue's figures (shown with or without -s); a soft record only: the
    table is also kept as a property of the test (JUnit XML)."""
    _routing_only(db_url)
    await _arrange(fast)
    rows = []
    for polish, _, _ in COMMANDS:
        line = [f"/{polish}"]
        for user_id in (KASIA, JOHN):
            lines, chars, kb_rows, buttons = _figures(
                fast, await _answers(fast, user_id, f"/{polish}")
            )
            line += [str(lines), str(chars), str(kb_rows), str(buttons)]
        rows.append(line)
    header = ["command"] + [
        f"{lang} {what}"
        for lang in ("pl", "en")
        for what in ("lines", "chars", "kb rows", "buttons")
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    table = "\n".join(
        "  ".join(
            cell.rjust(w) if i else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [header, *rows]
    )
    record_property("figures_per_command", table)
    # To the terminal itself: shown in CI's output, also from a pytest-xdist worker.
    with capsys.disabled():
        backend = db_url.split(":", 1)[0]
        title = (
            f"Longest message and tallest keyboard per command (coordinator, private, {backend}):"
        )
        print(f"\n{title}\n{table}", file=sys.__stderr__, flush=True)
