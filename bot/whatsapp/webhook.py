"""GET and POST /whatsapp/webhook in Lotse's own aiohttp app: Meta's verification and the signed deliveries.

GET answers Meta's subscription check (`hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`). POST checks
`X-Hub-Signature-256`, the HMAC-SHA256 of the raw body with the app secret (pywa's check, in constant time),
before anything is parsed: a bad or missing signature gets 401 and changes nothing. A good delivery is parsed,
each message claimed (bot/store/once.py: Meta's repeats are answered once, whichever instance they reach) and
queued (bot/whatsapp/channel.py); Meta gets its 200 when they are answered (or after `ANSWER_WITHIN`), so a
delivery to an instance that dies in the middle is sent again by Meta and answered by another one. A message that
failed (the shared database restarting) gets 503: Meta sends it again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from pywa.utils import webhook_updates_validator

from bot.engine import Incoming, Reply
from bot.engine.deeplinks import apply_preset, decode
from bot.store.once import Busy, Claimed, claim_waiting, finish
from bot.store.ratelimit import limiter as shared_limiter
from bot.web.keys import ENGINE, INBOX, ONCE, SETTINGS, WORKER
from bot.web.staff import STAFF, report, text_of
from bot.whatsapp.channel import Channel, lang_hint, outs_of, user_id
from bot.whatsapp.files import ForStaffGroup, file_deliverer, on_file
from bot.whatsapp.inbox import deliverer, reachable_again
from bot.whatsapp.links import payload_of
from bot.whatsapp.parse import messages
from bot.whatsapp.sender import Sender, send_limit

log = logging.getLogger(__name__)

CHANNEL: web.AppKey[Channel] = web.AppKey("whatsapp_channel", Channel)
SENDER: web.AppKey[Sender] = web.AppKey("whatsapp_sender", Sender)
SIGNATURE = "X-Hub-Signature-256"


async def verify(request: web.Request) -> web.Response:
    """GET: Meta's check that this URL belongs to the app (the verify token, then echo the challenge)."""
    config = request.app[SETTINGS].whatsapp
    assert config is not None
    token = request.query.get("hub.verify_token", "")
    if request.query.get("hub.mode") != "subscribe" or token != config.verify_token:
        raise web.HTTPForbidden(text="The verify token does not match.")
    return web.Response(text=request.query.get("hub.challenge", ""))


async def receive(request: web.Request) -> web.Response:
    """POST: check the signature over the raw body, queue the people's messages, answer 200."""
    config = request.app[SETTINGS].whatsapp
    assert config is not None
    raw = await request.read()  # the app's client_max_size (64 KiB) bounds it: Meta's deliveries are a few KiB
    signature = request.headers.get(SIGNATURE, "")
    if not signature or not webhook_updates_validator(config.app_secret, raw, signature):
        log.warning("whatsapp webhook: a delivery with a wrong signature from %s", request.remote)
        raise web.HTTPUnauthorized(text="The signature does not match.")
    try:
        update = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise web.HTTPBadRequest(text="The body is not JSON.") from None
    channel, once = request.app[CHANNEL], request.app[ONCE]
    waiting: list[Awaitable[bool | None]] = []
    again = ""
    try:
        for inbound in messages(update):  # statuses (sent, delivered, read) hold no messages: nothing to do
            claim = await claim_waiting(once, "whatsapp", inbound.message_id)
            if isinstance(claim, Busy):
                again = "A message of this delivery is being answered."
            elif isinstance(claim, Claimed):
                if claim.recorded is not None:  # its instance died while sending: the rest of that reply
                    channel.replays[inbound.message_id] = (outs_of(claim.recorded.messages), claim.recorded.sent)
                handled = channel.accept(inbound)
                if handled is None:  # a reaction, a flood beyond the limit: nothing to answer, ever
                    once.done("whatsapp", inbound.message_id)
                else:
                    handled.add_done_callback(_forget_if_failed(channel, inbound.message_id))
                    waiting.append(finish(once, "whatsapp", inbound.message_id, handled))
    except Exception as exc:
        if not once.store.is_unavailable(exc):
            raise
        log.warning("whatsapp webhook: the shared database is unreachable; Meta sends the delivery again")
        again = "Try again in a moment."
    if False in await asyncio.gather(*waiting):
        again = "A message could not be answered; send it again."
    if again:
        return web.Response(status=503, text=again, headers={"Retry-After": "5"})
    return web.Response(text="ok")




