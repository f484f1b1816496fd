"""Faults of the Bot API survived: outages (5xx or hanging) and 429 storms.

The real bot against the emulator over HTTP, on real databases. Replies, reminders (rows of
the durable queue) and announcements due while Telegram is down all go out once it is back,
each exactly once, except that a send that timed out may have been delivered by Telegram
anyway: then the message in flight repeats once, and the emulator says exactly which
(``abandoned_calls``). Under tight flood limits everything arrives once, in order per chat,
and the bot never writes to a chat before the ``retry_after`` it was given has elapsed.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.application import build_application, polling
from bot.delivery import ReliableRateLimiter
from botapi_emulator import ApiCall, BotApiEmulator, FloodLimits
from storage import announcements, meetings, members, teams
from storage.db import Database
from storage.models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementState,
    Audience,
    Delivery,
    Role,
    ScheduledKind,
    ScheduledMessage,
    SendState,
)
from tests import arrange
from tests.conftest import Harness, make_settings

WARSAW = ZoneInfo("Europe/Warsaw")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW).astimezone(UTC)
DUE = T0 + timedelta(hours=1)  # the reminders (1 hour before) and the announcement
GROUP = -1002500
KASIA, OLA, MAREK = 4001, 4002, 4003  # coordinator, two members who also write to the bot
FIRST_MEMBER = 40_000
OUTAGE = 8.0  # seconds
ANNOUNCEMENT = "Awaria minęła"
SENDS = ("sendMessage", "sendPhoto", "sendDocument")


@dataclass(frozen=True)
class Team:
    team_id: int
    announcement_id: int
    chats: list[int]  # every chat that gets a reminder and the announcement


async def _team(harness: Harness, people: int, chatters: tuple[int, ...] = (OLA, MAREK)) -> Team:
    """Kasia's team with `chatters` and `people` more members and a group; a meeting at
    DUE + 1 h (its 1-hour reminders fall due at DUE) and an announcement planned for DUE."""
    emu = harness.emu
    harness.set_clock(T0)
    emu.add_user(KASIA, "Katarzyna")
    emu.add_group(GROUP, "PZK Zduńska Wola")
    emu.add_bot_to_group(GROUP, by_user_id=KASIA)
    await emu.next_message(GROUP)  # the greeting
    others = [FIRST_MEMBER + i for i in range(people)]
    async with harness.session() as session:
        ids = await arrange.team(session, institutions=())
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
        for user_id in (*chatters, *others):
            await arrange.person(session, ids.team_id, user_id, f"Osoba {user_id}")
            emu.add_user(user_id, f"Osoba {user_id}")
        team = await teams.get_team(session, ids.team_id)
        team.chat_id, team.reminder_offsets = GROUP, [60]
        await meetings.schedule(
            session, team, DUE + timedelta(hours=1), "MOPS, sala 12", None, None, now=T0
        )
        author = await members.find_member(session, KASIA)
        assert author is not None
        draft = await announcements.start_draft(session, author, KASIA, T0)
        draft.text_html, draft.audience, draft.audience_id = ANNOUNCEMENT, Audience.TEAM, team.id
        draft.send_at = DUE
        await announcements.confirm(session, draft, T0, actor_telegram_id=KASIA)
    return Team(ids.team_id, draft.id, [KASIA, *chatters, *others, GROUP])


def _sent(emu: BotApiEmulator, chat_id: int, test: Callable[[str], bool]) -> list[ApiCall]:
    """Sends Telegram carried out in that chat whose text passes `test`."""
    return [
        c
        for c in emu.calls
        if c.method in SENDS
        and c.ok
        and c.params.get("chat_id") == chat_id
        and test(str(c.params.get("text") or c.params.get("caption") or ""))
    ]


def _is_reminder(text: str) -> bool:
    return "Przypomnienie" in text


def _is_announcement(text: str) -> bool:
    return text.startswith("📢") and ANNOUNCEMENT in text


def _is_help(text: str) -> bool:
    # /start's greeting names /zespol too, never the basket.
    return "/zespol" in text and "/koszyk" in text


async def _eventually(what: str, check: Callable[[], Any], timeout: float = 40.0) -> None:
    """Wait for `check()` (a value or an awaitable) to be true."""
    deadline = time.monotonic() + timeout
    while not (await result if inspect.isawaitable(result := check()) else result):
        assert time.monotonic() < deadline, f"not within {timeout}s: {what}"
        await asyncio.sleep(0.2)


async def _all_sent(harness: Harness, team: Team) -> bool:
    async with harness.session() as session:
        due = (
            await session.scalars(
                select(ScheduledMessage.state).where(
                    ScheduledMessage.team_id == team.team_id,
                    ScheduledMessage.kind == ScheduledKind.REMINDER,
                )
            )
        ).all()
        deliveries = (
            await session.scalars(
                select(AnnouncementDelivery.state).where(
                    AnnouncementDelivery.announcement_id == team.announcement_id
                )
            )
        ).all()
        announcement = await session.get(Announcement, team.announcement_id)
    return (
        len(due) == len(team.chats)
        and all(s == Delivery.SENT for s in due)
        and len(deliveries) == len(team.chats) - 1  # not to the author
        and all(s == SendState.SENT for s in deliveries)
        and announcement is not None
        and announcement.state == AnnouncementState.DONE
    )


def _delivers(user_id: int) -> Callable[[ApiCall], bool]:
    def check(call: ApiCall) -> bool:
        return call.ok and any(
            u.get("message", {}).get("from", {}).get("id") == user_id for u in call.result
        )

    return check


def _limiter(harness: Harness) -> ReliableRateLimiter:
    limiter = harness.app.bot.rate_limiter
    assert isinstance(limiter, ReliableRateLimiter)
    return limiter


@asynccontextmanager
async def _impatient_bot(emu: BotApiEmulator, db: Database, db_url: str) -> AsyncIterator[Harness]:
    """The bot with a 1-second client timeout, so a hanging Telegram times it out quickly."""
    settings = make_settings(emu, db_url).model_copy(update={"telegram_timeout": 1.0})
    async with polling(build_application(settings)) as app:
        yield Harness(emu, db, app)


async def _outage_scenario(harness: Harness, *, status: int | None) -> Team:
    """Down for OUTAGE seconds, just as a reply is being sent, with reminders and an
    announcement falling due and a user writing meanwhile; waits until all went out."""
    emu = harness.emu
    team = await _team(harness, people=20)
    await emu.settle(quiet=0.3)
    # Ola's message is fetched; Telegram goes down before the bot can answer it.
    emu.send_message(OLA, "/pomoc")
    await emu.next_call("getUpdates", timeout=10, predicate=_delivers(OLA))
    end = emu.outage(OUTAGE, status=status)
    harness.set_clock(DUE)
    emu.send_message(MAREK, "/pomoc")  # while Telegram is down
    await asyncio.sleep(max(0.0, end - time.monotonic()))
    await _eventually("Ola answered", lambda: _sent(emu, OLA, _is_help))
    await _eventually("Marek answered", lambda: _sent(emu, MAREK, _is_help))
    await _eventually("reminders and announcement out", lambda: _all_sent(harness, team))
    await emu.settle(quiet=0.5, timeout=30)
    during = [c for c in emu.calls if c.status in (502, 504) or c in emu.abandoned_calls]
    print(
        f"\noutage {status or 'hang'}: {len(during)} failed or hung calls, "
        f"{len(emu.abandoned_calls)} carried out after the client gave up, "
        f"limiter saw {_limiter(harness).transient_failures} transient failures"
    )
    return team


async def test_a_5xx_outage_loses_and_repeats_nothing(harness: Harness) -> None:
    emu = harness.emu
    team = await _outage_scenario(harness, status=502)
    # The outage reached polling and sending alike.
    failed = Counter(c.method for c in emu.calls if c.status == 502)
    assert failed["getUpdates"] >= 1 and failed["sendMessage"] >= 2, failed
    assert [c.status for c in emu.calls if c.params.get("chat_id") == OLA][0] == 502
    for chat in team.chats:
        assert len(_sent(emu, chat, _is_reminder)) == 1, chat
        if chat != KASIA:
            assert len(_sent(emu, chat, _is_announcement)) == 1, chat
    assert len(_sent(emu, OLA, _is_help)) == 1 and len(_sent(emu, MAREK, _is_help)) == 1
    async with harness.session() as session:
        attempts = (
            await session.scalars(
                select(ScheduledMessage.attempts).where(
                    ScheduledMessage.kind == ScheduledKind.REMINDER,
                    ScheduledMessage.team_id == team.team_id,
                )
            )
        ).all()
        tries = (await session.scalars(select(AnnouncementDelivery.attempts))).all()
    # Ridden out by the limiter's retries: no row needed a second claim.
    assert set(attempts) == {1} and set(tries) == {1}
    assert emu.early_requests == []


async def test_a_hanging_outage_repeats_at_most_the_sends_in_flight(
    emulator: BotApiEmulator, db: Database, db_url: str
) -> None:
    async with _impatient_bot(emulator, db, db_url) as harness:
        team = await _outage_scenario(harness, status=None)
    emu = emulator
    in_flight = Counter(
        (c.params.get("chat_id"), str(c.params.get("text")))
        for c in emu.abandoned_calls
        if c.method in SENDS and c.ok
    )
    assert in_flight, "no send was in flight when Telegram hung"
    # Each message is there once, plus once more exactly when its send timed out and Telegram
    # carried it out anyway; never a third time.
    for chat in team.chats:
        for test in (_is_reminder, _is_announcement, _is_help):
            copies = Counter(str(c.params.get("text")) for c in _sent(emu, chat, test))
            for text, count in copies.items():
                assert count == 1 + in_flight[(chat, text)] <= 2, (chat, text[:40], count)
        assert len(_sent(emu, chat, _is_reminder)) >= 1, chat
        if chat != KASIA:
            assert len(_sent(emu, chat, _is_announcement)) >= 1, chat
    repeated = sum(in_flight.values())
    print(f"repeated: {repeated} message(s), each a send that had timed out")
    assert emu.early_requests == []


# -- 429 storms -------------------------------------------------------------------------------

# Tighter than Telegram everywhere: a third of the overall burst, no burst in private chats,
# 3 messages at once in a group.
TIGHT = FloodLimits(
    global_burst=10,
    global_per_second=30,
    private_burst=1,
    private_per_second=1,
    group_burst=3,
    group_per_second=20 / 60,
)
CHATTERS = (OLA, MAREK, 4004, 4005, 4006)
# Each chatter's commands, in order, and how to know each answer.
CONVERSATION: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("/pomoc", _is_help),
    ("/spotkania", lambda text: "MOPS, sala 12" in text),
    ("/zespol", lambda text: "Osoba 4002" in text and "Katarzyna Nowak" in text),
    ("/cokolwiek", lambda text: text.startswith("Nie znam tego polecenia")),
)


async def test_a_429_storm_delivers_everything_once_and_in_order(harness: Harness) -> None:
    emu = harness.emu
    team = await _team(harness, people=160, chatters=CHATTERS)
    await emu.settle(quiet=0.3)
    emu.limits = TIGHT
    started = len(emu.calls)
    harness.set_clock(DUE)  # 167 reminders and 166 copies of the announcement at once
    for command, _ in CONVERSATION:
        for user_id in CHATTERS:
            emu.send_message(user_id, command)
    await _eventually("everything out", lambda: _all_sent(harness, team), timeout=90)
    for user_id in CHATTERS:
        await _eventually(
            f"{user_id} answered", lambda u=user_id: len(_answers(emu, u)) == len(CONVERSATION)
        )
    await emu.settle(quiet=0.5, timeout=30)

    for chat in team.chats:
        assert len(_sent(emu, chat, _is_reminder)) == 1, chat
        if chat != KASIA:
            assert len(_sent(emu, chat, _is_announcement)) == 1, chat
    for user_id in CHATTERS:
        answers = _answers(emu, user_id)
        assert [
            next(i for i, (_, test) in enumerate(CONVERSATION) if test(a)) for a in answers
        ] == list(range(len(CONVERSATION))), answers
    storm = emu.calls[started:]
    refused = [c for c in storm if c.status == 429]
    per_chat = Counter(c.params.get("chat_id") for c in refused)
    limiter = _limiter(harness)
    print(
        f"\nstorm: {sum(c.ok for c in storm if c.method in SENDS)} messages, "
        f"{len(refused)} answered 429 in {len(per_chat)} chats "
        f"(at most {max(per_chat.values(), default=0)} in one), "
        f"{len(emu.early_requests)} early"
    )
    assert emu.early_requests == []  # never before the retry_after it was given
    assert limiter.retry_afters == len(refused)
    # A chat that earned a 429 is paced without bursts from then on: one 429 per chat, and
    # more only from the jitter of a busy machine (a send delayed on its way by > 0.25 s).
    assert max(per_chat.values(), default=0) <= 3, per_chat
    assert len(refused) <= len(team.chats) // 2, len(refused)
    async with harness.session() as session:
        retried = await session.scalar(
            select(ScheduledMessage.id).where(ScheduledMessage.attempts > 1)
        )
    assert retried is None  # the limiter waited; no row fell back to a later try


def _answers(emu: BotApiEmulator, user_id: int) -> list[str]:
    """What the bot answered this user's commands, in order of arrival."""
    return [
        str(c.params.get("text"))
        for c in _sent(emu, user_id, lambda t: not _is_reminder(t) and not _is_announcement(t))
    ]


async def test_a_long_retry_after_holds_only_its_chat(harness: Harness) -> None:
    emu = harness.emu
    anna, jan = harness.user(4101, "Anna"), harness.user(4102, "Jan")
    await emu.settle(quiet=0.3)
    emu.inject_error(
        429, method="sendMessage", chat_id=anna, description="Too Many Requests: retry after 8"
    )
    emu.send_message(anna, "/pomoc")
    refused = await emu.next_call("sendMessage", timeout=10, predicate=lambda c: c.status == 429)
    emu.send_message(jan, "/pomoc")
    # Jan is answered while Anna's chat waits out its 8 seconds.
    assert _is_help((await emu.next_message(jan, timeout=10))["text"])
    assert not _sent(emu, anna, _is_help)
    assert _is_help((await emu.next_message(anna, timeout=30))["text"])
    await emu.settle(quiet=0.3)
    (delivered,) = _sent(emu, anna, _is_help)
    assert delivered.at - refused.at >= 8
    assert emu.early_requests == [] and len(emu.retry_afters) == 1
