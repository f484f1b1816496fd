"""Webhook mode: Telegram POSTs updates to us; every request must carry our secret token.

An aiohttp server (already a dependency) rather than PTB's built-in one, because we also serve
a health endpoint for the reverse proxy or orchestrator:

- `POST /telegram`: the `X-Telegram-Bot-Api-Secret-Token` header must equal the secret given
  to setWebhook (its raw bytes compared in constant time); otherwise 403 and nothing is read
  or processed. With the secret: 400 for a body that is not a Telegram update, 413 over
  `MAX_BODY`, 408 (and the connection closed) when the body is not in within the read timeout.
- `GET /health`: 200 when the database answers, 503 otherwise.
- `GET|HEAD /kalendarz/<token>.ics`: calendar subscription feeds (bot/feed_http.py); in
  polling mode with PUBLIC_URL set, `http_server` serves them and /health alone.

The port faces the internet (through a proxy, but still), so nothing a client sends may raise:
odd header bytes, any JSON, invalid UTF-8, a compressed body, a slow body. Connections are
capped (`WEBHOOK_MAX_CONNECTIONS`) and time-limited (`WEBHOOK_READ_TIMEOUT`), so a crowd of
slow clients cannot hold the bot's sockets or memory.

The secret is random per start and registered with setWebhook at start, so it never has to be
configured or stored.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import hdrs, web
from aiohttp.http_exceptions import HttpProcessingError
from telegram import Update
from telegram.ext import Application

from bot.application import ALLOWED_UPDATES, running
from bot.config import Settings
from bot.feed_http import FEED_PATH, feed_server
from bot.webapp.server import APP_PATH, webapp_server
from storage.db import connection_lost
from storage.housekeeping import queue_sizes

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UPDATES_PATH = "/telegram"
# Telegram's updates are a few KB (a 4096-character text with its entities and a quoted reply
# stays well under 100 KB; files come as ids, never inline). 1 MiB is a wide margin, nginx's
# own default client_max_body_size, and bounds memory at cap × 1 MiB.
MAX_BODY = 1024 * 1024
# After answering without reading a body (403, 413), drain it this long so the client gets
# the answer instead of a reset; then the connection closes.
LINGER = 1.0

_SECRET_NAME = SECRET_HEADER.lower().encode()
_Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class _QuietBadRequests(logging.Filter):
    """aiohttp logs a malformed request (control bytes in a header, broken framing) at ERROR
    with a traceback before answering it 400: anyone can send one, so one warning line it is.
    Other errors (a 500 would be our bug) keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = "webhook: malformed HTTP request refused with 400 (%s)"
            record.args = (exc.__class__.__name__,)
            record.exc_info = record.exc_text = None
        return True


_http_log = logging.getLogger(f"{__name__}.http")
_http_log.addFilter(_QuietBadRequests())


