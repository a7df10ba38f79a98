"""Files in the team inbox: open one the person sent, send one to the person.

Only signed-in staff with the inbox's role (editor) get a file, and only through the conversation it belongs to;
it leaves with the headers of bot/web/files.py (nosniff, sandbox, PDFs as a download). A file for the person is
streamed in (the form's CSRF token first, as for the import), checked by its first bytes, and delivered on the
person's channel: a link in the web chat, a photo or document on Telegram and WhatsApp.
"""

from __future__ import annotations

from aiohttp import BodyPartReader, web

from bot.inbox import Gone, NotYours
from bot.inbox.files import MAX_BYTES, Refused
from bot.web.admin.auth import csrf_matches, gettext, render, require_role
from bot.web.files import file_response
from bot.web.inbox.views import conversation_page
from bot.web.keys import INBOX


async def open_file(request: web.Request) -> web.Response:
    """GET /admin/inbox/<n>/file/<token>: a photo or document of this conversation."""
    require_role(request, "editor")
    found = request.app[INBOX].store.files.get(request.match_info["token"])
    if found is None or found[0].number != int(request.match_info["number"]):
        raise web.HTTPNotFound()
    return file_response(*found)


async def send_file(request: web.Request) -> web.Response:
    """POST /admin/inbox/<n>/file (multipart: csrf, then file): send a photo or PDF to the person."""
    me = require_role(request, "editor")
    _ = gettext(request)
    number = int(request.match_info["number"])
    expired = _("This form has expired or did not come from the admin. Reload the page and send it again.")
    reader = await request.multipart()
    csrf_seen = False
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "csrf":
            csrf_seen = csrf_matches(request, await part.text())
        elif not csrf_seen:
            return render(request, "admin_message.html", status=403, message=expired)
        elif part.name == "file":
            return await _send(request, me, number, part)
    if not csrf_seen:
        return render(request, "admin_message.html", status=403, message=expired)
    return conversation_page(request, number, 422, error=_("Choose a photo or PDF file."))


async def _send(request: web.Request, me: str, number: int, part: BodyPartReader) -> web.Response:
    _ = gettext(request)
    too_big = _("The file is larger than 10 MB.")
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk():
        size += len(chunk)
        if size > MAX_BYTES:
            return conversation_page(request, number, 413, error=too_big)
        chunks.append(chunk)
    try:
        delivery = await request.app[INBOX].send_file(number, me, part.filename, b"".join(chunks))
    except Refused as refused:
        error = {"too_big": too_big,
                 "too_many": _("This conversation has as many files as it may hold.")}.get(
            refused.reason, _("Only photos (JPEG, PNG, WebP, HEIC) and PDF documents can be sent."))
        return conversation_page(request, number, 422, error=error)
    except NotYours as taken:
        return conversation_page(request, number, 409, error=_("{name} is already answering this conversation.")
                                 .format(name=taken.staff))
    except Gone:
        return render(request, "admin_message.html", status=404,
                      message=_("This conversation has ended or no longer exists."))
    done = (_("Sent.") if delivery.delivered else
            _("Saved; it is sent as soon as the person's channel is reachable again."))
    return conversation_page(request, number, done=done)


def setup(app: web.Application) -> None:
    app.router.add_get("/admin/inbox/{number:\\d+}/file/{token:[A-Za-z0-9_-]{8,64}}", open_file,
                       name="admin_inbox_file")
    app.router.add_post("/admin/inbox/{number:\\d+}/file", send_file, name="admin_inbox_send_file")
