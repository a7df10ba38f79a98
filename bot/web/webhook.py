"""POST /telegram/webhook: updates from Telegram in webhook mode.

The route exists on every server but answers 404 until the Telegram runner fills the slot (webhook mode).
It checks `X-Telegram-Bot-Api-Secret-Token` in constant time, claims the update (bot/store/once.py: a repeat
is answered once, whichever instance it reaches), and has PTB process it (in per-chat order, bot/telegram/
scheduling.py) before it answers 200: an instance that dies in the middle never said 200, so Telegram sends the
update again and another instance answers it. A reply slower than `ANSWER_WITHIN` gets its 200 before it is done.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.store.once import (
    ANSWERED,
    RECORDERS,
    REPLAYS,
    Busy,
    Claim,
    Claimed,
    Done,
    Once,
    claim_waiting,
    finish,
)
from bot.web import strictjson
from bot.web.keys import ONCE

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
    once = request.app.get(ONCE)
    if once is None:  # no shared state (a test app without the engine context): queue it, as PTB's own server does
        await slot.application.update_queue.put(update)
        return web.Response(text="ok")
    key = str(data["update_id"])
    try:
        claim = await claim_waiting(once, "telegram", key)
        if isinstance(claim, Done):
            return web.Response(text="ok")
        if isinstance(claim, Busy):
            raise web.HTTPServiceUnavailable(text="This update is being answered.", headers={"Retry-After": "5"})
    except Exception as exc:
        if isinstance(exc, web.HTTPException) or not once.store.is_unavailable(exc):
            raise
        log.warning("webhook: the shared database is unreachable; Telegram sends the update again")
        raise web.HTTPServiceUnavailable(text="Try again in a moment.", headers={"Retry-After": "5"}) from None
    if once.store.dialect == "postgresql":  # another instance may finish a reply this one is sending
        _journal(slot.application, update.update_id, once, key, claim)
    await finish(once, "telegram", key, _processed(slot.application, update))
    return web.Response(text="ok")


def _journal(application: Any, update_id: int, once: Once, key: str, claim: Claim) -> None:
    """Give the handlers the recorder of this update's reply, and what a stopped instance recorded of it."""
    application.bot_data.setdefault(RECORDERS, {})[update_id] = (
        lambda values, sent: once.record("telegram", key, values, sent))
    if isinstance(claim, Claimed) and claim.recorded is not None:
        application.bot_data.setdefault(REPLAYS, {})[update_id] = claim.recorded


def _processed(application: Any, update: Any) -> asyncio.Future[bool]:
    """PTB's processing of one update, through its update processor (the per-chat order of the polling path):
    done when the reply is sent (the handler says so), or else when the processing ends."""
    answered: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    waiting: dict[int, asyncio.Future[bool]] = application.bot_data.setdefault(ANSWERED, {})
    waiting[update.update_id] = answered
    coroutine: Awaitable[Any] = application.process_update(update)
    task = asyncio.create_task(application.update_processor.process_update(update, coroutine))
    _running.add(task)  # kept until done: the loop holds tasks only weakly

    def ended(task: asyncio.Task[None]) -> None:
        _running.discard(task)
        waiting.pop(update.update_id, None)
        for journal in (RECORDERS, REPLAYS):
            application.bot_data.get(journal, {}).pop(update.update_id, None)
        if not answered.done():
            answered.set_result(not task.cancelled() and task.exception() is None)

    task.add_done_callback(ended)
    return answered


_running: set[asyncio.Task[None]] = set()


def setup(app: web.Application) -> None:
    """Add the route and an empty slot (before the app starts: its state is frozen afterwards)."""
    app[WEBHOOK] = WebhookSlot()
    app.router.add_post("/telegram/webhook", telegram_webhook, name="telegram_webhook")
