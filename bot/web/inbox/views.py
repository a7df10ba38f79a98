"""The inbox pages: the list, its live stream, one conversation (claim, reply, close) and the saved replies."""

from __future__ import annotations

import json
import time
from typing import Any

from aiohttp import web
from aiohttp_sse import sse_response

from bot import i18n
from bot.inbox import Gone, NotYours
from bot.web.admin.auth import gettext, render, require_role
from bot.web.keys import INBOX

STREAM_FOR = 600.0  # a stream ends after this long; the browser's EventSource reconnects by itself
MAX_REPLY = 4000
CHANNEL_NAMES = {"web": "Web-Chat", "telegram": "Telegram", "whatsapp": "WhatsApp"}


def _context(request: web.Request) -> dict[str, Any]:
    inbox = request.app[INBOX]
    return {"conversations": inbox.store.open_conversations(), "version": inbox.version,
            "channels": CHANNEL_NAMES, "languages": i18n.LANGUAGES}


async def inbox_page(request: web.Request) -> web.Response:
    """GET /admin/inbox: open conversations, newest first (?part=list: the table only, for the live update)."""
    require_role(request, "editor")
    template = "admin_inbox_list.html" if request.query.get("part") == "list" else "admin_inbox.html"
    return render(request, template, saved=request.app[INBOX].store.saved(), **_context(request))


async def events(request: web.Request) -> web.StreamResponse:
    """GET /admin/inbox/events: an event `changed` whenever a conversation changes (server-sent events)."""
    require_role(request, "editor")
    inbox = request.app[INBOX]
    seen = -1  # the first event comes at once: the page may have missed changes while it loaded
    deadline = time.monotonic() + STREAM_FOR
    async with sse_response(request, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}) as stream:
        while stream.is_connected() and time.monotonic() < deadline:
            if seen != inbox.version:
                seen = inbox.version
                await stream.send(json.dumps({"version": seen}), event="changed")
            await inbox.wait_change(seen, 15.0)
    return stream


def _number(request: web.Request) -> int:
    return int(request.match_info["number"])


async def conversation(request: web.Request) -> web.Response:
    """GET /admin/inbox/<n>: the recent messages (now read), who has it, the reply form."""
    require_role(request, "editor")
    return conversation_page(request, _number(request))


def conversation_page(request: web.Request, number: int, status: int = 200, error: str = "",
                      done: str = "") -> web.Response:
    _ = gettext(request)
    inbox = request.app[INBOX]
    handoff = inbox.handoffs.store.get(number)
    if handoff is None or not handoff.open:
        return render(request, "admin_message.html", status=404,
                      message=_("This conversation has ended or no longer exists."))
    inbox.store.mark_read(number)
    return render(request, "admin_inbox_conversation.html", status=status, handoff=handoff,
                  said=inbox.store.messages(number), claimed_by=inbox.store.claimed_by(number),
                  saved=inbox.store.saved(handoff.lang), channels=CHANNEL_NAMES, languages=i18n.LANGUAGES,
                  error=error, done=done)


async def act(request: web.Request) -> web.Response:
    """POST /admin/inbox/<n>: action claim, reply (with text) or close."""
    me = require_role(request, "editor")
    _ = gettext(request)
    number = _number(request)
    form = await request.post()
    action, text = str(form.get("action", "")), str(form.get("text", "")).strip()
    inbox = request.app[INBOX]
    try:
        if action == "claim":
            inbox.claim(number, me)
            return conversation_page(request, number, done=_("You are answering this conversation now."))
        if action == "reply":
            if not text or len(text) > MAX_REPLY:
                return conversation_page(request, number, 422, error=_("Write an answer of 1 to 4000 characters."))
            delivery = await inbox.reply(number, me, text)
            done = (_("Sent.") if delivery.delivered else
                    _("Saved; it is sent as soon as the person's channel is reachable again."))
            return conversation_page(request, number, done=done)
        if action == "close":
            await inbox.close(number, me)
            raise web.HTTPSeeOther("/admin/inbox")
    except NotYours as taken:
        return conversation_page(request, number, 409, error=_("{name} is already answering this conversation.")
                             .format(name=taken.staff))
    except Gone:
        return render(request, "admin_message.html", status=404,
                      message=_("This conversation has ended or no longer exists."))
    return conversation_page(request, number, 422, error=_("Unknown action."))


async def saved_post(request: web.Request) -> web.Response:
    """POST /admin/inbox/saved: add a saved reply (language, title, text) or delete one."""
    require_role(request, "editor")
    _ = gettext(request)
    form = await request.post()
    store = request.app[INBOX].store
    if form.get("action") == "delete" and str(form.get("id", "")).isdigit():
        store.delete_reply(int(str(form["id"])))
        raise web.HTTPSeeOther("/admin/inbox#saved")
    lang, title, text = (str(form.get(k, "")).strip() for k in ("lang", "title", "text"))
    if lang not in i18n.LANGUAGES or not title or not text or len(text) > MAX_REPLY:
        return render(request, "admin_inbox.html", status=422, saved=store.saved(),
                      error=_("A saved reply needs a language, a title and a text of at most 4000 characters."),
                      **_context(request))
    store.save_reply(lang, title, text)
    raise web.HTTPSeeOther("/admin/inbox#saved")
