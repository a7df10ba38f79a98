"""What every fake of an outside HTTP API has in common: an aiohttp server on a free port of 127.0.0.1 that records
the calls made to it, lets a test wait for a call instead of sleeping, and serves files a test put there.

The Telegram Bot API (bot/bench/fakebotapi.py) and WhatsApp's Graph API (bot/bench/fakegraphapi.py) build on it:
each adds its routes and what it records.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Self, TypeVar

from aiohttp import web

T = TypeVar("T")


class FakeHTTPAPI:
    """`async with Subclass() as api:` serves `api.routes` on `api.port` until the block ends."""

    #: The largest request body it accepts (an uploaded photo or document).
    client_max_size = 10 * 1024 * 1024

    def __init__(self, port: int = 0) -> None:
        self.port = port
        #: file id -> (content type, bytes): what a person sent, for the client to download (`serve_file`).
        self.files: dict[str, tuple[str, bytes]] = {}
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None

    def routes(self, router: web.UrlDispatcher) -> None:
        """Add the API's routes (a subclass's)."""
        raise NotImplementedError

    # -- lifecycle ---------------------------------------------------------------------------------------
    async def start(self) -> Self:
        app = web.Application(client_max_size=self.client_max_size)
        self.routes(app.router)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- recording and waiting ---------------------------------------------------------------------------
    def changed(self) -> None:
        """Something was recorded: wake everyone waiting in `wait_until`."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, found: Callable[[], T | None], timeout: float, what: Callable[[], str]) -> T:
        """`found()` once it is not None, checked after every recorded call. The timeout only ends a wait for a
        call that never comes (then AssertionError with `what()`), so it is generous for a busy machine."""
        deadline = time.monotonic() + timeout
        while (result := found()) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(what())
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue
        return result

    # -- files -------------------------------------------------------------------------------------------
    def serve_file(self, file_id: str, allowed: bool = True) -> web.Response:
        """The bytes of a file a test put into `files`; 404 for an unknown id or an unauthorised client."""
        if not allowed or file_id not in self.files:
            raise web.HTTPNotFound()
        content_type, data = self.files[file_id]
        return web.Response(body=data, content_type=content_type)
