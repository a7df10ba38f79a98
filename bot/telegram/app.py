"""Build the python-telegram-bot Application."""

from __future__ import annotations

from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.config import Settings
from bot.engine import Engine
from bot.telegram import handlers


def build_application(settings: Settings, engine: Engine) -> Application:  # type: ignore[type-arg]
    """The real PTB Application, pointed at `TELEGRAM_API_BASE_URL`."""
    assert settings.telegram_token, "TELEGRAM_BOT_TOKEN is required for the Telegram bot"
    application = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_url.replace("/bot", "/file/bot"))
        .build()
    )
    application.bot_data["engine"] = engine
    application.add_handler(CommandHandler("start", handlers.start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.text))
    application.add_handler(MessageHandler(filters.LOCATION, handlers.location))
    return application
