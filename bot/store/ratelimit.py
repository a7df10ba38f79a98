"""Token buckets that every instance counts in: the shared-database twin of bot/ratelimit.py's RateLimiter.

One sender's messages may reach any instance behind the load balancer; a bucket per instance would let them send
as many times the allowance as there are instances. Here a bucket is a row, and taking a token is one atomic
upsert (refill by the time passed, then spend one only if one is there), so two instances taking at once never
both spend the last token. Time is wall-clock seconds (monotonic clocks differ between machines).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from bot.ratelimit import Limiter, RateLimiter
from bot.store.base import Store

log = logging.getLogger(__name__)
#: While the shared database cannot be reached, this instance counts on its own for this long before asking it
#: again: a sender is still limited (per instance), and no message waits for a database that is restarting.
LOCAL_FOR = 10.0

SWEEP_EVERY = 1000  # takes between deletions of buckets that have filled up again (the same as having none)


class SharedRateLimiter:
    """`take(key)` is True when the key may go on, else False; `retry_after(key)` says when it may."""

    def __init__(self, store: Store, scope: str, burst: int, per_minute: float,
                 clock: Callable[[], float] = time.time) -> None:
        if burst < 1 or per_minute <= 0:
            raise ValueError("burst must be at least 1 and per_minute positive")
        self.store, self.scope, self.clock = store, scope, clock
        self.burst = float(burst)
        self.rate = per_minute / 60.0  # tokens per second
        self._takes = 0
        self._local = RateLimiter(burst, per_minute)
        self._local_until = 0.0
        # The bucket's tokens now: what it had, refilled for the time since, never above the burst. The numbers
        # are the limiter's own settings (floats), not input, so they are written into the statement.
        refill = f"rate_buckets.tokens + (excluded.at - rate_buckets.at) * {self.rate!r}"
        now_tokens = f"(CASE WHEN {refill} > {self.burst!r} THEN {self.burst!r} ELSE {refill} END)"
        self._take = (
            "INSERT INTO rate_buckets(scope, key, tokens, at) VALUES (?, ?, ?, ?) "
            f"ON CONFLICT(scope, key) DO UPDATE SET tokens = {now_tokens} - 1, at = excluded.at "
            f"WHERE {now_tokens} >= 1 RETURNING tokens")

    def take(self, key: str) -> bool:
        """Spend one token of the key's bucket; False (nothing spent) when it is empty."""
        if time.monotonic() < self._local_until:
            return self._local.take(key)
        self._takes += 1
        try:
            if self._takes % SWEEP_EVERY == 0:
                self.sweep()
            return self.store.one(self._take, [self.scope, key, self.burst - 1.0, self.clock()]) is not None
        except Exception as exc:
            if not self.store.is_unavailable(exc):
                raise
            log.warning("rate limits counted per instance for %.0f s: the shared database is unreachable", LOCAL_FOR)
            self._local_until = time.monotonic() + LOCAL_FOR
            return self._local.take(key)

    def tokens(self, key: str) -> float:
        """The tokens the key has now."""
        row = self.store.one("SELECT tokens, at FROM rate_buckets WHERE scope = ? AND key = ?", [self.scope, key])
        if row is None:
            return self.burst
        return float(min(self.burst, row[0] + max(0.0, self.clock() - row[1]) * self.rate))

    def retry_after(self, key: str) -> int:
        """Whole seconds until the key has a token again (at least 1)."""
        return max(1, math.ceil(self.seconds_until(key)))

    def seconds_until(self, key: str) -> float:
        """Seconds until the key has a token again (0 when it has one)."""
        if time.monotonic() < self._local_until:
            return self._local.seconds_until(key)
        try:
            return max(0.0, (1.0 - self.tokens(key)) / self.rate)
        except Exception as exc:
            if not self.store.is_unavailable(exc):
                raise
            return self._local.seconds_until(key)

    def sweep(self) -> int:
        """Delete the buckets that have filled up again; how many."""
        return self.store.run(f"DELETE FROM rate_buckets WHERE scope = ? AND tokens + (? - at) * {self.rate!r} >= ?",
                              [self.scope, self.clock(), self.burst])

    def __len__(self) -> int:
        row = self.store.one("SELECT count(*) FROM rate_buckets WHERE scope = ?", [self.scope])
        return int(row[0]) if row else 0


def limiter(store: Store | None, scope: str, burst: int, per_minute: float) -> Limiter:
    """A limit counted where every instance counts: in the shared database on PostgreSQL (several instances), in
    this process otherwise (one instance owns its SQLite file: a database round trip would buy nothing)."""
    if store is not None and store.dialect == "postgresql":
        return SharedRateLimiter(store, scope, burst, per_minute)
    return RateLimiter(burst, per_minute)
