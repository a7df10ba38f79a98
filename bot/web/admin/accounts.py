"""Named accounts of the web admin: argon2 password hashes, roles, sign-in sessions, login throttling.

Plain domain code (no aiohttp): the web admin and `lotse admin ...` both use it.
- Passwords are hashed with argon2id (argon2-cffi, the OWASP recommendation); only the hash is stored, and a
  hash made with older parameters is upgraded on the next sign-in.
- A session is a random token in the browser's cookie; the database keeps only its SHA-256, so a copy of the
  database does not let anyone sign in. Each session has its own CSRF token. A session unused for longer than
  the idle limit is ended.
- `Throttle` counts wrong passwords per account and per address: beyond a few, each one makes the next try wait
  longer (seconds, never a lock); kept in memory: a restart forgets it, which an attacker cannot trigger.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

ROLES = ("editor", "admin")
MIN_PASSWORD = 10  # the messages below say 10
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
_HASHER = PasswordHasher()
# Verifying against this when the name is unknown takes as long as a real check, so timing does not tell
# which names exist.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class AccountError(ValueError):
    """A name, role or password that cannot be used; the message says why."""


@dataclass(frozen=True)
class Account:
    """Who is signed in (or listed): a name and a role."""

    name: str
    role: str
    created_at: str = ""
    changed_at: str = ""

    def may(self, role: str) -> bool:
        """Whether this account has `role` or a higher one (admin includes editor)."""
        return ROLES.index(self.role) >= ROLES.index(role)


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_name(name: str) -> str:
    """The name if usable (2-64 of letters, digits, . _ @ -), else AccountError."""
    if not _NAME.match(name):
        raise AccountError("A name has 2 to 64 letters, digits or . _ @ - (e.g. anna.schmidt).")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError("The role is editor or admin.")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError("A password has at least 10 characters.")
    return password


def _row(db: Database, name: str) -> tuple[str, str, str, str, str] | None:
    row = db.execute("SELECT name, role, password_hash, created_at, changed_at FROM admin_users WHERE name = ?",
                     [name]).fetchone()
    return (row[0], row[1], row[2], row[3], row[4]) if row else None


def get(db: Database, name: str) -> Account | None:
    row = _row(db, name)
    return Account(row[0], row[1], row[3], row[4]) if row else None


def users(db: Database) -> list[Account]:
    """Every account, by name."""
    rows = db.execute("SELECT name, role, created_at, changed_at FROM admin_users ORDER BY name COLLATE NOCASE")
    return [Account(*r) for r in rows.fetchall()]


def add_user(db: Database, name: str, password: str, role: str) -> Account:
    """Create an account; AccountError when the name exists or name, role or password do not fit."""
    check_name(name), check_role(role), check_password(password)
    if _row(db, name):
        raise AccountError("There is already an account with this name.")
    stamp = _stamp()
    with db.conn:
        db.execute("INSERT INTO admin_users (name, role, password_hash, created_at, changed_at) VALUES (?, ?, ?, ?, ?)",
                   [name, role, _HASHER.hash(password), stamp, stamp])
    return Account(name, role, stamp, stamp)


def _existing(db: Database, name: str) -> None:
    if not _row(db, name):
        raise AccountError("There is no account with this name.")


def set_password(db: Database, name: str, password: str) -> None:
    """A new password; every session of the account ends (a stolen cookie stops working)."""
    _existing(db, name)
    check_password(password)
    with db.conn:
        db.execute("UPDATE admin_users SET password_hash = ?, changed_at = ? WHERE name = ?",
                   [_HASHER.hash(password), _stamp(), name])
        db.execute("DELETE FROM admin_sessions WHERE name = ?", [name])


def set_role(db: Database, name: str, role: str) -> None:
    _existing(db, name)
    check_role(role)
    with db.conn:
        db.execute("UPDATE admin_users SET role = ?, changed_at = ? WHERE name = ?", [role, _stamp(), name])


def remove_user(db: Database, name: str) -> None:
    """Delete an account and end its sessions (its changes stay in the audit trail under its name)."""
    _existing(db, name)
    with db.conn:
        db.execute("DELETE FROM admin_users WHERE name = ?", [name])
        db.execute("DELETE FROM admin_sessions WHERE name = ?", [name])


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether the password fits the hash (None: an unknown name, checked against a dummy for equal time).

    Pure CPU work (~0.2 s by design), safe to run in a worker thread so the web server keeps answering.
    """
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def signed_in(db: Database, name: str, password: str, stored_hash: str) -> Account | None:
    """After a matching password: the account, its hash upgraded if made with older argon2 parameters."""
    row = _row(db, name)
    if row is None or row[2] != stored_hash:
        return None  # removed or given a new password meanwhile
    if _HASHER.check_needs_rehash(stored_hash):
        with db.conn:
            db.execute("UPDATE admin_users SET password_hash = ? WHERE name = ?", [_HASHER.hash(password), row[0]])
    return Account(row[0], row[1], row[3], row[4])


def stored_hash(db: Database, name: str) -> str | None:
    row = _row(db, name)
    return row[2] if row else None


def verify(db: Database, name: str, password: str) -> Account | None:
    """The account when the password is right, else None (same time either way)."""
    stored = stored_hash(db, name)
    if not password_matches(stored, password) or stored is None:
        return None
    return signed_in(db, name, password, stored)


