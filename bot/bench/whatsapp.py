"""`lotse bench whatsapp`: signed webhook deliveries through the whole WhatsApp path, against the fake Graph API.

The real server of `lotse serve` (engine worker process, demo database in a file, pywa sending over HTTP) gets
deliveries as Meta posts them; the fake Graph API (bot/bench/fakegraphapi.py, in this process) records when each
answer arrives. Each number writes once per phase, so a number's latency is from its POST to the last message
of its answer. Two phases: many people at once (throughput and latency), then the same people while one number
floods (does one person's flood hold up the others? the limit drops the flood; the others' latency should stay).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.bench import fakegraphapi as meta

TEXTS = ["Hallo", "Deutschkurs in Unna", "Kita in Lünen", "Ich brauche einen Arzt in Kamen",
         "ابحث عن روضة أطفال في لونن", "шукаю роботу в Унні", "Merhaba, Almanca kursu Unna", "Where can I register?"]
PEOPLE = 200
FLOOD = 300


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] if ordered else float("nan")


async def _post(http: Any, url: str, api: meta.FakeGraphAPI, update: dict[str, Any]) -> None:
    raw = meta.raw(update)
    async with http.post(url, data=raw, headers={"X-Hub-Signature-256": api.sign(raw)}) as resp:
        assert resp.status == 200, resp.status


async def _phase(http: Any, url: str, api: meta.FakeGraphAPI, app: Any, numbers: list[str],
                 flood: str | None) -> dict[str, float]:
    from bot.whatsapp.webhook import CHANNEL

    started: dict[str, float] = {}
    posts = []
    if flood is not None:
        posts += [_post(http, url, api, meta.text(flood, f"Kita in Unna {i}")) for i in range(FLOOD)]
    for i, number in enumerate(numbers):
        started[number] = time.monotonic()
        posts.append(_post(http, url, api, meta.text(number, TEXTS[i % len(TEXTS)])))
    begin = time.monotonic()
    await asyncio.gather(*posts)
    await app[CHANNEL].idle()
    wall = time.monotonic() - begin
    done = {number: max(s.at for s in api.to(number)) for number in numbers}
    latencies = [(done[n] - started[n]) * 1000 for n in numbers]
    return {"messages": len(numbers), "wall_s": round(wall, 2), "per_s": round(len(numbers) / wall, 1),
            "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(percentile(latencies, 95), 1),
            "max_ms": round(max(latencies), 1),
            "flood_answered": len(api.to(flood)) if flood is not None else 0}


async def _run(echo: Callable[[str], None], people: int) -> dict[str, Any]:
    import aiohttp
    from aiohttp import web

    from bot.config import Settings, WhatsAppConfig
    from bot.offers.db import open_db
    from bot.offers.demo import build_demo
    from bot.server import create_server

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "lotse.db"
        build_demo(open_db(db_path))
        async with meta.FakeGraphAPI() as api, aiohttp.ClientSession() as http:
            config = WhatsAppConfig(token="bench", phone_id=meta.PHONE_ID, app_secret=api.app_secret,
                                    verify_token="bench", api_base_url=api.base_url)
            app = create_server(Settings(db_path=db_path, whatsapp=config))
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            url = f"http://127.0.0.1:{port}/whatsapp/webhook"
            try:
                await _phase(http, url, api, app, ["4915100000000"], None)  # warm up
                results = {
                    "together": await _phase(http, url, api, app, [f"49151{i:08d}" for i in range(people)], None),
                    "beside_a_flood": await _phase(http, url, api, app,
                                                   [f"49152{i:08d}" for i in range(people)], "4916099999999"),
                }
            finally:
                await runner.cleanup()
    echo(f"{'phase':16} {'msgs':>5} {'msg/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'flood answered':>15}")
    for name, r in results.items():
        echo(f"{name:16} {r['messages']:5} {r['per_s']:7} {r['p50_ms']:8} {r['p95_ms']:8} {r['max_ms']:8} "
             f"{r['flood_answered']:>15}")
    return results


def run(echo: Callable[[str], None], people: int = PEOPLE) -> dict[str, Any]:
    """Measure; prints a table and returns the numbers."""
    return asyncio.run(_run(echo, people))
