"""A TCP proxy in front of PostgreSQL that can play a server restart.

Restarting the machine's real cluster would pull the database from under every other test
process; what a client sees of a restart is its connections dropped and new ones refused for
a while, and that is what `outage` does to the connections that pass through here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import make_url

CHUNK = 65536


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.Task[None]] = set()
        self.port = 0
        self.accepted = 0

    async def start(self) -> TcpProxy:
        await self._listen(0)
        return self

    async def _listen(self, port: int) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    def url_for(self, database_url: str) -> str:
        """The same database URL, through this proxy."""
        url = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    async def _serve(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        self.accepted += 1
        link = asyncio.current_task()
        assert link is not None
        self._links.add(link)
        server_out: asyncio.StreamWriter | None = None
        try:
            server_in, server_out = await asyncio.open_connection(*self.target)
            async with asyncio.TaskGroup() as pipes:
                pipes.create_task(_pipe(client_in, server_out))
                pipes.create_task(_pipe(server_in, client_out))
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            self._links.discard(link)
            for writer in (client_out, server_out):
                if writer is not None:
                    writer.transport.abort()  # a reset, as when the server process dies

    async def drop_connections(self) -> int:
        """Cut every open connection; returns how many there were."""
        links = list(self._links)
        for link in links:
            link.cancel()
        for link in links:
            with contextlib.suppress(asyncio.CancelledError):
                await link
        return len(links)

    async def stop_listening(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    @asynccontextmanager
    async def outage(self) -> AsyncIterator[None]:
        """The server is down inside the block: connections cut, new ones refused (the port
        is closed); on leaving, it accepts again on the same port."""
        port = self.port
        await self.stop_listening()
        await self.drop_connections()
        try:
            yield
        finally:
            await self._listen(port)

    async def close(self) -> None:
        await self.stop_listening()
        await self.drop_connections()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):
        while data := await source.read(CHUNK):
            sink.write(data)
            await sink.drain()
    sink.close()
