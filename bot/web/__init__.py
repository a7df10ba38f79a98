"""The aiohttp side: web chat page and API, health check, Telegram webhook, admin."""