# --- sessions ---------------------------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    """A signed-in browser: the account and the CSRF token its forms must carry."""

    account: Account
    csrf: str


def start_session(db: Database, account: Account, now: float | None = None) -> tuple[str, Session]:
    """A new session: (cookie token, session)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    moment = time.time() if now is None else now
    with db.conn:
        db.execute("INSERT INTO admin_sessions (token_hash, name, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
                   [_digest(token), account.name, csrf, moment, moment])
    return token, Session(account, csrf)


def find_session(db: Database, token: str, idle_seconds: float, now: float | None = None) -> Session | str | None:
    """The session of a cookie token and mark it used; "expired" when it was idle too long; None if unknown."""
    if not token:
        return None
    moment = time.time() if now is None else now
    row = db.execute(
        "SELECT s.last_seen, s.csrf, u.name, u.role, u.created_at, u.changed_at FROM admin_sessions s "
        "JOIN admin_users u ON u.name = s.name WHERE s.token_hash = ?", [_digest(token)]).fetchone()
    if row is None:
        return None
    last_seen, csrf, *account = row
    with db.conn:
        if moment - last_seen > idle_seconds:
            db.execute("DELETE FROM admin_sessions WHERE token_hash = ?", [_digest(token)])
            return "expired"
        if moment - last_seen > 15:  # one write per quarter minute is plenty for an idle limit of minutes
            db.execute("UPDATE admin_sessions SET last_seen = ? WHERE token_hash = ?", [moment, _digest(token)])
            db.execute("DELETE FROM admin_sessions WHERE last_seen < ?", [moment - idle_seconds])  # others' leftovers
    return Session(Account(*account), csrf)


def end_session(db: Database, token: str) -> None:
    with db.conn:
        db.execute("DELETE FROM admin_sessions WHERE token_hash = ?", [_digest(token)])


# --- throttling -------------------------------------------------------------------------------------------

@dataclass
class _Failures:
    count: int
    last: float


@dataclass
class Throttle:
    """Wrong passwords per key ("name:anna", "addr:192.0.2.1") make the next try wait, longer each time.

    The first `free` failures cost nothing; then each further one makes the key wait `base * 2**n` seconds (n
    counts them from 0), at most `cap`. Nothing is ever locked for good: the rightful user waits seconds, not a
    quarter of an hour, and a guesser gets a few tries a minute. A key's failures are forgotten `forget_after`
    seconds after its last one. Only `succeed()` for that same key clears them: signing in to one's own account
    does not clear the count of the address one guessed from.
    """

    free: int = 5
    base: float = 1.0
    cap: float = 60.0
    forget_after: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 10_000
    _failures: dict[str, _Failures] = field(default_factory=dict)

    def _current(self, key: str, now: float) -> _Failures | None:
        found = self._failures.get(key)
        if found is not None and now - found.last > self.forget_after:
            del self._failures[key]
            return None
        return found

    def _delay(self, failures: int) -> float:
        beyond = failures - self.free - 1
        return 0.0 if beyond < 0 else min(self.cap, self.base * 2.0 ** min(beyond, 30))

    def wait(self, *keys: str) -> float:
        """Seconds until these keys may try again (0: now)."""
        now = self.clock()
        waits = [f.last + self._delay(f.count) - now for k in keys if (f := self._current(k, now)) is not None]
        return max([0.0, *waits])

    def fail(self, *keys: str) -> None:
        now = self.clock()
        if len(self._failures) >= self.max_keys:  # made-up names and addresses must not grow memory unbounded
            self._failures = {k: f for k, f in self._failures.items() if now - f.last <= self.forget_after}
            while len(self._failures) >= self.max_keys:
                self._failures.pop(min(self._failures, key=lambda k: self._failures[k].last))
        for key in keys:
            found = self._current(key, now)
            self._failures[key] = _Failures((found.count if found else 0) + 1, now)

    def succeed(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)


# --- the first account ------------------------------------------------------------------------------------

def new_setup_token(db: Database) -> str:
    """A fresh one-time token for the set-up link (an earlier one stops working); only its SHA-256 is kept."""
    token = secrets.token_urlsafe(24)
    with db.conn:
        db.execute("INSERT INTO meta(key, value) VALUES ('admin_setup', ?) ON CONFLICT(key) DO UPDATE SET "
                   "value = excluded.value", [_digest(token)])
    return token


def setup_token_matches(db: Database, token: str) -> bool:
    """Whether `token` is the current set-up token and no account exists yet."""
    row = db.execute("SELECT value FROM meta WHERE key = 'admin_setup'").fetchone()
    return bool(token) and row is not None and secrets.compare_digest(str(row[0]), _digest(token)) \
        and not users(db)


def first_admin(db: Database, token: str, name: str, password: str) -> Account:
    """Make the first account (role admin) with the set-up token, which is used up; AccountError otherwise."""
    if not setup_token_matches(db, token):
        raise AccountError("This set-up link has been used or replaced. Run `lotse setup` for a new one.")
    account = add_user(db, name, password, "admin")
    with db.conn:
        db.execute("DELETE FROM meta WHERE key = 'admin_setup'")
    return account
