"""Thin handlers: turn an update into an Incoming, ask the engine, send the reply.

Nothing here decides what to answer; that is the engine's job. Here: who the user is (a pseudonymous
`tg:<id>` the session store hashes), which language their phone uses, and how a Reply becomes Telegram
messages (HTML, keyboards, a venue for the nearest offer, edits for button presses).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, ReplyParameters, Update
from telegram import Message as TgMessage
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot import i18n
from bot.engine import Engine, Incoming, Reply, deeplinks
from bot.engine.actions import (
    Action,
    AskPlace,
    Feedback,
    Forget,
    Help,
    LanguagePicker,
    Menu,
    More,
    Start,
    Topic,
    decode,
    encode,
)
from bot.engine.models import Message, merged
from bot.engine.worker import EngineWorker
from bot.geo.distance import Point
from bot.i18n import _
from bot.store.once import ANSWERED
from bot.telegram import files, journal, staff
from bot.telegram.keyboards import inline_keyboard, location_keyboard, wants_location
from bot.telegram.render import render, text_blocks

log = logging.getLogger(__name__)

WORKER = "engine_worker"


# -- who, in which language -------------------------------------------------------------------------------
def engine_of(context: ContextTypes.DEFAULT_TYPE) -> Engine:
    engine: Engine = context.bot_data["engine"]
    return engine


def user_key(update: Update) -> str:
    """The user id handed to the engine (hashed there before it is stored)."""
    who = update.effective_user or update.effective_chat
    return f"tg:{who.id if who else 0}"


def lang_hint(update: Update) -> str | None:
    """The language of the user's Telegram app."""
    return update.effective_user.language_code if update.effective_user else None


def user_lang(engine: Engine, update: Update) -> str:
    """The language to talk in, by the engine's rule (the chosen one, else the one the person writes in, else the
    app's): what Telegram says itself (errors, "please wait", inline results) follows the engine's replies."""
    return engine.language(user_key(update), lang_hint(update))


async def answer(context: ContextTypes.DEFAULT_TYPE, incoming: Incoming, update: Update | None = None) -> Reply:
    """The engine's reply: from the worker process when there is one (bot/engine/worker.py); for an update whose
    reply an instance that died was sending, that reply (bot/telegram/journal.py), without asking the engine."""
    replay = journal.replayed(update, context) if update is not None else None
    if replay is not None:
        return replay[0]
    if update is not None:
        incoming = replace(incoming, delivery=f"telegram:{update.update_id}")
    worker: EngineWorker | None = context.bot_data.get(WORKER)
    if worker is not None:
        return await worker.handle(incoming)
    return engine_of(context).handle(incoming)


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, incoming: Incoming, **kwargs: object) -> None:
    """Hand one Incoming to the engine and deliver what it answers."""
    await deliver(update, context, await answer(context, incoming, update), **kwargs)  # type: ignore[arg-type]


# -- sending ---------------------------------------------------------------------------------------------
def share_query(engine: Engine, update: Update, reply: Reply) -> str | None:
    """The inline query that reproduces a result list in any chat ("share this")."""
    session = engine.sessions.load(user_key(update))
    try:
        return deeplinks.encode(topic=reply.intent, place=session.place_name)
    except ValueError:
        return None


async def deliver(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply, *,
                  edit: CallbackQuery | None = None, venue: bool = True) -> None:
    """Send each message of a reply (or edit the pressed message when the reply is a single plain one)."""
    chat = update.effective_chat
    if chat is None:
        return
    try:
        await _deliver(update, context, chat, reply, edit=edit, venue=venue)
        waiting = context.bot_data.get(ANSWERED, {}).pop(update.update_id, None)
        if waiting is not None and not waiting.done():
            waiting.set_result(True)
    finally:
        # A handoff to the team (staff.py): after the person has their answer (emergency numbers come first).
        await staff.on_reply(update, context, user_key(update), reply)


