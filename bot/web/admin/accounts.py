"""Named accounts of the web admin: argon2 password hashes, roles, sign-in sessions, login throttling.

Plain domain code (no aiohttp): the web admin and `lotse admin ...` both use it.
- Passwords are hashed with argon2id (argon2-cffi, the OWASP recommendation); only the hash is stored, and a
  hash made with older parameters is upgraded on the next sign-in.
- A session is a random token in the browser's cookie; the database keeps only its SHA-256, so a copy of the
  database does not let anyone sign in. Each session has its own CSRF token. A session unused for longer than
  the idle limit is ended.
- `Throttle` counts wrong passwords per account and per address: beyond a few, each one makes the next try wait
  longer (seconds, never a lock); in memory, or in the shared store once the app has one (`shared()`), so guesses
  spread over several instances behind a load balancer count together.
- Everything lives in the Store (bot/store): the SQLite file by default, or PostgreSQL shared by every instance,
  so a person signed in on one instance is signed in on all of them. Names compare case-insensitively on both
  engines (`lower(name)`: names are ASCII by `check_name`).
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

from bot.store import Store, as_store

#: A sqlite-utils Database (its own file's store) or a Store (SQLite or PostgreSQL).
Db = Database | Store

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


def _row(db: Db, name: str) -> tuple[str, str, str, str, str] | None:
    row = as_store(db).one("SELECT name, role, password_hash, created_at, changed_at FROM admin_users "
                           "WHERE lower(name) = lower(?)", [name])
    return (str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4])) if row else None


def get(db: Db, name: str) -> Account | None:
    row = _row(db, name)
    return Account(row[0], row[1], row[3], row[4]) if row else None


def users(db: Db) -> list[Account]:
    """Every account, by name."""
    rows = as_store(db).query("SELECT name, role, created_at, changed_at FROM admin_users ORDER BY lower(name)")
    return [Account(*r) for r in rows]


def add_user(db: Db, name: str, password: str, role: str) -> Account:
    """Create an account; AccountError when the name exists or name, role or password do not fit."""
    check_name(name), check_role(role), check_password(password)
    if _row(db, name):
        raise AccountError("There is already an account with this name.")
    stamp = _stamp()
    as_store(db).run("INSERT INTO admin_users (name, role, password_hash, created_at, changed_at) "
                     "VALUES (?, ?, ?, ?, ?)", [name, role, _HASHER.hash(password), stamp, stamp])
    return Account(name, role, stamp, stamp)


def _existing(db: Db, name: str) -> None:
    if not _row(db, name):
        raise AccountError("There is no account with this name.")


def set_password(db: Db, name: str, password: str) -> None:
    """A new password; every session of the account ends (a stolen cookie stops working)."""
    _existing(db, name)
    check_password(password)
    with as_store(db).transaction() as tx:
        tx.run("UPDATE admin_users SET password_hash = ?, changed_at = ? WHERE lower(name) = lower(?)",
               [_HASHER.hash(password), _stamp(), name])
        tx.run("DELETE FROM admin_sessions WHERE lower(name) = lower(?)", [name])


def set_role(db: Db, name: str, role: str) -> None:
    _existing(db, name)
    check_role(role)
    as_store(db).run("UPDATE admin_users SET role = ?, changed_at = ? WHERE lower(name) = lower(?)",
                     [role, _stamp(), name])


def remove_user(db: Db, name: str) -> None:
    """Delete an account and end its sessions (its changes stay in the audit trail under its name)."""
    _existing(db, name)
    with as_store(db).transaction() as tx:
        tx.run("DELETE FROM admin_users WHERE lower(name) = lower(?)", [name])
        tx.run("DELETE FROM admin_sessions WHERE lower(name) = lower(?)", [name])


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether the password fits the hash (None: an unknown name, checked against a dummy for equal time).

    Pure CPU work (~0.2 s by design), safe to run in a worker thread so the web server keeps answering.
    """
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def signed_in(db: Db, name: str, password: str, stored_hash: str) -> Account | None:
    """After a matching password: the account, its hash upgraded if made with older argon2 parameters."""
    row = _row(db, name)
    if row is None or row[2] != stored_hash:
        return None  # removed or given a new password meanwhile
    if _HASHER.check_needs_rehash(stored_hash):
        as_store(db).run("UPDATE admin_users SET password_hash = ? WHERE name = ?", [_HASHER.hash(password), row[0]])
    return Account(row[0], row[1], row[3], row[4])


