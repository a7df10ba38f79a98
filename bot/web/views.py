"""Handlers of the web chat: parse the request, call the engine, answer JSON."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from dataclasses import replace
from typing import Any

from aiohttp import web

from bot import i18n, resources
from bot.engine import Incoming
from bot.geo.distance import Point
from bot.i18n import _
from bot.offers.sql import rows
from bot.store.base import DatabaseUnavailable
from bot.store.once import Claimed, Done, claim_waiting, web_key
from bot.web import staff, strictjson
from bot.web.health import database_problem
from bot.web.keys import (
    ADDRESS_LIMIT,
    ENGINE,
    NEW_SESSION_LIMIT,
    ONCE,
    SEEN_SESSIONS,
    SESSION_LIMIT,
    SETTINGS,
    TEMPLATES,
    WEB_LIMIT,
    WORKER,
)
from bot.web.middlewares import error_json
from bot.web.replies import page_buttons, reply_json

log = logging.getLogger(__name__)

STATIC = resources.package_file("web", "static")
MAX_SESSION = 128
#: The longest message the web chat takes (a long story with its question at the end fits; the page counts).
MAX_TEXT = 4000
MAX_ID = 64  # the page's id of one message (a UUID): its retries carry it


def preferred_lang(request: web.Request, default: str) -> str:
    """The first supported language of the browser's Accept-Language header."""
    ranked: list[tuple[float, str]] = []
    for part in request.headers.get("Accept-Language", "").split(","):
        code, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        # q=0 means "not this one"; the sort is stable, so equal qualities keep the browser's order.
        if quality > 0 and (lang := i18n.normalise_lang(code)) is not None:
            ranked.append((quality, lang))
    ranked.sort(key=lambda item: -item[0])
    return ranked[0][1] if ranked else default


async def index(request: web.Request) -> web.Response:
    """The web chat page, in the browser's language."""
    lang = i18n.normalise_lang(request.query.get("lang")) or preferred_lang(
        request, request.app[SETTINGS].default_lang
    )
    with i18n.use(lang):
        html = request.app[TEMPLATES].get_template("index.html").render(
            lang=lang, dir="rtl" if i18n.is_rtl(lang) else "ltr", _=i18n.gettext, languages=i18n.LANGUAGES,
            max_text=MAX_TEXT, max_shown=i18n.format_number(MAX_TEXT, 0), buttons=page_buttons(),
        )
    # The page differs by Accept-Language: caches must not serve the Arabic page to a Ukrainian browser.
    return web.Response(text=html, content_type="text/html",
                        headers={"Vary": "Accept-Language", "Content-Language": lang})


def _parse_chat(body: Any) -> Incoming | str:
    """An Incoming from the JSON body, or the reason it is not acceptable."""
    if not isinstance(body, dict):
        return "The body must be a JSON object."
    session = body.get("session")
    if not isinstance(session, str) or not session.strip() or len(session) > MAX_SESSION:
        return "'session' must be a non-empty string of at most 128 characters."
    lang = body.get("lang")
    if lang is not None and not isinstance(lang, str):
        return "'lang' must be a language code such as 'de' or 'ar'."
    user = "web:" + session
    if "location" in body:
        loc = body["location"]
        try:
            lat, lon = float(loc["lat"]), float(loc["lon"])
        except (TypeError, KeyError, ValueError):
            return "'location' must be an object with numbers 'lat' and 'lon'."
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            return "'location' is outside the range of coordinates."
        return Incoming(user, location=Point(lat, lon), lang_hint=lang)
    if "button" in body:
        if not isinstance(body["button"], str) or len(body["button"]) > 64:
            return "'button' must be a short string."
        return Incoming(user, button=body["button"], lang_hint=lang)
    if "text" in body:
        if not isinstance(body["text"], str):
            return "'text' must be a string."
        return Incoming(user, text=body["text"], lang_hint=lang)
    return "Send one of 'text', 'location' or 'button'."


def client_address(request: web.Request) -> str:
    """Who sent the request: the peer, or behind a reverse proxy on this machine the address it forwarded."""
    remote = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and remote in ("127.0.0.1", "::1"):
        return forwarded.rsplit(",", 1)[-1].strip()  # the proxy appends the address it saw last
    return remote


def too_many(request: web.Request, retry_after: int, lang: str | None) -> web.Response:
    """429 with Retry-After and a kind message in the person's language."""
    lang = i18n.normalise_lang(lang) or preferred_lang(request, request.app[SETTINGS].default_lang)
    with i18n.use(lang):
        message = _("You are sending messages faster than I can answer. "
                               "Please wait a minute, then write again.")
    response = error_json(429, message)
    response.headers["Retry-After"] = str(retry_after)
    return response


def too_long(request: web.Request, lang: str | None) -> web.Response:
    """413 with a kind message in the person's language: a long story is refused whole, never cut quietly."""
    lang = i18n.normalise_lang(lang) or preferred_lang(request, request.app[SETTINGS].default_lang)
    with i18n.use(lang):
        message = _("Your message is too long: at most {max} characters. Please shorten it or send it in two "
                    "parts.").format(max=i18n.format_number(MAX_TEXT, 0))
    return error_json(413, message)


