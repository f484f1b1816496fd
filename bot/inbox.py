"""Taking updates in: stored in the inbox before Telegram is told they arrived.

Polling: each batch of getUpdates is committed to the inbox before the next call, whose offset
is what confirms the batch to Telegram. Webhook: the request is answered 200 after the commit.
Only then are updates handed to PTB's queue (handled per user in order, bot/updates.py). A
handler marks its update handled in its own transaction (handlers/base.py); an update no
handler's transaction took (an inline query, one nobody handles) is marked when its handling
ends. At start, what a crash left unhandled is queued before anything new.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.request import BaseRequest

from bot.telegram_http import AiohttpRequest
from storage import inbox
from storage.db import Database, connection_lost
from storage.inbox import Received
from storage.models import utcnow

log = logging.getLogger(__name__)
JsonDict = dict[str, Any]

# After a failed getUpdates or a database away: wait, then try again (Telegram keeps the
# updates until the offset moves past them).
RETRY_EVERY = 1.0
# With the database away this long, the people waiting are told once that their message
# will be answered (it stays at Telegram meanwhile, never dropped).
TELL_AFTER = 15.0


def _order_key(update: Update) -> int | None:
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


def _received(update: Update, sent: JsonDict | None) -> Received:
    """What the inbox keeps of an update: Telegram's own JSON when at hand (turning PTB's
    objects back into it costs as much as parsing it, a tenth of a millisecond)."""
    data = sent if sent is not None else update.to_dict()
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Received(update.update_id, _order_key(update), payload)


class UpdatesRequest(AiohttpRequest):
    """getUpdates' connection (PTB gives it one of its own), keeping the JSON of the last batch
    for the inbox."""

    def __init__(self, read_timeout: float) -> None:
        super().__init__(connection_pool_size=1, read_timeout=read_timeout)
        self.batch: dict[int, JsonDict] = {}

    def parse_json_payload(self, payload: bytes) -> JsonDict:  # type: ignore[override]
        # PTB's documented hook for its JSON parsing (a static method there: state here).
        data = BaseRequest.parse_json_payload(payload)
        result = data.get("result")
        if isinstance(result, list):
            self.batch = {item["update_id"]: item for item in result if isinstance(item, dict)}
        return data


def handled_here(app: Application, update_id: int) -> None:
    """The handler's transaction marked the update handled: no second write after it."""
    app.bot_data.setdefault("inbox_marked", set()).add(update_id)


class Inbox:
    def __init__(
        self,
        app: Application,
        tell_waiting: Callable[[Update], Awaitable[None]] | None = None,
    ) -> None:
        self.app = app
        self._fetching: asyncio.Task[None] | None = None
        self._tell_waiting = tell_waiting
        self._down_since: float | None = None
        self._told: set[int] = set()
        self._recovered: set[int] = set()  # left by the last run, not yet begun again

    @property
    def db(self) -> Database:
        return self.app.bot_data["db"]

    def _now(self) -> Any:
        return utcnow()

    async def accept(self, updates: Sequence[Update]) -> list[Update]:
        """Store the updates (committed on return); those stored now, in order."""
        request = self.app.bot_data.get("updates_request")
        sent = request.batch if isinstance(request, UpdatesRequest) else {}
        received = [_received(u, sent.get(u.update_id)) for u in updates]
        async with self.db.statement() as session:
            fresh = set(await inbox.accept(session, received))
        return [u for u in updates if u.update_id in fresh]

    async def take(self, updates: Sequence[Update]) -> None:
        """Store, then queue for handling what is new (a repeat is stored once, handled once)."""
        try:
            fresh = await self.accept(updates)
        except IntegrityError:  # the same update in two webhook requests at once
            fresh = []
        for update in fresh:
            await self.app.update_queue.put(update)

    async def recover(self) -> int:
        """Queue what the last run accepted and did not finish, oldest first."""
        async with self.db.session() as session:
            payloads, given_up = await inbox.left_unhandled(session, self._now())
        for update_id in given_up:
            log.error("inbox: update %s failed at every start; given up", update_id)
        for payload in payloads:
            update = Update.de_json(json.loads(payload), self.app.bot)
            self._recovered.add(update.update_id)
            await self.app.update_queue.put(update)
        if payloads:
            log.info("inbox: %d updates left by the last run are handled now", len(payloads))
        return len(payloads)

    async def beginning(self, update: object) -> None:
        """Before a recovered update's handling: count the attempt (in case it is what kills
        the bot). New updates cost nothing here."""
        if not isinstance(update, Update) or update.update_id not in self._recovered:
            return
        self._recovered.discard(update.update_id)
        try:
            async with self.db.session() as session:
                await inbox.begun(session, update.update_id)
        except Exception as error:
            if not connection_lost(error):
                raise
            log.warning("inbox: attempt at update %s not counted: %s", update.update_id, error)

    async def mark_handled(self, update: object) -> None:
        """After an update's handling: mark it, unless its handler's transaction did."""
        if not isinstance(update, Update):
            return
        marked: set[int] = self.app.bot_data.setdefault("inbox_marked", set())
        if update.update_id in marked:
            marked.discard(update.update_id)
            return
        try:
            async with self.db.session() as session:
                await inbox.mark_handled(session, update.update_id, self._now())
        except Exception as error:
            if not connection_lost(error):
                raise
            log.warning("inbox: update %s not marked handled: %s", update.update_id, error)

    # -- long polling --------------------------------------------------------------------------

    def start_polling(self, timeout: int, allowed_updates: list[str]) -> None:
        self._fetching = asyncio.create_task(
            self._poll(timeout, allowed_updates), name="inbox-polling"
        )

    async def stop_polling(self) -> None:
        if self._fetching is not None:
            self._fetching.cancel()
            await asyncio.gather(self._fetching, return_exceptions=True)
            self._fetching = None

    async def _poll(self, timeout: int, allowed_updates: list[str]) -> None:
        bot = self.app.bot
        await bot.delete_webhook()
        offset: int | None = None
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=timeout, allowed_updates=allowed_updates
                )
            except (InvalidToken, Conflict):
                raise
            except RetryAfter as exc:
                log.warning("getUpdates: %s", exc.message)
                await asyncio.sleep(RETRY_EVERY)
                continue
            except (NetworkError, TelegramError) as exc:
                log.warning("getUpdates failed: %s", exc.message)
                await asyncio.sleep(RETRY_EVERY)
                continue
            if not updates:
                continue
            try:
                await self.take(updates)
            except Exception as error:
                if not connection_lost(error):
                    raise
                # Not stored: the offset stays, and Telegram gives them again.
                log.warning("inbox: database unavailable, updates kept at Telegram: %s", error)
                await self._database_away(updates)
                await asyncio.sleep(RETRY_EVERY)
                continue
            self._down_since = None
            self._told.clear()
            offset = updates[-1].update_id + 1

    async def _database_away(self, updates: Sequence[Update]) -> None:
        """Past TELL_AFTER, each person waiting hears once that an answer will come."""
        now = asyncio.get_running_loop().time()
        if self._down_since is None:
            self._down_since = now
        if self._tell_waiting is None or now - self._down_since < TELL_AFTER:
            return
        for update in updates:
            key = _order_key(update)
            if key is not None and key not in self._told:
                self._told.add(key)
                await self._tell_waiting(update)
