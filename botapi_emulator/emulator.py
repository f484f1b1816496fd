"""BotApiEmulator: lifecycle plus the in-process API tests use to play the Telegram side."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import Any

from . import actions, inline_actions
from .dispatch import Dispatcher
from .faults import FaultPlan
from .limits import Clock, FloodControl, FloodLimits
from .markup import buttons as markup_buttons
from .models import ApiCall, TelegramUser
from .server import ApiServer
from .state import World

JsonDict = dict[str, Any]
DEFAULT_LIMITS = FloodLimits()


class BotApiEmulator:
    def __init__(
        self,
        token: str = "123456:TESTTOKEN",
        bot_id: int | None = None,
        bot_username: str = "kooperacje_test_bot",
        limits: FloodLimits | None = DEFAULT_LIMITS,
        *,
        bot_first_name: str = "Kooperacje Test",
        port: int = 0,
        privacy_mode: bool = True,
        inline: bool = False,
        inline_feedback: bool = False,
        clock: Clock = time.monotonic,
    ) -> None:
        prefix = token.split(":", 1)[0]
        if bot_id is None:
            if not prefix.isdigit():
                raise ValueError("token must look like '<bot id>:<secret>'")
            bot_id = int(prefix)
        elif prefix.isdigit() and int(prefix) != bot_id:
            raise ValueError("bot_id must match the number in the token")
        self.token = token
        self._port = port
        self._clock = clock
        bot = TelegramUser(bot_id, bot_first_name, username=bot_username, is_bot=True)
        self.world = World(
            bot=bot, privacy_mode=privacy_mode, inline=inline, inline_feedback=inline_feedback
        )
        self._faults = FaultPlan()
        self._flood: FloodControl | None = None
        self._dispatcher = Dispatcher(self.world, self._faults, lambda: self._flood, clock)
        self.limits = limits
        self._server = ApiServer(token, self._dispatcher, self.world.files)
        self._started = False

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> BotApiEmulator:
        await self._server.start(self._port)
        self._started = True
        return self

    async def stop(self) -> None:
        self.world.updates.close()
        await self._server.stop()
        self._started = False

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _root(self) -> str:
        if not self._started:
            raise RuntimeError("emulator is not running; await start() first")
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def base_url(self) -> str:
        return f"{self._root()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self._root()}/file/bot"

    @property
    def limits(self) -> FloodLimits | None:
        return self._flood.limits if self._flood else None

    @limits.setter
    def limits(self, limits: FloodLimits | None) -> None:
        # Fresh, full buckets and no waits: changing limits mid-test starts a new accounting
        # period.
        self._flood = FloodControl(limits, self._clock) if limits else None
        self._dispatcher.forget_waits()

    # -- the Telegram side: people and chats ------------------------------------------------

    @property
    def bot(self) -> TelegramUser:
        return self.world.bot

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        started: bool = True,
    ) -> TelegramUser:
        user = TelegramUser(user_id, first_name, last_name, username, language_code)
        actions.add_user(self.world, user, started)
        return user

    def block_bot(self, user_id: int) -> None:
        actions.set_blocked(self.world, user_id, True)

    def unblock_bot(self, user_id: int) -> None:
        actions.set_blocked(self.world, user_id, False)

    def add_group(
        self, chat_id: int, title: str, kind: str = "supergroup", username: str | None = None
    ) -> JsonDict:
        return actions.add_group(self.world, chat_id, title, kind, username).to_dict()

    def set_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        actions.set_member(self.world, chat_id, user_id, status)

    def add_bot_to_group(self, chat_id: int, by_user_id: int, status: str = "member") -> None:
        actions.add_bot_to_group(self.world, chat_id, by_user_id, status)

    def send_message(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        *,
        reply_to_message_id: int | None = None,
        parse_mode: str | None = None,
    ) -> JsonDict:
        return actions.user_message(
            self.world, user_id, chat_id, text, reply_to_message_id, parse_mode
        )

    def send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        chat_id: int | None = None,
        caption: str | None = None,
        mime_type: str | None = None,
        parse_mode: str | None = None,
        *,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        return actions.user_document(
            self.world,
            user_id,
            chat_id,
            filename,
            content,
            caption,
            mime_type,
            parse_mode,
            reply_to_message_id,
        )

    def send_photo(
        self,
        user_id: int,
        content: bytes,
        chat_id: int | None = None,
        caption: str | None = None,
        parse_mode: str | None = None,
        *,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        return actions.user_photo(
            self.world, user_id, chat_id, content, caption, parse_mode, reply_to_message_id
        )

    def send_media(
        self,
        user_id: int,
        kind: str,
        chat_id: int | None = None,
        caption: str | None = None,
        *,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        return actions.user_media(self.world, user_id, kind, chat_id, caption, reply_to_message_id)

    def press_button(self, user_id: int, bot_message: JsonDict, key: str) -> str:
        return actions.press_button(self.world, user_id, bot_message, key)

    def send_callback(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        return actions.send_callback(self.world, user_id, chat_id, message_id, data)

    def send_inline_query(
        self, user_id: int, query: str, chat_type: str | None = "sender", offset: str = ""
    ) -> str:
        return inline_actions.send_inline_query(self.world, user_id, query, chat_type, offset)

    def choose_inline_result(
        self, user_id: int, query_id: str, result_id: str, chat_id: int
    ) -> JsonDict:
        return inline_actions.choose_inline_result(
            self.world, user_id, query_id, result_id, chat_id
        )

    # -- inspection ---------------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        return self._dispatcher.calls

    @property
    def retry_afters(self) -> list[ApiCall]:
        """Every 429 answered (flood control, early requests and injected ones)."""
        return list(self._dispatcher.retry_afters)

    @property
    def early_requests(self) -> list[ApiCall]:
        """Flood-counted calls to a chat made before the retry_after it was given elapsed."""
        return list(self._dispatcher.early)

    @property
    def abandoned_calls(self) -> list[ApiCall]:
        """Calls carried out after their client had hung up (timed out): a timed-out send
        that the bot may repeat."""
        return list(self._dispatcher.abandoned)

    @property
    def pending_updates(self) -> list[JsonDict]:
        return self.world.updates.pending

    def messages(self, chat_id: int) -> list[JsonDict]:
        chat = self.world.chats.get(chat_id)
        if chat is None:
            return []
        return [
            copy.deepcopy(m)
            for _, m in sorted(chat.messages.items())
            if m["from"]["id"] == self.world.bot.id
        ]

    def buttons(self, message: JsonDict) -> list[list[tuple[str, str | None]]]:
        return markup_buttons(message)

    def commands(
        self,
        scope_type: str = "default",
        language_code: str = "",
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> list[JsonDict]:
        key = (scope_type, chat_id, user_id, language_code)
        return copy.deepcopy(self.world.commands.get(key, []))

    def file_bytes(self, file_id: str) -> bytes:
        stored = self.world.files.get(file_id)
        if stored is None:
            raise KeyError(f"unknown file_id {file_id!r}")
        return stored.data

    # -- waiting ------------------------------------------------------------------------------

    def _dump(self, chat_id: int | None = None, limit: int = 15) -> str:
        calls = self.calls
        if chat_id is not None:
            mine = [c for c in calls if c.params.get("chat_id") in (chat_id, str(chat_id))]
            calls = mine or calls
        lines = []
        for call in calls[-limit:]:
            text = call.params.get("text") or call.params.get("caption") or ""
            detail = call.description or ""
            lines.append(
                f"  {call.method} chat={call.params.get('chat_id')} -> {call.status} "
                f"{detail} {str(text)[:80]!r}".rstrip()
            )
        return "\n".join(lines) or "  (no calls at all)"

    async def next_message(self, chat_id: int, timeout: float = 5.0) -> JsonDict:
        try:
            return await self.world.new_messages.take(chat_id, timeout)
        except TimeoutError:
            raise AssertionError(
                f"no new bot message in chat {chat_id} within {timeout}s; "
                f"last calls:\n{self._dump(chat_id)}"
            ) from None

    async def next_edit(
        self, chat_id: int, message_id: int | None = None, timeout: float = 5.0
    ) -> JsonDict:
        def wanted(message: JsonDict) -> bool:
            return message_id is None or message["message_id"] == message_id

        try:
            return await self.world.edits.take(chat_id, timeout, wanted)
        except TimeoutError:
            raise AssertionError(
                f"no edit in chat {chat_id} (message {message_id}) within "
                f"{timeout}s; last calls:\n{self._dump(chat_id)}"
            ) from None

    async def next_call(
        self, method: str, timeout: float = 5.0, predicate: Callable[[ApiCall], bool] | None = None
    ) -> ApiCall:
        try:
            return await self._dispatcher.call_feed.take(method.lower(), timeout, predicate)
        except TimeoutError:
            raise AssertionError(
                f"no {method} call within {timeout}s; last calls:\n{self._dump()}"
            ) from None

    async def callback_answer(self, callback_query_id: str, timeout: float = 5.0) -> JsonDict:
        try:
            return await self.world.answers.take(callback_query_id, timeout)
        except TimeoutError:
            raise AssertionError(
                f"callback query {callback_query_id} not answered within "
                f"{timeout}s; last calls:\n{self._dump()}"
            ) from None

    async def answers_to_inline(self, inline_query_id: str, timeout: float = 5.0) -> JsonDict:
        try:
            return await self.world.inline_answers.take(inline_query_id, timeout)
        except TimeoutError:
            raise AssertionError(
                f"inline query {inline_query_id} not answered within "
                f"{timeout}s; last calls:\n{self._dump()}"
            ) from None

    async def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until every queued update was fetched and no request came for ``quiet`` s."""
        deadline = time.monotonic() + timeout
        updates = self.world.updates
        while True:
            now = time.monotonic()
            idle_since = max(self._dispatcher.last_activity, updates.last_delivery)
            if (
                updates.all_delivered
                and self._dispatcher.in_flight == 0
                and now - idle_since >= quiet
            ):
                return
            if now >= deadline:
                raise AssertionError(
                    f"not settled within {timeout}s: {len(updates.pending)} queued update(s), "
                    f"undelivered={not updates.all_delivered}, "
                    f"in flight={self._dispatcher.in_flight}; last calls:\n{self._dump()}"
                )
            await asyncio.sleep(0.02)

    # -- faults -------------------------------------------------------------------------------

    def inject_error(
        self,
        status: int = 500,
        method: str | None = "sendMessage",
        count: int = 1,
        description: str | None = None,
        chat_id: int | str | None = None,
    ) -> None:
        self._faults.add_error(status, method, count, description, chat_id)

    def inject_delay(
        self, seconds: float, method: str | None = "sendMessage", count: int = 1
    ) -> None:
        self._faults.add_delay(seconds, method, count)

    def outage(self, seconds: float, status: int | None = 502, *, apply_hung: bool = True) -> float:
        """For the next ``seconds``, every method (getUpdates too) fails with ``status``, not
        applied; with ``status=None`` every request hangs until the outage ends (the client
        times out) and is then carried out, or answered 504 and dropped if not ``apply_hung``.
        Returns the time.monotonic() at which it ends."""
        return self._faults.add_outage(seconds, status, apply_hung).end
