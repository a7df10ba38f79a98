"""The aiohttp application factory (in the style of aiohttp-demos `polls`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import jinja2
from aiohttp import web

from bot.config import Settings
from bot.engine import Engine
from bot.offers.db import open_db
from bot.ratelimit import RateLimiter
from bot.web.admin import setup_admin
from bot.web.chatworker import ChatWorker
from bot.web.keys import ADDRESS_LIMIT, CHAT, DB, ENGINE, SESSION_LIMIT, SETTINGS, TEMPLATES
from bot.web.middlewares import json_errors, security_headers
from bot.web.routes import setup_routes

log = logging.getLogger(__name__)


HERE = Path(__file__).resolve().parent
MAX_BODY = 64 * 1024  # a chat message is short; anything bigger is refused before it is parsed


async def engine_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the database and build the engine on start-up; close the database on shutdown."""
    settings = app[SETTINGS]
    db = open_db(settings.db_path)
    app[DB] = db
    engine = Engine(db, default_lang=settings.default_lang, results=settings.results,
                    default_district=settings.default_district)
    engine.nlu.warm_up()  # train the per-script language models now, not on the first person's message
    app[ENGINE] = engine
    app[CHAT] = ChatWorker(engine, settings.db_path)
    log.info("engine ready on %s", settings.db_path)
    yield
    app[CHAT].close()
    db.close()


async def telegram_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the Telegram bot beside the web server when a token is configured."""
    settings = app[SETTINGS]
    if not settings.telegram_token:
        yield
        return
    from bot.telegram.runner import run_telegram  # imported only when used: the web chat runs without it

    async with run_telegram(app, settings, app[ENGINE]):
        yield


def create_app(settings: Settings) -> web.Application:
    """Build the web application; resources open in cleanup contexts, so tests and `serve` share one path."""
    app = web.Application(client_max_size=MAX_BODY, middlewares=[json_errors])
    app[SETTINGS] = settings
    app[SESSION_LIMIT] = RateLimiter(settings.rate_burst, settings.rate_per_minute)
    app[ADDRESS_LIMIT] = RateLimiter(max(settings.rate_burst, round(settings.address_per_minute / 10)),
                                     settings.address_per_minute)
    app[TEMPLATES] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, enable_async=False
    )
    app.on_response_prepare.append(security_headers)
    app.cleanup_ctx.append(engine_ctx)
    app.cleanup_ctx.append(telegram_ctx)
    setup_routes(app)
    setup_admin(app)
    return app
