"""The aiohttp application factory of the web side (in the style of aiohttp-demos `polls`).

bot/server.py adds the Telegram bot to it for `lotse serve`; nothing here knows about Telegram.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import jinja2
from aiohttp import web

from bot import i18n, resources
from bot.config import Settings
from bot.engine import Engine
from bot.engine.worker import EngineWorker
from bot.offers.db import open_db
from bot.ratelimit import RateLimiter, SeenRecently
from bot.store import Store, open_store
from bot.store.once import Once
from bot.store.ratelimit import SharedRateLimiter
from bot.web.admin import setup_admin
from bot.web.changes import announce_changes, changes_ctx
from bot.web.inbox import setup_inbox
from bot.web.keys import (
    ADDRESS_LIMIT,
    DB,
    ENGINE,
    NEW_SESSION_LIMIT,
    OFFERS,
    ONCE,
    SEEN_SESSIONS,
    SESSION_LIMIT,
    SETTINGS,
    STORE,
    TEMPLATES,
    WEB_LIMIT,
    WORKER,
)
from bot.web.middlewares import json_errors, security_headers
from bot.web.replies import phone_links
from bot.web.review import setup_review
from bot.web.routes import setup_routes
from bot.web.topics import setup_topics

log = logging.getLogger(__name__)


MAX_BODY = 64 * 1024  # a chat message is short; anything bigger is refused before it is parsed


async def engine_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the database, build the engine and start its worker process; stop both on shutdown.

    The chat handlers (and the Telegram bot, bot/server.py) hand every message to the worker, so the event loop
    never waits while a message is understood. An in-memory database (tests) cannot be shared: no worker then.
    """
    settings = app[SETTINGS]
    i18n.load_catalogs()  # a language without its catalog stops the start, rather than answer in English
    db = open_db(settings.db_path)
    app[DB] = db
    # LOTSE_DATABASE_URL: conversations, handoffs and the team inbox in PostgreSQL, shared with other instances.
    store = open_store(settings.database_url) if settings.database_url else None
    if store is not None:
        share_limits(app, store)
    # Staff answer in Telegram groups (with the bot) or in the admin's team inbox.
    staff = settings.staff.usable(telegram=bool(settings.telegram_token))
    engine = Engine(db, default_lang=settings.default_lang, results=settings.results,
                    default_district=settings.default_district, retention_days=settings.retention_days,
                    staff=staff, store=store)
    if settings.staff.desks and staff != settings.staff:
        log.warning("LOTSE_STAFF_CHAT names Telegram groups but TELEGRAM_BOT_TOKEN is not set: they get nobody")
    engine.nlu.warm_up()  # train the per-script language models now, not on the first person's message
    app[ENGINE] = engine
    app[ONCE] = once = Once(engine.store)
    app[STORE] = engine.store
    app[OFFERS] = engine.offers
    worker = EngineWorker.maybe(engine, engine.twin(settings.database_url), workers=1)
    if worker is not None:
        await worker.warm_up()
        app[WORKER] = worker
    log.info("engine ready on %s (%s)", settings.db_path, "worker process" if worker else "in this process")
    try:
        yield
    finally:
        if worker is not None:
            worker.close()
        engine.close()  # the usage counts added up since the last write
        once.close()
        if store is not None:
            store.close()
        db.close()


def share_limits(app: web.Application, store: Store) -> None:
    """A sender's allowance counted by every instance together (the same burst and rate as in memory)."""
    for key, scope in ((SESSION_LIMIT, "web-session"), (ADDRESS_LIMIT, "web-address")):
        limit = app[key]
        if isinstance(limit, RateLimiter):
            app[key] = SharedRateLimiter(store, scope, int(limit.burst), limit.rate * 60)


def create_app(settings: Settings) -> web.Application:
    """Build the web application; resources open in cleanup contexts, so tests and `serve` share one path."""
    app = web.Application(client_max_size=MAX_BODY, middlewares=[json_errors, announce_changes])
    app[SETTINGS] = settings
    app[SESSION_LIMIT] = RateLimiter(settings.rate_burst, settings.rate_per_minute)
    # Many people share one address (a shelter's Wi-Fi): a third of a minute's allowance may come at once.
    app[ADDRESS_LIMIT] = RateLimiter(max(settings.rate_burst, round(settings.address_per_minute / 3)),
                                     settings.address_per_minute)
    app[WEB_LIMIT] = RateLimiter(max(1, round(settings.web_per_minute / 3)), settings.web_per_minute)
    app[NEW_SESSION_LIMIT] = RateLimiter(max(1, round(settings.new_sessions_per_minute / 3)),
                                         settings.new_sessions_per_minute)
    app[SEEN_SESSIONS] = SeenRecently()
    app[TEMPLATES] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resources.package_file("web", "templates")), autoescape=True,
        enable_async=False,
    )
    app[TEMPLATES].filters["phone_links"] = phone_links  # the inbox: numbers staff and people wrote, tappable
    app.on_response_prepare.append(security_headers)
    app.cleanup_ctx.append(engine_ctx)
    setup_routes(app)
    setup_admin(app)
    setup_review(app)
    setup_inbox(app)  # after the engine context: the inbox works on the engine's handoffs
    setup_topics(app)
    app.cleanup_ctx.append(changes_ctx)  # after the engine and the inbox: it wires both to the other instances
    return app
