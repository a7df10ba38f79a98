"""The whole server of `lotse serve`: the web side (bot/web) and, with their settings, the Telegram bot
(bot/telegram) and the WhatsApp channel (bot/whatsapp).

The only module that knows both transports, so neither imports the other. It also runs the scheduled syncs of
offers from outside sources (bot/web/syncing.py). They share one engine and its worker
process (started by the web app's engine context); in webhook mode the web app's /telegram/webhook route is
connected to the bot's Application here.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.config import Settings
from bot.web.app import create_app
from bot.web.keys import ENGINE, INBOX, SETTINGS, WORKER
from bot.web.staff import STAFF
from bot.web.syncing import sync_ctx
from bot.web.webhook import WEBHOOK
from bot.whatsapp import webhook as whatsapp

log = logging.getLogger(__name__)


class StartRefused(Exception):
    """`lotse serve` cannot start as configured; the message says why and what to do."""


#: Telegram hands each update to one poller: a second instance polling the same bot would take updates from the
#: first at random (and Telegram answers it with a conflict error). Several instances use the webhook.
SECOND_POLLER = ("another Lotse instance already polls Telegram for this bot on the same database; several "
                 "instances need the webhook: set LOTSE_WEBHOOK_URL (see README, Telegram)")


def poller_lock(token: str) -> str:
    return "telegram-poller:" + hashlib.sha256(token.encode()).hexdigest()[:16]  # never the token itself


async def telegram_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the Telegram bot for the lifetime of the web app when a token is configured."""
    settings = app[SETTINGS]
    if not settings.telegram_token:
        yield
        return
    from bot.telegram.runner import TelegramBot  # imported only when used: the web chat runs without it
    from bot.telegram.staff import STAFF as BRIDGE

    poller = None if settings.webhook_url else app[ENGINE].store.hold(poller_lock(settings.telegram_token))
    if poller is None and not settings.webhook_url:
        raise StartRefused(SECOND_POLLER)
    bot = TelegramBot(settings, app[ENGINE], worker=app.get(WORKER))
    await bot.start()
    staff = app.get(STAFF)
    if staff is not None:  # web chat messages of a handoff go to the staff topics through the bot
        staff.relay = bot.application.bot_data.get(BRIDGE)
    inbox = app.get(INBOX)
    if inbox is not None:  # the team inbox answers Telegram users through the bot
        from bot.telegram.files import file_deliverer
        from bot.telegram.staff import INBOX as INBOX_SLOT
        from bot.telegram.staff import deliverer

        bot.application.bot_data[INBOX_SLOT] = inbox
        bridge = bot.application.bot_data.get(BRIDGE)
        if bridge is not None:  # staff topics answer WhatsApp users through the inbox's deliverer
            bridge.inbox = inbox
        inbox.deliverers["telegram"] = deliverer(bot.application.bot, inbox)
        inbox.file_deliverers["telegram"] = file_deliverer(bot.application.bot, inbox)
        await inbox.flush()
    slot = app.get(WEBHOOK)
    if bot.webhook:
        if slot is None:
            log.error("webhook mode, but the web app has no /telegram/webhook route")
        else:
            slot.application, slot.secret = bot.application, bot.secret
    try:
        yield
    finally:
        if staff is not None:
            staff.relay = None
        if slot is not None:
            slot.application = None
        if inbox is not None:
            inbox.deliverers.pop("telegram", None)
            inbox.file_deliverers.pop("telegram", None)
        await bot.stop()
        if poller is not None:
            poller.close()


def create_server(settings: Settings) -> web.Application:
    """The web app with the Telegram bot (when TELEGRAM_BOT_TOKEN is set) and WhatsApp (WHATSAPP_*) beside it."""
    app = create_app(settings)
    whatsapp.setup(app)  # /whatsapp/webhook, after the engine context: it answers with the engine
    app.cleanup_ctx.append(telegram_ctx)  # after the engine context: the bot uses its engine and worker
    app.cleanup_ctx.append(sync_ctx)  # offers from Integreat and OpenStreetMap, when LOTSE_SYNC names them
    return app
