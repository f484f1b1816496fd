"""Webhook mode: updates POSTed with the secret token are handled; anything else is refused
(403 without the secret, 400 for what is not an update, 413 for oversized bodies), slow
clients are cut off and connections beyond the cap are closed. Never a 500."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import aiohttp
import pytest

from bot.application import build_application
from bot.webhook import SECRET_HEADER, UPDATES_PATH, webhook
from botapi_emulator import BotApiEmulator
from tests.conftest import make_settings

USER = 2401
MAX_BODY = 1024 * 1024  # the cap the README documents
_update_ids = iter(range(10, 10**6))


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


@asynccontextmanager
async def serving(
    emulator: BotApiEmulator, db_url: str, **settings: Any
) -> AsyncIterator[tuple[int, bytes]]:
    """The bot in webhook mode on a free port: yields (port, secret)."""
    emulator.add_user(USER, "Ola")
    port = _free_port()
    app = build_application(make_settings(emulator, db_url, **settings))
    async with webhook(app, "https://bot.example.org/telegram", port=port):
        yield port, emulator.world.webhook["secret_token"].encode()


def raw_request(
    body: bytes, secret: bytes | None, *, head: bytes = b"", length: int | None = None
) -> bytes:
    """An HTTP request as bytes, so headers and bodies can be anything a client may send."""
    lines = b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % UPDATES_PATH.encode()
    lines += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % (
        len(body) if length is None else length
    )
    if secret is not None:
        lines += SECRET_HEADER.encode() + b": " + secret + b"\r\n"
    return lines + head + b"\r\n" + body


async def exchange(port: int, request: bytes, timeout: float = 15) -> int:
    """Send `request` on a new connection and return the status of the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def send() -> None:
        # A refused request's body may be left unread: the server may close first.
        with suppress(ConnectionError):
            writer.write(request)
            await writer.drain()

    sending = asyncio.create_task(send())
    chunks: list[bytes] = []
    try:
        async with asyncio.timeout(timeout):
            while chunk := await reader.read(65536):
                chunks.append(chunk)
    except ConnectionResetError:
        # A malformed request is answered, then the connection dropped with its body unread.
        if not chunks:
            raise
    finally:
        await sending
        writer.close()
        with suppress(ConnectionError):
            await writer.wait_closed()
    answer = b"".join(chunks)
    assert answer.startswith((b"HTTP/1.1 ", b"HTTP/1.0 ")), answer[:200]  # 1.0: unparsable
    return int(answer.split(b" ", 2)[1])


async def answers_a_proper_update(port: int, secret: bytes, emulator: BotApiEmulator) -> None:
    body = json.dumps(_start_message(next(_update_ids))).encode()
    assert await exchange(port, raw_request(body, secret)) == 200
    hello = await emulator.next_message(USER)
    assert "Kooperacje 3D" in hello["text"]


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not loud, [(r.name, r.getMessage()) for r in loud]


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


