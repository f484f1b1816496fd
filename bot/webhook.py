"""Webhook mode: Telegram POSTs updates to us; every request must carry our secret token.

An aiohttp server (already a dependency) rather than PTB's built-in one, because we also serve
a health endpoint for the reverse proxy or orchestrator:

- `POST /telegram`: the `X-Telegram-Bot-Api-Secret-Token` header must equal the secret given
  to setWebhook (compared in constant time); otherwise 403 and nothing is processed.
- `GET /health`: 200 when the database answers, 503 otherwise.

The secret is random per start and registered with setWebhook at start, so it never has to be
configured or stored.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from sqlalchemy import text
from telegram import Update
from telegram.ext import Application

from bot.application import ALLOWED_UPDATES

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UPDATES_PATH = "/telegram"


def _server(app: Application, secret: str) -> web.Application:  # type: ignore[type-arg]
    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook request without the right secret token refused")
            return web.Response(status=403)
        try:
            payload = await request.json()
            update = Update.de_json(payload, app.bot)
        except (json.JSONDecodeError, ValueError, TypeError, KeyError):
            return web.Response(status=400)
        if update is None:
            return web.Response(status=400)
        await app.update_queue.put(update)
        return web.Response(status=200)

    async def health(_request: web.Request) -> web.Response:
        try:
            async with app.bot_data["db"].engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "not healthy", said, not raised
            log.warning("health check: database unavailable: %s", exc.__class__.__name__)
            return web.json_response({"status": "database unavailable"}, status=503)
        return web.json_response({"status": "ok", "bot": app.bot.username})

    server = web.Application(client_max_size=1024 * 1024)
    server.router.add_post(UPDATES_PATH, receive)
    server.router.add_get("/health", health)
    return server


@asynccontextmanager
async def webhook(
    app: Application,  # type: ignore[type-arg]
    public_url: str,
    *,
    listen: str = "127.0.0.1",
    port: int = 8080,
) -> AsyncIterator[web.AppRunner]:
    """Start the bot behind a webhook at `public_url` (the proxy forwards it to
    listen:port/telegram); stop it cleanly afterwards."""
    secret = secrets.token_urlsafe(32)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    runner = web.AppRunner(_server(app, secret), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    await app.start()
    await app.bot.set_webhook(
        public_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
    )
    log.info("webhook at %s, listening on %s:%s", public_url, listen, port)
    try:
        yield runner
    finally:
        await runner.cleanup()
        await app.stop()
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