async def _deliver(update: Update, context: ContextTypes.DEFAULT_TYPE, chat: Chat, reply: Reply, *,
                   edit: CallbackQuery | None, venue: bool) -> None:
    private = chat.type == ChatType.PRIVATE
    quote = update.effective_message if not private and update.callback_query is None else None
    messages = merged(reply.messages)
    replay = journal.replayed(update, context)
    start = replay[1] if replay is not None else 0  # the messages a stopped instance sent already
    recording = reply.handoff is None and journal.recording(update, context)
    recorded = journal.values(reply, messages) if recording else None
    with i18n.use(reply.lang):
        for i, message in enumerate(messages):
            if i < start:
                continue
            if recorded is not None:  # before each message goes: how many went (another instance sends the rest)
                journal.note(update, context, recorded, i)
            chunks = render(message, reply.rtl)
            if not chunks and not message.buttons:
                continue
            chunks = chunks or [_("What are you looking for?")]
            location = wants_location(message.buttons)
            share = None
            if message.places and context.bot.supports_inline_queries and reply.intent:
                share = share_query(engine_of(context), update, reply)
            markup = (location_keyboard(location.label) if location and private
                      else inline_keyboard(message.buttons, share))
            if (edit is not None and len(messages) == 1 and len(chunks) == 1 and not message.places
                    and not (location and private) and await _edit(edit, chunks[0], markup)):
                return
            await _send(context, chat, chunks, markup, quote)
            quote = None
            if venue and message.places:
                await _venue(context, chat, message)


async def _edit(query: CallbackQuery, text: str, markup: object) -> bool:
    """Edit the message whose button was pressed; False when that is not possible (send a new one then)."""
    if not isinstance(query.message, TgMessage) or not query.message.text:
        return False
    try:
        await query.edit_message_text(text, reply_markup=markup)  # type: ignore[arg-type]
    except BadRequest as err:
        if "not modified" in str(err).lower():
            return True
        log.info("edit failed, sending instead: %s", err)
        return False
    return True


async def _send(context: ContextTypes.DEFAULT_TYPE, chat: Chat, chunks: list[str], markup: object,
                quote: TgMessage | None) -> None:
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await context.bot.send_message(
            chat.id, chunk, reply_markup=markup if last else None,  # type: ignore[arg-type]
            reply_parameters=ReplyParameters(quote.message_id, allow_sending_without_reply=True)
            if quote is not None and index == 0 else None,
        )


async def _venue(context: ContextTypes.DEFAULT_TYPE, chat: Chat, message: Message) -> None:
    """The nearest offer once more as a venue: one tap opens it in the phone's map app."""
    place = message.places[0]
    if not (place.lat or place.lon):
        return
    await context.bot.send_venue(chat.id, latitude=place.lat, longitude=place.lon, title=place.name[:128],
                                 address=(place.address or place.name)[:256])


# -- commands --------------------------------------------------------------------------------------------
async def command(update: Update, context: ContextTypes.DEFAULT_TYPE, action: Action) -> None:
    """A command is the engine's button of the same action."""
    await ask(update, context, Incoming(user_key(update), button=encode(action), lang_hint=lang_hint(update)))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, with an optional deep-link payload presetting language, topic and place."""
    payload = context.args[0][:64] if context.args else ""  # Telegram's limit; the engine reads it
    await command(update, context, Start(payload))


async def help_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: what Lotse can do, with the topics."""
    await command(update, context, Help())


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/menu: the topic buttons."""
    await command(update, context, Menu())


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language: the picker, each language in its own name."""
    await command(update, context, LanguagePicker())


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget: asks to confirm; its "Yes, delete" button deletes."""
    await command(update, context, Forget())


async def place(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/place: the engine asks for the town or the location, and reads the next message as the place."""
    await command(update, context, AskPlace())


