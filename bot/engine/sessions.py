"""Per-user conversation state, persisted in SQLite or PostgreSQL (bot/store).

Privacy:
- Only the chosen language, the last place (coordinates rounded to about 100 m), the last topic and where the
  conversation stands (its state, the topic waiting for a place, how many offers were shown, whether a recent
  message was about danger, for up to an hour) are kept, under a
  keyed hash of the user id: the table holds no Telegram ids.
- The key of that hash is not in the database: it is a file beside it (`lotse.db.key`, readable by its owner
  only), so a copy of the database alone cannot tell whose session a row is, even for someone who knows a
  Telegram id. An older database's key is moved out of it on first start.
- `forget` deletes the row, overwrites what was deleted (secure_delete) and checkpoints the write-ahead log, so
  the deleted rows are not left readable in `lotse.db-wal` either. What is kept for review (bot/engine/learning.py)
  is redacted and linked to nobody, so there is nothing of the person to find there.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from sqlite_utils import Database

from bot.offers.db import retrying
from bot.store import Store, as_store
from bot.store.sqlite import SqliteStore

log = logging.getLogger(__name__)

COORDINATE_DECIMALS = 3  # 0.001 degree: 111 m north-south, about 70 m east-west in Germany


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
    # The topic waiting for a place ("Where are you?"); while Lotse asks "Did you mean ...?", the topics offered.
    pending_intent: str | None = None
    shown: int = 0  # offers of the last topic shown so far: typed "more" pages on from here
    danger: str | None = None  # the danger situation of a recent message (bot/engine/safety.py)
    danger_turns: int = 0  # further messages that keep its numbers first unless the person moves on


COLUMNS = ("lang", "place_name", "lat", "lon", "last_intent", "last_lang", "state", "pending_intent", "shown",
           "danger", "danger_turns")
#: Where a conversation stood (a question waiting for a place, the page of offers) is forgotten after this long
#: without a message: "Kamen" the next day is a new message, not the answer to yesterday's "Where are you?".
CONVERSATION_TTL = timedelta(hours=1)


def database_path(db: Database) -> Path | None:
    """The file behind a database connection, or None when it lives in memory."""
    for _seq, name, path in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(path) if path else None
    return None


def key_file(db_path: Path) -> Path:
    """Where the hash key of a database lives: beside it."""
    return db_path.with_name(db_path.name + ".key")


def load_key(db: Database) -> bytes:
    """The session hash key: from the key file (made on first use), moved there from an older database."""
    path = database_path(db)
    if path is None:
        return secrets.token_bytes(16)  # an in-memory database lives as long as this process: so does its key
    keyfile = key_file(path)
    old = db.execute("SELECT value FROM meta WHERE key = 'session_salt'").fetchone()
    if not keyfile.exists():
        # Written in full under another name, then linked into place: a second process starting at the same
        # moment either loses the race (and reads the winner's key) or finds the whole file, never half of it.
        draft = keyfile.with_name(f"{keyfile.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(old[0] if old else secrets.token_hex(16))  # an older database keeps its sessions
        try:
            os.link(draft, keyfile)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = bytes.fromhex(keyfile.read_text().strip())
    if old is not None:
        with db.conn:
            db.execute("PRAGMA secure_delete = ON")
            db.execute("DELETE FROM meta WHERE key = 'session_salt'")
        log.info("the session key moved out of the database into %s", keyfile)
    return key


class SessionStore:
    """Load, save and forget sessions, in SQLite (the default) or PostgreSQL (bot/store)."""

    def __init__(self, db: Database | Store, key: bytes | None = None) -> None:
        self.store = as_store(db)
        sqlite = self.store.db if isinstance(self.store, SqliteStore) else None
        if key is None:
            if sqlite is None:
                raise ValueError("sessions in PostgreSQL need the hash key (LOTSE_SESSION_KEY_FILE): it is never "
                                 "kept in the database")
            key = load_key(sqlite)
        self._salt = key
        # Sessions whose write found the database busy for long (a large import) or unreachable (PostgreSQL
        # restarting): kept here, and read from here, until a later write gets through, so the conversation goes
        # on and the chat never fails.
        self._unsaved: dict[str, Session] = {}
        if sqlite is not None:
            sqlite.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten, not left in free pages

    def key(self, user_id: str) -> str:
        """The pseudonymous key a user's session is stored under."""
        return hmac.new(self._salt, user_id.encode(), hashlib.sha256).hexdigest()

    def load(self, user_id: str) -> Session:
        """The stored session, or a fresh one."""
        key = self.key(user_id)
        if key in self._unsaved:
            return replace(self._unsaved[key])
        row = self.store.one(f"SELECT {', '.join(COLUMNS)}, updated_at FROM sessions WHERE user_key = ?", [key])
        if not row:
            return Session()
        session = Session(*row[:-1])
        session.state = session.state or "idle"
        session.shown = int(session.shown or 0)
        session.danger_turns = int(session.danger_turns or 0)
        try:
            stale = datetime.now(UTC) - datetime.fromisoformat(row[-1]) > CONVERSATION_TTL
        except (TypeError, ValueError):
            stale = True
        if stale:
            session.state, session.pending_intent, session.shown = "idle", None, 0
            session.danger, session.danger_turns = None, 0
        return session

    def save(self, user_id: str, session: Session) -> None:
        """Store the session (an upsert in its own transaction, tried again while another writer holds the
        database); still busy or unreachable, it is kept in memory and written with a later save."""
        key = self.key(user_id)
        self._unsaved[key] = replace(session)
        waiting = list(self._unsaved.items())
        for waiting_key, waiting_session in waiting:
            try:
                retrying(partial(self._upsert, waiting_key, waiting_session))
            except Exception as exc:
                if not self.store.is_unavailable(exc):
                    raise
                log.warning("database busy or unreachable: %d sessions kept in memory until it is back",
                            len(self._unsaved))
                return
            self._unsaved.pop(waiting_key, None)

    def _upsert(self, key: str, session: Session) -> None:
        """One session row in its own transaction; coordinates rounded to about 100 m."""
        rounded = {c: None if v is None else round(v, COORDINATE_DECIMALS)
                   for c, v in (("lat", session.lat), ("lon", session.lon))}
        columns = (*COLUMNS, "updated_at")
        self.store.run(
            f"INSERT INTO sessions(user_key, {', '.join(columns)}) VALUES ({', '.join('?' * (len(columns) + 1))}) "
            "ON CONFLICT(user_key) DO UPDATE SET " + ", ".join(f"{c}=excluded.{c}" for c in columns),
            [key, *(rounded.get(c, getattr(session, c)) for c in COLUMNS),
             datetime.now(UTC).isoformat(timespec="seconds")],
        )

    def forget(self, user_id: str) -> bool:
        """Delete everything stored about a user; True when there was something."""
        self._unsaved.pop(self.key(user_id), None)
        deleted = self.store.run("DELETE FROM sessions WHERE user_key = ?", [self.key(user_id)])
        if isinstance(self.store, SqliteStore):
            self._checkpoint(self.store.db)
        return deleted > 0

    @staticmethod
    def _checkpoint(db: Database) -> None:
        """Copy the write-ahead log into the database and empty it, so deleted rows are not left in the log."""
        if database_path(db) is None:
            return
        busy, _frames, _done = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:  # a long reader elsewhere: the next checkpoint (SQLite runs them itself) finishes the job
            log.info("after forget: the write-ahead log could not be emptied at once (a reader is busy)")
