"""The bot's update queue with Telegram's getUpdates semantics.

Updates stay queued until a getUpdates with a higher ``offset`` confirms them, so an answer
lost on the wire is simply delivered again. Only one long poll may wait at a time: a new
getUpdates ends the waiting one with 409 "Conflict: terminated by other getUpdates request"
(the older request is the one that fails, as on Telegram).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import GET_UPDATES_CONFLICT, ApiError

JsonDict = dict[str, Any]

# Telegram's default when allowed_updates was never given or given as [].
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class _Poll:
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    terminated: bool = False


class UpdateQueue:
    def __init__(self) -> None:
        self._pending: list[JsonDict] = []
        self._next_id = 1
        self._allowed: frozenset[str] | None = None  # None: all but DEFAULT_EXCLUDED
        self._poll: _Poll | None = None
        self._closed = False
        self.delivered_upto = 0
        self.last_delivery = 0.0

    @property
    def pending(self) -> list[JsonDict]:
        return list(self._pending)

    @property
    def all_delivered(self) -> bool:
        return all(u["update_id"] <= self.delivered_upto for u in self._pending)

    def push(self, kind: str, payload: JsonDict) -> JsonDict:
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        if self._poll is not None:
            self._poll.wake.set()
        return update

    def drop_pending(self) -> None:
        self._pending.clear()

    def set_allowed(self, allowed: Any) -> None:
        if isinstance(allowed, list):
            self._allowed = frozenset(allowed) if allowed else None

    def _is_allowed(self, update: JsonDict) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self._allowed is None:
            return kind not in DEFAULT_EXCLUDED
        return kind in self._allowed

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset < 0:
            # Negative offsets keep only the last |offset| updates and forget the rest.
            self._pending = self._pending[offset:]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def _take(self, limit: int) -> list[JsonDict]:
        self._pending = [u for u in self._pending if self._is_allowed(u)]
        batch = self._pending[:limit]
        if batch:
            self.delivered_upto = max(self.delivered_upto, batch[-1]["update_id"])
            self.last_delivery = time.monotonic()
        return batch

    async def poll(self, offset: int | None, limit: int, timeout: float) -> list[JsonDict]:
        if self._poll is not None:
            self._poll.terminated = True
            self._poll.wake.set()
        me = _Poll()
        self._poll = me
        try:
            self._confirm(offset)
            deadline = time.monotonic() + max(0.0, timeout)
            while True:
                batch = self._take(limit)
                remaining = deadline - time.monotonic()
                if batch or remaining <= 0 or self._closed:
                    return batch
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(me.wake.wait(), remaining)
                me.wake.clear()
                if me.terminated:
                    raise ApiError(409, GET_UPDATES_CONFLICT)
        finally:
            if self._poll is me:
                self._poll = None

    def close(self) -> None:
        """Release a waiting long poll (server shutdown)."""
        self._closed = True
        if self._poll is not None:
            self._poll.wake.set()
