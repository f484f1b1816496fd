"""One Bot API call from decoded parameters to (HTTP status, JSON body), with side effects.

Order per call: unknown method -> 404; injected delay; injected error (not applied); flood
control -> 429 (not applied, no token used); the method itself; tokens are charged only for
calls that succeeded. Every call is recorded as an ApiCall.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Callable
from typing import Any

from .errors import ApiError, too_many_requests
from .faults import FaultPlan
from .feeds import Feed
from .limits import FloodControl
from .methods import METHODS, Method
from .models import ApiCall
from .state import World

JsonDict = dict[str, Any]
NOT_FOUND: JsonDict = {"ok": False, "error_code": 404, "description": "Not Found"}


class Dispatcher:
    def __init__(
        self, world: World, faults: FaultPlan, flood: Callable[[], FloodControl | None]
    ) -> None:
        self.world = world
        self.faults = faults
        self._flood = flood
        self.calls: list[ApiCall] = []
        self.call_feed: Feed[ApiCall] = Feed()
        self.in_flight = 0
        self.last_activity = 0.0

    def record(self, method: str, params: JsonDict, status: int, payload: JsonDict) -> None:
        # A JSON round trip freezes the answer: later edits must not rewrite recorded history.
        call = ApiCall(method, params, status, json.loads(json.dumps(payload)), time.monotonic())
        self.calls.append(call)
        self.call_feed.push(method.lower(), call)

    async def handle(self, name: str, params: JsonDict) -> tuple[int, JsonDict]:
        method = METHODS.get(name.lower())
        # Long polls idle by design; they must not count as "the bot is busy" for settle().
        busy = method is None or method.name != "getUpdates"
        if busy:
            self.in_flight += 1
            self.last_activity = time.monotonic()
        try:
            status, payload = await self._run(method, params)
        finally:
            if busy:
                self.in_flight -= 1
                self.last_activity = time.monotonic()
        self.record(method.name if method else name, params, status, payload)
        return status, payload

    def _flood_scope(self, params: JsonDict) -> tuple[int | None, str | None]:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        chat = self.world.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            return None, None
        return chat.id, "private" if chat.is_private else "group"

    async def _run(self, method: Method | None, params: JsonDict) -> tuple[int, JsonDict]:
        if method is None:
            return 404, dict(NOT_FOUND)
        delay = self.faults.take_delay(method.name, params)
        if delay:
            await asyncio.sleep(delay)
        injected = self.faults.take_error(method.name, params)
        if injected is not None:
            return injected.status, injected.payload()
        flood = self._flood() if method.flood_counted else None
        scope = self._flood_scope(params)
        if flood is not None:
            retry_after = flood.retry_after(*scope)
            if retry_after is not None:
                error = too_many_requests(retry_after)
                return error.status, error.payload()
        try:
            result = method.handler(self.world, params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return exc.status, exc.payload()
        if flood is not None:
            flood.consume(*scope)
        return 200, {"ok": True, "result": result}
