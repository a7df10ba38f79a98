"""The staff's desk on Telegram: a supergroup with topics, one topic per handed-over conversation.

Everything for a staff group goes through its queue (bot/telegram/staff_queue.py), sent in the background: the
person's request never waits for Telegram's limit on messages into a group. The topic is created when the person
first writes to the team ("#42 · ar · Lünen"), starting with the last few
messages of the conversation. What the person writes is copied into it (copyMessage: photos and documents too,
without the sender's name); what staff write in the topic is copied to the person (Telegram) or kept in the outbox
for the web chat page (bot/web/staff.py). `/close` in the topic ends the handoff and tells the person in their
language. Staff never see the person's Telegram name, username or id: copies carry none, and the topic's texts
are written here from the handoff row, which holds none.

The bot must be an administrator of the group with the right to manage topics (it then also receives every
message there, whatever BotFather's privacy mode says).
"""

from __future__ import annotations

import asyncio
import html
import logging
from typing import Any

from telegram import Bot, Update
from telegram import Message as TgMessage
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot import i18n
from bot.config import INBOX_CHAT, StaffConfig
from bot.engine import Engine, Reply
from bot.engine.actions import Forget, decode
from bot.engine.handoff import Handoffs, failed_text
from bot.engine.handoff_store import Handoff
from bot.engine.models import HandoffStep, Message
from bot.i18n import _
from bot.inbox import Deliver, Inbox
from bot.inbox.files import StoredFile
from bot.inbox.store import InboxStore
from bot.telegram.files import to_staff_topic
from bot.telegram.render import render
from bot.telegram.staff_queue import Job, StaffQueue

log = logging.getLogger(__name__)

STAFF = "staff_bridge"
INBOX = "team_inbox"  # bot_data key of the admin's team inbox (bot/inbox), set by bot/server.py
TOPIC_NAME_MAX = 128  # Telegram's limit for a topic name


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated into the staff's language when it is said."""
    return message


def topic_name(handoff: Handoff) -> str:
    """'#42 · ar · Lünen': the number, the language and the place, nothing about the person."""
    parts = [f"#{handoff.number}", handoff.lang, *([handoff.place_name] if handoff.place_name else [])]
    return " · ".join(parts)[:TOPIC_NAME_MAX]


