"""The web chat's side of a handoff to staff: pass the person's messages on, and stream the team's replies.

`GET /api/staff?session=<id>&after=<last id seen>` is a server-sent event stream: every staff reply and notice
of the session's handoffs newer than `after` (or the `Last-Event-ID` the browser sends when it reconnects),
then each new one as it arrives, and an `end` event once no handoff is open any more. It starts with an `open`
event while a handoff is open, so that a page opened later can say that the team answers now. The replies wait in the
outbox (bot/engine/handoff_store.py), so they are there when the person comes back to the page.

Staff answer on Telegram; the Telegram runner puts its bridge (bot/telegram/staff.py) into the slot here.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from bot import i18n
from bot.engine import Incoming, Reply
from bot.engine.actions import Forget, decode
from bot.engine.handoff import failed_text
from bot.engine.handoff_store import Posted
from bot.engine.models import HandoffStep, Message
from bot.inbox import FILE
from bot.inbox.files import StoredFile
from bot.web.keys import ENGINE, INBOX
from bot.web.middlewares import error_json
from bot.web.replies import phones_json, stop_json
from bot.web.streams import Refused, StreamCaps

log = logging.getLogger(__name__)

KEEP_ALIVE = 15.0  # seconds between comments that keep proxies from closing a quiet stream
STREAM_FOR = 600.0  # a stream ends after this long; the browser reconnects (with Last-Event-ID) on its own
MAX_SESSION = 128


class Relay(Protocol):
    """What passes web chat messages to the staff topic (the Telegram bridge)."""

    async def from_web(self, number: int, text: str) -> None: ...

    async def ended_by_person(self, step: HandoffStep) -> None: ...

    async def file_from_web(self, number: int, stored: StoredFile, data: bytes) -> None: ...


@dataclass
class StaffSlot:
    """Filled by the Telegram runner when a staff desk is configured."""

    relay: Relay | None = None


STAFF: web.AppKey[StaffSlot] = web.AppKey("staff", StaffSlot)
STREAM_CAPS: web.AppKey[StreamCaps] = web.AppKey("stream_caps", StreamCaps)


def text_of(incoming: Incoming) -> str | None:
    """What the person wrote, as the staff should read it (a shared location as a map link)."""
    if incoming.location is not None:
        lat, lon = incoming.location.lat, incoming.location.lon
        return f"📍 https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}"
    return incoming.text


async def after_chat(request: web.Request, incoming: Incoming, reply: Reply) -> None:
    """After the engine answered a web chat message: relay it, tell staff it ended, or remember it."""
    slot = request.app.get(STAFF)
    relay = slot.relay if slot is not None else None
    step = reply.handoff
    await report(request.app, incoming, reply)
    if relay is None:
        return
    try:
        if step is not None and step.relay:
            await relay.from_web(step.number, text_of(incoming) or "")
        elif step is not None and step.ended:
            request.app[ENGINE].handoff.waiters.notify(request.app[ENGINE].handoff.sessions.key(incoming.user_id))
            await relay.ended_by_person(step)
        else:
            request.app[ENGINE].handoff.remember(incoming.user_id, text_of(incoming), reply)
    except Exception:  # Telegram refused (not an admin, no topics): the person must not be left in the dark
        log.exception("handoff %s: could not pass a web chat message on", step.number if step else "-")
        with i18n.use(reply.lang):
            reply.messages.append(Message(failed_text()))


async def report(app: web.Application, incoming: Incoming, reply: Reply, address: str | None = None) -> None:
    """Tell the team inbox what happened in a handoff: opened (and where the person is reached), or a message."""
    inbox = app.get(INBOX)
    if inbox is None:
        return
    await inbox.on_step(reply.handoff, text_of(incoming) or "", address)
    if decode(incoming.button) == Forget(confirmed=True):
        await inbox.forgotten()


def _after(request: web.Request) -> int:
    raw = request.headers.get("Last-Event-ID") or request.query.get("after") or "0"
    # "²".isdigit() is True, but int("²") fails: ASCII digits only, and no more than SQLite's integers hold.
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else 0


async def stream(request: web.Request) -> web.StreamResponse:
    """GET /api/staff: the team's replies for one web chat session, as server-sent events (within the caps of
    bot/web/streams.py: 429 or 503 with Retry-After when there is no place for another stream)."""
    from bot.web.views import client_address

    session = request.query.get("session", "")
    if not session.strip() or len(session) > MAX_SESSION:
        return error_json(400, "'session' must be a non-empty string of at most 128 characters.")
    try:
        with request.app[STREAM_CAPS].hold(session, client_address(request)):
            return await _serve(request, session)
    except Refused as refused:
        response = error_json(refused.status, "Too many open reply streams; try again in a minute."
                              if refused.status == 429 else "The server is busy; try again in a minute.")
        response.headers["Retry-After"] = "60" if refused.status == 429 else "15"
        return response


async def _serve(request: web.Request, session: str) -> web.StreamResponse:
    handoffs = request.app[ENGINE].handoff
    key = handoffs.sessions.key("web:" + session)
    after = _after(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    deadline = time.monotonic() + STREAM_FOR
    try:
        if handoffs.store.open_for(key) is not None:
            # A page opened later says who answers now, with the data of the button that ends it.
            await response.write(f"event: open\ndata: {json.dumps({'stop': stop_json()})}\n\n".encode())
        while time.monotonic() < deadline and not handoffs.waiters.closing:
            for posted in handoffs.store.pending(key, after):
                after = posted.id
                if (event := _event(request.app, posted)) is not None:
                    await response.write(f"id: {posted.id}\ndata: {event}\n\n".encode())
            if handoffs.store.open_for(key) is None:  # the handoff ended: so does its stream, at once
                await response.write(b"event: end\ndata: {}\n\n")
                break
            if not await handoffs.waiters.wait(key, KEEP_ALIVE) and not handoffs.waiters.closing:
                await response.write(b": still here\n\n")
    except (ConnectionResetError, ConnectionError):
        pass  # the page was closed
    return response


def _event(app: web.Application, posted: Posted) -> str | None:
    """One reply, notice or file of the team as the page reads it (None: what the page never sees)."""
    if posted.kind == FILE:  # a file of the team: a link only this session opens (bot/web/files.py)
        found = app[INBOX].store.files.get(posted.text) if INBOX in app else None
        if found is None:
            return None
        stored = found[0]
        file = {"token": stored.token, "name": stored.name, "mime": stored.mime, "size": stored.size,
                "image": stored.image}
        return json.dumps({"kind": FILE, "text": stored.name, "phones": [], "file": file}, ensure_ascii=False)
    if posted.kind not in ("staff", "closed", "notice"):
        return None  # kept for another channel (a restart's leftovers): not for the page
    # With the numbers in it, so the page makes them tappable as in Lotse's own answers.
    return json.dumps({"kind": posted.kind, "text": posted.text, "phones": phones_json(posted.text)},
                      ensure_ascii=False)


async def close_streams(app: web.Application) -> None:
    """On shutdown: end the open streams (browsers reconnect by themselves once the server is back)."""
    if ENGINE in app:
        app[ENGINE].handoff.waiters.close_all()


def setup(app: web.Application) -> None:
    """The route and an empty slot (filled later by the Telegram runner)."""
    app[STAFF] = StaffSlot()
    app[STREAM_CAPS] = StreamCaps()
    app.router.add_get("/api/staff", stream, name="staff_stream")
    app.on_shutdown.append(close_streams)
