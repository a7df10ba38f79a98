"""`lotse bench fuzz`: 20,000 malformed and odd requests to /api/chat of a real server; none may answer 5xx.

The bodies come from a seeded generator (no test dependency needed): valid requests with odd values, known
troublemakers (lone surrogates, deep nesting, NaN, 1e400, integers of thousands of digits, button data such as
`more:kita:²`) and random bytes. The rate limits are lifted for the run: they have their own tests.
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.engine.actions import Forget, Language, LanguagePicker, Menu, More, Topic, encode
from bot.nlu.intents import load_intents

REQUESTS = 20_000

NASTY_BODIES: dict[str, bytes] = {
    "lone surrogate": b'{"session": "s", "text": "\\ud800"}',
    "surrogate in key": b'{"session": "s", "\\udfff": 1, "text": "Kita"}',
    "deep nesting": b'{"session": "s", "text": ' + b"[" * 30000 + b"]" * 30000 + b"}",
    "nested 17": b'{"session": "s", "location": ' + b'{"lat": ' * 17 + b"1" + b"}" * 18,
    "NaN": b'{"session": "s", "location": {"lat": NaN, "lon": 7}}',
    "Infinity": b'{"session": "s", "location": {"lat": Infinity, "lon": -Infinity}}',
    "1e400": b'{"session": "s", "location": {"lat": 1e400, "lon": 7}}',
    "huge integer": b'{"session": "s", "location": {"lat": ' + b"9" * 5000 + b', "lon": 7}}',
    "huge exponent": b'{"session": "s", "location": {"lat": 1e-400, "lon": 7}}',
    "superscript page": '{"session": "s", "button": "more:kita:²"}'.encode(),
    "arabic digit page": '{"session": "s", "button": "more:kita:٣"}'.encode(),
    "long page": b'{"session": "s", "button": "more:kita:99999999999999999999999999999"}',
    "emergency page": b'{"session": "s", "button": "more:emergency:3"}',
    "not utf-8": b'{"session": "s", "text": "\xff\xfe"}',
    "utf-16": '{"session": "s", "text": "Kita"}'.encode("utf-16"),
    "bom": b'\xef\xbb\xbf{"session": "s", "text": "Kita"}',
    "nul": b'{"session": "s\\u0000", "text": "\\u0000"}',
    "empty": b"",
    "array": b"[]",
    "number": b"1",
    "session object": b'{"session": {"a": 1}, "text": "x"}',
    "lat string": b'{"session": "s", "location": {"lat": "nan", "lon": "inf"}}',
    "lat bool": b'{"session": "s", "location": {"lat": true, "lon": false}}',
    "location list": b'{"session": "s", "location": [51, 7]}',
    "lang number": b'{"session": "s", "text": "Kita", "lang": 5}',
    "lang odd": b'{"session": "s", "text": "Kita", "lang": "de-DE-x-\\u202e"}',
    "button list": b'{"session": "s", "button": ["t:kita"]}',
    "long text": ('{"session": "s", "text": "' + "Kita " * 10000 + '"}').encode(),
}

#: Button data as the engine writes it (bot/engine/actions.py), for a topic with offers and for a priority one.
_INTENTS = load_intents(strict=False).values()
_TOPIC = next(i.id for i in _INTENTS if i.is_topic and i.needs_place and not i.priority)
_PRIORITY = next(i.id for i in _INTENTS if i.priority)
_VALID = [encode(a) for a in (Topic(_TOPIC), More(_PRIORITY, 9), Language("ar"), Forget(confirmed=True), Menu(),
                              LanguagePicker())]
_ODD: list[Any] = [None, True, 0, -1, 1.5, 10**18, "", " ", "\u202e", "\u0000", "ä" * 200, [], {}, [1, [2]],
                   {"lat": 1}, "more:kita:²", *_VALID]


_STRINGS = [v for v in _ODD if isinstance(v, str)]


def _body(rng: random.Random) -> bytes:
    """One request body: mostly shaped like a chat request, with odd values, bytes flipped or cut."""
    kind = rng.random()
    if kind < 0.1:
        return rng.choice(list(NASTY_BODIES.values()))
    if kind < 0.15:
        return rng.randbytes(rng.randint(0, 64))
    valid = rng.random() < 0.85  # mostly a real session, so most requests reach the engine
    body: dict[str, Any] = {"session": f"f{rng.randint(0, 999)}" if valid else rng.choice(_ODD)}
    for key in rng.sample(["text", "button", "location", "lang"], rng.randint(1, 3)):
        if key == "location" and rng.random() < 0.7:
            odd = rng.random() < 0.3
            body[key] = {"lat": rng.choice([rng.uniform(-100, 100), *_ODD]) if odd else rng.uniform(47, 55),
                         "lon": rng.choice([rng.uniform(-200, 200), *_ODD]) if odd else rng.uniform(6, 15)}
        elif rng.random() < 0.6:  # a string, often an odd one: it reaches the engine
            body[key] = rng.choice(["Kita in Unna", "Deutschkurs", "ابحث عن روضة", "de", "ar", *_STRINGS])
        else:
            body[key] = rng.choice(_ODD)
    data = json.dumps(body).encode()
    if rng.random() < 0.2 and data:  # corrupt: cut short or flip a byte
        position = rng.randrange(len(data))
        data = data[:position] if rng.random() < 0.5 else data[:position] + bytes([rng.randrange(256)]) + \
            data[position + 1:]
    return data


async def _run(n: int, seed: int) -> dict[str, Any]:
    from aiohttp import ClientSession, web

    from bot.config import Settings
    from bot.offers.db import open_db
    from bot.offers.demo import build_demo
    from bot.web.app import create_app

    rng = random.Random(seed)
    statuses: Counter[int] = Counter()
    examples: dict[int, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lotse.db"
        build_demo(open_db(path))
        settings = Settings(db_path=path, rate_burst=10**6, rate_per_minute=10**6, address_per_minute=10**7,
                        web_per_minute=10**7, new_sessions_per_minute=10**7)
        runner = web.AppRunner(create_app(settings), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        start = time.perf_counter()
        try:
            async with ClientSession() as http:
                for _ in range(n):
                    body = _body(rng)
                    async with http.post(f"http://127.0.0.1:{port}/api/chat", data=body,
                                         headers={"Content-Type": "application/json"}) as resp:
                        await resp.read()
                        statuses[resp.status] += 1
                        examples.setdefault(resp.status, body[:120].decode("utf-8", "replace"))
        finally:
            await runner.cleanup()
        seconds = time.perf_counter() - start
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    return {"requests": n, "seconds": round(seconds, 1), "per_s": round(n / seconds), "server_errors": server_errors,
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "examples": {str(k): v for k, v in examples.items() if k >= 500}}


def run(echo: Callable[[str], Any], n: int = REQUESTS, seed: int = 11) -> dict[str, Any]:
    """Send the requests, print the status counts; the result's server_errors must be 0."""
    result = asyncio.run(_run(n, seed))
    echo(f"{result['requests']} fuzzed /api/chat requests in {result['seconds']} s ({result['per_s']}/s)")
    for status, count in result["statuses"].items():
        echo(f"  {status}: {count}")
    echo(f"  server errors (5xx): {result['server_errors']}")
    for status, body in result["examples"].items():
        echo(f"  e.g. {status} for {body!r}")
    return result
