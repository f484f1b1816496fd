"""Awaitable, keyed event logs behind next_message / next_edit / next_call / callback_answer.

Each item can be taken once; ``take`` returns the oldest untaken item for a key that matches,
so a predicate that skips items leaves them for later calls instead of losing them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Feed(Generic[T]):
    # Kept per key: under load (benchmarks) a scan of everything ever pushed, by every waiter
    # at every push, made the emulator the bottleneck.
    def __init__(self) -> None:
        self._log: dict[Hashable, list[T]] = defaultdict(list)
        self._untaken: dict[Hashable, list[T]] = defaultdict(list)
        self._changed: dict[Hashable, asyncio.Event] = {}

    def push(self, key: Hashable, item: T) -> None:
        self._log[key].append(item)
        self._untaken[key].append(item)
        # Every waiter on this key re-checks exactly once per push.
        event = self._changed.pop(key, None)
        if event is not None:
            event.set()

    def items(self, key: Hashable) -> list[T]:
        return list(self._log.get(key, ()))

    def _find(self, key: Hashable, match: Callable[[T], bool] | None) -> T | None:
        untaken = self._untaken.get(key, [])
        for index, item in enumerate(untaken):
            if match is None or match(item):
                del untaken[index]
                return item
        return None

    async def take(
        self, key: Hashable, timeout: float, match: Callable[[T], bool] | None = None
    ) -> T:
        """The next untaken item for ``key``; raises TimeoutError after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = self._find(key, match)
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            changed = self._changed.setdefault(key, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