class StaffBridge:
    """Carries messages between people and staff topics. Knows a person's chat only in memory."""

    def __init__(self, bot: Bot, handoffs: Handoffs, staff_lang: str) -> None:
        self.bot = bot
        self.handoffs = handoffs
        self.store = handoffs.store
        self.staff_lang = staff_lang
        # handoff number -> the person's Telegram chat; kept in the database as well while the handoff is open
        # (bot/inbox/store.py), so a team reply after a restart reaches the person at once.
        self.chats: dict[int, int] = {}
        self.routes = InboxStore(handoffs.store.db)
        self.inbox: Inbox | None = None  # set by bot/server.py: it delivers to WhatsApp
        self._lock = asyncio.Lock()  # one topic per handoff, even when two messages arrive at once
        # What goes to the staff groups is sent in the background: a person never waits for a group's limit.
        self.queue = StaffQueue()

    def _queue(self, handoff: Handoff | HandoffStep, job: Job) -> None:
        if handoff.staff_chat is None:
            return
        if not self.queue.put(handoff.staff_chat, job):
            raise TelegramError("the staff group's queue is full")  # the caller tells the person at once

    # -- the topic -------------------------------------------------------------------------------------------
    def reach(self, number: int, chat_id: int) -> None:
        """Remember the person's chat of a handoff, in memory and in the database."""
        self.chats[number] = chat_id
        self.routes.route(number, str(chat_id), self.handoffs.clock())

    def chat_of(self, number: int) -> int | None:
        if number in self.chats:
            return self.chats[number]
        route = self.routes.address(number)
        return int(route[0]) if route is not None and route[0].lstrip("-").isdigit() else None

    async def topic(self, number: int) -> Handoff | None:
        """The open handoff with its topic, created (with the last messages) when it has none yet."""
        async with self._lock:
            handoff = self.store.get(number)
            if handoff is not None and handoff.staff_chat == INBOX_CHAT:
                return None  # answered in the admin's team inbox, not in a Telegram group
            if handoff is None or not handoff.open or handoff.thread_id is not None:
                return handoff if handoff is not None and handoff.open else None
            topic = await self.bot.create_forum_topic(handoff.staff_chat, topic_name(handoff))
            self.store.set_topic(number, topic.message_thread_id)
            handoff = self.store.get(number)
            assert handoff is not None
            await self.say(handoff, self._opening(handoff))
            return handoff

    def _opening(self, handoff: Handoff) -> str:
        lines = self.handoffs.transcript.take(handoff.user_key)
        with i18n.use(self.staff_lang):
            head = _("Conversation {number} · language {lang} · {place} · via {channel}").format(
                number=f"#{handoff.number}", lang=handoff.lang, place=handoff.place_name or "–",
                channel="Telegram" if handoff.channel == "telegram" else _("web chat"))
            if handoff.district:
                head += f" ({handoff.district})"
            text = f"<b>{html.escape(head)}</b>"
            if lines:
                text += "\n\n" + html.escape(_("The last messages before the handoff:")) + "\n"
                text += "\n".join(("👤 " if who == "person" else "🤖 ") + html.escape(said) for who, said in lines)
            return text + "\n\n" + html.escape(_("Write here to answer; /close ends the conversation."))

    async def say(self, handoff: Handoff | HandoffStep, html_text: str) -> None:
        """A message of Lotse's own in the handoff's topic."""
        if handoff.staff_chat is None or handoff.thread_id is None:
            return
        await self.bot.send_message(handoff.staff_chat, html_text, message_thread_id=handoff.thread_id)

    def staff_text(self, message: str) -> str:
        with i18n.use(self.staff_lang):
            return html.escape(_(message))

    # -- from the person -------------------------------------------------------------------------------------
    async def from_telegram(self, number: int, chat_id: int, message: TgMessage) -> None:
        """Queue a copy of what the person sent (text, photo, document, location) for the topic."""
        self.reach(number, chat_id)
        handoff = self.store.get(number)
        if handoff is None or not handoff.open:
            return
        message_id, lang = message.message_id, handoff.lang

        async def send(_texts: list[str]) -> None:
            current = await self.topic(number)
            if current is None:
                return
            await self.bot.copy_message(current.staff_chat, chat_id, message_id,
                                        message_thread_id=current.thread_id)
            for waiting in self.store.take(number):  # replies written while Lotse did not know the chat
                await self.bot.send_message(chat_id, html.escape(waiting.text))

        async def failed() -> None:
            with i18n.use(lang):
                await self.bot.send_message(chat_id, html.escape(failed_text()))

        self._queue(handoff, Job(number, send, failed))

    async def from_web(self, number: int, text: str) -> None:
        """Queue a web chat message for the topic (several waiting ones go out as one message)."""
        handoff = self.store.get(number)
        if handoff is None or not handoff.open:
            return

        async def send(texts: list[str]) -> None:
            current = await self.topic(number)
            if current is not None:
                await self.bot.send_message(current.staff_chat, "\n".join(html.escape(t) for t in texts),
                                            message_thread_id=current.thread_id)

        async def failed() -> None:
            current = self.store.get(number)
            if current is not None:
                with i18n.use(current.lang):
                    self._to_web(current, "notice", failed_text())

        self._queue(handoff, Job(number, send, failed, [text]))

    async def file_from_web(self, number: int, stored: StoredFile, data: bytes) -> None:
        """A web chat person's photo or document, into their topic (bot/web/files.py calls this)."""
        current = await self.topic(number)
        if current is not None and current.thread_id is not None:
            await to_staff_topic(self.bot, current.staff_chat, current.thread_id, stored, data)

    async def ended_by_person(self, step: HandoffStep) -> None:
        self.chats.pop(step.number, None)
        self.routes.closed(step.number)
        if step.staff_chat is None or step.thread_id is None:
            return  # the person never wrote to the team: there is no topic

        async def send(_texts: list[str]) -> None:
            await self.say(step, self.staff_text(N_("The person has ended the conversation.")))
            await self.bot.close_forum_topic(step.staff_chat or 0, step.thread_id or 0)

        async def failed() -> None:
            return None  # the person has left; the team sees an open topic at worst

        self._queue(step, Job(step.number, send, failed))

    # -- from the staff --------------------------------------------------------------------------------------
    async def from_staff(self, message: TgMessage) -> None:
        """A message in a topic goes to the person."""
        handoff = self._handoff_of(message)
        if handoff is None:
            return
        if not handoff.open:
            await self.say(handoff, self.staff_text(N_("This conversation has ended; the person does not see this.")))
            return
        if handoff.channel == "web":
            text = message.text or message.caption
            if not text:
                await self.say(handoff, self.staff_text(N_("The web chat shows text only. Please write your answer.")))
                return
            self._to_web(handoff, "staff", text)
            return
        if handoff.channel == "whatsapp":
            await self._to_whatsapp(handoff, message.text or message.caption)
            return
        chat = self.chat_of(handoff.number)
        if chat is None:
            self.store.post(handoff.number, "staff", message.text or message.caption or "", self.handoffs.clock())
            await self.say(handoff, self.staff_text(N_(
                "Lotse was restarted and can reach this person again when they next write; your reply is "
                "delivered then.")))
            return
        await self.bot.copy_message(chat, handoff.staff_chat, message.message_id)

    async def close_by_staff(self, message: TgMessage) -> None:
        """/close in a topic: end the handoff, tell the person in their language, close the topic."""
        handoff = self._handoff_of(message)
        if handoff is None or not handoff.open:
            return
        with i18n.use(handoff.lang):
            notice = _("The team has ended this conversation. Lotse answers your questions again.")
        chat = self.chat_of(handoff.number)
        self.chats.pop(handoff.number, None)
        self.routes.closed(handoff.number)
        if handoff.channel == "web":
            # The notice first: a page that sees the handoff closed stops listening.
            self.store.post(handoff.number, "closed", notice, self.handoffs.clock())
        self.store.close(handoff.number, self.handoffs.clock())
        self.handoffs.waiters.notify(handoff.user_key)
        if handoff.channel == "telegram" and chat is not None:
            await self.bot.send_message(chat, html.escape(notice))
        await self.say(handoff, self.staff_text(N_("Conversation ended; the person has been told.")))
        await self.bot.close_forum_topic(handoff.staff_chat, handoff.thread_id or 0)

    def _handoff_of(self, message: TgMessage) -> Handoff | None:
        if not message.is_topic_message or message.message_thread_id is None:
            return None  # the group's general talk is the team's own
        return self.store.by_topic(message.chat.id, message.message_thread_id)

    async def _to_whatsapp(self, handoff: Handoff, text: str | None) -> None:
        """WhatsApp is reached through the team inbox's deliverer (the 24-hour window and its template)."""
        if not text:
            await self.say(handoff, self.staff_text(N_("WhatsApp gets only text from here. Please write your answer.")))
            return
        if self.inbox is None:
            log.error("handoff %s: a WhatsApp person, but no team inbox to deliver through", handoff.number)
            return
        await self.inbox.pass_on(handoff.number, text)

    def _to_web(self, handoff: Handoff, kind: str, text: str) -> None:
        self.store.post(handoff.number, kind, text, self.handoffs.clock())
        self.handoffs.waiters.notify(handoff.user_key)


