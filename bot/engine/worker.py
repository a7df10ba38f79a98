"""The engine in a worker process, so the event loop keeps talking to Telegram and the web while the NLU thinks.

Understanding a message is CPU work (a few ms); sending replies is network work for the event loop. In one
process they take turns on one core; with the engine in a child process they overlap on two, and the
replies of other chats are not held up while one message is matched. The server (bot/server.py) starts one
worker that the web chat and the Telegram bot share. The child opens its own connection to
the same SQLite file (WAL allows it); per-chat ordering stays with the parent, so one person's messages are
still handled one after another. An in-memory database (tests) cannot be shared: the engine then runs inline.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import signal
import sqlite3
from collections import deque
from multiprocessing.connection import Connection
from typing import Any

from bot.config import StaffConfig
from bot.engine import Engine, Incoming, Reply
from bot.engine.actions import Menu, encode
from bot.store.base import DatabaseUnavailable

log = logging.getLogger(__name__)


def database_file(engine: Engine) -> str | None:
    """The file behind the engine's database, or None for an in-memory one."""
    for _seq, name, path in engine.db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return str(path) or None
    return None


def _serve(conn: Connection, parent_end: Connection | None, path: str, default_lang: str, results: int,
           default_district: str | None = None, staff: StaffConfig | None = None,
           retention_days: int = 90, database_url: str | None = None) -> None:
    """The child: answer Incomings from the pipe, in order, until the parent closes it."""
    if parent_end is not None:
        parent_end.close()  # a forked child holds the parent's end too: without this it never sees EOF
    signal.set_wakeup_fd(-1)  # the parent's event loop owns that fd
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the parent, which closes the pipe
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from bot.offers.db import open_db
    from bot.store import open_store

    # Its own PostgreSQL connections when the shared state is there: a pool is never shared across a fork.
    store = open_store(database_url, migrate_schema=False) if database_url else None
    engine = Engine(open_db(path), default_lang=default_lang, results=results, default_district=default_district,
                    staff=staff, retention_days=retention_days, store=store)
    gc.freeze()  # the loaded models never become garbage: keep the collector from walking them (latency spikes)
    while True:
        try:
            incoming = conn.recv()
        except (EOFError, OSError):
            engine.learning.flush()  # the usage counts added up since the last write
            return
        try:
            conn.send((True, engine.handle(incoming)))
        except sqlite3.OperationalError as err:  # a full disk, a lock: the parent's handler names it kindly
            conn.send((False, ("sqlite", str(err))))
        except Exception as err:  # reported to the parent, whose error handler answers the user kindly
            kind = "unavailable" if engine.store.is_unavailable(err) else "error"  # PostgreSQL restarting
            conn.send((False, (kind, f"{type(err).__name__}: {err}")))


class EngineWorker:
    """Engine.handle in one child process, over a pipe the event loop watches (no threads, no GIL hand-offs).

    The child answers in the order it was asked, so replies are matched to requests first-in, first-out.
    If the child dies, the local engine answers from then on.
    """

    def __init__(self, engine: Engine, path: str, database_url: str | None = None) -> None:
        self.engine = engine
        methods = multiprocessing.get_all_start_methods()
        # fork: the child starts with the models the parent has loaded (about a second saved, memory shared).
        fork = "fork" in methods
        context: Any = multiprocessing.get_context("fork" if fork else "spawn")
        self.conn, child = context.Pipe()
        args = (child, self.conn if fork else None, path, engine.default_lang, engine.results,
                engine.default_district, engine.handoff.config, engine.learning.retention_days, database_url)
        self.process = context.Process(target=_serve, args=args, name="lotse-engine", daemon=True)
        self.process.start()
        child.close()
        self.pending: deque[asyncio.Future[Reply]] = deque()
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(self.conn.fileno(), self._on_reply)
        self.alive = True

    @classmethod
    def maybe(cls, engine: Engine, workers: int | None = None,
              database_url: str | None = None) -> EngineWorker | None:
        """A worker when it helps: a database file, and more than one core (unless told otherwise)."""
        wanted = workers if workers is not None else (1 if (os.cpu_count() or 1) > 1 else 0)
        path = database_file(engine)
        if not wanted or path is None:
            return None
        return cls(engine, path, database_url)

    async def warm_up(self) -> None:
        """Wait until the child has built its engine (the menu button stores nothing)."""
        await self.handle(Incoming("tg:warm-up", button=encode(Menu())))

    def _on_reply(self) -> None:
        try:
            while self.conn.poll():
                ok, value = self.conn.recv()
                future = self.pending.popleft()
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    kind, message = value
                    future.set_exception(sqlite3.OperationalError(message) if kind == "sqlite"
                                         else DatabaseUnavailable(message) if kind == "unavailable"
                                         else RuntimeError(f"engine worker: {message}"))
        except (EOFError, OSError):
            self._broken()

    def _broken(self) -> None:
        if self.alive:
            log.error("the engine worker died; answering in the main process from now on")
        self.alive = False
        self.loop.remove_reader(self.conn.fileno())
        while self.pending:
            future = self.pending.popleft()
            if not future.done():
                future.set_exception(RuntimeError("engine worker died"))

    async def handle(self, incoming: Incoming) -> Reply:
        if not self.alive:
            return self.engine.handle(incoming)
        future: asyncio.Future[Reply] = self.loop.create_future()
        self.pending.append(future)
        try:
            self.conn.send(incoming)
        except OSError:
            self.pending.remove(future)
            self._broken()
            return self.engine.handle(incoming)
        return await future

    def close(self) -> None:
        if self.alive:
            self.alive = False
            self.loop.remove_reader(self.conn.fileno())
        self.conn.close()
        self.process.join(5)
        if self.process.is_alive():
            self.process.terminate()
