"""`lotse bench telegram`: text updates through the whole Telegram path, against the fake Bot API on loopback.

The fake server (bot/bench/fakebotapi.py) runs in its own process and plays Telegram: it queues text updates from
many users, serves them to the bot's getUpdates long poll, and times each update from the moment it is queued
to the bot's first and last reply to that chat. The bot is the real Application (polling, per-chat ordering,
AIORateLimiter) over the real engine on a demo database in a file, as `lotse serve` runs it. The limiter's
overall 30 messages/s cap (Telegram's own limit) is off here: the question is whether the bot could ever be
the bottleneck.

Two phases: a burst of N updates at once (throughput), then updates paced at a target rate (latency).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FAKE_SERVER = "bot.bench.fakebotapi"  # run as a module: an installed Lotse has it too
TEXTS = ["Hallo", "Deutschkurs in Unna", "Kita in Lünen", "Ich brauche einen Arzt in Kamen",
         "ابحث عن روضة أطفال في لونن", "шукаю роботу в Унні", "Merhaba, Almanca kursu Unna", "Where can I register?"]
BURST = 2000
RATE = 300.0
PACED_SECONDS = 5.0


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


async def _http(port: int, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    from aiohttp import ClientSession, ClientTimeout

    async with ClientSession(timeout=ClientTimeout(total=300)) as http, \
            http.request(method, f"http://127.0.0.1:{port}{path}", json=body) as resp:
        return await resp.json()


async def _phase(port: int, n: int, rate: float, first_chat: int, replies: list[int]) -> dict[str, Any]:
    await _http(port, "POST", "/_fake/load", {"n": n, "rate": rate, "texts": TEXTS, "first_chat": first_chat,
                                              "replies": replies})
    result: dict[str, Any] = await _http(port, "GET", f"/_fake/result?timeout={max(60, n / 50)}")
    return result


def _engine_ms(engine: Any, rounds: int = 25) -> float:
    """The engine's own time per text message from a new user, in this process (for comparison)."""
    from bot.engine import Incoming

    started = time.perf_counter()
    for i in range(rounds):
        for j, text in enumerate(TEXTS):
            engine.handle(Incoming(f"tg:time{i}-{j}", text=text))
    return (time.perf_counter() - started) / (rounds * len(TEXTS)) * 1000


def _replies_per_text(engine: Any) -> list[int]:
    """How many messages the bot sends for each text from a new user (asked of the engine, not assumed)."""
    from bot.engine import Incoming
    from bot.engine.models import merged

    counts = []
    for i, text in enumerate(TEXTS):
        messages = merged(engine.handle(Incoming(f"tg:probe{i}", text=text)).messages)
        counts.append(len(messages) + sum(1 for m in messages if m.places))  # + the venue of the nearest offer
    return counts


async def _run(echo: Callable[[str], None], burst: int, rate: float, seconds: float) -> dict[str, Any]:
    from telegram.ext import AIORateLimiter

    from bot.config import Settings
    from bot.engine import Engine
    from bot.offers.db import open_db
    from bot.offers.demo import build_demo
    from bot.telegram.runner import TelegramBot

    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", FAKE_SERVER, "--port", "0",
                                                stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
    port = int(line.split()[1])
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        build_demo(db)
        engine = Engine(db)
        replies = _replies_per_text(engine)
        engine_ms = _engine_ms(engine)
        settings = Settings(telegram_token="123:ABC", telegram_api_base_url=f"http://127.0.0.1:{port}/bot")
        limiter = AIORateLimiter(overall_max_rate=0, max_retries=0)
        bot = TelegramBot(settings, engine, poll_timeout=1, rate_limiter=limiter, commands=False)
        await bot.start()
        try:
            await _phase(port, 200, 0, 1_000_000, replies)  # warm-up: connections, caches, the NLU's first call
            burst_result = await _phase(port, burst, 0, 2_000_000, replies)
            paced = await _phase(port, int(rate * seconds), rate, 3_000_000, replies)
        finally:
            was_worker = bot.worker is not None
            await bot.stop()
            proc.terminate()
            await proc.wait()
            db.close()
    throughput = burst_result["answered"] / burst_result["seconds"] if burst_result["seconds"] else 0.0
    first_ms = [v * 1000 for v in paced["first_reply_s"]]
    last_ms = [v * 1000 for v in paced["last_reply_s"]]
    result = {
        "updates": burst, "updates_per_s": round(throughput, 1),
        "answered": burst_result["answered"], "messages_per_update": round(statistics.mean(replies), 2),
        "engine_ms_mean": round(engine_ms, 2), "engine_worker": bot.worker is not None or was_worker,
        "paced_rate": rate, "paced_updates": paced["pushed"], "paced_answered": paced["answered"],
        "p50_ms": round(percentile(first_ms, 50), 1), "p99_ms": round(percentile(first_ms, 99), 1),
        "p50_last_ms": round(percentile(last_ms, 50), 1), "p99_last_ms": round(percentile(last_ms, 99), 1),
        "mean_batch": round(paced["mean_batch"], 1), "calls": burst_result["methods"],
    }
    echo(f"burst: {burst} text updates from {burst} users, {result['messages_per_update']} messages each on average")
    echo(f"  throughput        {result['updates_per_s']:>8} updates/s   (target >= 300)")
    where = "in a worker process" if result["engine_worker"] else "in the bot's process"
    echo(f"  engine            {result['engine_ms_mean']:>8} ms/update  ({where})")
    echo(f"paced: {paced['pushed']} updates at {rate:g}/s")
    echo(f"  update->reply p50 {result['p50_ms']:>8} ms   p99 {result['p99_ms']} ms   (target p99 <= 100)")
    echo(f"  update->last  p50 {result['p50_last_ms']:>8} ms   p99 {result['p99_last_ms']} ms")
    return result


def run(echo: Callable[[str], None], burst: int = BURST, rate: float = RATE,
        seconds: float = PACED_SECONDS) -> dict[str, Any]:
    """Run the benchmark; print a table through `echo`, return the numbers."""
    return asyncio.run(asyncio.wait_for(_run(echo, burst, rate, seconds), 600))


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(run(print)))
