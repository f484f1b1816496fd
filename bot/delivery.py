"""Outgoing requests within Telegram's limits, without losing replies to passing faults.

PTB's AIORateLimiter pauses every request after any 429 (and lets them all go again as soon
as any one request succeeds), leaves private chats unthrottled and never retries a 5xx or a
timeout. This limiter, on PTB's BaseRateLimiter with aiolimiter's buckets:

- paces: 29 messages a second overall, evenly (small bursts only), 20 a minute per group,
  about one a second per private chat (a burst of 3, as Telegram allows); bulk sends
  (announcements, digests: ``rate_limit_args=BULK``) give way to replies and reminders waiting
  for the overall pace;
- keeps each chat's requests in order, one at a time: a later message to a chat never
  overtakes an earlier one that is waiting out a 429 or a retry, and no request to a chat
  is ever on the wire while another to it could earn it a wait;
- waits out a 429 for its chat (``retry_after`` plus a margin) and from then on paces that
  chat without bursts; a 429 on a request that names no chat pauses every request;
- retries 5xx answers and network errors with capped exponential backoff within a time
  budget (``SEND_BUDGET``), so an outage of Telegram of several seconds loses nothing;
- after a timeout, sends again only once Telegram answers again (probed with getMe): a
  timed-out send may have been delivered, and every further send into the outage could be
  delivered too, so this keeps the repeats to at most one per message in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]
PRIVATE_BURST = 3
PRIVATE_PERIOD = 3.0  # seconds: a burst of 3, then one message per second
GROUP_PER_MINUTE = 20
# Just under Telegram's 30 a second: at exactly 30 the smallest jitter on the way makes a
# message arrive early and earns a 429. Evenly: after a pause the queued sends must not leave
# in one burst of 29, which a stricter server refuses.
OVERALL_PER_SECOND = 29
OVERALL_BURST = 4
# After a 429 in a chat: no bursts there, and a little slower than the limit, since the
# limit is counted where messages arrive and the way there adds jitter.
STRICT_PRIVATE_PERIOD = 1.25
STRICT_GROUP_PERIOD = 60 / GROUP_PER_MINUTE + 0.25
RETRY_AFTER_MARGIN = 0.2
# How long one request may keep trying through 5xx answers and timeouts. Long enough for an
# outage of Telegram of tens of seconds; bounded because the caller waits meanwhile (one
# user's updates are handled in order, a reminder or broadcast sender holds its claim), and
# reminders and announcements are durable rows that are retried later from the database.
SEND_BUDGET = 60.0
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 5.0  # so the end of an outage is noticed within seconds
MAX_RETRY_AFTERS = 5  # 429s answered to one request before it gives up


@dataclass(frozen=True)
class Pacing:
    """What a request passes as PTB's `rate_limit_args`."""

    bulk: bool = False  # one of many (an announcement, a digest): others go first


BULK = Pacing(bulk=True)
# aiolimiter wakes its waiters smallest request first: a bulk send asks for a hair more of the
# overall pace, so a reply or a reminder waiting with them leaves before all of them instead of
# behind them (tests/test_pacing.py holds aiolimiter to it).
BULK_SHARE = 1.001
# Bulk sends in flight at most, below Telegram's HTTP pool (32, bot/application.py): a send
# past the pace waits for a connection in order, so bulk sends filling the pool would hold up
# a reply or a reminder behind all of them (national benchmark, a voivodeship's announcement
# with a pool of 8: replies waited 4.6 s). The rest of the pool stays theirs.
BULK_IN_FLIGHT = 16


def _transient(exc: Exception) -> bool:
    # BadRequest and Forbidden subclass NetworkError in PTB but are final answers.
    return isinstance(exc, TimedOut) or type(exc) is NetworkError


def _may_be_applied_twice(endpoint: str) -> bool:
    """Sends create a new message each time; edits, pins, answers and reads do not."""
    name = endpoint.lower()
    return name.startswith(("send", "copy", "forward")) and name != "sendchataction"


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB warns that retry_after becomes a timedelta
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _chat_key(data: dict[str, Any]) -> int | str | None:
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        return int(chat_id)
    return str(chat_id)  # @channelusername


@dataclass
class _Chat:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # FIFO: order per chat
    users: int = 0
    limiter: AsyncLimiter | None = None
    strict: bool = False
    paused_until: float = 0.0


