"""POST /telegram/webhook: updates from Telegram in webhook mode.

The route exists on every server but answers 404 until the Telegram runner fills the slot (webhook mode).
It checks `X-Telegram-Bot-Api-Secret-Token` in constant time, then only queues the update: PTB processes it
in the background, so Telegram gets its 200 at once and never retries because a reply was slow.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.web import strictjson

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class WebhookSlot:
    """Filled by the Telegram runner in webhook mode: the PTB Application and the secret Telegram sends."""

    application: Any = None
    secret: str = ""


WEBHOOK: web.AppKey[WebhookSlot] = web.AppKey("telegram_webhook", WebhookSlot)


async def telegram_webhook(request: web.Request) -> web.Response:
    """Check the secret, parse the update, queue it."""
    slot = request.app.get(WEBHOOK)
    if slot is None or slot.application is None or not slot.secret:
        raise web.HTTPNotFound()
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), slot.secret.encode()):
        log.warning("webhook call with a wrong secret from %s", request.remote)
        raise web.HTTPForbidden()
    try:
        data = strictjson.loads(await request.read())
    except strictjson.BadJSON as exc:
        raise web.HTTPBadRequest(text=f"{exc}.") from None
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        raise web.HTTPBadRequest(text="An update is a JSON object with an integer update_id.")
    from telegram import Update  # only webhook mode needs telegram here

    try:
        update = Update.de_json(data, slot.application.bot)
    except Exception as exc:  # PTB raises KeyError, TypeError, ValueError ... for objects it cannot build
        log.info("webhook: an update that is not one (%s)", type(exc).__name__)
        raise web.HTTPBadRequest(text="This is not a Telegram update.") from None
    await slot.application.update_queue.put(update)
    return web.Response(text="ok")


def setup(app: web.Application) -> None:
    """Add the route and an empty slot (before the app starts: its state is frozen afterwards)."""
    app[WEBHOOK] = WebhookSlot()
    app.router.add_post("/telegram/webhook", telegram_webhook, name="telegram_webhook")
