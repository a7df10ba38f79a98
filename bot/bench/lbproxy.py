"""A small round-robin load balancer on 127.0.0.1 (aiohttp), as nginx would stand in front of several instances
(tests/test_many_instances.py and `lotse bench instances`).

Each request goes to the next instance in turn. An instance that refuses the connection (it is down) is skipped
and the request goes to the next one, as nginx's `proxy_next_upstream error` does; once a request has reached an
instance, a failure is 502 for the client to send again (nginx does not send a POST twice on its own). Responses
are streamed, so server-sent events pass through.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length"}


class RoundRobin:
    """`backends`: base URLs (http://127.0.0.1:PORT). `served` counts the requests each one answered."""

    def __init__(self, backends: Sequence[str]) -> None:
        self.backends = list(backends)
        self._next = itertools.cycle(range(len(self.backends)))
        self.served: Counter[str] = Counter()
        self.failed = 0  # requests that reached an instance that then died (answered 502)
        self.client: aiohttp.ClientSession | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        assert self.client is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-For"] = request.remote or "127.0.0.1"
        for _ in range(len(self.backends)):
            backend = self.backends[next(self._next)]
            try:
                upstream = await self.client.request(request.method, backend + request.path_qs, data=body,
                                                     headers=headers, allow_redirects=False)
            except aiohttp.ClientConnectorError:
                continue  # down: the request never reached it, the next one takes it
            except (aiohttp.ClientError, ConnectionError):
                self.failed += 1
                return web.Response(status=502, text="The instance failed.")
            try:
                return await self._relay(request, upstream, backend)
            except (aiohttp.ClientError, ConnectionError):
                self.failed += 1
                raise  # the client's connection breaks: it sends again
            finally:
                upstream.release()
        return web.Response(status=502, text="No instance is up.")

    async def _relay(self, request: web.Request, upstream: aiohttp.ClientResponse,
                     backend: str) -> web.StreamResponse:
        response = web.StreamResponse(status=upstream.status, headers={
            k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP})
        await response.prepare(request)
        async for chunk in upstream.content.iter_any():
            await response.write(chunk)
        await response.write_eof()
        self.served[backend] += 1
        return response


@asynccontextmanager
async def round_robin(backends: Sequence[str], port: int) -> AsyncIterator[RoundRobin]:
    """The proxy on 127.0.0.1:`port` until the block ends."""
    proxy = RoundRobin(backends)
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", proxy.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=None)) as client:
        proxy.client = client
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield proxy
        finally:
            await runner.cleanup()
