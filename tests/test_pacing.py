"""The rate limiter's order: replies and reminders before bulk sends waiting with them.

An announcement or a digest keeps the overall pace of 29 messages a second busy for minutes;
a reply or a reminder that had to queue behind every bulk send already waiting would be late
by as many sends. aiolimiter wakes its waiters smallest request first, and bulk sends ask for a
hair more (bot/delivery.py): this holds the library to that.
"""

from __future__ import annotations

import asyncio

from bot.delivery import BULK, Pacing, ReliableRateLimiter


async def _order(bulk_sends: int) -> list[str]:
    limiter = ReliableRateLimiter()
    order: list[str] = []

    async def call(name: str) -> bool:
        order.append(name)
        return True

    async def send(name: str, chat_id: int, pacing: Pacing | None) -> None:
        data = {"chat_id": chat_id, "text": name}
        await limiter.process_request(call, (name,), {}, "sendMessage", data, pacing)

    bulk = [asyncio.create_task(send(f"bulk {n}", 1_000 + n, BULK)) for n in range(bulk_sends)]
    await asyncio.sleep(0.02)  # the burst has gone, the rest wait for the pace
    await send("reply", 999, None)
    await asyncio.gather(*bulk)
    return order


async def test_a_reply_waiting_with_bulk_sends_goes_before_them() -> None:
    order = await _order(12)
    assert len(order) == 13
    assert order.index("reply") <= 5  # the burst of 4, perhaps one more, then the reply
