"""Token buckets per key (a Telegram chat, a web chat session, an address): how much one sender may ask.

Each key may send `burst` messages at once and then `per_minute` a minute. Idle keys cost nothing: a bucket
that has refilled completely is the same as no bucket and is dropped when the table grows. No I/O, no
framework: the Telegram side and the web side use the same class.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

MAX_KEYS = 50_000  # above this, full (idle) buckets are swept out, so a flood of new senders cannot grow memory


class Limiter(Protocol):
    """What the transports ask of a limiter: this one in memory, or bot/store/ratelimit.py's shared one."""

    def take(self, key: str) -> bool: ...

    def retry_after(self, key: str) -> int: ...

    def seconds_until(self, key: str) -> float: ...


async def pace(limiter: Limiter, key: str) -> None:
    """Wait until the key may go on, then spend its token: outgoing messages wait their turn instead of failing
    (a person's reply is late by a moment rather than lost)."""
    while not limiter.take(key):
        await asyncio.sleep(limiter.seconds_until(key))


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """`take(key)` is True when the key may go on, else False; `retry_after(key)` says when it may."""

    def __init__(self, burst: int, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        if burst < 1 or per_minute <= 0:
            raise ValueError("burst must be at least 1 and per_minute positive")
        self.burst = float(burst)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def _refilled(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._sweep(now)
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
        return bucket

    def take(self, key: str) -> bool:
        """Spend one token of the key's bucket; False (nothing spent) when it is empty."""
        bucket = self._refilled(key, self.clock())
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        return False

    def retry_after(self, key: str) -> int:
        """Whole seconds until the key has a token again (at least 1)."""
        return max(1, math.ceil(self.seconds_until(key)))

    def seconds_until(self, key: str) -> float:
        """Seconds until the key has a token again (0 when it has one)."""
        bucket = self._refilled(key, self.clock())
        return max(0.0, (1.0 - bucket.tokens) / self.rate)

    def _sweep(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


class SeenRecently:
    """Keys seen within `window` seconds (at most `size` of them, the oldest forgotten first): tells a new web
    chat session, which adds a row to the database, from one that goes on."""

    def __init__(self, window: float = 3600.0, size: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window, self.size, self.clock = window, size, clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __contains__(self, key: str) -> bool:
        at = self._seen.get(key)
        return at is not None and self.clock() - at <= self.window

    def add(self, key: str) -> None:
        self._seen[key] = self.clock()
        self._seen.move_to_end(key)
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
