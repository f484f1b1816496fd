"""Awaitable, keyed event logs behind next_message / next_edit / next_call / callback_answer.

Each item can be taken once; ``take`` returns the oldest untaken item for a key that matches,
so a predicate that skips items leaves them for later calls instead of losing them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Feed(Generic[T]):
    def __init__(self) -> None:
        self._items: list[tuple[Hashable, T]] = []
        self._taken: set[int] = set()
        self._changed = asyncio.Event()

    def push(self, key: Hashable, item: T) -> None:
        self._items.append((key, item))
        # Replace the event so every waiter re-checks exactly once per push.
        self._changed.set()
        self._changed = asyncio.Event()

    def items(self, key: Hashable) -> list[T]:
        return [item for k, item in self._items if k == key]

    def _find(self, key: Hashable, match: Callable[[T], bool] | None) -> T | None:
        for index, (k, item) in enumerate(self._items):
            if index not in self._taken and k == key and (match is None or match(item)):
                self._taken.add(index)
                return item
        return None

    async def take(
        self, key: Hashable, timeout: float, match: Callable[[T], bool] | None = None
    ) -> T:
        """The next untaken item for ``key``; raises TimeoutError after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            found = self._find(key, match)
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
