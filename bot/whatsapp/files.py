"""Photos and documents on WhatsApp during a handoff, in both directions, through pywa.

A person's image or document carries a media id: Lotse asks the Graph API where it is (its size comes with the
answer: a file over 10 MB is refused before it is fetched), downloads it with the token, and keeps it for the
team (bot/inbox/files.py checks the type by its first bytes); the person is told in their language that it went
to the team, or why not. A file of the team is uploaded and sent as an image (JPEG, PNG) or a document with its
name; outside WhatsApp's 24-hour window it waits like a text reply (bot/whatsapp/inbox.py), behind the template.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import httpx
from pywa_async.errors import WhatsAppError

from bot import i18n
from bot.engine import Engine
from bot.engine.handoff_store import Handoff
from bot.engine.models import Message, Reply
from bot.i18n import _
from bot.inbox import UNSENT, UNSENT_FILE, DeliverFile, Gone, Inbox
from bot.inbox.files import MAX_BYTES, Refused, StoredFile, refusal
from bot.whatsapp.inbox import window_open
from bot.whatsapp.parse import Inbound
from bot.whatsapp.sender import Sender, outside_window

log = logging.getLogger(__name__)

AS_IMAGE = frozenset({"image/jpeg", "image/png"})  # what WhatsApp shows as an image; the rest goes as a document
OnFile = Callable[[Inbound], Awaitable[Reply | None]]
ForStaffGroup = Callable[[int, StoredFile, bytes], Awaitable[None]]


class TooBig(Exception):
    """The Graph API says the file is larger than Lotse takes."""


async def fetch(sender: Sender, media_id: str) -> bytes:
    """The bytes of a person's media (raises TooBig before downloading a file over the limit)."""
    found = await sender.client.get_media_url(media_id)
    if (found.file_size or 0) > MAX_BYTES:
        raise TooBig()
    return await sender.client.get_media_bytes(found.url)


def on_file(engine: Engine, inbox: Inbox, sender: Sender, staff_group: Callable[[], ForStaffGroup | None]) -> OnFile:
    """What answers an image or document: kept for the team during a handoff (the person told), else None."""

    async def handle(inbound: Inbound) -> Reply | None:
        handoff = engine.handoff.store.open_for(engine.sessions.key("wa:" + inbound.number))
        if handoff is None or inbound.media_id is None:
            return None  # not in a handoff: the channel's "please write"
        with i18n.use(handoff.lang):
            said = await _keep(inbox, sender, handoff, inbound, staff_group())
            return Reply([Message(said)], handoff.lang, rtl=i18n.is_rtl())

    return handle


async def _keep(inbox: Inbox, sender: Sender, handoff: Handoff, inbound: Inbound,
                staff_group: ForStaffGroup | None) -> str:
    """Fetch and keep one file; what the person is told (in the current language)."""
    assert inbound.media_id is not None
    try:
        data = await fetch(sender, inbound.media_id)
        name = inbound.filename or "photo.jpg"
        stored = await inbox.person_sent(handoff.number, name, data, address=inbound.number)
    except TooBig:
        return refusal("too_big")
    except Refused as refused:
        return refusal(refused.reason)
    except (WhatsAppError, httpx.HTTPError, Gone):
        log.exception("handoff %s: a file from WhatsApp could not be kept", handoff.number)
        return _("Sorry, your message could not be passed on to the team. Please try again later, or call them.")
    if staff_group is not None:  # a Telegram staff group sees it too
        try:
            await staff_group(handoff.number, stored, data)
        except Exception:
            log.exception("handoff %s: could not pass a file on to the staff group", handoff.number)
    return "📎 " + _("Your file {name} has gone to the team.").format(name=i18n.isolate(stored.name))


def file_deliverer(inbox: Inbox, sender: Sender) -> DeliverFile:
    """The team's files to a WhatsApp user: uploaded and sent within the window, else kept behind the template."""

    async def deliver(handoff: Handoff, stored: StoredFile, data: bytes) -> bool:
        route = inbox.store.address(handoff.number)
        if route is None:
            return False
        number = route[0]
        if window_open(inbox, handoff):
            try:
                if stored.mime in AS_IMAGE:
                    await sender.client.send_image(to=number, image=data, mime_type=stored.mime)
                else:
                    await sender.client.send_document(to=number, document=data, filename=stored.name,
                                                      mime_type=stored.mime)
                return True
            except Exception as err:
                if not outside_window(err):
                    raise
        waiting = [p for p in inbox.handoffs.store.pending(handoff.user_key) if p.kind in (UNSENT, UNSENT_FILE)]
        if not waiting:  # one template tells them; what follows waits with the first
            await sender.send_template(number, handoff.lang)
        return False

    return deliver