def stored_hash(db: Db, name: str) -> str | None:
    row = _row(db, name)
    return row[2] if row else None


def verify(db: Db, name: str, password: str) -> Account | None:
    """The account when the password is right, else None (same time either way)."""
    stored = stored_hash(db, name)
    if not password_matches(stored, password) or stored is None:
        return None
    return signed_in(db, name, password, stored)


# --- sessions ---------------------------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token_account(admin_token: str) -> str:
    """The account name of LOTSE_ADMIN_TOKEN's browser sessions: no account can have it (a colon, which
    check_name refuses), every instance knows it, and a new token ends the sessions of the old one."""
    return "token:" + _digest("admin token\x00" + admin_token)[:32]


@dataclass(frozen=True)
class Session:
    """A signed-in browser: the account and the CSRF token its forms must carry."""

    account: Account
    csrf: str


def start_session(db: Db, account: Account, now: float | None = None) -> tuple[str, Session]:
    """A new session: (cookie token, session)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    moment = time.time() if now is None else now
    as_store(db).run("INSERT INTO admin_sessions (token_hash, name, csrf, created_at, last_seen) "
                     "VALUES (?, ?, ?, ?, ?)", [_digest(token), account.name, csrf, moment, moment])
    return token, Session(account, csrf)


def start_token_session(db: Db, admin_token: str, now: float | None = None) -> str:
    """A browser session of LOTSE_ADMIN_TOKEN (the admin role, no account); its cookie token."""
    return start_session(db, Account(_token_account(admin_token), "admin"), now)[0]


def find_session(db: Db, token: str, idle_seconds: float, now: float | None = None) -> Session | str | None:
    """The session of a cookie token and mark it used; "expired" when it was idle too long; None if unknown."""
    return _find(as_store(db), token, idle_seconds, now, admin_token=None)


def find_token_session(db: Db, token: str, admin_token: str, idle_seconds: float,
                       now: float | None = None) -> Session | str | None:
    """As `find_session`, for a browser session of LOTSE_ADMIN_TOKEN (`admin_token`, the current one)."""
    return _find(as_store(db), token, idle_seconds, now, admin_token=admin_token)


def _find(store: Store, token: str, idle_seconds: float, now: float | None, *,
          admin_token: str | None) -> Session | str | None:
    if not token:
        return None
    moment = time.time() if now is None else now
    if admin_token is not None:
        found = store.one("SELECT last_seen, csrf FROM admin_sessions WHERE token_hash = ? AND name = ?",
                          [_digest(token), _token_account(admin_token)])
        row = (*found, "token", "admin", "", "") if found else None  # "token": its name in the audit trail
    else:
        row = store.one("SELECT s.last_seen, s.csrf, u.name, u.role, u.created_at, u.changed_at FROM admin_sessions s "
                        "JOIN admin_users u ON u.name = s.name WHERE s.token_hash = ?", [_digest(token)])
    if row is None:
        return None
    last_seen, csrf, *account = row
    if moment - last_seen > idle_seconds:
        store.run("DELETE FROM admin_sessions WHERE token_hash = ?", [_digest(token)])
        return "expired"
    if moment - last_seen > 15:  # one write per quarter minute is plenty for an idle limit of minutes
        with store.transaction() as tx:
            tx.run("UPDATE admin_sessions SET last_seen = ? WHERE token_hash = ?", [moment, _digest(token)])
            tx.run("DELETE FROM admin_sessions WHERE last_seen < ?", [moment - idle_seconds])  # others' leftovers
    return Session(Account(*(str(v) for v in account)), str(csrf))


def end_session(db: Db, token: str) -> None:
    as_store(db).run("DELETE FROM admin_sessions WHERE token_hash = ?", [_digest(token)])


def device_secret(db: Db) -> str:
    """The key of the marks a browser gets when it signs in (auth.py): made once, the same on every instance."""
    store = as_store(db)
    store.run("INSERT INTO meta(key, value) VALUES ('admin_device_secret', ?) ON CONFLICT(key) DO NOTHING",
              [secrets.token_urlsafe(32)])
    row = store.one("SELECT value FROM meta WHERE key = 'admin_device_secret'")
    return str(row[0]) if row else ""


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
    #: Set by `share()`: the failures are rows of `admin_throttle`, counted by every instance together.
    store: Store | None = None
    scope: str = ""
    _fails: int = 0

    def share(self, store: Store, scope: str) -> None:
        """Count in the store from now on (keys prefixed by `scope`); wall-clock time, as instances share it."""
        self.store, self.scope = store, scope
        if self.clock is time.monotonic:
            self.clock = time.time

    def _current(self, key: str, now: float) -> _Failures | None:
        if self.store is not None:
            row = self.store.one("SELECT count, last FROM admin_throttle WHERE key = ?", [f"{self.scope}:{key}"])
            found = _Failures(int(row[0]), float(row[1])) if row else None
            return found if found is not None and now - found.last <= self.forget_after else None
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
        if self.store is not None:
            self._fail_shared(self.store, keys, now)
            return
        if len(self._failures) >= self.max_keys:  # made-up names and addresses must not grow memory unbounded
            self._failures = {k: f for k, f in self._failures.items() if now - f.last <= self.forget_after}
            while len(self._failures) >= self.max_keys:
                self._failures.pop(min(self._failures, key=lambda k: self._failures[k].last))
        for key in keys:
            found = self._current(key, now)
            self._failures[key] = _Failures((found.count if found else 0) + 1, now)

    def _fail_shared(self, store: Store, keys: tuple[str, ...], now: float) -> None:
        # One atomic upsert per key: two instances counting the same guess at once both count it.
        for key in keys:
            store.run("INSERT INTO admin_throttle(key, count, last) VALUES (?, 1, ?) ON CONFLICT(key) DO UPDATE "
                      "SET count = CASE WHEN excluded.last - admin_throttle.last > ? THEN 1 "
                      "ELSE admin_throttle.count + 1 END, last = excluded.last",
                      [f"{self.scope}:{key}", now, self.forget_after])
        self._fails += 1
        if self._fails % 100 == 0:  # made-up names and addresses must not grow the table unbounded
            store.run("DELETE FROM admin_throttle WHERE key LIKE ? AND last < ?",
                      [f"{self.scope}:%", now - self.forget_after])

    def succeed(self, *keys: str) -> None:
        for key in keys:
            if self.store is not None:
                self.store.run("DELETE FROM admin_throttle WHERE key = ?", [f"{self.scope}:{key}"])
            else:
                self._failures.pop(key, None)


# --- the first account ------------------------------------------------------------------------------------

def new_setup_token(db: Db) -> str:
    """A fresh one-time token for the set-up link (an earlier one stops working); only its SHA-256 is kept."""
    token = secrets.token_urlsafe(24)
    as_store(db).run("INSERT INTO meta(key, value) VALUES ('admin_setup', ?) ON CONFLICT(key) DO UPDATE SET "
                     "value = excluded.value", [_digest(token)])
    return token


def setup_token_open(db: Db) -> bool:
    """Whether a set-up link was printed and not used up yet (and no account exists)."""
    return as_store(db).one("SELECT value FROM meta WHERE key = 'admin_setup'") is not None and not users(db)


def setup_token_matches(db: Db, token: str) -> bool:
    """Whether `token` is the current set-up token and no account exists yet."""
    row = as_store(db).one("SELECT value FROM meta WHERE key = 'admin_setup'")
    return bool(token) and row is not None and secrets.compare_digest(str(row[0]), _digest(token)) \
        and not users(db)


def first_admin(db: Db, token: str, name: str, password: str) -> Account:
    """Make the first account (role admin) with the set-up token, which is used up; AccountError otherwise."""
    if not setup_token_matches(db, token):
        raise AccountError("This set-up link has been used or replaced. Run `lotse setup` for a new one.")
    account = add_user(db, name, password, "admin")
    as_store(db).run("DELETE FROM meta WHERE key = 'admin_setup'")
    return account
