"""Typed application keys shared by the factory and the handlers."""

from __future__ import annotations

import jinja2
from aiohttp import web
from sqlite_utils import Database

from bot.config import Settings
from bot.engine import Engine
from bot.engine.worker import EngineWorker
from bot.inbox import Inbox
from bot.ratelimit import Limiter, RateLimiter, SeenRecently

SETTINGS: web.AppKey[Settings] = web.AppKey("settings", Settings)
DB: web.AppKey[Database] = web.AppKey("db", Database)
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
