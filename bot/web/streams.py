"""Caps on the long-lived connections of the web side (the staff reply streams of the web chat).

Every open stream holds a file descriptor for minutes. Without caps one page (or one script) could open
streams until the process runs out of descriptors, and then the chat, `/healthz` and Telegram polling stop too.
So a stream needs a free place in three budgets: its session's (a second tab is fine), its address's (a family or
a shelter share one) and the server's. The first two answer 429 (that sender waits), the last 503 (everyone waits
a little); each with Retry-After. The total stays well below the descriptor limit the README's systemd unit sets
(`LimitNOFILE`), so ordinary requests always find a descriptor.

Refusals are logged once per cause and minute with a count, never once per request: a flood must not fill the
disk with log lines.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

PER_SESSION = 2
PER_ADDRESS = 8
TOTAL = 512
LOG_EVERY = 60.0  # seconds between two log lines about the same cause


class Refused(Exception):
    """No place for another stream: `status` 429 (this session or address) or 503 (the server is full)."""

    def __init__(self, cause: str, status: int) -> None:
        super().__init__(cause)
        self.cause, self.status = cause, status


@dataclass
class StreamCaps:
    """Counts the open streams per session and address; `hold()` takes a place for one stream or refuses."""

    per_session: int = PER_SESSION
    per_address: int = PER_ADDRESS
    total: int = TOTAL
    clock: Callable[[], float] = time.monotonic
    _sessions: Counter[str] = field(default_factory=Counter)
    _addresses: Counter[str] = field(default_factory=Counter)
    _open: int = 0
    _refused: Counter[str] = field(default_factory=Counter)
    _logged: dict[str, float] = field(default_factory=dict)

    @property
    def open(self) -> int:
        return self._open

    def _check(self, session: str, address: str) -> None:
        if self._sessions[session] >= self.per_session:
            raise Refused("per session", 429)
        if self._addresses[address] >= self.per_address:
            raise Refused("per address", 429)
        if self._open >= self.total:
            raise Refused("total", 503)

    @contextmanager
    def hold(self, session: str, address: str) -> Iterator[None]:
        """A place for one stream while the block runs; Refused when a budget is spent."""
        try:
            self._check(session, address)
        except Refused as refused:
            self._note(refused.cause)
            raise
        self._sessions[session] += 1
        self._addresses[address] += 1
        self._open += 1
        try:
            yield
        finally:
            self._open -= 1
            for counter, key in ((self._sessions, session), (self._addresses, address)):
                counter[key] -= 1
                if counter[key] <= 0:
                    del counter[key]

    def _note(self, cause: str) -> None:
        """One log line per cause and LOG_EVERY seconds, with how many were refused since the last one."""
        self._refused[cause] += 1
        now = self.clock()
        if now - self._logged.get(cause, -LOG_EVERY) >= LOG_EVERY:
            log.warning("staff reply streams: %d refused (cap %s reached; %d open of %d)",
                        self._refused.pop(cause), cause, self._open, self.total)
            self._logged[cause] = now
