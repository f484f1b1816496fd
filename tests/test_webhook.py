"""Webhook mode: updates POSTed with the secret token are handled; anything else gets 403."""

from __future__ import annotations

import socket
import time

import aiohttp

from bot.application import build_application
from bot.emulator import BotApiEmulator
from bot.webhook import SECRET_HEADER, UPDATES_PATH, webhook
from tests.conftest import make_settings

USER = 2401


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_message(update_id: int) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": USER, "type": "private", "first_name": "Ola"},
            "from": {"id": USER, "is_bot": False, "first_name": "Ola", "language_code": "pl"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_only_requests_with_the_secret_token_are_processed(
    emulator: BotApiEmulator, db_url: str
) -> None:
    emulator.add_user(USER, "Ola")
    port = _free_port()
    app = build_application(make_settings(emulator, db_url))
    async with webhook(app, "https://bot.example.org/telegram", port=port):
        registered = emulator.world.webhook
        assert registered["url"] == "https://bot.example.org/telegram"
        secret = registered["secret_token"]
        assert secret and len(secret) >= 32
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: secret[:-1]}):
                async with http.post(
                    base + UPDATES_PATH, json=_start_message(1), headers=headers
                ) as answer:
                    assert answer.status == 403
            async with http.post(
                base + UPDATES_PATH, data=b"{not json", headers={SECRET_HEADER: secret}
            ) as answer:
                assert answer.status == 400
            assert emulator.messages(USER) == []  # nothing was processed

            async with http.post(
                base + UPDATES_PATH, json=_start_message(2), headers={SECRET_HEADER: secret}
            ) as answer:
                assert answer.status == 200
            hello = await emulator.next_message(USER)
            assert "Kooperacje 3D" in hello["text"]

            async with http.get(base + "/health") as answer:
                assert answer.status == 200
                assert (await answer.json())["status"] == "ok"
