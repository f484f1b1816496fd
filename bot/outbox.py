"""Sending the outbox: what a handler wrote in its transaction, sent after the commit.

The handler's own task sends its rows at once, in order (so one user's replies keep their
order, as before); whatever it could not send (Telegram down, a crash between commit and send)
the sender loop takes from the database. Every request goes through the bot, so through the
rate limiter (per-chat order, 429 waits, retries of passing faults).

The one source of duplicates: a send that timed out after the request went out may have
arrived; it is sent once more, never a third time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

from bot.delivery import Pacing
from storage import meetings, outbox
from storage.db import Database, connection_lost
from storage.models import OutboxState, utcnow
from storage.outbox import Outcome, Outgoing

log = logging.getLogger(__name__)

# While the writer of a row is sending it, the sender loop keeps off (a crash frees it at the
# next start; a stuck writer after this long).
CLAIM = timedelta(seconds=90)
# Telegram refuses answers to a button pressed longer ago than about 15 s.
CALLBACK_ANSWER_WITHIN = timedelta(seconds=12)
POLL_EVERY = 1.0
RETRY_CAP = timedelta(minutes=5)
# Refusals that mean "nothing to do": the edit would change nothing, the toast came late.
_HARMLESS = ("not modified", "query is too old", "query id is invalid")
# `perform` asks for Telegram's answer as JSON on purpose; PTB warns that a method exists
# (pyproject.toml repeats this for pytest, which resets the filters a test's imports set).
warnings.filterwarnings(
    "ignore", r"Please use 'Bot\.\w+' instead of 'Bot\.do_api_request", PTBUserWarning
)


def _creates_message(method: str) -> bool:
    return method.startswith(("send_", "copy_", "forward_"))


def _call_kwargs(item: Outgoing) -> dict[str, Any]:
    kwargs = dict(item.params)  # a keyboard stays the Bot API's JSON: PTB sends a dict as it is
    if item.file is not None and item.file_param:
        name, content = item.file
        kwargs[item.file_param] = InputFile(content, filename=name)
    return kwargs


async def perform(bot: Bot, item: Outgoing, pacing: Pacing | None = None) -> int | None:
    """Make the request now, through the bot (so through the rate limiter); the id of the
    message sent or edited, None when the answer is no message.

    Telegram's answer is kept as JSON: the Message PTB would build of every reply (0.3 ms,
    6 % of a `/spotkania` update's CPU) is wanted for its id alone."""
    kwargs = _call_kwargs(item)
    if pacing is not None and isinstance(bot, ExtBot) and bot.rate_limiter is not None:
        result = await bot.do_api_request(item.method, kwargs, rate_limit_args=pacing)
    else:
        result = await bot.do_api_request(item.method, kwargs)
    return result.get("message_id") if isinstance(result, dict) else None


def _backoff(attempts: int, now: datetime) -> datetime:
    return now + min(RETRY_CAP, timedelta(seconds=2 ** min(attempts, 10)))


