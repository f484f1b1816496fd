"""Per-user ordering of concurrently processed updates."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.updates import PerUserUpdateProcessor
from storage import inbox
from storage.db import Database
from storage.inbox import Received


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


async def test_an_update_delivered_twice_is_handled_once(db: Database) -> None:
    # Telegram delivers at least once (a lost getUpdates answer, a retried webhook request):
    # the inbox stores an update_id once, and only what it stored now is handed on.
    def received(update_id: int) -> Received:
        return Received(update_id, 7, "{}")

    async with db.session() as session:
        first = await inbox.accept(session, [received(i) for i in (1, 2)])
    async with db.session() as session:
        again = await inbox.accept(session, [received(i) for i in (1, 3, 2)])
    assert (first, again) == ([1, 2], [3])


async def test_only_an_update_begun_at_every_start_is_given_up(db: Database) -> None:
    # Restarts alone (kill -9 back to back) never give an update up: only one whose handling
    # began MAX_ATTEMPTS times and never finished, i.e. one that kills the bot each time.
    now = datetime.now(UTC)
    async with db.session() as session:
        await inbox.accept(session, [Received(i, 7, f'{{"update_id": {i}}}') for i in (1, 2)])
    for _ in range(inbox.MAX_ATTEMPTS + 2):
        async with db.session() as session:
            again, given_up = await inbox.left_unhandled(session, now)
        assert len(again) == 2 and given_up == []
    for _ in range(inbox.MAX_ATTEMPTS):
        async with db.session() as session:
            await inbox.begun(session, 2)
    async with db.session() as session:
        again, given_up = await inbox.left_unhandled(session, now)
    assert again == ['{"update_id": 1}'] and given_up == [2]
