"""The bot's HTTP client for Telegram: PTB's request interface on aiohttp.

PTB's own (HTTPXRequest: httpx, httpcore, anyio, h11, all pure Python) cost 0.95 ms of CPU
per request to a local server, aiohttp 0.24 ms (its parser is C); under load a request
waiting for one of the pool's connections made httpcore walk the pool and poll every idle
socket, 1.5 ms against 0.21. A bot sends a request or two per update and a message per
reminder, digest and announcement, so this was a quarter of an update's CPU. aiohttp is
already the bot's HTTP server (bot/webhook.py).

The requests on the wire are those PTB sends (form-encoded parameters, JSON-encoded values;
multipart with files), and failures map to PTB's errors as HTTPXRequest maps them: a timeout
is `TimedOut` (the request may have arrived), any other failure `NetworkError`.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """`connection_pool_size` connections at most; timeouts in seconds, None waits forever
    (as PTB's: `pool` for a free connection, `media_write` for uploads)."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # Telegram sets none
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, self._media_write_timeout if files else self._write_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        # aiohttp has no write timeout: the whole request may take the sum of the phases.
        phases = (read, write, connect, pool)
        timeout = aiohttp.ClientTimeout(
            total=None if None in phases else sum(p for p in phases if p is not None),
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are asyncio's (TimeoutError)
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """A timeout passed for this request, or the request object's own."""
    return default if isinstance(value, DefaultValue) else value


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """The parameters as PTB's HTTPXRequest sends them: a form, multipart with files."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData(quote_fields=False)  # file names as typed, not %-encoded
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
