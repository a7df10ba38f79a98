"""Inline mode for volunteers: `@bot kita lünen` in any chat lists offers to drop into the conversation.

Each result is written in the asking user's language and carries the deep link that opens Lotse preset to the
same language, topic and place, so the person it is shared with can continue in the bot.
"""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.ext import ContextTypes

from bot import i18n
from bot.engine.deeplinks import encode, link
from bot.engine.lookup import Lookup, lookup
from bot.i18n import _
from bot.telegram.handlers import engine_of, user_key, user_lang
from bot.telegram.render import esc, place_block

CACHE_SECONDS = 30  # results depend on the user's language and place: personal, and cached only briefly


def payload_for(lang: str, found: Lookup) -> str:
    """The deep-link payload for a lookup, dropping the place if it makes the payload too long."""
    try:
        return encode(lang, found.intent, found.place_name)
    except ValueError:
        return encode(lang, found.intent)


def results(found: Lookup, lang: str, bot_username: str, topic_label: str) -> list[InlineQueryResultArticle]:
    """One shareable article per offer, in the current language."""
    rtl = i18n.is_rtl(lang)
    url = link(bot_username, payload_for(lang, found))
    articles = []
    for index, place in enumerate(found.places):
        body = "\n\n".join([
            (i18n.RLM if rtl else "") + f"<b>{esc(topic_label)}</b>",
            place_block(place, rtl),
            f'<a href="{esc(url)}">{esc(_("Continue in Lotse"))}</a>',
        ])
        description = " · ".join(part for part in (i18n.format_distance(place.distance_km), place.address) if part)
        articles.append(InlineQueryResultArticle(
            id=f"{index}:{place.id}"[:64],
            title=place.name[:256],
            description=description[:256],
            input_message_content=InputTextMessageContent(body),
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(_("Continue in Lotse"), url=url)]]),
        ))
    return articles


async def answer_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an inline query with offers (or, when nothing matches, a button that opens the bot)."""
    query = update.inline_query
    if query is None:
        return
    engine = engine_of(context)
    lang = user_lang(engine, update)
    found = lookup(engine, query.query, user_key(update), lang)
    with i18n.use(lang):
        label = engine.topic_label(found.intent) if found.intent else ""
        articles = results(found, lang, context.bot.username or "", label)
        button = None if articles else InlineQueryResultsButton(text=_("Open Lotse"), start_parameter=lang)
        await query.answer(articles, cache_time=CACHE_SECONDS, is_personal=True, button=button)
