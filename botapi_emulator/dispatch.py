"""One Bot API call from decoded parameters to (HTTP status, JSON body), with side effects.

Order per call: unknown method -> 404; an outage (5xx, or held until it ends); injected delay;
a flood-counted call to a chat still inside a ``retry_after`` it was given -> 429 again (and
counted as early); injected error (not applied); flood control -> 429 (not applied, no token
used); the method itself; tokens are charged only for calls that succeeded. Every call is
recorded as an ApiCall.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, injected_error, too_many_requests
from .faults import FaultPlan
from .feeds import Feed
from .limits import Clock, FloodControl
from .methods import METHODS, Method
from .models import ApiCall
from .state import World

JsonDict = dict[str, Any]
NOT_FOUND: JsonDict = {"ok": False, "error_code": 404, "description": "Not Found"}


@dataclass
class Ticket:
    """What the HTTP layer and the dispatcher learn about one request while it runs."""

    abandoned: bool = False  # the client hung up before the answer (timed out)
    early: bool = False  # sent to a chat before the retry_after it was given had elapsed


class Dispatcher:
    def __init__(
        self,
        world: World,
        faults: FaultPlan,
        flood: Callable[[], FloodControl | None],
        clock: Clock = time.monotonic,
    ) -> None:
        self.world = world
        self.faults = faults
        self._flood = flood
        self._clock = clock
        self.calls: list[ApiCall] = []
        self.call_feed: Feed[ApiCall] = Feed()
        self.in_flight = 0
        self.last_activity = 0.0
        # chat id -> flood-clock time before which Telegram told the bot not to send there.
        self._waits: dict[int, float] = {}
        self.early: list[ApiCall] = []
        self.abandoned: list[ApiCall] = []
        self.retry_afters: list[ApiCall] = []  # every 429 answered, injected ones included

    def forget_waits(self) -> None:
        self._waits.clear()

    def record(
        self,
        method: str,
        params: JsonDict,
        status: int,
        payload: JsonDict,
        ticket: Ticket | None = None,
    ) -> ApiCall:
        # A JSON round trip freezes the answer: later edits must not rewrite recorded history.
        call = ApiCall(method, params, status, json.loads(json.dumps(payload)), time.monotonic())
        self.calls.append(call)
        if status == 429:
            self.retry_afters.append(call)
        if ticket is not None and ticket.early:
            self.early.append(call)
        if ticket is not None and ticket.abandoned:
            self.abandoned.append(call)
        self.call_feed.push(method.lower(), call)
        return call

    async def handle(
        self, name: str, params: JsonDict, ticket: Ticket | None = None
    ) -> tuple[int, JsonDict]:
        method = METHODS.get(name.lower())
        # Long polls idle by design; they must not count as "the bot is busy" for settle().
        busy = method is None or method.name != "getUpdates"
        if busy:
            self.in_flight += 1
            self.last_activity = time.monotonic()
        try:
            status, payload = await self._run(method, params, ticket or Ticket())
        finally:
            if busy:
                self.in_flight -= 1
                self.last_activity = time.monotonic()
        # Frozen before any other request runs: a method may answer with what the world keeps
        # (a sent message), which a later edit changes.
        call = self.record(method.name if method else name, params, status, payload, ticket)
        return status, call.response

    def _flood_scope(self, params: JsonDict) -> tuple[int | None, str | None]:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        chat = self.world.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            return None, None
        return chat.id, "private" if chat.is_private else "group"

    def _too_many(self, chat_id: int | None, error: ApiError) -> tuple[int, JsonDict]:
        retry_after = (error.parameters or {}).get("retry_after")
        if chat_id is not None and isinstance(retry_after, int):
            until = self._clock() + retry_after
            self._waits[chat_id] = max(self._waits.get(chat_id, until), until)
        return error.status, error.payload()

    async def _outage(self) -> tuple[int, JsonDict] | None:
        outage = self.faults.outage()
        if outage is None:
            return None
        if outage.error is not None:
            return outage.error.status, outage.error.payload()
        # Held until the outage ends (a client that hangs up first cancels a getUpdates; any
        # other call is shielded and carried out then, as Telegram may still deliver a message
        # whose answer never came), unless the outage was declared to lose them.
        await asyncio.sleep(max(0.0, outage.end - time.monotonic()))
        if not outage.apply_hung:
            gateway = injected_error(504, None)
            return gateway.status, gateway.payload()
        return None

    async def _run(
        self, method: Method | None, params: JsonDict, ticket: Ticket
    ) -> tuple[int, JsonDict]:
        if method is None:
            return 404, dict(NOT_FOUND)
        failed = await self._outage()
        if failed is not None:
            return failed
        delay = self.faults.take_delay(method.name, params)
        if delay:
            await asyncio.sleep(delay)
        scope = self._flood_scope(params)
        chat_id = scope[0]
        if method.flood_counted and chat_id is not None:
            wait = self._waits.get(chat_id, 0.0) - self._clock()
            if wait > 0:
                # Telegram keeps refusing until the wait it gave is over.
                ticket.early = True
                return self._too_many(None, too_many_requests(max(1, math.ceil(wait))))
        injected = self.faults.take_error(method.name, params)
        if injected is not None:
            if injected.status == 429:
                return self._too_many(chat_id, injected)
            return injected.status, injected.payload()
        flood = self._flood() if method.flood_counted else None
        if flood is not None:
            retry_after = flood.retry_after(*scope)
            if retry_after is not None:
                return self._too_many(chat_id, too_many_requests(retry_after))
        try:
            result = method.handler(self.world, params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return exc.status, exc.payload()
        if flood is not None:
            flood.consume(*scope)
        return 200, {"ok": True, "result": result}