class ReliableRateLimiter(BaseRateLimiter[Pacing]):
    def __init__(
        self,
        *,
        budget: float = SEND_BUDGET,
        backoff: float = BACKOFF_FIRST,
        backoff_cap: float = BACKOFF_CAP,
        max_retry_afters: int = MAX_RETRY_AFTERS,
    ) -> None:
        self.budget = budget  # seconds; tests shorten it to see a send give up
        self._backoff = backoff
        self._backoff_cap = backoff_cap
        self._max_retry_afters = max_retry_afters
        self._overall = AsyncLimiter(OVERALL_BURST, OVERALL_BURST / OVERALL_PER_SECOND)
        self._bulk_slots = asyncio.Semaphore(BULK_IN_FLIGHT)
        self._chats: dict[int | str, _Chat] = {}
        self._paused_until = 0.0  # every request (a 429 that named no chat)
        self._last_answer = 0.0  # loop time of the last answer of Telegram, of any kind
        self._probe: asyncio.Task[None] | None = None
        self._probe_waiters = 0
        # Figures for logs and tests.
        self.retry_afters = 0
        self.transient_failures = 0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        if self._probe is not None:
            self._probe.cancel()

    # -- scopes --------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _chat(self, key: int | str | None) -> AsyncIterator[_Chat | None]:
        if key is None:
            yield None
            return
        if key not in self._chats and len(self._chats) >= 4096:
            now = asyncio.get_running_loop().time()
            self._chats = {k: c for k, c in self._chats.items() if c.users or c.paused_until > now}
        chat = self._chats.setdefault(key, _Chat())
        chat.users += 1
        try:
            async with chat.lock:
                yield chat
        finally:
            chat.users -= 1
            now = asyncio.get_running_loop().time()
            if chat.users == 0 and chat.paused_until <= now and not chat.strict:
                del self._chats[key]  # idle chats are forgotten: the map stays small

    def _limiter(self, key: int | str, chat: _Chat) -> AsyncLimiter:
        if chat.limiter is None:
            private = isinstance(key, int) and key > 0
            if chat.strict:
                period = STRICT_PRIVATE_PERIOD if private else STRICT_GROUP_PERIOD
                chat.limiter = AsyncLimiter(1, period)
            elif private:
                chat.limiter = AsyncLimiter(PRIVATE_BURST, PRIVATE_PERIOD)
            else:
                chat.limiter = AsyncLimiter(GROUP_PER_MINUTE, 60)
        return chat.limiter

    async def _wait_pauses(self, chat: _Chat | None) -> None:
        loop = asyncio.get_running_loop()
        while True:
            until = max(self._paused_until, chat.paused_until if chat else 0.0)
            if until <= loop.time():
                return
            await asyncio.sleep(until - loop.time())

    def _rate_limited(self, chat: _Chat | None, exc: RetryAfter) -> None:
        self.retry_afters += 1
        until = asyncio.get_running_loop().time() + _seconds(exc) + RETRY_AFTER_MARGIN
        if chat is None:
            self._paused_until = max(self._paused_until, until)
            return
        chat.paused_until = max(chat.paused_until, until)
        if not chat.strict:
            # Kept while strict, so a chat that earned a 429 is not forgotten and burst again.
            chat.strict, chat.limiter = True, None

    # -- Telegram answering or not ------------------------------------------------------------

    def _answered(self) -> None:
        self._last_answer = asyncio.get_running_loop().time()

    async def _probe_until_answered(
        self, callback: Callable[..., Coroutine[Any, Any, JSON]], kwargs: dict[str, Any]
    ) -> None:
        delay = self._backoff
        while self._probe_waiters > 0:
            try:
                await callback("getMe", {}, **kwargs)  # reads only: safe to repeat
            except TelegramError as exc:
                if not _transient(exc):
                    self._answered()
                    return
            else:
                self._answered()
                return
            await asyncio.sleep(delay)
            delay = min(self._backoff_cap, delay * 2)

    async def _until_answering(
        self,
        since: float,
        deadline: float,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
    ) -> bool:
        """Wait until Telegram answers anything after `since`; False when the budget ran out."""
        loop = asyncio.get_running_loop()
        probing = isinstance(args, tuple) and len(args) == 2 and isinstance(args[0], str)
        self._probe_waiters += 1
        try:
            while self._last_answer <= since:
                if loop.time() >= deadline:
                    return False
                if probing and (self._probe is None or self._probe.done()):
                    self._probe = asyncio.create_task(self._probe_until_answered(callback, kwargs))
                await asyncio.sleep(0.1)
            return True
        finally:
            self._probe_waiters -= 1

    # -- the request ---------------------------------------------------------------------------

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Pacing | None,
    ) -> JSON:
        loop = asyncio.get_running_loop()
        key = _chat_key(data)
        bulk = rate_limit_args is not None and rate_limit_args.bulk
        async with self._chat(key) as chat:
            deadline = loop.time() + self.budget
            delay = self._backoff
            rate_limited = 0
            while True:
                await self._wait_pauses(chat)
                try:
                    async with self._bulk_slots if bulk else contextlib.nullcontext():
                        if key is not None and chat is not None:
                            await self._limiter(key, chat).acquire()
                            await self._overall.acquire(BULK_SHARE if bulk else 1)
                        result = await callback(*args, **kwargs)
                    self._answered()
                    return result
                except RetryAfter as exc:
                    self._answered()
                    rate_limited += 1
                    if rate_limited > self._max_retry_afters:
                        raise
                    log.info("%s to %s: %s", endpoint, key, exc.message)
                    self._rate_limited(chat, exc)
                except TelegramError as exc:
                    if not _transient(exc):
                        self._answered()
                        raise
                    self.transient_failures += 1
                    failed_at = loop.time()
                    if failed_at + delay > deadline:
                        raise
                    log.warning(
                        "%s to %s failed (%s); retrying within %.0fs",
                        endpoint,
                        key,
                        exc.message,
                        deadline - failed_at,
                    )
                    await asyncio.sleep(delay)
                    delay = min(self._backoff_cap, delay * 2)
                    timed_out_send = isinstance(exc, TimedOut) and _may_be_applied_twice(endpoint)
                    if timed_out_send and not await self._until_answering(
                        failed_at, deadline, callback, args, kwargs
                    ):
                        raise