# -- wiring into the Application and the person's handlers ---------------------------------------------------
def setup(application: Application[Any, Any, Any, Any, Any, Any], engine: Engine, config: StaffConfig,
          staff_lang: str) -> None:
    """Handlers for the staff groups (before all others, so staff are never answered as users) and the bridge."""
    chats = [desk.chat_id for desk in config.desks if desk.chat_id != INBOX_CHAT]
    if not chats:
        return
    application.bot_data[STAFF] = StaffBridge(application.bot, engine.handoff, staff_lang)
    staff_chats = filters.Chat(chat_id=chats) & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("close", on_close, filters=staff_chats))
    application.add_handler(MessageHandler(staff_chats & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_staff))
    application.add_handler(MessageHandler(filters.Chat(chat_id=chats), ignore))


def bridge_of(context: ContextTypes.DEFAULT_TYPE) -> StaffBridge | None:
    bridge: StaffBridge | None = context.bot_data.get(STAFF)
    return bridge


async def on_staff(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bridge = bridge_of(context)
    if bridge is not None and update.message is not None:
        await bridge.from_staff(update.message)


async def on_close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    bridge = bridge_of(context)
    if bridge is not None and update.message is not None:
        await bridge.close_by_staff(update.message)


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, user_id: str, reply: Reply) -> None:
    """Before a reply is sent to a person: pass their message on, tell staff it ended, or remember it."""
    bridge = bridge_of(context)
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    step = reply.handoff
    inbox: Inbox | None = context.bot_data.get(INBOX)
    if inbox is not None:  # the admin's team inbox lists it, and knows where to answer
        said = message.text if message is not None and update.callback_query is None else None
        await inbox.on_step(step, said or "", address=str(chat.id))
        if update.callback_query is not None and decode(update.callback_query.data) == Forget(confirmed=True):
            await inbox.forgotten()
    if bridge is None:
        return
    try:
        if step is not None and step.relay and message is not None:
            await bridge.from_telegram(step.number, chat.id, message)
        elif step is not None and step.ended:
            await bridge.ended_by_person(step)
        else:
            said = message.text if message is not None and update.callback_query is None else None
            bridge.handoffs.remember(user_id, said, reply)
            if step is not None:
                bridge.reach(step.number, chat.id)
    except TelegramError as err:
        log.error("handoff %s: the staff group refused a call: %s", step.number if step else "-", err)
        if step is not None and step.relay:
            with i18n.use(reply.lang):
                await context.bot.send_message(chat.id, html.escape(failed_text()))


