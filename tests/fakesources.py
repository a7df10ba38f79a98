"""Local fakes of the outside sources, serving recorded answers on 127.0.0.1: Integreat's locations API, an
Overpass API server and a Nominatim-compatible geocoder (tests/data/sources/, written from the documented
formats). A test swaps the recording (`use`) to see what a changed source does."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from serving import free_port

from bot.geo.gazetteer import default_gazetteer

RECORDINGS = Path(__file__).parent / "data" / "sources"


def recording(name: str) -> Any:
    return json.loads((RECORDINGS / name).read_text(encoding="utf-8"))


@dataclass
class FakeSources:
    """What the fakes serve, and what they were asked."""

    url: str = ""
    version: int = 1
    overpass_queries: list[str] = field(default_factory=list)
    geocoder_requests: list[dict[str, str]] = field(default_factory=list)
    locations_requests: list[str] = field(default_factory=list)
    user_agents: set[str] = field(default_factory=set)

    def use(self, version: int) -> None:
        self.version = version

    async def locations(self, request: web.Request) -> web.Response:
        self.user_agents.add(request.headers.get("User-Agent", ""))
        region, lang = request.match_info["region"], request.match_info["lang"]
        self.locations_requests.append(f"{region}/{lang}")
        path = RECORDINGS / f"integreat_v{self.version}_{lang}.json"
        if region != "testregion" or not path.exists():
            return web.json_response({"error": "not found"}, status=404)
        return web.Response(body=path.read_bytes(), content_type="application/json")

    async def interpreter(self, request: web.Request) -> web.Response:
        self.user_agents.add(request.headers.get("User-Agent", ""))
        form = await request.post()
        self.overpass_queries.append(str(form.get("data", "")))
        return web.Response(body=(RECORDINGS / f"overpass_v{self.version}.json").read_bytes(),
                            content_type="application/json")

    async def search(self, request: web.Request) -> web.Response:
        self.user_agents.add(request.headers.get("User-Agent", ""))
        self.geocoder_requests.append(dict(request.query))
        place = default_gazetteer().postcode(request.query.get("postalcode", ""))
        if place is None:
            return web.json_response([])
        # A house stands a little off its postcode's centre.
        return web.json_response([{"lat": f"{place.point.lat + 0.0031:.7f}", "lon": f"{place.point.lon - 0.0042:.7f}",
                                   "display_name": request.query.get("street", ""), "importance": 0.5}])


@contextmanager
def fake_sources() -> Iterator[FakeSources]:
    """The fakes on a free port of 127.0.0.1, on a thread with its own event loop, so that the sync code (plain
    blocking HTTP, as in the CLI) can be called directly from the test."""
    fake = FakeSources()
    app = web.Application()
    app.router.add_get("/api/v3/{region}/{lang}/locations/", fake.locations)
    app.router.add_post("/api/interpreter", fake.interpreter)
    app.router.add_get("/search", fake.search)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    port = free_port()

    async def start() -> None:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
