"""Thin handlers: parse the update, call the engine, send the reply."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.engine import Engine, Incoming, Reply
from bot.geo.distance import Point


def _engine(context: ContextTypes.DEFAULT_TYPE) -> Engine:
    engine: Engine = context.bot_data["engine"]
    return engine


def _user_id(update: Update) -> str:
    return f"tg:{update.effective_user.id if update.effective_user else update.effective_chat.id}"  # type: ignore[union-attr]


async def send_reply(update: Update, reply: Reply) -> None:
    """Send each message of a reply, with its buttons as an inline keyboard."""
    chat = update.effective_chat
    if chat is None:
        return
    for message in reply.messages:
        lines = [html.escape(message.text)]
        for place in message.places:
            lines.append(f"• <b>{html.escape(place.name)}</b> ({place.distance_km:.1f} km)")
        markup = None
        if message.buttons:
            rows = [message.buttons[i:i + 2] for i in range(0, len(message.buttons), 2)]
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
            )
        await chat.send_message("\n".join(lines), parse_mode=ParseMode.HTML, reply_markup=markup)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: greet with the topic menu."""
    lang = update.effective_user.language_code if update.effective_user else None
    reply = _engine(context).handle(Incoming(_user_id(update), button="t:greeting", lang_hint=lang))
    await send_reply(update, reply)


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text goes through the engine."""
    if update.message is None:
        return
    lang = update.effective_user.language_code if update.effective_user else None
    reply = _engine(context).handle(Incoming(_user_id(update), text=update.message.text, lang_hint=lang))
    await send_reply(update, reply)


async def location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location lists the nearest offers for the last topic."""
    if update.message is None or update.message.location is None:
        return
    loc = update.message.location
    lang = update.effective_user.language_code if update.effective_user else None
    reply = _engine(context).handle(
        Incoming(_user_id(update), location=Point(loc.latitude, loc.longitude), lang_hint=lang)
    )
    await send_reply(update, reply)