def _forget_if_failed(channel: Channel, message_id: str) -> Callable[[asyncio.Future[bool]], None]:
    def ended(handled: asyncio.Future[bool]) -> None:
        if not handled.result():
            channel.forget(message_id)  # Meta's retry is handled, not taken for a repeat

    return ended


def _wire(app: web.Application, sender: Sender) -> Channel:
    settings, engine = app[SETTINGS], app[ENGINE]

    async def answer(incoming: Incoming) -> Reply:
        worker = app.get(WORKER)
        return await worker.handle(incoming) if worker is not None else engine.handle(incoming)

    async def after(incoming: Incoming, reply: Reply) -> None:
        """A handoff to the team: tell the inbox (and a Telegram staff topic, like the web chat does)."""
        number = incoming.user_id.removeprefix("wa:")
        await report(app, incoming, reply, address=number)
        await reachable_again(app, incoming.user_id, number)
        slot = app.get(STAFF)
        relay = slot.relay if slot is not None else None
        step = reply.handoff
        if relay is None:
            return
        if step is not None and step.relay:
            await relay.from_web(step.number, text_of(incoming) or "")
        elif step is not None and step.ended:
            await relay.ended_by_person(step)
        else:
            engine.handoff.remember(incoming.user_id, text_of(incoming), reply)

    def lang_of(number: str) -> str:
        return engine.language(user_id(number), lang_hint(number))  # the engine's rule, as in its replies

    def preset(incoming: Incoming) -> Reply | None:
        """A volunteer's link: language, topic and place preset, answered as if the topic was picked."""
        payload = payload_of(incoming.text or "")
        chosen = decode(payload, engine.intents) if payload else None
        if chosen is None or chosen.empty:
            return None
        return apply_preset(engine, incoming.user_id, chosen, incoming.lang_hint)

    # A number's messages may reach any instance: on PostgreSQL they count in one bucket for all of them.
    limiter = shared_limiter(engine.store, "whatsapp-number", settings.rate_burst, settings.rate_per_minute)
    channel = Channel(answer, sender.send, limiter, lang_of, after, preset)
    if engine.store.dialect == "postgresql":  # another instance may take over a reply this one is sending
        once = app[ONCE]
        channel.record = lambda message_id, values, sent: once.record("whatsapp", message_id, values, sent)
    return channel


async def whatsapp_ctx(app: web.Application) -> AsyncIterator[None]:
    """The pywa client and the queues, for the lifetime of the server (after the engine's context)."""
    config = app[SETTINGS].whatsapp
    assert config is not None
    sender = Sender(config, send_limit(app[ENGINE].store))
    app[SENDER] = sender
    app[CHANNEL] = _wire(app, sender)
    inbox = app.get(INBOX)
    if inbox is not None:  # the team inbox answers on WhatsApp; replies that waited for a restart go out now
        inbox.deliverers["whatsapp"] = deliverer(inbox, sender)
        inbox.file_deliverers["whatsapp"] = file_deliverer(inbox, sender)
        app[CHANNEL].on_file = on_file(app[ENGINE], inbox, sender, lambda: _staff_group(app))
        await inbox.flush()
    log.info("WhatsApp channel on phone id %s via %s", config.phone_id, config.api_base_url)
    try:
        yield
    finally:
        await app[CHANNEL].close()
        await sender.close()


def _staff_group(app: web.Application) -> ForStaffGroup | None:
    """Where a Telegram staff group takes a person's file (when the Telegram bot runs with one)."""
    slot = app.get(STAFF)
    return slot.relay.file_from_web if slot is not None and slot.relay is not None else None


def setup(app: web.Application) -> None:
    """The routes and the context, when the settings name a WhatsApp number."""
    if app[SETTINGS].whatsapp is None:
        return
    app.router.add_get("/whatsapp/webhook", verify, name="whatsapp_verify")
    app.router.add_post("/whatsapp/webhook", receive, name="whatsapp_webhook")
    app.cleanup_ctx.append(whatsapp_ctx)
