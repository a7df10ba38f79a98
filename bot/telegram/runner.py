"""Start and stop the Telegram bot inside the aiohttp server's lifetime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.config import Settings
from bot.engine import Engine
from bot.telegram.app import build_application

log = logging.getLogger(__name__)


@asynccontextmanager
async def run_telegram(app: web.Application, settings: Settings, engine: Engine) -> AsyncIterator[None]:
    """Polling for the lifetime of the web app."""
    application = build_application(settings, engine)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(drop_pending_updates=False)
    log.info("telegram bot polling via %s", settings.telegram_api_base_url)
    try:
        yield
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
