"""The shared state in PostgreSQL, for several `lotse serve` instances at once (LOTSE_DATABASE_URL).

psycopg 3 with its connection pool: the stores are synchronous (the engine runs in a worker process, one message at
a time), so the pool hands each statement a connection and takes it back when the statement has committed.
Per-conversation order across instances is a transaction-scoped advisory lock: it is released when the holder
commits, rolls back or dies (a killed instance's connection closes, and PostgreSQL lets the next one in).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

import psycopg
from psycopg import sql as pgsql
from psycopg_pool import ConnectionPool

from bot.store.base import Args, Held, Listening, Row, Sql, Store

log = logging.getLogger(__name__)

#: How long a statement waits for a free connection of the pool, or a new one, before giving up (seconds): while
#: PostgreSQL restarts, the person is told to write again in a moment after this long.
CONNECT_TIMEOUT = 5.0


@lru_cache(maxsize=512)
def placeholders(sql: str) -> str:
    """`?` placeholders as psycopg's `%s` (a literal `%` doubled). No statement here has a `?` inside a string."""
    return sql.replace("%", "%%").replace("?", "%s")


class _OnConnection(Sql):
    def __init__(self, conn: psycopg.Connection[Row]) -> None:
        self.conn = conn

    def _execute(self, sql: str, args: Args) -> tuple[list[Row], int]:
        cur = self.conn.execute(placeholders(sql), list(args))
        rows = cur.fetchall() if cur.description else []
        return rows, cur.rowcount

    def many(self, sql: str, rows: Sequence[Args]) -> None:
        with self.conn.cursor() as cur:  # psycopg pipelines them: one round trip for many rows
            cur.executemany(placeholders(sql), [list(r) for r in rows])


class PostgresStore(Store):
    """The Store interface over a psycopg connection pool."""

    dialect = "postgresql"
    unavailable = (psycopg.OperationalError,)

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10) -> None:
        self.url = url
        self.pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
            url, min_size=min_size, max_size=max_size, timeout=CONNECT_TIMEOUT, open=False, name="lotse",
            # A connection is checked before it is handed out: after PostgreSQL restarted, the broken ones are
            # replaced instead of failing the next few messages.
            check=ConnectionPool.check_connection)
        try:
            self.pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        except BaseException:
            self.pool.close()  # else its workers go on trying to connect in the background
            raise
        # Notices go to the whole database, tables to a schema: a deployment's channels carry its schema's name, so
        # two deployments (or two tests) in one database never hear each other.
        found = self.one("SELECT current_schema()")
        self.space = f"lotse.{found[0] if found else 'public'}."

    def _execute(self, sql: str, args: Args) -> tuple[list[Row], int]:
        with self.pool.connection() as conn:  # committed when the block ends, rolled back when it raises
            return _OnConnection(conn)._execute(sql, args)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Sql]:
        with self.pool.connection() as conn:
            yield _OnConnection(conn)

    @contextlib.contextmanager
    def chat_lock(self, key: str) -> Iterator[None]:
        # One 64-bit lock id per conversation; a different key that hashes alike only waits a little, never errs.
        with self.pool.connection() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", ["chat:" + key])
            yield

    def script(self, sql: str) -> None:
        with self.pool.connection() as conn:
            for statement in (s.strip() for s in sql.split(";")):
                if statement:
                    conn.execute(statement.encode())  # bytes: a DDL statement is sent as it is, no placeholders

    def skip_locked(self) -> str:
        return " FOR UPDATE SKIP LOCKED"

    def notify(self, channel: str, payload: str = "") -> None:
        with self.pool.connection() as conn:
            conn.execute("SELECT pg_notify(%s, %s)", [self.space + channel, payload])

    def listen(self, channels: Sequence[str], on_notice: Callable[[str, str], None]) -> Listening:
        return _Listener(self.url, [self.space + c for c in channels],
                         lambda channel, payload: on_notice(channel.removeprefix(self.space), payload))

    def hold(self, name: str) -> Held | None:
        # A connection of its own holds the session lock: it ends with the holder, however that ends.
        conn = psycopg.connect(self.url, autocommit=True)
        row = conn.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [name]).fetchone()
        if not row or not row[0]:
            conn.close()
            return None
        return _HeldOn(conn)

    def held_elsewhere(self, name: str) -> bool:
        # Taken at once when nobody holds it (and given back in the same statement), refused while its holder's
        # connection is open: a killed instance's lock is free as soon as PostgreSQL sees its connection close.
        key = "hashtextextended(?, 0)"
        row = self.one(f"SELECT CASE WHEN pg_try_advisory_lock({key}) THEN NOT pg_advisory_unlock({key}) "
                       "ELSE true END", [name, name])
        return bool(row and row[0])

    def close(self) -> None:
        self.pool.close()


class _HeldOn(Held):
    def __init__(self, conn: psycopg.Connection[Row]) -> None:
        self.conn = conn

    def close(self) -> None:
        # Given back before the connection closes: PostgreSQL frees a closed connection's locks only when its
        # backend has exited, a moment later, and another instance asking at once would still find it held.
        try:
            self.conn.execute("SELECT pg_advisory_unlock_all()")
        except psycopg.Error:
            pass  # the connection is gone already: so is its lock
        finally:
            self.conn.close()


class _Listener(Listening):
    """A connection of its own that LISTENs, and a thread that hands each notice to the callback."""

    POLL = 0.5  # seconds between looks at whether it was closed
    live = True

    def __init__(self, url: str, channels: Sequence[str], on_notice: Callable[[str, str], None]) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        for channel in channels:
            self.conn.execute(pgsql.SQL("LISTEN {}").format(pgsql.Identifier(channel)))
        self.on_notice = on_notice
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="lotse-listen", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for notice in self.conn.notifies(timeout=self.POLL):
                    self.on_notice(notice.channel, notice.payload)
            except psycopg.Error:
                self.live = False
                if not self._stop.is_set():
                    log.warning("the notice connection to PostgreSQL was lost; other instances' changes arrive "
                                "with the next periodic refresh")
                return

    def close(self) -> None:
        self._stop.set()
        self.thread.join(timeout=self.POLL * 4)
        self.conn.close()
