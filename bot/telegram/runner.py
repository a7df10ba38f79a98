"""Start and stop the Telegram bot: polling by default, webhook mode when LOTSE_WEBHOOK_URL is set.

`TelegramBot` is the lifecycle on its own (tests and the benchmark use it directly); `run_telegram` runs it
for the lifetime of the aiohttp server and, in webhook mode, connects it to the /telegram/webhook route.
"""

from __future__ import annotations

import gc
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from telegram.ext import Application, BaseRateLimiter

from bot.config import Settings
from bot.engine import Engine
from bot.telegram.app import ALLOWED_UPDATES, build_application, register_commands
from bot.telegram.handlers import WORKER
from bot.telegram.workers import EngineWorker

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds a getUpdates long poll waits when nothing happens (updates return at once)


class TelegramBot:
    """The Application with its start-up and shutdown in the right order."""

    def __init__(self, settings: Settings, engine: Engine, *, poll_timeout: float = POLL_TIMEOUT,
                 rate_limiter: BaseRateLimiter[Any] | None = None, commands: bool = True,
                 engine_workers: int | None = None) -> None:
        self.settings = settings
        self.poll_timeout = poll_timeout
        self.commands = commands
        self.engine = engine
        self.engine_workers = engine_workers
        self.worker: EngineWorker | None = None
        self.application: Application = build_application(
            settings, engine, rate_limiter=rate_limiter)
        self.secret = settings.webhook_secret or secrets.token_urlsafe(32)

    @property
    def webhook(self) -> bool:
        return bool(self.settings.webhook_url)

    async def start(self) -> TelegramBot:
        app = self.application
        self.worker = EngineWorker.maybe(self.engine, self.engine_workers)
        if self.worker is not None:
            await self.worker.warm_up()
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
        if app.running:
            await app.stop()
        await app.shutdown()
        if self.worker is not None:
            app.bot_data.pop(WORKER, None)
            self.worker.close()
            self.worker = None

    async def __aenter__(self) -> TelegramBot:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


@asynccontextmanager
async def run_telegram(app: web.Application, settings: Settings, engine: Engine) -> AsyncIterator[None]:
    """The bot for the lifetime of the web app; in webhook mode the route there feeds it."""
    from bot.telegram.staff import STAFF as BRIDGE
    from bot.web.staff import STAFF
    from bot.web.webhook import WEBHOOK

    bot = TelegramBot(settings, engine)
    await bot.start()
    staff = app.get(STAFF)
    if staff is not None:  # web chat messages of a handoff go to the staff topics through the bot
        staff.relay = bot.application.bot_data.get(BRIDGE)
    slot = app.get(WEBHOOK)
    if bot.webhook:
        if slot is None:
            log.error("webhook mode, but the web app has no /telegram/webhook route")
        else:
            slot.application, slot.secret = bot.application, bot.secret
    try:
        yield
    finally:
        if staff is not None:
            staff.relay = None
        if slot is not None:
            slot.application = None
        await bot.stop()