def busy(request: web.Request, lang: str | None) -> web.Response:
    """503 with Retry-After and a kind "busy" message in the person's language (the budget of all anonymous
    traffic is spent: nobody in particular is to blame)."""
    lang = i18n.normalise_lang(lang) or preferred_lang(request, request.app[SETTINGS].default_lang)
    with i18n.use(lang):
        message = _("Lotse is answering very many people right now. Please write again in a minute.")
    response = error_json(503, message)
    response.headers["Retry-After"] = "30"
    return response


def _within_budget(request: web.Request, user_id: str) -> bool:
    """Take from the budget of all anonymous traffic, and for a new session from that of new sessions."""
    if not request.app[WEB_LIMIT].take("all"):
        return False
    seen = request.app[SEEN_SESSIONS]
    if user_id not in seen:
        if not request.app[NEW_SESSION_LIMIT].take("all"):
            return False
        seen.add(user_id)
    return True


async def chat(request: web.Request) -> web.Response:
    """POST /api/chat: one step of a conversation (limited per session and per address)."""
    address, by_address = client_address(request), request.app[ADDRESS_LIMIT]
    if not by_address.take(address):
        return too_many(request, by_address.retry_after(address), None)
    try:
        body = strictjson.loads(await request.read())
    except strictjson.BadJSON as exc:
        return error_json(400, f"The body must be JSON, for example {{\"session\": \"abc\", \"text\": \"Kita\"}}: "
                          f"{exc}.")
    parsed = _parse_chat(body)
    if isinstance(parsed, str):
        return error_json(400, parsed)
    if parsed.text is not None and len(parsed.text) > MAX_TEXT:
        return too_long(request, parsed.lang_hint)
    message_id = body.get("id") if isinstance(body, dict) else None
    if message_id is not None and (not isinstance(message_id, str) or not 0 < len(message_id) <= MAX_ID):
        return error_json(400, "'id' must be a string of at most 64 characters.")
    if message_id is None:
        return await _answer(request, parsed)
    # The page's own id of this message: its retry after a failed request gets the same answer, never a second.
    once, key = request.app[ONCE], web_key(parsed.user_id, message_id)
    try:
        claim = await claim_waiting(once, "web", key)
    except Exception as exc:
        if not once.store.is_unavailable(exc):
            raise
        return busy(request, parsed.lang_hint)
    if isinstance(claim, Done):  # answered: the same answer again (nothing, when that was long ago)
        return web.Response(text=claim.answer or json.dumps({"messages": [], "lang": parsed.lang_hint}),
                            content_type="application/json")
    if not isinstance(claim, Claimed):  # still being answered by an instance that is alive
        return busy(request, parsed.lang_hint)
    try:
        response = await _answer(request, replace(parsed, delivery="web:" + key))
    except BaseException:
        once.release("web", key)
        raise
    if response.status == 200 and isinstance(response.body, bytes):
        once.done("web", key, response.body.decode())
    else:  # refused (a limit) or not answered: the next try is a new attempt
        once.release("web", key)
    return response


async def _answer(request: web.Request, parsed: Incoming) -> web.Response:
    """The engine's answer to one web chat message (limited per session and the whole server)."""
    by_session = request.app[SESSION_LIMIT]
    if not by_session.take(parsed.user_id):
        return too_many(request, by_session.retry_after(parsed.user_id), parsed.lang_hint)
    if not _within_budget(request, parsed.user_id):
        return busy(request, parsed.lang_hint)
    # In the worker process when there is one: the event loop serves other chats and Telegram meanwhile, and a
    # database locked by an import makes only this chat wait.
    worker, engine = request.app.get(WORKER), request.app[ENGINE]
    try:
        reply = await worker.handle(parsed) if worker is not None else engine.handle(parsed)
    except Exception as exc:
        if not isinstance(exc, DatabaseUnavailable) and not engine.store.is_unavailable(exc):
            raise
        # The shared database is restarting: nothing was stored of this message; the person writes again.
        log.warning("the shared database is unreachable: %s", exc)
        return busy(request, parsed.lang_hint)
    await staff.after_chat(request, parsed, reply)  # a handoff to the team (bot/web/staff.py)
    return web.json_response(reply_json(reply), dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def healthz(request: web.Request) -> web.Response:
    """200 with a small status when the engine is ready and the database can be written, else 503 and why."""
    engine = request.app[ENGINE]
    problem = await asyncio.to_thread(database_problem, request.app[SETTINGS].db_path)
    if problem is not None:
        return web.json_response({"status": "error", "database": problem}, status=503)
    found = rows(engine.offers, "SELECT count(*) FROM offers WHERE active = 1")
    offers = int(found[0][0])
    return web.json_response({"status": "ok", "offers": offers, "intents": len(engine.intents), "writable": True})
