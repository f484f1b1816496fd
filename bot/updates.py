"""Concurrent update handling that keeps each user's updates in order.

PTB's `concurrent_updates=True` runs every update at once, so a user's second tap can
overtake the first. Here updates of different users run concurrently while one user's
updates wait for each other.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

SEEN_UPDATES = 10_000


def _order_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        # Telegram delivers at least once: a getUpdates answer lost to a timeout, or a webhook
        # request it retries, brings the same update again. Handled ids are remembered.
        self._seen: OrderedDict[int, None] = OrderedDict()

    def _first_time(self, update: object) -> bool:
        if not isinstance(update, Update):
            return True
        if update.update_id in self._seen:
            return False
        self._seen[update.update_id] = None
        if len(self._seen) > SEEN_UPDATES:
            self._seen.popitem(last=False)
        return True

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not self._first_time(update):
            log.info("update %s delivered again: skipped", getattr(update, "update_id", "?"))
            if hasattr(coroutine, "close"):
                coroutine.close()  # never awaited, on purpose
            return
        # The user's lock is taken before a concurrency slot, so one busy user queues
        # behind themselves without occupying the slots everybody else needs.
        key = _order_key(update)
        if key is None:
            await super().process_update(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await super().process_update(update, coroutine)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]

    @property
    def busy(self) -> bool:
        """Some update is being handled or waits for its user's turn."""
        return bool(self._waiting)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
