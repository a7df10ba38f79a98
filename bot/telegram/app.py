"""Build the python-telegram-bot Application: handlers, per-chat ordering, rate limits, commands per language."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseRateLimiter,
    BaseUpdateProcessor,
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
from bot.telegram import handlers, inline, staff
from bot.telegram.request import AiohttpRequest

log = logging.getLogger(__name__)

ENGINE = "engine"
CONCURRENT_UPDATES = 64  # updates in flight at once (one at a time per chat)
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


class PerChatOrder(BaseUpdateProcessor):
    """Process updates concurrently, but one at a time per chat, in the order they came."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    @staticmethod
    def key(update: object) -> int | None:
        if not isinstance(update, Update):
            return None
        if update.effective_chat is not None:
            return update.effective_chat.id
        return update.effective_user.id if update.effective_user is not None else None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self.key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:  # asyncio.Lock is FIFO: updates of one chat keep their order
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # nobody else waits: drop the lock so idle chats cost nothing
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def file_url(base_url: str) -> str:
    """The file base URL that goes with an API base URL (".../bot" -> ".../file/bot")."""
    return base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url


def build_application(
    settings: Settings, engine: Engine, *, rate_limiter: BaseRateLimiter[Any] | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The real PTB Application over the engine, pointed at `TELEGRAM_API_BASE_URL`."""
    if not settings.telegram_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is required for the Telegram bot")
    application = _builder(settings, rate_limiter)
    application.bot_data[ENGINE] = engine
    staff.setup(application, engine, engine.handoff.config, settings.default_lang)  # first: staff groups
    add_handlers(application)
    return application


def _builder(
    settings: Settings, rate_limiter: BaseRateLimiter[Any] | None
) -> Application[Any, Any, Any, Any, Any, Any]:
    builder = (
        Application.builder()
        .token(settings.telegram_token or "")
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url(settings.telegram_api_base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=2))
        .concurrent_updates(PerChatOrder(CONCURRENT_UPDATES))
        .request(AiohttpRequest(POOL_SIZE))
        .get_updates_request(AiohttpRequest(1, read_timeout=POLL_READ_TIMEOUT))
    )
    if settings.webhook_url:
        builder = builder.updater(None)  # updates arrive through the aiohttp route, not PTB's own server
    return builder.build()


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
