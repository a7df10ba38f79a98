"""What other instances changed, heard within moments: LISTEN/NOTIFY on PostgreSQL, nothing to hear on SQLite.

A change is announced on a channel after it was written; every other process that shares the database hears it
on its listening connection (a thread) and acts on it:

- `learned`: examples staff taught (bot/engine/learning.py reloads them before the next message);
- `knowledge`: staff topics and district answers (bot/knowledge/live.py reloads them);
- `offers`: offers edited, imported or synced (the engine's caches over them are dropped);
- `inbox`: the team inbox changed (its live stream tells the pages that are open on this instance);
- `staff_reply`: a team reply waits for a web chat page (its payload the session key: the page's stream wakes).

The reloads read a version counter before each message. While notices arrive, `due(channel)` says when that is
worth a look: after a notice, and every `RECHECK` seconds in any case (a notice lost with its connection costs at
most that long). Without a listening connection (SQLite, or PostgreSQL's connection lost) every look is due, as
with one process: the counters are read before every message. A process does not hear its own notices (each
carries the announcing process's id): it changed its own view already.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable

from bot.store.base import Listening, Store

log = logging.getLogger(__name__)

CHANNELS = ("learned", "knowledge", "offers", "inbox", "staff_reply")
RECHECK = 5.0  # seconds: a counter is read at least this often while notices arrive

Handler = Callable[[str], object]


class Changes:
    """Announce changes to the other instances and hear theirs (`start()` begins listening)."""

    def __init__(self, store: Store, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.store, self.clock = store, clock
        self.origin = uuid.uuid4().hex[:12]
        self._listening = Listening()
        self._lock = threading.Lock()
        self._due: set[str] = set(CHANNELS)
        self._looked: dict[str, float] = {}
        self._handlers: defaultdict[str, list[Handler]] = defaultdict(list)

    def start(self) -> Changes:
        try:
            self._listening = self.store.listen(CHANNELS, self._heard)
        except Exception as exc:  # PostgreSQL restarting: the counters are read before every message meanwhile
            if not self.store.is_unavailable(exc):
                raise
            log.warning("not listening for other instances' changes: %s", exc)
        return self

    @property
    def live(self) -> bool:
        """True while other instances' notices arrive."""
        return self._listening.live

    def due(self, channel: str) -> bool:
        """Is it worth reading `channel`'s version counter now (a notice came, or it was a while ago)?"""
        if not self.live:
            return True
        now = self.clock()
        with self._lock:
            if channel in self._due or now - self._looked.get(channel, -RECHECK) >= RECHECK:
                self._due.discard(channel)
                self._looked[channel] = now
                return True
        return False

    def announce(self, channel: str, payload: str = "") -> None:
        """Tell the other instances (after the change was written). A lost notice is caught up by RECHECK."""
        try:
            self.store.notify(channel, f"{self.origin} {payload}")
        except Exception:
            log.warning("could not tell the other instances of a change (%s); they see it within %.0f s",
                        channel, RECHECK, exc_info=True)

    def on(self, channel: str, handler: Handler) -> None:
        """Call `handler(payload)` for every notice of another process on `channel` (in the listening thread)."""
        self._handlers[channel].append(handler)

    def _heard(self, channel: str, payload: str) -> None:
        origin, _sep, rest = payload.partition(" ")
        if origin == self.origin:
            return
        with self._lock:
            self._due.add(channel)
        for handler in self._handlers.get(channel, ()):
            try:
                handler(rest)
            except Exception:  # one handler's fault must not stop the notices
                log.exception("a handler of %s notices failed", channel)

    def close(self) -> None:
        self._listening.close()
