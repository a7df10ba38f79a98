"""Per-user conversation state, persisted in SQLite.

Privacy: only the chosen language, the last place and the last topic are kept, with where the conversation stands
(its state, the topic waiting for a place, how many offers were shown), under a keyed hash of the user id (so the
table holds no Telegram ids); `forget` deletes the row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database


@dataclass
class Session:
    """What Lotse remembers about one person."""

    lang: str | None = None
    place_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    last_intent: str | None = None
    last_lang: str | None = None  # the language of the person's last clearly written message
    #: Where the conversation stands: a state name of bot/engine/states.py ("idle", "awaiting_place", ...).
    state: str = "idle"
    pending_intent: str | None = None  # the topic waiting for a place ("Where are you?")
    shown: int = 0  # offers of the last topic shown so far: typed "more" pages on from here


COLUMNS = ("lang", "place_name", "lat", "lon", "last_intent", "last_lang", "state", "pending_intent", "shown")
#: Where a conversation stood (a question waiting for a place, the page of offers) is forgotten after this long
#: without a message: "Kamen" the next day is a new message, not the answer to yesterday's "Where are you?".
CONVERSATION_TTL = timedelta(hours=1)


class SessionStore:
    """Load, save and forget sessions."""

    def __init__(self, db: Database) -> None:
        self.db = db
        row = db.execute("SELECT value FROM meta WHERE key = 'session_salt'").fetchone()
        if row is None:
            salt = secrets.token_hex(16)
            with db.conn:
                db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('session_salt', ?)", [salt])
            row = db.execute("SELECT value FROM meta WHERE key = 'session_salt'").fetchone()
        self._salt = bytes.fromhex(row[0])

    def key(self, user_id: str) -> str:
        """The pseudonymous key a user's session is stored under."""
        return hmac.new(self._salt, user_id.encode(), hashlib.sha256).hexdigest()

    def load(self, user_id: str) -> Session:
        """The stored session, or a fresh one."""
        row = self.db.execute(
            f"SELECT {', '.join(COLUMNS)}, updated_at FROM sessions WHERE user_key = ?", [self.key(user_id)],
        ).fetchone()
        if not row:
            return Session()
        session = Session(*row[:-1])
        session.state = session.state or "idle"
        session.shown = int(session.shown or 0)
        try:
            stale = datetime.now(UTC) - datetime.fromisoformat(row[-1]) > CONVERSATION_TTL
        except (TypeError, ValueError):
            stale = True
        if stale:
            session.state, session.pending_intent, session.shown = "idle", None, 0
        return session

    def save(self, user_id: str, session: Session) -> None:
        """Store the session (an upsert in its own transaction)."""
        with self.db.conn:
            columns = (*COLUMNS, "updated_at")
            self.db.execute(
                f"INSERT INTO sessions(user_key, {', '.join(columns)}) VALUES ({', '.join('?' * (len(columns) + 1))}) "
                "ON CONFLICT(user_key) DO UPDATE SET " + ", ".join(f"{c}=excluded.{c}" for c in columns),
                [self.key(user_id), *(getattr(session, c) for c in COLUMNS),
                 datetime.now(UTC).isoformat(timespec="seconds")],
            )

    def forget(self, user_id: str) -> bool:
        """Delete everything stored about a user; True when there was something."""
        with self.db.conn:
            cur = self.db.execute("DELETE FROM sessions WHERE user_key = ?", [self.key(user_id)])
        return cur.rowcount > 0
