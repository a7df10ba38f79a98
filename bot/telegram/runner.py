"""Start and stop the Telegram bot: polling by default, webhook mode when LOTSE_WEBHOOK_URL is set.

`TelegramBot` is the lifecycle on its own (tests and the benchmark use it directly); bot/server.py runs it for
the lifetime of the aiohttp server with the engine worker the web chat uses too, and, in webhook mode, connects
it to the /telegram/webhook route.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import secrets
from typing import Any

from telegram.ext import Application, BaseRateLimiter

from bot.config import Settings
from bot.engine import Engine
from bot.engine.worker import EngineWorker
from bot.telegram.app import ALLOWED_UPDATES, build_application, register_commands
from bot.telegram.handlers import WORKER
from bot.telegram.staff import STAFF as STAFF_BRIDGE

log = logging.getLogger(__name__)

DRAIN_SECONDS = 5.0  # on stop, how long what is queued for the staff groups may still take
POLL_TIMEOUT = 10  # seconds a getUpdates long poll waits when nothing happens (updates return at once)


class TelegramBot:
    """The Application with its start-up and shutdown in the right order."""

    def __init__(self, settings: Settings, engine: Engine, *, poll_timeout: float = POLL_TIMEOUT,
                 rate_limiter: BaseRateLimiter[Any] | None = None, commands: bool = True,
                 engine_workers: int | None = None, worker: EngineWorker | None = None) -> None:
        self.settings = settings
        self.poll_timeout = poll_timeout
        self.commands = commands
        self.engine = engine
        self.engine_workers = engine_workers
        self.shared_worker = worker  # the server's, shared with the web chat: used, never closed here
        self.worker: EngineWorker | None = None
        self.application: Application[Any, Any, Any, Any, Any, Any] = build_application(
            settings, engine, rate_limiter=rate_limiter)
        self.secret = settings.webhook_secret or secrets.token_urlsafe(32)

    @property
    def webhook(self) -> bool:
        return bool(self.settings.webhook_url)

    async def start(self) -> TelegramBot:
        app = self.application
        self.worker = self.shared_worker or EngineWorker.maybe(self.engine, self.engine.twin(), self.engine_workers)
        if self.worker is not None and self.worker is not self.shared_worker:
            await self.worker.warm_up()
        if self.worker is not None:
            app.bot_data[WORKER] = self.worker
        # The engine's models are loaded now and live as long as the process: a full garbage collection that
        # walks them all stalls every chat for tens of milliseconds, so they are moved out of its reach.
        gc.freeze()
        await app.initialize()  # getMe: the bot's username is needed for mentions and deep links
        if self.commands:
            await register_commands(app, self.settings.default_lang)
        await app.start()
        if self.webhook:
            await app.bot.set_webhook(self.settings.webhook_url or "", secret_token=self.secret,
                                      allowed_updates=ALLOWED_UPDATES)
            log.info("telegram bot @%s: webhook %s", app.bot.username, self.settings.webhook_url)
        else:
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=int(max(self.poll_timeout, 0)),
                                            allowed_updates=ALLOWED_UPDATES)
            log.info("telegram bot @%s: polling %s", app.bot.username, self.settings.telegram_api_base_url)
        return self

    async def stop(self) -> None:
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        bridge = app.bot_data.get(STAFF_BRIDGE)
        if bridge is not None:  # a few seconds for what is still queued for the staff groups, then stop
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(bridge.queue.drained(), DRAIN_SECONDS)
            await bridge.queue.close()
        if app.running:
            await app.stop()
        await app.shutdown()
        if self.worker is not None:
            app.bot_data.pop(WORKER, None)
            if self.worker is not self.shared_worker:
                self.worker.close()
            self.worker = None

    async def __aenter__(self) -> TelegramBot:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

