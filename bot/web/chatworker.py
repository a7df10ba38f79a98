"""The web chat's engine calls on one worker thread with its own database connection, off the event loop.

An answer writes the person's session. While an import commits (a few seconds for the largest file allowed),
SQLite makes that write wait for the lock, and a wait on the event loop stopped everything else this server
does: the admin, /healthz, the Telegram bot beside it. On this thread only the chat waits. One thread keeps
the engine's work in order (a SQLite connection belongs to the thread that opened it); the models it uses
are the same loaded objects as the main engine's, so a second engine costs a connection, not memory.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.engine import Engine, Incoming, Reply
from bot.offers.db import open_db


class ChatWorker:
    """`await worker.handle(incoming)`: Engine.handle on the worker thread."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self.template = engine
        self.path = path
        self._local = threading.local()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lotse-chat")

    def _engine(self) -> Engine:
        engine: Engine | None = getattr(self._local, "engine", None)
        if engine is None:
            main = self.template
            engine = Engine(open_db(self.path), nlu=main.nlu, intents=main.intents, answers=main.answers,
                            gazetteer=main.gazetteer, default_lang=main.default_lang, results=main.results,
                            default_district=main.default_district)
            self._local.engine = engine
        return engine

    def _handle(self, incoming: Incoming) -> Reply:
        return self._engine().handle(incoming)

    async def handle(self, incoming: Incoming) -> Reply:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._handle, incoming)

    def _close(self) -> None:
        engine: Engine | None = getattr(self._local, "engine", None)
        if engine is not None:
            engine.db.close()

    def close(self) -> None:
        self._executor.submit(self._close)
        self._executor.shutdown(wait=True)
