"""Per-user ordering of concurrently processed updates."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.updates import PerUserUpdateProcessor


def _update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "U", False)
    message = Message(update_id, None, Chat(user_id, "private"), from_user=user, text="x")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_one_users_updates_stay_in_order_while_others_proceed() -> None:
    processor = PerUserUpdateProcessor(8)
    finished: list[tuple[int, int]] = []

    async def work(update_id: int, user_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        finished.append((user_id, update_id))

    jobs = [
        processor.process_update(_update(1, 1), work(1, 1, 0.2)),  # slow first update of user 1
        processor.process_update(_update(2, 1), work(2, 1, 0.0)),
        processor.process_update(_update(3, 2), work(3, 2, 0.0)),  # another user
    ]
    await asyncio.gather(*(asyncio.ensure_future(j) for j in jobs))
    assert finished == [(2, 3), (1, 1), (1, 2)]


async def test_an_update_delivered_twice_is_handled_once() -> None:
    # Telegram delivers at least once (a lost getUpdates answer, a retried webhook request).
    processor = PerUserUpdateProcessor(8)
    handled: list[int] = []

    async def work(update_id: int) -> None:
        handled.append(update_id)

    for update_id in (1, 2, 1, 3, 2):
        await processor.process_update(_update(update_id, 7), work(update_id))
    assert handled == [1, 2, 3]
