"""What the team inbox keeps beside the handoffs table (bot/engine/handoff_store.py), in the same database.

- routes: how to reach the person of an open handoff again after a restart (their Telegram chat or WhatsApp
  number; the web chat needs none, its page listens to the outbox) and when they last wrote (WhatsApp's 24-hour
  window). Deleted when the handoff closes: then nobody needs to reach them any more.
- messages: the conversation as staff read it (the person's messages, the team's replies), with what is unread.
- claims: who of the staff has taken a conversation; one claim per handoff, taken atomically.
- saved replies: answers staff write once per language and send again.
- files: photos and documents of a handoff, each announced by a message (bot/inbox/files.py).

Rows of handoffs that are gone (closed and purged, or deleted by /forget) are swept with `sweep()`. No aiohttp
here: the web side (bot/web/inbox) and the transports call it. The tables live on SQLite or PostgreSQL
(bot/store/schema.py); a claim is atomic on both, so two of the staff (on two instances) never both get one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from bot.inbox.files import FileStore, StoredFile
from bot.store import Store, as_store

MAX_TEXT = 4000


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Conversation:
    """One open handoff as the inbox lists it."""

    number: int
    lang: str
    channel: str
    district: str | None
    place_name: str | None
    opened_at: str
    last_at: str
    unread: int
    claimed_by: str | None


@dataclass(frozen=True)
class Said:
    who: str  # person, staff, lotse
    text: str
    at: str
    staff: str | None
    file: StoredFile | None = None  # a photo or document sent with it (bot/inbox/files.py)


@dataclass(frozen=True)
class Saved:
    id: int
    lang: str
    title: str
    text: str


class InboxStore:
    """The inbox tables; every write in its own transaction."""

    def __init__(self, db: Database | Store) -> None:
        self.db = as_store(db)
        self.files = FileStore(self.db)

    # -- routes ------------------------------------------------------------------------------------------------
    def route(self, number: int, address: str, now: datetime) -> None:
        """Remember where the person of a handoff is reached, and that they wrote just now."""
        self.db.run("INSERT INTO inbox_routes(number, address, last_inbound) VALUES (?, ?, ?) "
                    "ON CONFLICT(number) DO UPDATE SET address = excluded.address, "
                    "last_inbound = excluded.last_inbound", [number, address, stamp(now)])

    def address(self, number: int) -> tuple[str, datetime] | None:
        row = self.db.one("SELECT address, last_inbound FROM inbox_routes WHERE number = ?", [number])
        return (str(row[0]), datetime.fromisoformat(row[1])) if row else None

    # -- the conversation ----------------------------------------------------------------------------------------
    def add(self, number: int, who: str, text: str, now: datetime, staff: str | None = None) -> int:
        """A message of the conversation (the person's are unread until staff open it)."""
        row = self.db.one("INSERT INTO inbox_messages(number, who, text, at, unread, staff) "
                          "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                          [number, who, text[:MAX_TEXT], stamp(now), int(who == "person"), staff])
        return int(row[0]) if row else 0

    def messages(self, number: int, limit: int = 50) -> list[Said]:
        rows = self.db.query("SELECT id, who, text, at, staff FROM (SELECT id, who, text, at, staff "
                             "FROM inbox_messages WHERE number = ? ORDER BY id DESC LIMIT ?) AS latest ORDER BY id",
                             [number, limit])
        files = self.files.of_message(number)
        return [Said(row[1], row[2], row[3], row[4], files.get(int(row[0]))) for row in rows]

    def mark_read(self, number: int) -> None:
        self.db.run("UPDATE inbox_messages SET unread = 0 WHERE number = ? AND unread = 1", [number])

    def open_conversations(self) -> list[Conversation]:
        """Every open handoff, the one with the newest message first."""
        rows = self.db.query(
            "SELECT h.number, h.lang, h.channel, h.district, h.place_name, h.opened_at, "
            "coalesce(max(m.at), h.opened_at) AS last_at, coalesce(sum(m.unread), 0), c.staff "
            "FROM handoffs h LEFT JOIN inbox_messages m ON m.number = h.number "
            "LEFT JOIN inbox_claims c ON c.number = h.number WHERE h.closed_at IS NULL "
            "GROUP BY h.number, c.staff ORDER BY last_at DESC, h.number DESC")
        return [Conversation(int(n), lang, channel, district, place, opened, last, int(unread), staff)
                for n, lang, channel, district, place, opened, last, unread, staff in rows]

    # -- claims ----------------------------------------------------------------------------------------------------
    def claim(self, number: int, staff: str, now: datetime) -> str:
        """Take a conversation; who has it afterwards (the caller, or whoever was first)."""
        self.db.run("INSERT INTO inbox_claims(number, staff, at) VALUES (?, ?, ?) ON CONFLICT(number) DO NOTHING",
                    [number, staff, stamp(now)])
        row = self.db.one("SELECT staff FROM inbox_claims WHERE number = ?", [number])
        return str(row[0]) if row else staff

    def claim_next(self, staff: str, now: datetime) -> int | None:
        """Take the longest-waiting open conversation nobody has; its number, or None when there is none.

        Several of the staff pressing "next" at once each get a different one: a handoff another transaction is
        taking is skipped (PostgreSQL's SKIP LOCKED; SQLite's one writer at a time), and a claim that lost a race
        to a just-committed one is tried again with the next.
        """
        while True:
            with self.db.transaction() as tx:
                row = tx.one("SELECT h.number FROM handoffs h WHERE h.closed_at IS NULL AND NOT EXISTS "
                             "(SELECT 1 FROM inbox_claims c WHERE c.number = h.number) "
                             f"ORDER BY h.number LIMIT 1{self.db.skip_locked()}")
                if row is None:
                    return None
                taken = tx.one("INSERT INTO inbox_claims(number, staff, at) VALUES (?, ?, ?) "
                               "ON CONFLICT(number) DO NOTHING RETURNING number", [row[0], staff, stamp(now)])
            if taken is not None:
                return int(taken[0])

    def claimed_by(self, number: int) -> str | None:
        row = self.db.one("SELECT staff FROM inbox_claims WHERE number = ?", [number])
        return str(row[0]) if row else None

    # -- closing and sweeping --------------------------------------------------------------------------------------
    def closed(self, number: int) -> None:
        """The handoff has ended: nobody needs to reach the person any more; the claim is released."""
        with self.db.transaction() as tx:
            tx.run("DELETE FROM inbox_routes WHERE number = ?", [number])
            tx.run("DELETE FROM inbox_claims WHERE number = ?", [number])

    def sweep(self) -> None:
        """Delete what belongs to handoffs that no longer exist (purged, or deleted by /forget)."""
        with self.db.transaction() as tx:
            for table in ("inbox_routes", "inbox_messages", "inbox_claims"):
                tx.run(f"DELETE FROM {table} WHERE number NOT IN (SELECT number FROM handoffs)")
            tx.run("DELETE FROM handoff_files WHERE number NOT IN (SELECT number FROM handoffs)")
            tx.run("DELETE FROM inbox_routes WHERE number IN (SELECT number FROM handoffs WHERE closed_at IS NOT NULL)")

    # -- saved replies -----------------------------------------------------------------------------------------
    def saved(self, lang: str | None = None) -> list[Saved]:
        where, args = ("WHERE lang = ?", [lang]) if lang else ("", [])
        rows = self.db.query(f"SELECT id, lang, title, text FROM saved_replies {where} ORDER BY lang, title", args)
        return [Saved(*row) for row in rows]

    def save_reply(self, lang: str, title: str, text: str) -> int:
        row = self.db.one("INSERT INTO saved_replies(lang, title, text) VALUES (?, ?, ?) RETURNING id",
                          [lang, title[:80], text[:MAX_TEXT]])
        return int(row[0]) if row else 0

    def delete_reply(self, reply_id: int) -> None:
        self.db.run("DELETE FROM saved_replies WHERE id = ?", [reply_id])
