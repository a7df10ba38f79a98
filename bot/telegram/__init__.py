"""The Telegram transport: python-telegram-bot Application over the engine."""