class Sender:
    def __init__(self, bot: Bot, db: Database) -> None:
        self.bot = bot
        self.db = db
        # Real time, never the tests' moved clock: it paces real requests to Telegram.
        self.clock = utcnow
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Sent rows waiting to be written down: one transaction records many (under load, the
        # outcomes of many updates), which keeps the write cost per update low.
        self._unrecorded: list[tuple[Outgoing, Outcome, int | None]] = []
        self._recorder: asyncio.Task[None] | None = None
        self.sent = 0
        self.repeated = 0  # sends retried after an unknown outcome (the possible duplicates)

    # -- the handler's path --------------------------------------------------------------------

    async def send_now(self, items: Sequence[Outgoing]) -> BadRequest | None:
        """Send rows just committed, in order; record the outcomes. Returns a refusal that
        points at a bug (a malformed message) for the caller's error handling."""
        surprise: BadRequest | None = None
        for index, item in enumerate(items):
            outcome, message_id, refusal = await self._send_one(item, attempts=0)
            # Written down at once, not after the update's last reply: a crash then repeats
            # only a send whose answer came and was not yet recorded (milliseconds).
            self._record_soon(item, outcome, message_id)
            surprise = surprise or refusal
            if outcome.state == OutboxState.PENDING:
                # Telegram is away: the rest follow it from the sender loop, in order.
                rest = [i.id for i in items[index + 1 :] if i.id is not None]
                async with self.db.session() as session:
                    await outbox.postpone(session, rest, outcome.retry_at or self.clock())
                break
        return surprise

    # -- the loop ------------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.recorded()

    async def recorded(self) -> None:
        """Wait until every outcome so far is written down."""
        while self._recorder is not None and not self._recorder.done():
            await asyncio.gather(self._recorder, return_exceptions=True)

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        async with self.db.session() as session:
            freed = await outbox.release_claims(session)
        if freed:
            log.info("outbox: %d messages left unsent by the last run are sent now", freed)
        while True:
            try:
                await self.drain()
            except Exception as error:
                if not connection_lost(error):
                    log.exception("outbox: sending failed")
                else:
                    log.warning("outbox: database unavailable: %s", error)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_EVERY)

    async def drain(self) -> int:
        """Send every due row nobody else is sending: chats side by side, each in order."""
        async with self.db.session() as session:
            due = await outbox.claim_due(session, self.clock(), CLAIM)
        if not due:
            return 0
        by_chat: dict[int | None, list[Outgoing]] = defaultdict(list)
        for item in due:
            by_chat[item.chat_id].append(item)
        await asyncio.gather(*(self._send_chat(items) for items in by_chat.values()))
        return len(due)

    async def _send_chat(self, items: list[Outgoing]) -> None:
        async with self.db.session() as session:
            attempts = {i.id: await outbox.attempts_of(session, i.id or 0) for i in items}
        for item in items:
            outcome, message_id, refusal = await self._send_one(item, attempts[item.id])
            if refusal is not None:
                log.error("outbox: %s refused: %s", item.method, refusal.message)
            self._record_soon(item, outcome, message_id)
            if outcome.state == OutboxState.PENDING:
                # The rest of this chat waits behind it, in order.
                rest = [i.id for i in items if i.id is not None and i.id > (item.id or 0)]
                async with self.db.session() as session:
                    await outbox.postpone(session, rest, outcome.retry_at or self.clock())
                break

    # -- one request ---------------------------------------------------------------------------

    async def _send_one(
        self, item: Outgoing, attempts: int
    ) -> tuple[Outcome, int | None, BadRequest | None]:
        assert item.id is not None
        now = self.clock()
        created = item.params.pop("_created_at", None)
        if created is not None and now - datetime.fromisoformat(created) > CALLBACK_ANSWER_WITHIN:
            return Outcome(item.id, OutboxState.DROPPED, "answered too late"), None, None
        try:
            message_id = await perform(self.bot, item)
        except Forbidden as exc:
            log.info("outbox: chat %s unreachable: %s", item.chat_id, exc.message)
            return Outcome(item.id, OutboxState.FAILED, exc.message[:200]), None, None
        except BadRequest as exc:
            if any(text in exc.message for text in _HARMLESS):
                return Outcome(item.id, OutboxState.SENT), None, None
            if "message to edit not found" in exc.message or "can't be edited" in exc.message:
                return Outcome(item.id, OutboxState.FAILED, exc.message[:200]), None, None
            return Outcome(item.id, OutboxState.FAILED, exc.message[:200]), None, exc
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            retry_at = now + timedelta(seconds=seconds)
            return Outcome(item.id, OutboxState.PENDING, "429", retry_at), None, None
        except TimedOut as exc:
            if not _creates_message(item.method):
                return (
                    Outcome(item.id, OutboxState.PENDING, "timed out", _backoff(attempts, now)),
                    None,
                    None,
                )
            if attempts >= 1:
                # Sent twice already with no answer: a third copy is worse than none.
                return Outcome(item.id, OutboxState.FAILED, "outcome unknown twice"), None, None
            self.repeated += 1
            log.warning(
                "outbox: %s to %s timed out; sent once more later", item.method, item.chat_id
            )
            retry_at = _backoff(attempts, now)
            return Outcome(item.id, OutboxState.PENDING, str(exc)[:200], retry_at, True), None, None
        except TelegramError as exc:  # 5xx, network: nothing reached Telegram's chat
            retry_at = _backoff(attempts, now)
            return Outcome(item.id, OutboxState.PENDING, str(exc)[:200], retry_at), None, None
        except Exception as exc:  # a row PTB cannot send (a bug): never blocks the rest
            log.exception("outbox: %s %s cannot be sent", item.method, item.id)
            return Outcome(item.id, OutboxState.FAILED, repr(exc)[:200]), None, None
        self.sent += 1
        return Outcome(item.id, OutboxState.SENT), message_id, None

    def _record_soon(self, item: Outgoing, outcome: Outcome, message_id: int | None) -> None:
        self._unrecorded.append((item, outcome, message_id))
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record_all(), name="outbox-recorder")

    async def _record_all(self) -> None:
        while self._unrecorded:
            batch, self._unrecorded = self._unrecorded, []
            await self._record(batch)

    async def _record(self, outcomes: Sequence[tuple[Outgoing, Outcome, int | None]]) -> None:
        if not outcomes:
            return
        # Nearly always every message went out and nothing waits for its id: one statement.
        plain = all(
            o.state == OutboxState.SENT and not o.unknown and not i.after for i, o, _ in outcomes
        )
        try:
            async with self.db.statement() if plain else self.db.session() as session:
                await outbox.record(session, [o for _, o, _ in outcomes], self.clock())
                for item, outcome, message_id in outcomes:
                    if outcome.state == OutboxState.SENT and message_id and item.after:
                        await _after(session, item, message_id)
                gone = [o.id for i, o, _ in outcomes if i.after and i.after.get("forget")]
                await outbox.forget(session, gone)
        except Exception as error:
            if not connection_lost(error):
                raise
            # Sent but not recorded: the claim runs out and the sender sends them again.
            log.warning("outbox: outcomes not recorded: %s", error)
        if any(o.state == OutboxState.PENDING for _, o, _ in outcomes):
            self.wake()


async def _after(session: Any, item: Outgoing, message_id: int) -> None:
    """What the sent message's id is needed for."""
    if item.after and "card" in item.after and item.chat_id is not None:
        await meetings.remember_card(session, int(item.after["card"]), item.chat_id, message_id)


def outbox_sender(app: Any) -> Sender:
    """The application's sender (made on first use: tests may handle updates without the
    polling loop that starts it)."""
    sender = app.bot_data.get("outbox")
    if sender is None:
        sender = app.bot_data["outbox"] = Sender(app.bot, app.bot_data["db"])
    return sender
