"""Per-user conversation state, persisted in SQLite.

Privacy: only the chosen language, the last place and the last topic are kept, under a keyed hash of the
user id (so the table holds no Telegram ids); `forget` deletes the row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

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
            "SELECT lang, place_name, lat, lon, last_intent, last_lang FROM sessions WHERE user_key = ?",
            [self.key(user_id)],
        ).fetchone()
        return Session(*row) if row else Session()

    def save(self, user_id: str, session: Session) -> None:
        """Store the session (an upsert in its own transaction)."""
        with self.db.conn:
            self.db.execute(
                "INSERT INTO sessions(user_key, lang, place_name, lat, lon, last_intent, last_lang, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(user_key) DO UPDATE SET lang=excluded.lang, "
                "place_name=excluded.place_name, lat=excluded.lat, lon=excluded.lon, "
                "last_intent=excluded.last_intent, last_lang=excluded.last_lang, updated_at=excluded.updated_at",
                [self.key(user_id), session.lang, session.place_name, session.lat, session.lon,
                 session.last_intent, session.last_lang, datetime.now(UTC).isoformat(timespec="seconds")],
            )

    def forget(self, user_id: str) -> bool:
        """Delete everything stored about a user; True when there was something."""
        with self.db.conn:
            cur = self.db.execute("DELETE FROM sessions WHERE user_key = ?", [self.key(user_id)])
        return cur.rowcount > 0
