"""Typed application keys shared by the factory and the handlers."""

from __future__ import annotations

import jinja2
from aiohttp import web
from sqlite_utils import Database

from bot.config import Settings
from bot.engine import Engine
from bot.engine.worker import EngineWorker
from bot.inbox import Inbox
from bot.offers.sql import OffersDb
from bot.ratelimit import Limiter, RateLimiter, SeenRecently
from bot.store import Store
from bot.store.changes import Changes
from bot.store.once import Once

SETTINGS: web.AppKey[Settings] = web.AppKey("settings", Settings)
DB: web.AppKey[Database] = web.AppKey("db", Database)
#: The shared state (bot/store): the SQLite file of DB, or PostgreSQL shared by every instance. Accounts,
#: sessions and staff topics live there.
STORE: web.AppKey[Store] = web.AppKey("store", Store)
#: Where the offers are: the SQLite file of DB, or PostgreSQL (the shared store) when LOTSE_DATABASE_URL is set.
OFFERS: web.AppKey[OffersDb] = web.AppKey("offers")
ENGINE: web.AppKey[Engine] = web.AppKey("engine", Engine)
TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey("templates", jinja2.Environment)
#: Set when the engine runs in a worker process (a database file); absent for an in-memory one.
WORKER: web.AppKey[EngineWorker] = web.AppKey("engine_worker", EngineWorker)
#: Per web chat session and per address: in memory, or shared by every instance on PostgreSQL.
SESSION_LIMIT: web.AppKey[Limiter] = web.AppKey("session_limit")
ADDRESS_LIMIT: web.AppKey[Limiter] = web.AppKey("address_limit")
#: The budget of all anonymous web chat traffic, and of new sessions among it (one key each: "all").
WEB_LIMIT: web.AppKey[RateLimiter] = web.AppKey("web_limit", RateLimiter)
NEW_SESSION_LIMIT: web.AppKey[RateLimiter] = web.AppKey("new_session_limit", RateLimiter)
SEEN_SESSIONS: web.AppKey[SeenRecently] = web.AppKey("seen_sessions", SeenRecently)
#: The team inbox (bot/inbox): the transports report to it, the admin's inbox pages answer from it.
INBOX: web.AppKey[Inbox] = web.AppKey("inbox", Inbox)
#: Claims of inbound messages (bot/store/once.py): a webhook's or a page's repeat is answered once.
ONCE: web.AppKey[Once] = web.AppKey("once", Once)
#: Other instances' changes heard, ours announced (bot/store/changes.py, bot/web/changes.py).
CHANGES: web.AppKey[Changes] = web.AppKey("changes", Changes)
