"""Token-bucket flood control modelled on Telegram's documented broadcast limits."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]

# A bucket that never refills would make retry_after infinite; Telegram never answers more than
# about a day, so cap there.
_MAX_RETRY_AFTER = 86_400


@dataclass(frozen=True)
class FloodLimits:
    """Bucket sizes (burst) and refill rates (tokens per second) for each scope."""

    global_burst: float = 30
    global_per_second: float = 30.0
    private_burst: float = 3
    private_per_second: float = 1.0
    group_burst: float = 20
    group_per_second: float = 20 / 60


class TokenBucket:
    def __init__(self, capacity: float, per_second: float, now: float) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self.tokens = capacity
        self.updated = now

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.per_second)
        self.updated = now

    def wait_time(self, now: float) -> float:
        self._refill(now)
        if self.tokens >= 1:
            return 0.0
        if self.per_second <= 0:
            return float(_MAX_RETRY_AFTER)
        return (1 - self.tokens) / self.per_second

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1


class FloodControl:
    """Checks and charges the global bucket plus one bucket per chat."""

    def __init__(self, limits: FloodLimits, clock: Clock = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        now = clock()
        self._global = TokenBucket(limits.global_burst, limits.global_per_second, now)
        self._chats: dict[int, TokenBucket] = {}

    def _chat_bucket(self, chat_id: int | None, chat_type: str | None) -> TokenBucket | None:
        if chat_id is None or chat_type is None:
            return None
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if chat_type == "private":
                capacity, rate = self.limits.private_burst, self.limits.private_per_second
            else:
                capacity, rate = self.limits.group_burst, self.limits.group_per_second
            bucket = TokenBucket(capacity, rate, self.clock())
            self._chats[chat_id] = bucket
        return bucket

    def retry_after(self, chat_id: int | None, chat_type: str | None) -> int | None:
        """Seconds to wait (>= 1) if a message now would exceed a limit, else None."""
        now = self.clock()
        buckets = [self._global, self._chat_bucket(chat_id, chat_type)]
        wait = max(b.wait_time(now) for b in buckets if b is not None)
        if wait <= 0:
            return None
        return min(_MAX_RETRY_AFTER, max(1, math.ceil(wait)))

    def consume(self, chat_id: int | None, chat_type: str | None) -> None:
        now = self.clock()
        self._global.take(now)
        bucket = self._chat_bucket(chat_id, chat_type)
        if bucket is not None:
            bucket.take(now)
