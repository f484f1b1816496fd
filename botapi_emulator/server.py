"""The aiohttp HTTP surface: /bot<token>/<method> and /file/bot<token>/<path> on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiohttp import web

from .dispatch import NOT_FOUND, Dispatcher, Ticket
from .errors import ApiError
from .files import FileStore
from .params import read_params

JsonDict = dict[str, Any]
UNAUTHORIZED: JsonDict = {"ok": False, "error_code": 401, "description": "Unauthorized"}
# Upload limit of the Bot API (50 MB) plus room for the multipart framing.
_MAX_BODY = 52 * 1024 * 1024


class ApiServer:
    def __init__(self, token: str, dispatcher: Dispatcher, files: FileStore) -> None:
        self.token = token
        self.dispatcher = dispatcher
        self.files = files
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[tuple[int, JsonDict]]] = set()
        self.port = 0

    async def start(self, port: int = 0) -> int:
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # handler_cancellation: a client that hangs up ends its long poll right away.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self.port

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(NOT_FOUND, status=404)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            self.dispatcher.record(method, {}, 401, UNAUTHORIZED)
            return web.json_response(UNAUTHORIZED, status=401)
        try:
            params = await read_params(request)
        except ApiError as exc:
            self.dispatcher.record(method, {}, exc.status, exc.payload())
            return web.json_response(exc.payload(), status=exc.status)
        if method.lower() == "getupdates":
            status, payload = await self.dispatcher.handle(method, params)
        else:
            # Shielded: a request the client gave up on (timeout) is still carried out, as on
            # Telegram, where a timed-out sendMessage may well have been delivered.
            ticket = Ticket()
            task = asyncio.ensure_future(self.dispatcher.handle(method, params, ticket))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            try:
                status, payload = await asyncio.shield(task)
            except asyncio.CancelledError:
                ticket.abandoned = True  # recorded as such when it is carried out
                raise
        return web.json_response(payload, status=status)

    async def _file(self, request: web.Request) -> web.Response:
        stored = self.files.by_path(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response(NOT_FOUND, status=404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
