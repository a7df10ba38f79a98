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
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Protocol

from bot.engine.actions import Menu, encode
from bot.engine.models import Incoming, Reply
from bot.store.base import DatabaseUnavailable

log = logging.getLogger(__name__)


class Handler(Protocol):
    """What the worker runs: the engine (Engine, bot/engine/engine.py), which the worker never needs to know."""

    def handle(self, incoming: Incoming) -> Reply: ...

    def close(self) -> None: ...

    def is_unavailable(self, error: BaseException) -> bool: ...


def _serve(conn: Connection, parent_end: Connection | None, build: Callable[[], Handler]) -> None:
    """The child: answer Incomings from the pipe, in order, until the parent closes it."""
    if parent_end is not None:
        parent_end.close()  # a forked child holds the parent's end too: without this it never sees EOF
    signal.set_wakeup_fd(-1)  # the parent's event loop owns that fd
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the parent, which closes the pipe
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    engine = build()
    gc.freeze()  # the loaded models never become garbage: keep the collector from walking them (latency spikes)
    while True:
        try:
            incoming = conn.recv()
        except (EOFError, OSError):
            engine.close()  # the usage counts added up since the last write
            return
        try:
            conn.send((True, engine.handle(incoming)))
        except sqlite3.OperationalError as err:  # a full disk, a lock: the parent's handler names it kindly
            conn.send((False, ("sqlite", str(err))))
        except Exception as err:  # reported to the parent, whose error handler answers the user kindly
            kind = "unavailable" if engine.is_unavailable(err) else "error"  # PostgreSQL restarting
            conn.send((False, (kind, f"{type(err).__name__}: {err}")))


class EngineWorker:
    """Engine.handle in one child process, over a pipe the event loop watches (no threads, no GIL hand-offs).

    The child builds its engine with `build` (Engine.twin(): the same settings, its own connections) and answers in
    the order it was asked, so replies are matched to requests first-in, first-out. If the child dies, `local`
    (the engine in this process) answers from then on.
    """

    def __init__(self, local: Handler, build: Callable[[], Handler]) -> None:
        self.engine = local
        methods = multiprocessing.get_all_start_methods()
        # fork: the child starts with the models the parent has loaded (about a second saved, memory shared).
        fork = "fork" in methods
        context: Any = multiprocessing.get_context("fork" if fork else "spawn")
        self.conn, child = context.Pipe()
        args = (child, self.conn if fork else None, build)
        self.process = context.Process(target=_serve, args=args, name="lotse-engine", daemon=True)
        self.process.start()
        child.close()
        self.pending: deque[asyncio.Future[Reply]] = deque()
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(self.conn.fileno(), self._on_reply)
        self.alive = True

    @classmethod
    def maybe(cls, local: Handler, build: Callable[[], Handler] | None,
              workers: int | None = None) -> EngineWorker | None:
        """A worker when it helps: an engine another process can build (a database file: `build` is None for an
        in-memory one), and more than one core (unless told otherwise)."""
        wanted = workers if workers is not None else (1 if (os.cpu_count() or 1) > 1 else 0)
        if not wanted or build is None:
            return None
        return cls(local, build)

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