class _CappedServer(web.Server):
    """aiohttp's low-level server, answering connections beyond `cap` with 503 and closing them.

    Counted where aiohttp registers a connection (in accept order, so the cap is exact); the
    close is scheduled rather than done here because the handler is still being set up."""

    def __init__(self, handler: _Handler, *, cap: int, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._cap = cap
        self._warned_at: float | None = None

    def connection_made(self, handler: web.RequestHandler, transport: asyncio.Transport) -> None:
        if len(self.connections) < self._cap:
            super().connection_made(handler, transport)
            return
        transport.write(_BUSY)
        asyncio.get_running_loop().call_soon(handler.force_close)
        now = asyncio.get_running_loop().time()
        if self._warned_at is None or now - self._warned_at > 60:  # a flood: one line a minute
            self._warned_at = now
            log.warning("webhook: %s connections open, further ones refused with 503", self._cap)


def _carries_secret(raw_headers: tuple[tuple[bytes, bytes], ...], secret: bytes) -> bool:
    # Raw bytes: decoding odd bytes (\xff, "żółw" in cp1250) is what used to raise. Exactly one
    # such header: with two, neither "the first" nor "any" is a safe reading.
    given = [value for name, value in raw_headers if name.lower() == _SECRET_NAME]
    return len(given) == 1 and hmac.compare_digest(given[0], secret)


class _TooLarge(Exception):
    pass


async def _read_body(request: web.BaseRequest) -> bytes:
    """The body, at most MAX_BODY bytes (also when chunked, without a Content-Length)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.readany():
        size += len(chunk)
        if size > MAX_BODY:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


_JSON_KINDS = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _parse_update(body: bytes, app: Application) -> Update | str:
    """The update, or why it is not one (never the body's contents: it may be anyone's)."""
    try:
        # Decoded here, strictly: json.loads(bytes) would also guess UTF-16 and UTF-32.
        payload = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return "not JSON in UTF-8"
    if not isinstance(payload, dict):
        return f"JSON {_JSON_KINDS.get(type(payload), 'value')}, not an object"
    update_id = payload.get("update_id")
    if type(update_id) is not int or not 0 <= update_id < 2**63:  # bool is not an update id
        return "no integer update_id"
    try:
        return Update.de_json(payload, app.bot)
    except Exception as exc:  # PTB trusts the shape it parses: an odd one raises anything
        return f"update {update_id} not parsed by PTB ({exc.__class__.__name__})"


def _handler(app: Application, secret: bytes | None, read_timeout: float) -> _Handler:
    """The webhook's routes; without a secret (polling mode) only /health and the feeds."""

    async def receive(request: web.BaseRequest) -> web.StreamResponse:
        if secret is None or not _carries_secret(request.raw_headers, secret):
            log.warning("webhook request without the right secret token refused")
            return web.Response(status=403)
        if request.headers.get(hdrs.CONTENT_ENCODING, "identity").lower() != "identity":
            # Telegram never compresses; a compressed body could be a bomb.
            log.warning("webhook request refused with 400: compressed body")
            return web.Response(status=400)
        if (request.content_length or 0) > MAX_BODY:
            log.warning("webhook request refused with 413: %s bytes", request.content_length)
            return web.Response(status=413)
        try:
            async with asyncio.timeout(read_timeout):
                body = await _read_body(request)
        except TimeoutError:
            log.warning("webhook request body not in within %s s: connection closed", read_timeout)
            response = web.Response(status=408)
            response.force_close()
            return response
        except _TooLarge:
            log.warning("webhook request refused with 413: body over %s bytes", MAX_BODY)
            return web.Response(status=413)
        except (HttpProcessingError, web.RequestPayloadError) as exc:  # e.g. broken chunking
            log.warning("webhook request refused with 400: %s", exc.__class__.__name__)
            return web.Response(status=400)
        except ConnectionError:  # left halfway: aiohttp would log a traceback and a 500
            log.warning("webhook request abandoned by the client before its body was in")
            return web.Response(status=400)  # to nobody; aiohttp drops it quietly
        update = _parse_update(body, app)
        if isinstance(update, str):
            log.warning("webhook request refused with 400: %s", update)
            return web.Response(status=400)
        try:
            await app.bot_data["inbox"].take([update])  # stored before the 200
        except Exception as error:
            if not connection_lost(error):
                raise
            log.warning("webhook: database unavailable, Telegram will retry: %s", error)
            return web.Response(status=503)
        return web.Response(status=200)

    async def health() -> web.Response:
        try:
            async with app.bot_data["db"].session() as session:
                sizes = await queue_sizes(session)
        except Exception as exc:  # any failure means "not healthy", said, not raised
            log.warning("health check: database unavailable: %s", exc.__class__.__name__)
            return web.json_response({"status": "database unavailable"}, status=503)
        return web.json_response({"status": "ok", "bot": app.bot.username, **sizes})

    # Three routes, routed here: the low-level server is what lets us count connections.
    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        if request.path == UPDATES_PATH and secret is not None:
            if request.method != hdrs.METH_POST:
                return web.Response(status=405, headers={hdrs.ALLOW: hdrs.METH_POST})
            return await receive(request)
        if request.path == "/health":
            if request.method not in (hdrs.METH_GET, hdrs.METH_HEAD):
                return web.Response(status=405, headers={hdrs.ALLOW: "GET, HEAD"})
            return await health()
        if request.path.startswith(FEED_PATH):  # calendar feeds (bot/feed_http.py)
            return await feed_server(app).handle(request)
        if request.path == APP_PATH or request.path.startswith(f"{APP_PATH}/"):
            return await webapp_server(app).handle(request)  # the Mini App (bot/webapp/)
        return web.Response(status=404)

    return handle


def _server(app: Application, secret: bytes | None, settings: Settings) -> web.Server:
    read_timeout = settings.webhook_read_timeout
    return _CappedServer(
        _handler(app, secret, read_timeout),
        cap=settings.webhook_max_connections,
        # aiohttp closes a connection idle this long, counted from its opening or its last
        # answer: this also bounds the time to send the request's headers.
        keepalive_timeout=read_timeout,
        lingering_time=LINGER,
        auto_decompress=False,
        access_log=None,
        logger=_http_log,
    )


@asynccontextmanager
async def webhook(
    app: Application,
    public_url: str,
    *,
    listen: str = "127.0.0.1",
    port: int = 8080,
) -> AsyncIterator[web.BaseRunner]:
    """Start the bot behind a webhook at `public_url` (the proxy forwards it to
    listen:port/telegram); stop it cleanly afterwards."""
    secret = secrets.token_urlsafe(32)
    settings: Settings = app.bot_data["settings"]
    async with running(app):
        runner = web.ServerRunner(_server(app, secret.encode(), settings))
        await runner.setup()
        await web.TCPSite(runner, listen, port).start()
        await app.bot.set_webhook(
            public_url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
        log.info("webhook at %s, listening on %s:%s", public_url, listen, port)
        try:
            yield runner
        finally:
            await runner.cleanup()  # no new requests; then the bounded stop


@asynccontextmanager
async def http_server(
    app: Application, *, listen: str = "127.0.0.1", port: int = 8080
) -> AsyncIterator[web.BaseRunner]:
    """Polling mode with PUBLIC_URL: the same server without the webhook route, for the
    calendar feeds and /health. Start it inside `polling(app)` (it needs the database)."""
    runner = web.ServerRunner(_server(app, None, app.bot_data["settings"]))
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    log.info("calendar feeds and /health on %s:%s", listen, port)
    try:
        yield runner
    finally:
        await runner.cleanup()
