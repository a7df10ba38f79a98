"""What a handoff to staff keeps: the handoffs table, the outbox of staff replies, and two in-memory helpers.

Privacy: a handoff row holds its number, the language, the place name and district, the channel (telegram or
web), when it was opened and closed, the staff topic it lives in, and the person's keyed hash (the same as their
session's, bot/engine/sessions.py): nothing else about the person. The last few messages of a conversation (for
the staff topic's first message) live only in memory (`Transcript`). Closed handoffs and their outbox are deleted
after the retention period; `forget` deletes a person's handoffs at once.

The tables are created by the shared schema's migrations (bot/store/schema.py), on SQLite or PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from bot.store import Sql, Store, as_store

COLUMNS = ("number, user_key, lang, place_name, district, channel, staff_chat, thread_id, relayed, opened_at, "
           "closed_at, opened_by")


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Handoff:
    """One conversation handed to staff."""

    number: int
    user_key: str
    lang: str
    place_name: str | None
    district: str | None
    channel: str
    staff_chat: int
    thread_id: int | None
    relayed: int
    opened_at: str
    closed_at: str | None
    #: The delivery (channel and message id) that opened it: that message sent again is the same request.
    opened_by: str | None = None

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Posted:
    """A staff reply (kind 'staff') or a notice (kind 'closed') waiting in the outbox for a web chat page."""

    id: int
    kind: str
    text: str


class HandoffStore:
    """The handoffs and outbox tables; every write in its own transaction."""

    def __init__(self, db: Database | Store) -> None:
        self.db = as_store(db)

    def _one(self, where: str, args: list[object]) -> Handoff | None:
        row = self.db.one(f"SELECT {COLUMNS} FROM handoffs WHERE {where}", args)
        return Handoff(*row) if row else None

    def open(self, user_key: str, *, lang: str, place_name: str | None, district: str | None, channel: str,
             staff_chat: int, now: datetime, opened_by: str | None = None) -> Handoff:
        """Open a handoff (its number is the next free one); `opened_by` the delivery that asked for it."""
        row = self.db.one(
            f"INSERT INTO handoffs(user_key, lang, place_name, district, channel, staff_chat, opened_at, opened_by) "
            f"VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}",
            [user_key, lang, place_name, district, channel, staff_chat, _stamp(now), opened_by])
        assert row is not None
        return Handoff(*row)

    def get(self, number: int) -> Handoff | None:
        return self._one("number = ?", [number])

    def open_for(self, user_key: str) -> Handoff | None:
        """The person's open handoff, if any."""
        return self._one("user_key = ? AND closed_at IS NULL ORDER BY number DESC LIMIT 1", [user_key])

    def by_topic(self, staff_chat: int, thread_id: int) -> Handoff | None:
        """The handoff a staff topic belongs to."""
        return self._one("staff_chat = ? AND thread_id = ? ORDER BY number DESC LIMIT 1", [staff_chat, thread_id])

    def set_topic(self, number: int, thread_id: int) -> None:
        self.db.run("UPDATE handoffs SET thread_id = ? WHERE number = ?", [thread_id, number])

    def count_relay(self, number: int) -> int:
        """Count one more message passed on; returns how many there were before it."""
        row = self.db.one("UPDATE handoffs SET relayed = relayed + 1 WHERE number = ? RETURNING relayed", [number])
        return int(row[0]) - 1 if row else 0

    def close(self, number: int, now: datetime) -> bool:
        """Close an open handoff; False when it was closed already (by another member of staff, or instance)."""
        changed = self.db.run("UPDATE handoffs SET closed_at = ? WHERE number = ? AND closed_at IS NULL",
                              [_stamp(now), number])
        return changed > 0

    def forget(self, user_key: str) -> list[int]:
        """Delete every handoff of a person and its outbox; the numbers of those that were still open."""
        with self.db.transaction() as tx:
            rows = tx.query("SELECT number, closed_at FROM handoffs WHERE user_key = ?", [user_key])
            self._delete(tx, [int(r[0]) for r in rows])
        return [int(r[0]) for r in rows if r[1] is None]

    def purge(self, retention_days: int, now: datetime) -> int:
        """Delete handoffs closed longer ago than the retention period; how many."""
        cutoff = _stamp(now - timedelta(days=retention_days))
        with self.db.transaction() as tx:
            numbers = [int(r[0]) for r in tx.query(
                "SELECT number FROM handoffs WHERE closed_at IS NOT NULL AND closed_at < ?", [cutoff])]
            self._delete(tx, numbers)
        return len(numbers)

    @staticmethod
    def _delete(tx: Sql, numbers: list[int]) -> None:
        for number in numbers:
            tx.run("DELETE FROM handoff_outbox WHERE number = ?", [number])
            tx.run("DELETE FROM handoffs WHERE number = ?", [number])

    def post(self, number: int, kind: str, text: str, now: datetime) -> int:
        """Keep a staff reply or notice for the person; its id."""
        row = self.db.one("INSERT INTO handoff_outbox(number, kind, text, created_at) VALUES (?, ?, ?, ?) "
                          "RETURNING id", [number, kind, text, _stamp(now)])
        return int(row[0]) if row else 0

    def pending(self, user_key: str, after: int = 0) -> list[Posted]:
        """The person's outbox entries newer than `after`, oldest first."""
        rows = self.db.query(
            "SELECT o.id, o.kind, o.text FROM handoff_outbox o JOIN handoffs h ON h.number = o.number "
            "WHERE h.user_key = ? AND o.id > ? ORDER BY o.id", [user_key, after])
        return [Posted(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def take(self, number: int) -> list[Posted]:
        """Remove and return a handoff's outbox (Telegram: delivered when the person is reachable again)."""
        rows = self.db.query("DELETE FROM handoff_outbox WHERE number = ? RETURNING id, kind, text", [number])
        return sorted((Posted(int(r[0]), str(r[1]), str(r[2])) for r in rows), key=lambda p: p.id)


class Transcript:
    """The last few messages of each conversation, in memory only, for the first message of a staff topic.

    Bounded: `per_person` messages of at most `max_chars` each, for the `people` who wrote most recently.
    """

    def __init__(self, per_person: int = 6, people: int = 2000, max_chars: int = 300) -> None:
        self.per_person, self.people, self.max_chars = per_person, people, max_chars
        self._lines: OrderedDict[str, deque[tuple[str, str]]] = OrderedDict()

    def add(self, user_key: str, who: str, text: str) -> None:
        """Remember one message; `who` is 'person' or 'lotse'."""
        text = text.strip()
        if not text:
            return
        if len(text) > self.max_chars:
            text = text[: self.max_chars - 1] + "…"
        lines = self._lines.pop(user_key, None) or deque(maxlen=self.per_person)
        lines.append((who, text))
        self._lines[user_key] = lines
        while len(self._lines) > self.people:
            self._lines.popitem(last=False)

    def take(self, user_key: str) -> list[tuple[str, str]]:
        """The remembered messages, oldest first, forgotten here once taken."""
        return list(self._lines.pop(user_key, ()))

    def forget(self, user_key: str) -> None:
        self._lines.pop(user_key, None)


class Waiters:
    """Wakes the web chat pages (in this process) that wait for a person's next staff reply; with `announce` set,
    the other instances' pages too (bot/store/changes.py)."""

    EARLY = 1000  # wake-ups kept for pages that were busy writing when they came

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}
        self._early: OrderedDict[str, None] = OrderedDict()
        self.closing = False
        self.announce: Callable[[str], None] | None = None

    def close_all(self) -> None:
        """The server stops: wake every waiting page, so that no stream holds the shutdown up."""
        self.closing = True
        for event in self._events.values():
            event.set()
        self._events.clear()

    def notify(self, user_key: str) -> None:
        """A reply for the person waits: wake their page, here and on the other instances."""
        self.wake(user_key)
        if self.announce is not None:
            self.announce(user_key)

    def wake(self, user_key: str) -> None:
        """Wake the person's page on this instance; one that is not waiting right now returns from its next wait
        at once (it was writing the previous reply when this one came)."""
        event = self._events.pop(user_key, None)
        if event is not None:
            event.set()
            return
        self._early[user_key] = None
        while len(self._early) > self.EARLY:
            self._early.popitem(last=False)

    async def wait(self, user_key: str, timeout: float) -> bool:
        """Wait until notified (True) or the timeout passes (False)."""
        if user_key in self._early:
            del self._early[user_key]
            return True
        event = self._events.setdefault(user_key, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
            return True
        # Idle pages must not pile up events; a page that still waits on this one re-reads the outbox after
        # its own timeout, so at worst it learns of a reply one timeout later.
        if self._events.get(user_key) is event:
            del self._events[user_key]
        return False