async def test_odd_secret_headers_get_403_and_no_traceback(
    emulator: BotApiEmulator, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(_start_message(3)).encode()
    async with serving(emulator, db_url) as (port, secret):
        for given in (
            b"\xff",
            "żółw".encode(),
            "żółw".encode("cp1250"),
            b"\x80\xfe" * 40,
            secret + b"\xff",
            secret[:-1] + b"\xc5",
            b"",
        ):
            assert await exchange(port, raw_request(body, given)) == 403, given
        # Twice, once right: not "the first one" nor "any one" wins.
        assert (
            await exchange(
                port, raw_request(body, secret, head=b"%s: x\r\n" % SECRET_HEADER.encode())
            )
            == 403
        )
        assert emulator.messages(USER) == []
        # The header's name is case-insensitive, as HTTP says.
        lower = raw_request(
            body, None, head=SECRET_HEADER.lower().encode() + b": " + secret + b"\r\n"
        )
        assert await exchange(port, lower) == 200
        assert "Kooperacje 3D" in (await emulator.next_message(USER))["text"]
    _no_tracebacks(caplog)


ODD_BODIES = {
    "number": (b"123", 400),
    "list": (b"[]", 400),
    "null": (b"null", 400),
    "string": (b'"x"', 400),
    "no update_id": (b'{"message":"x"}', 400),
    "text update_id": (b'{"update_id":"a"}', 400),
    "bool update_id": (b'{"update_id":true}', 400),
    "float update_id": (b'{"update_id":1.5}', 400),
    "NaN update_id": (b'{"update_id":NaN}', 400),
    "message is text": (b'{"update_id":1,"message":"tajne-dane"}', 400),
    "message is a list": (b'{"update_id":1,"message":["tajne-dane"]}', 400),
    "empty message": (b'{"update_id":1,"message":{}}', 400),
    "callback is a number": (b'{"update_id":1,"callback_query":5}', 400),
    "invalid JSON": (b"{not json", 400),
    "invalid UTF-8": (b'{"update_id":1,"x":"\xff\xfe"}', 400),
    "UTF-16": ('{"update_id":1}'.encode("utf-16"), 400),
    "deep nesting": (b"[" * 200_000, 400),
    "huge number": (b'{"update_id":' + b"9" * 5000 + b"}", 400),
    "empty": (b"", 400),
    "too large": (b'{"update_id":1,"x":"' + b"a" * MAX_BODY + b'"}', 413),
}


async def test_odd_bodies_get_400_or_413_and_the_bot_still_answers(
    emulator: BotApiEmulator, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with serving(emulator, db_url) as (port, secret):
        for name, (body, status) in ODD_BODIES.items():
            assert await exchange(port, raw_request(body, secret)) == status, name
        # Chunked, without a Content-Length: the cap holds while reading.
        chunked = b"POST /telegram HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        chunked += (
            SECRET_HEADER.encode() + b": " + secret + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        piece = b"a" * 65536
        chunked += (b"%x\r\n%s\r\n" % (len(piece), piece)) * (
            MAX_BODY // len(piece) + 2
        ) + b"0\r\n\r\n"
        assert await exchange(port, chunked) == 413
        broken = chunked[: chunked.index(b"\r\n\r\n") + 4] + b"zz\r\n{}\r\n0\r\n\r\n"
        assert await exchange(port, broken) == 400
        # Telegram never compresses; a compressed body could be a bomb: refused unread.
        bomb = gzip.compress(b" " * 10_000_000)
        assert (
            await exchange(port, raw_request(bomb, secret, head=b"Content-Encoding: gzip\r\n"))
            == 400
        )
        assert emulator.messages(USER) == []
        await answers_a_proper_update(port, secret, emulator)
    _no_tracebacks(caplog)
    assert "tajne-dane" not in caplog.text  # refusals are logged without the body


async def _cut_within(reader: asyncio.StreamReader, seconds: float) -> float:
    """Seconds until the server closed the connection (a 408 answer may come first)."""
    started = time.monotonic()
    with suppress(ConnectionError):
        while await asyncio.wait_for(reader.read(65536), seconds):
            pass
    return time.monotonic() - started


async def test_slow_clients_are_cut_off(
    emulator: BotApiEmulator, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with serving(emulator, db_url, webhook_read_timeout=1.0) as (port, secret):
        body = json.dumps(_start_message(4)).encode()
        request = raw_request(body, secret)
        split = request.index(b"\r\n\r\n") + 4

        stalled_body = await asyncio.open_connection("127.0.0.1", port)
        stalled_body[1].write(request[: split + 10])  # headers and 10 bytes of the body
        stalled_headers = await asyncio.open_connection("127.0.0.1", port)
        stalled_headers[1].write(request[:30])

        # And one that gives up halfway through its body.
        leaving = await asyncio.open_connection("127.0.0.1", port)
        leaving[1].write(request[: split + 10])
        await leaving[1].drain()
        await asyncio.sleep(0.1)
        leaving[1].close()

        trickling = await asyncio.open_connection("127.0.0.1", port)
        trickling[1].write(request[:split])

        async def trickle() -> None:
            with suppress(ConnectionError):
                for byte in body:
                    trickling[1].write(bytes([byte]))
                    await trickling[1].drain()
                    await asyncio.sleep(0.2)

        dripping = asyncio.create_task(trickle())
        try:
            for reader, _ in (stalled_body, stalled_headers, trickling):
                assert await _cut_within(reader, 4.0) < 4.0
        finally:
            dripping.cancel()
            for _, writer in (stalled_body, stalled_headers, trickling):
                writer.close()
        assert emulator.messages(USER) == []
        await answers_a_proper_update(port, secret, emulator)
    _no_tracebacks(caplog)


async def test_connections_beyond_the_cap_are_closed(emulator: BotApiEmulator, db_url: str) -> None:
    cap = 5
    async with serving(emulator, db_url, webhook_max_connections=cap) as (port, secret):
        opened = [await asyncio.open_connection("127.0.0.1", port) for _ in range(4 * cap)]
        for _, writer in opened:
            writer.write(b"POST /telegram HTTP/1.1\r\nHost: x\r\n")  # and then nothing

        async def closed(reader: asyncio.StreamReader) -> bool:
            """The server closed it within a second (a 503 answer may come first)."""
            try:
                async with asyncio.timeout(1.0):
                    while await reader.read(65536):
                        pass
            except ConnectionError:
                return True
            except TimeoutError:
                return False
            return True

        held = [not shut for shut in await asyncio.gather(*(closed(r) for r, _ in opened))]
        assert 1 <= sum(held) <= cap, f"{sum(held)} of {len(opened)} connections held open"
        for _, writer in opened:
            writer.close()
        await asyncio.sleep(0.2)
        await answers_a_proper_update(port, secret, emulator)
