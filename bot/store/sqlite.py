"""The shared state in the SQLite file Lotse has always used: one process owns it (with its worker), so a lock in
memory keeps one conversation's messages in order, and SQLite's single writer makes every transaction exclusive."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence

from sqlite_utils import Database

from bot.offers.db import is_busy
from bot.store.base import Args, Row, Sql, Store

_registry = threading.Lock()
_chat_locks: dict[str, tuple[threading.RLock, int]] = {}  # key -> (lock, how many hold or wait for it)


class _InTransaction(Sql):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _execute(self, sql: str, args: Args) -> tuple[list[Row], int]:
        cur = self.conn.execute(sql, list(args))
        return cur.fetchall(), cur.rowcount

    def many(self, sql: str, rows: Sequence[Args]) -> None:
        self.conn.executemany(sql, [list(r) for r in rows])


class SqliteStore(Store):
    """The Store interface over a sqlite-utils Database (the connection the rest of Lotse shares)."""

    dialect = "sqlite"
    unavailable = (sqlite3.OperationalError,)

    def __init__(self, db: Database, *, owns: bool = False) -> None:
        self.db = db
        self.owns = owns  # opened for this store (closed with it), or the connection the rest of Lotse shares
        self.conn = db.conn
        self._depth = 0  # > 0 inside transaction(): statements join it instead of committing on their own
        # Threads that share this store take turns on its one connection (a transaction holds it to the end).
        self._turn = threading.RLock()

    def _execute(self, sql: str, args: Args) -> tuple[list[Row], int]:
        with self._turn:
            if self._depth:
                return _InTransaction(self.conn)._execute(sql, args)
            with self.conn:  # commits (or rolls back) this statement on its own
                cur = self.conn.execute(sql, list(args))
                return cur.fetchall(), cur.rowcount

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Sql]:
        with self._turn, self._transaction() as tx:
            yield tx

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Sql]:
        if self._depth:  # already in one: the outer block commits
            yield _InTransaction(self.conn)
            return
        # IMMEDIATE: the write lock from the start, so a read-then-write (a claim) cannot interleave with another
        # process's; DDL joins it too (Python's sqlite3 would otherwise run CREATE TABLE outside a transaction).
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield _InTransaction(self.conn)
        except BaseException:
            self.conn.rollback()
            raise
        else:
            self.conn.commit()
        finally:
            self._depth -= 1

    @contextlib.contextmanager
    def chat_lock(self, key: str) -> Iterator[None]:
        with _registry:
            lock, users = _chat_locks.get(key, (threading.RLock(), 0))
            _chat_locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with _registry:
                lock, users = _chat_locks[key]
                if users <= 1:
                    del _chat_locks[key]  # idle chats cost nothing
                else:
                    _chat_locks[key] = (lock, users - 1)

    def script(self, sql: str) -> None:
        with self._turn:
            self.conn.executescript(f"BEGIN;\n{sql}\nCOMMIT;")

    def close(self) -> None:
        if self.owns:
            with self._turn:
                self.conn.close()

    def is_unavailable(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and is_busy(exc)
