"""Build the python-telegram-bot Application: handlers, fair per-chat scheduling, rate limits, commands per language."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import i18n
from bot.config import Settings
from bot.engine import Engine
from bot.i18n import _
from bot.store.ratelimit import limiter
from bot.telegram import handlers, inline, staff
from bot.telegram.request import AiohttpRequest
from bot.telegram.scheduling import FairScheduler
from bot.telegram.sendlimit import send_limiter

log = logging.getLogger(__name__)

ENGINE = "engine"
CONCURRENT_UPDATES = 64  # updates of different chats in flight at once (one at a time per chat)
# Telegram's "429 Too Many Requests" says how long to wait; the limiter waits that long and tries again, up to
# this many times, so a busy moment delays an answer instead of losing it.
RETRIES_ON_429 = 6
POOL_SIZE = 16  # connections to the Bot API: Telegram's 30 messages/s at ~100 ms per call need a few
POLL_READ_TIMEOUT = 5.0  # added by PTB to the long-poll timeout of getUpdates
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated per language when the commands are registered."""
    return message


COMMANDS: list[tuple[str, str]] = [
    ("start", N_("Start and show the topics")),
    ("menu", N_("Topics")),
    ("place", N_("Set your town")),
    ("language", N_("Change the language")),
    ("help", N_("What Lotse can do")),
    ("forget", N_("Delete what Lotse remembers about you")),
]


def file_url(base_url: str) -> str:
    """The file base URL that goes with an API base URL (".../bot" -> ".../file/bot")."""
    return base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url


def build_application(
    settings: Settings, engine: Engine, *, rate_limiter: BaseRateLimiter[Any] | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The real PTB Application over the engine, pointed at `TELEGRAM_API_BASE_URL`."""
    if not settings.telegram_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is required for the Telegram bot")
    application = _builder(settings, engine, rate_limiter)
    application.bot_data[ENGINE] = engine
    staff.setup(application, engine, engine.handoff.config, settings.default_lang)  # first: staff groups
    processor = application.update_processor
    if isinstance(processor, FairScheduler):
        processor.notify = lambda update: please_wait(update, application)
    add_handlers(application)
    return application


def _builder(
    settings: Settings, engine: Engine, rate_limiter: BaseRateLimiter[Any] | None
) -> Application[Any, Any, Any, Any, Any, Any]:
    # On PostgreSQL the instances behind the load balancer share one allowance per chat and one of Telegram's.
    store = engine.store
    per_chat = limiter(store, "telegram-chat", settings.rate_burst, settings.rate_per_minute)
    builder = (
        Application.builder()
        .token(settings.telegram_token or "")
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url(settings.telegram_api_base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(rate_limiter or send_limiter(store, RETRIES_ON_429))
        .concurrent_updates(FairScheduler(CONCURRENT_UPDATES, per_chat))
        .request(AiohttpRequest(POOL_SIZE))
        .get_updates_request(AiohttpRequest(1, read_timeout=POLL_READ_TIMEOUT))
    )
    if settings.webhook_url:
        builder = builder.updater(None)  # updates arrive through the aiohttp route, not PTB's own server
    return builder.build()


async def please_wait(update: Update, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Told once to a chat over its message limit (bot/telegram/scheduling.py), in the person's language."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return  # a group is not scolded for one member
    engine: Engine = application.bot_data[ENGINE]
    with i18n.use(handlers.user_lang(engine, update)):
        text = _("You are sending messages faster than I can answer. Please wait a minute, then write again.")
    try:
        await application.bot.send_message(chat.id, text)
    except TelegramError as err:
        log.info("could not ask a chat to wait: %s", err)


def add_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register every handler; groups get commands and mentions only."""
    private = filters.ChatType.PRIVATE
    fresh = filters.UpdateType.MESSAGE
    for name, callback in (("start", handlers.start), ("help", handlers.help_cmd), ("menu", handlers.menu),
                           ("language", handlers.language), ("place", handlers.place),
                           ("forget", handlers.forget)):
        application.add_handler(CommandHandler(name, callback, filters=fresh))
    application.add_handler(MessageHandler(fresh & private & filters.TEXT & ~filters.COMMAND, handlers.text))
    application.add_handler(MessageHandler(
        fresh & filters.ChatType.GROUPS & filters.TEXT & filters.Entity("mention") & ~filters.COMMAND,
        handlers.group_mention))
    application.add_handler(MessageHandler(fresh & private & filters.LOCATION, handlers.location))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.LOCATION,
                                           handlers.live_location))
    media = (filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
             | filters.VIDEO_NOTE | filters.Document.ALL | filters.ANIMATION | filters.CONTACT)
    application.add_handler(MessageHandler(fresh & private & media, handlers.media))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(InlineQueryHandler(inline.answer_inline))
    application.add_error_handler(handlers.on_error)


def commands(lang: str) -> list[BotCommand]:
    """The command list with descriptions in one language."""
    with i18n.use(lang):
        return [BotCommand(name, _(description)) for name, description in COMMANDS]


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any], default_lang: str) -> None:
    """set_my_commands for every language (and the default list); a refused language is logged, not fatal."""

    async def one(lang: str | None) -> None:
        try:
            await application.bot.set_my_commands(commands(lang or default_lang), language_code=lang)
        except TelegramError as err:
            log.warning("set_my_commands(%s) failed: %s", lang, err)

    await asyncio.gather(one(None), *(one(lang) for lang in i18n.LANGUAGES))
