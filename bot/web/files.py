"""Photos and documents in the web chat while the team has the conversation, and how any of them is served.

`POST /api/upload` (multipart: `session` first, then `file`) takes one photo or PDF from a person whose handoff is
open; the type is checked by the file's first bytes, the size while it streams in (bot/inbox/files.py). A refusal
is a kind sentence in the person's language: 409 without an open handoff, 413 too big, 415 another type, 429 too
many. `GET /api/file/<token>?session=<id>` gives the person a file of their handoff (the team's, or their own),
and nobody else: another session gets 404, as for a file that does not exist.

Every file leaves with `X-Content-Type-Options: nosniff`, a sandboxing Content-Security-Policy and a
Content-Disposition (PDFs and HEIC photos as a download, the other photos shown): a file never runs as a page.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiohttp import BodyPartReader, web

from bot import i18n
from bot.engine.handoff_store import Handoff
from bot.i18n import _
from bot.inbox import Gone
from bot.inbox.files import MAX_BYTES, Refused, StoredFile, refusal
from bot.web.keys import ENGINE, INBOX, SESSION_LIMIT, SETTINGS
from bot.web.middlewares import error_json

log = logging.getLogger(__name__)

MAX_SESSION = 128
STATUS = {"too_big": 413, "wrong_type": 415, "too_many": 429}


def file_response(stored: StoredFile, data: bytes) -> web.Response:
    """The file with the headers that keep a browser from running it or guessing another type."""
    disposition = "inline" if stored.image else "attachment"
    fallback = stored.name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return web.Response(body=data, content_type=stored.mime, headers={
        "Content-Disposition": f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(stored.name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        "Cache-Control": "private, no-store",
    })


def _handoff_of(request: web.Request, session: str) -> Handoff | None:
    handoffs = request.app[ENGINE].handoff
    return handoffs.store.open_for(handoffs.sessions.key("web:" + session))


async def _read_file(part: BodyPartReader) -> bytes | None:
    """The part's bytes, or None as soon as it is larger than a file may be (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk():
        size += len(chunk)
        if size > MAX_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def upload(request: web.Request) -> web.Response:
    """POST /api/upload: one photo or document for the team (only during a handoff)."""
    from bot.web.views import preferred_lang

    lang = preferred_lang(request, request.app[SETTINGS].default_lang)
    if request.content_type != "multipart/form-data":
        return error_json(400, "Send the file as multipart/form-data: 'session', then 'file'.")
    reader = await request.multipart()
    handoff: Handoff | None = None
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "session":
            session = (await part.text()).strip()
            if not session or len(session) > MAX_SESSION:
                return error_json(400, "'session' must be a non-empty string of at most 128 characters.")
            handoff = _handoff_of(request, session)
            lang = handoff.lang if handoff is not None else lang
            with i18n.use(lang):
                if handoff is None:
                    return error_json(409, _("You can send photos and documents only while you are writing "
                                             "with the team."))
                if not request.app[SESSION_LIMIT].take(handoff.user_key):
                    return error_json(429, _("You are sending messages faster than I can answer. Please wait a "
                                             "minute, then write again."))
        elif part.name == "file" and handoff is not None:
            return await _take(request, handoff, part)
        else:
            return error_json(400, "Send 'session' first, then 'file'.")
    return error_json(400, "The form has no 'file'.")


async def _take(request: web.Request, handoff: Handoff, part: BodyPartReader) -> web.Response:
    data = await _read_file(part)
    with i18n.use(handoff.lang):
        if data is None:
            return error_json(413, refusal("too_big"))
        try:
            stored = await request.app[INBOX].person_sent(handoff.number, part.filename, data)
        except Refused as refused:
            return error_json(STATUS.get(refused.reason, 415), refusal(refused.reason))
        except Gone:
            return error_json(409, _("You can send photos and documents only while you are writing with the team."))
        request.app[ENGINE].handoff.store.count_relay(handoff.number)
        await _to_staff_group(request, handoff, stored, data)
        said = _("Your file {name} has gone to the team.").format(name=i18n.isolate(stored.name))
        return web.json_response({"messages": [{"text": "📎 " + said, "buttons": [], "places": []}],
                                  "lang": handoff.lang, "handoff": True})


async def _to_staff_group(request: web.Request, handoff: Handoff, stored: StoredFile, data: bytes) -> None:
    """A Telegram staff group sees the file too, when the team works there."""
    from bot.web.staff import STAFF

    slot = request.app.get(STAFF)
    relay = slot.relay if slot is not None else None
    if relay is None:
        return
    try:
        await relay.file_from_web(handoff.number, stored, data)
    except Exception:  # the team still has it in the inbox; the person is not told of Telegram's trouble
        log.exception("handoff %s: could not pass a file on to the staff group", handoff.number)


async def download(request: web.Request) -> web.Response:
    """GET /api/file/<token>?session=<id>: a file of the person's own handoff."""
    found = request.app[INBOX].store.files.get(request.match_info["token"])
    session = request.query.get("session", "")
    handoffs = request.app[ENGINE].handoff
    if found is None or not session or len(session) > MAX_SESSION:
        raise web.HTTPNotFound()
    handoff = handoffs.store.get(found[0].number)
    if handoff is None or handoff.user_key != handoffs.sessions.key("web:" + session):
        raise web.HTTPNotFound()
    return file_response(*found)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/upload", upload, name="upload")
    app.router.add_get("/api/file/{token:[A-Za-z0-9_-]{8,64}}", download, name="file")
