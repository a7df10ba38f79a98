"""Photos and documents on Telegram while the team answers in the admin's team inbox, in both directions.

A photo or document from a person whose handoff is answered in the inbox is fetched from Telegram (getFile, then
the file's download URL), checked like any other (bot/inbox/files.py: the first bytes decide, at most 10 MB:
a bigger one is refused by the size Telegram states, before anything is fetched) and kept for staff; the person
is told in their language that it went to the team, or why not. A file of the team goes out as a photo
(JPEG, PNG) or as a document with its name.
"""

from __future__ import annotations

import html
import logging

from telegram import Bot, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import i18n
from bot.config import INBOX_CHAT
from bot.engine import Engine
from bot.engine.handoff_store import Handoff
from bot.i18n import _
from bot.inbox import DeliverFile, Gone, Inbox
from bot.inbox.files import MAX_BYTES, Refused, StoredFile, refusal

log = logging.getLogger(__name__)

AS_PHOTO = frozenset({"image/jpeg", "image/png"})  # what Telegram shows as a photo; the rest goes as a document


async def to_inbox(update: Update, context: ContextTypes.DEFAULT_TYPE, user_id: str, inbox: Inbox | None) -> bool:
    """A photo or document of a person whose handoff the inbox answers: keep it for staff (True); else False."""
    chat, message = update.effective_chat, update.effective_message
    if inbox is None or chat is None or message is None or chat.type != ChatType.PRIVATE:
        return False
    engine: Engine = context.bot_data["engine"]
    handoff = engine.handoff.store.open_for(engine.sessions.key(user_id))
    if handoff is None or handoff.staff_chat != INBOX_CHAT:
        return False
    photo = message.photo[-1] if message.photo else None  # the largest size Telegram made
    document = message.document
    attachment = photo or document
    with i18n.use(handoff.lang):
        if attachment is None:  # a sticker or voice note: the team reads words
            said = refusal("wrong_type")
        elif (attachment.file_size or 0) > MAX_BYTES:
            said = refusal("too_big")
        else:
            said = await _keep(context.bot, inbox, handoff, attachment.file_id,
                               document.file_name if document is not None else "photo.jpg", str(chat.id))
        await context.bot.send_message(chat.id, html.escape(said))
    return True


async def _keep(bot: Bot, inbox: Inbox, handoff: Handoff, file_id: str, name: str | None, address: str) -> str:
    """Fetch and keep the file; what the person is told (in the current language)."""
    try:
        data = bytes(await (await bot.get_file(file_id)).download_as_bytearray())
        stored = await inbox.person_sent(handoff.number, name, data, address=address)
    except Refused as refused:
        return refusal(refused.reason)
    except (TelegramError, Gone):
        log.exception("handoff %s: a file from Telegram could not be kept", handoff.number)
        return _("Sorry, your message could not be passed on to the team. Please try again later, or call them.")
    return "📎 " + _("Your file {name} has gone to the team.").format(name=i18n.isolate(stored.name))


def file_deliverer(bot: Bot, inbox: Inbox) -> DeliverFile:
    """The team's files to Telegram users: to the chat kept for the handoff."""

    async def deliver(handoff: Handoff, stored: StoredFile, data: bytes) -> bool:
        route = inbox.store.address(handoff.number)
        if route is None or not route[0].lstrip("-").isdigit():
            return False
        if stored.mime in AS_PHOTO:
            await bot.send_photo(int(route[0]), data, filename=stored.name)
        else:
            await bot.send_document(int(route[0]), data, filename=stored.name)
        return True

    return deliver


async def to_staff_topic(bot: Bot, staff_chat: int, thread_id: int, stored: StoredFile, data: bytes) -> None:
    """A web chat person's file into their handoff's topic of a Telegram staff group."""
    if stored.mime in AS_PHOTO:
        await bot.send_photo(staff_chat, data, filename=stored.name, message_thread_id=thread_id)
    else:
        await bot.send_document(staff_chat, data, filename=stored.name, message_thread_id=thread_id)
