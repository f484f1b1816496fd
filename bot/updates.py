"""Concurrent update handling that keeps each user's updates in order.

PTB's `concurrent_updates=True` runs every update at once, so a user's second tap can
overtake the first. Here updates of different users run concurrently while one user's
updates wait for each other. Repeats of an update never get here: the inbox stores each
update_id once (bot/inbox.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)


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
        # Called when an update's handling begins and ends (the inbox counts and marks it).
        self.on_begin: Callable[[object], Awaitable[None]] | None = None
        self.on_done: Callable[[object], Awaitable[None]] | None = None

    # PTB marks this @final, yet only here can the user's lock come before PTB's semaphore.
    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:  # type: ignore[misc]
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
        # PTB's process_update catches what handlers raise (the error handler answers), so
        # an update that failed is done too: it is not handled again.
        if self.on_begin is not None:
            await self.on_begin(update)
        await coroutine
        if self.on_done is not None:
            await self.on_done(update)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