async def ignore(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything else in a staff group (service messages, other commands) is not Lotse's business."""


async def relay_media(update: Update, context: ContextTypes.DEFAULT_TYPE, user_id: str) -> bool:
    """A photo or document from a person in a handoff goes to the team (True); otherwise False."""
    bridge = bridge_of(context)
    chat, message = update.effective_chat, update.effective_message
    if bridge is None or chat is None or message is None or chat.type != ChatType.PRIVATE:
        return False
    handoff = bridge.store.open_for(bridge.handoffs.sessions.key(user_id))
    if handoff is None:
        return False
    bridge.store.count_relay(handoff.number)
    try:
        await bridge.from_telegram(handoff.number, chat.id, message)
    except TelegramError as err:
        log.error("handoff %s: the staff group refused a copy: %s", handoff.number, err)
        with i18n.use(handoff.lang):
            await context.bot.send_message(chat.id, html.escape(failed_text()))
    return True


def deliverer(bot: Bot, inbox: Inbox) -> Deliver:
    """The team inbox's replies to Telegram users: to the chat kept for the handoff, numbers tappable."""

    async def deliver(handoff: Handoff, text: str) -> bool:
        route = inbox.store.address(handoff.number)
        if route is None or not route[0].lstrip("-").isdigit():
            return False
        with i18n.use(handoff.lang):
            for chunk in render(Message(text)):
                await bot.send_message(int(route[0]), chunk)
        return True

    return deliver
