"""Outgoing requests within Telegram's limits, without losing replies to passing faults.

PTB's AIORateLimiter throttles overall and per group and retries 429 (`retry_after`) when
asked to, but leaves private chats unthrottled and never retries a 5xx or a timeout. This
subclass adds both: about one message per second per private chat (with a short burst, as
Telegram allows), and a bounded retry with backoff for server errors and timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]
# Methods that only read: retried freely. Sends are retried too; see `_transient`.
PRIVATE_BURST = 3
PRIVATE_PERIOD = 3.0  # seconds: a burst of 3, then one message per second
# Just under Telegram's 30 a second: at exactly 30 the smallest jitter on the way makes a
# message arrive early and earns a 429 (and a pause of every send for `retry_after`).
OVERALL_PER_SECOND = 29


def _transient(exc: Exception) -> bool:
    # BadRequest and Forbidden subclass NetworkError in PTB but are final answers.
    return isinstance(exc, TimedOut) or type(exc) is NetworkError


class ReliableRateLimiter(AIORateLimiter):
    def __init__(
        self, *, max_retries: int = 5, transient_retries: int = 3, backoff: float = 0.5
    ) -> None:
        super().__init__(overall_max_rate=OVERALL_PER_SECOND, max_retries=max_retries)
        self._transient_retries = transient_retries
        self._backoff = backoff
        self._private: dict[int, AsyncLimiter] = {}

    def _private_limiter(self, chat_id: object) -> AsyncLimiter | None:
        with contextlib.suppress(TypeError, ValueError):
            numeric = int(chat_id)  # type: ignore[call-overload]
            if numeric > 0:
                if len(self._private) > 4096:
                    # Forget idle chats so the map does not grow without bound.
                    self._private = {
                        k: v for k, v in self._private.items() if not v.has_capacity(PRIVATE_BURST)
                    }
                return self._private.setdefault(
                    numeric, AsyncLimiter(PRIVATE_BURST, PRIVATE_PERIOD)
                )
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        limiter = self._private_limiter(data.get("chat_id"))
        for attempt in range(self._transient_retries + 1):
            try:
                async with limiter or contextlib.nullcontext():
                    return await super().process_request(
                        callback, args, kwargs, endpoint, data, rate_limit_args
                    )
            except NetworkError as exc:
                if not _transient(exc) or attempt == self._transient_retries:
                    raise
                delay = self._backoff * 2**attempt
                log.warning(
                    "%s failed (%s); retry %d in %.1fs", endpoint, exc.message, attempt + 1, delay
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