# -- messages --------------------------------------------------------------------------------------------
async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text in a private chat goes through the engine (which knows when it asked for a place)."""
    if update.message is None or update.message.text is None:
        return
    await ask(update, context, Incoming(user_key(update), text=update.message.text, lang_hint=lang_hint(update)))


async def group_mention(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups Lotse answers only when mentioned (@bot kita in Unna); other talk is not its business."""
    message = update.message
    if message is None or message.text is None:
        return
    handle = "@" + (context.bot.username or "")
    if handle.lower() not in message.text.lower():
        return
    start = message.text.lower().index(handle.lower())
    question = (message.text[:start] + message.text[start + len(handle):]).strip()
    incoming = Incoming(user_key(update), text=question, lang_hint=lang_hint(update))
    await ask(update, context, incoming)


async def location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location (or the start of a live location) lists the nearest offers for the topic."""
    if update.message is None or update.message.location is None:
        return
    loc = update.message.location
    await ask(update, context, Incoming(user_key(update), location=Point(loc.latitude, loc.longitude),
                                        lang_hint=lang_hint(update)))


async def live_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A live location moved: remember the new point quietly (answering every move would flood the chat)."""
    message = update.edited_message
    if message is None or message.location is None:
        return
    loc = message.location
    await answer(context, Incoming(user_key(update), location=Point(loc.latitude, loc.longitude),
                                   lang_hint=lang_hint(update)))


async def media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, documents: Lotse reads text; ask kindly for words or a location."""
    if await files.to_inbox(update, context, user_key(update), context.bot_data.get(staff.INBOX)):
        return  # kept for the team inbox, the person told so (or why not)
    if await staff.relay_media(update, context, user_key(update)):
        return  # the person talks to the team, who can look at photos and documents
    await ask(update, context, Incoming(user_key(update), lang_hint=lang_hint(update), media=True))


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline button: the engine answers its data (old or unknown data gets a fresh menu)."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()  # stop the button's spinner at once
    data = (query.data or "")[:64]
    action = decode(data)
    reply = await answer(context, Incoming(user_key(update), button=data, lang_hint=lang_hint(update)), update)
    if isinstance(action, Feedback):
        await thank(update, context, query, reply)
        return
    if action == Forget(confirmed=True) and context.user_data is not None:
        context.user_data.clear()
    # Paging and topics add new messages (the earlier results stay readable); menus and pickers are edited in place.
    paging = isinstance(action, More)
    await deliver(update, context, reply, edit=None if paging or isinstance(action, Topic) else query,
                  venue=not paging)


async def thank(update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, reply: Reply) -> None:
    """After 👍/👎: the answer stays, its feedback buttons give way to the engine's thanks (edited in place)."""
    thanks = "\n".join(text_blocks(reply.messages[0].text, reply.rtl)) if reply.messages else ""
    message = query.message
    if isinstance(message, TgMessage) and message.text:
        rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
        keep = [kept for row in rows
                if (kept := [b for b in row if not isinstance(decode(str(b.callback_data or "")), Feedback)])]
        try:
            await query.edit_message_text(f"{message.text_html}\n\n<i>{thanks}</i>",
                                          reply_markup=InlineKeyboardMarkup(keep) if keep else None)
            return
        except BadRequest as err:  # too long with the thanks, or already edited: say it in a message instead
            log.info("feedback edit failed, sending instead: %s", err)
    if update.effective_chat is not None and thanks:
        await context.bot.send_message(update.effective_chat.id, thanks)


# -- errors ----------------------------------------------------------------------------------------------
async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log, and answer the user kindly; never show a traceback. Blocked bots and network trouble are expected."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        log.info("update %s: the user blocked the bot or left the chat (%s)", update_id, error)
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        log.warning("update %s: network error talking to Telegram: %s", update_id, error)
        return
    log.error("update %s: error while handling", update_id, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return
    try:
        lang = user_lang(engine_of(context), update)
    except Exception:  # the database may be what failed: answer in the default language then
        lang = i18n.DEFAULT_LANG
    with i18n.use(lang), contextlib.suppress(TelegramError):
        await context.bot.send_message(update.effective_chat.id, _("Sorry, something went wrong. Please try again."))
