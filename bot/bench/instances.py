"""`lotse bench instances`: updates per second and their p99 latency with one and with three `lotse serve`
instances on one PostgreSQL, on this machine, in one run.

Each run starts the instances as `lotse serve` processes (each with its engine worker) behind the round-robin
proxy of the tests (bot/bench/lbproxy.py), on a fresh schema of the database. `CHATS` chats write at once, each
its messages one after another (as Telegram and Meta deliver one chat's updates): half of them on the web chat,
half as WhatsApp webhook deliveries (the fake Graph API takes the answers). An update's latency is from its
request to its answer (the web chat's response; the webhook's 200, which comes once the reply was sent). Telegram
is not in the mix: its bot sends at most 30 messages a second (Telegram's limit per bot, kept by PTB's rate
limiter in each instance), which would be measured instead of Lotse; `lotse bench telegram` measures that path.
The database is
LOTSE_DATABASE_URL when set, else a throwaway cluster (Debian's postgresql must be installed: `make postgresql`).
Several instances are there to survive one's death and to spread over machines; on one machine they share its
cores, so three need not be faster than one here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

CHATS = 60
MESSAGES = 10
TEXTS = ["Deutschkurs in Unna", "Kita in Lünen", "Ich brauche einen Arzt in Kamen", "шукаю роботу в Унні",
         "ابحث عن روضة أطفال في لونن", "Merhaba, Almanca kursu Unna", "Where can I register?", "Hallo"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] if ordered else float("nan")


NO_DATABASE = ("needs PostgreSQL: set LOTSE_DATABASE_URL, or install Debian's postgresql (make postgresql) for a "
               "throwaway cluster")


@contextlib.contextmanager
def database() -> Iterator[str | None]:
    """LOTSE_DATABASE_URL, or a throwaway cluster's; None when there is neither."""
    url = os.environ.get("LOTSE_DATABASE_URL")
    if url:
        yield url
        return
    from bot.bench import pgcluster

    if pgcluster.bin_dir() is None:
        yield None
        return
    with pgcluster.cluster() as made:
        yield made


@contextlib.contextmanager
def schema(url: str) -> Iterator[str]:
    """A fresh schema of the database for one run, dropped afterwards; the URL that uses it."""
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


async def _start(env: dict[str, str]) -> tuple[asyncio.subprocess.Process, str, asyncio.Task[None]]:
    from bot.bench.pgcluster import free_port

    port = free_port()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "serve",
                                                env={**env, "LOTSE_PORT": str(port)},
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    assert proc.stdout is not None
    said: list[str] = []
    while not (line := (await proc.stdout.readline()).decode()).startswith("listening on "):
        if not line:
            raise SystemExit("lotse serve ended before it listened:\n" + "".join(said))
        said.append(line)

    async def drain() -> None:
        assert proc.stdout is not None
        while await proc.stdout.readline():
            pass

    return proc, f"http://127.0.0.1:{port}", asyncio.create_task(drain())


async def _load(base: str, whatsapp: Any, run: int) -> tuple[float, list[float]]:
    """Every chat's messages, chats at once; the wall time and each update's latency (ms)."""
    import aiohttp

    from bot.bench import fakegraphapi as meta

    latencies: list[float] = []

    async def chat(http: aiohttp.ClientSession, index: int) -> None:
        for j in range(MESSAGES):
            text = TEXTS[(index + j) % len(TEXTS)]
            if index % 2:
                data = meta.raw(meta.text(f"4917{run}{index + 1000:07d}", text))
                url, headers = base + "/whatsapp/webhook", {"X-Hub-Signature-256": whatsapp.sign(data)}
            else:
                url, headers = base + "/api/chat", {}
                data = json.dumps({"session": f"bench-{run}-{index}", "text": text, "id": f"{j}"}).encode()
            started = time.perf_counter()
            async with http.post(url, data=data, headers={**headers, "Content-Type": "application/json"}) as resp:
                await resp.read()
                if resp.status != 200:
                    raise SystemExit(f"{url} answered {resp.status}")
            latencies.append((time.perf_counter() - started) * 1000)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        await asyncio.gather(chat(http, 0), chat(http, -1))  # warm up both paths of every instance
        latencies.clear()
        begin = time.perf_counter()
        await asyncio.gather(*(chat(http, i) for i in range(1, CHATS + 1)))
        return time.perf_counter() - begin, latencies


async def _measure(count: int, url: str, offers: Path) -> dict[str, float]:
    from bot.bench import fakegraphapi as meta
    from bot.bench.lbproxy import round_robin
    from bot.bench.pgcluster import free_port

    async with meta.FakeGraphAPI() as whatsapp:
        env = {**os.environ, "LOTSE_DB": str(offers), "LOTSE_DATABASE_URL": url,
               "WHATSAPP_TOKEN": "bench", "WHATSAPP_PHONE_ID": meta.PHONE_ID,
               "WHATSAPP_APP_SECRET": whatsapp.app_secret, "WHATSAPP_VERIFY_TOKEN": "bench",
               "WHATSAPP_API_BASE_URL": whatsapp.base_url,
               "LOTSE_RATE_BURST": "1000", "LOTSE_RATE_PER_MINUTE": "100000", "LOTSE_ADDRESS_PER_MINUTE": "100000",
               "LOTSE_WEB_PER_MINUTE": "100000", "LOTSE_NEW_SESSIONS_PER_MINUTE": "100000"}
        for name in ("TELEGRAM_BOT_TOKEN", "LOTSE_STAFF_CHAT", "LOTSE_SYNC"):
            env.pop(name, None)
        started = await asyncio.gather(*(_start(env) for _ in range(count)))
        try:
            async with round_robin([u for _p, u, _d in started], port := free_port()):
                wall, latencies = await _load(f"http://127.0.0.1:{port}", whatsapp, count)
        finally:
            for proc, _url, drain in started:
                proc.terminate()
                await proc.wait()
                await drain
    return {"instances": count, "updates": len(latencies), "wall_s": round(wall, 2),
            "per_s": round(len(latencies) / wall, 1), "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(percentile(latencies, 99), 1)}


async def _run(echo: Callable[[str], None]) -> dict[str, Any]:
    from bot.offers.db import open_db
    from bot.offers.demo import build_demo

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, database() as url:
        if url is None:
            echo("skipped: " + NO_DATABASE)
            return {"skipped": NO_DATABASE}
        offers = Path(tmp) / "lotse.db"
        build_demo(open_db(offers))
        for count in (1, 3):
            with schema(url) as fresh:
                results[f"{count}_instances"] = await _measure(count, fresh, offers)
    echo(f"{'instances':>9} {'updates':>8} {'wall s':>7} {'updates/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for r in results.values():
        echo(f"{r['instances']:9} {r['updates']:8} {r['wall_s']:7} {r['per_s']:10} {r['p50_ms']:8} {r['p99_ms']:8}")
    load = round(os.getloadavg()[0], 1)  # the machine's other work shares the cores: say how busy it was
    echo(f"({os.cpu_count()} cores, load average {load}; {CHATS} chats at once, {MESSAGES} messages each, half web "
         "chat, half WhatsApp)")
    return {**results, "cores": os.cpu_count(), "load_average": load}


def run(echo: Callable[[str], None]) -> dict[str, Any]:
    """Measure; prints a table and returns the numbers."""
    return asyncio.run(_run(echo))


if __name__ == "__main__":  # python -m bot.bench.instances
    print(json.dumps(run(print)))
