"""The WhatsApp conversation loop: one queue per number, fair limits, the engine's reply sent back.

The webhook only queues (Meta wants its 200 within seconds and retries otherwise). Each number has its own
queue and task, so one person's messages are answered in order while another person's are answered beside
them: a flood from one number waits in its own queue, and beyond the rate limit it is dropped with one kind
notice. Meta delivers some messages twice; their ids are remembered for a while and the repeats ignored.

With several instances a reply is recorded as it goes out (`record`: bot/store/once.py), so that the instance a
retry reaches after this one died sends the messages not yet confirmed (`replays`) instead of answering anew.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import asdict, replace
from typing import Any

from bot import i18n
from bot.engine.actions import ShareLocation
from bot.engine.models import Button, Incoming, Message, Reply
from bot.i18n import _
from bot.ratelimit import Limiter
from bot.whatsapp.parse import Inbound
from bot.whatsapp.render import Out, render

log = logging.getLogger(__name__)

SEEN = 10_000  # message ids remembered against Meta's repeated deliveries
QUEUE = 50  # messages one number may have waiting; the rate limit drops a flood long before
# The country calling code of a number as a first guess at the language, until the person writes or chooses one.
CALLING_CODES = {"963": "ar", "964": "ar", "962": "ar", "961": "ar", "20": "ar", "212": "ar", "216": "ar",
                 "218": "ar", "249": "ar", "93": "fa", "98": "fa", "380": "uk", "7": "ru", "375": "ru",
                 "90": "tr", "33": "fr", "224": "fr", "225": "fr", "221": "fr", "291": "ti", "251": "ti",
                 "252": "so", "44": "en", "1": "en", "49": "de", "43": "de", "41": "de"}

Answer = Callable[[Incoming], Awaitable[Reply]]
After = Callable[[Incoming, Reply], Awaitable[None]]
Send = Callable[[str, list[Out]], Awaitable[None]]
Preset = Callable[[Incoming], Reply | None]  # a volunteer's link (bot/whatsapp/links.py) answered, or None
OnFile = Callable[[Inbound], Awaitable[Reply | None]]  # an image or document kept for the team, or None
Record = Callable[[str, list[Any], int], None]  # message id, the reply's messages as JSON values, how many went


def outs_of(recorded: list[Any]) -> list[Out]:
    """Messages recorded as JSON values (`asdict`) back as they were."""
    return [Out(**{**value, "choices": tuple(tuple(c) for c in value.get("choices", ()))}) for value in recorded]


def user_id(number: str) -> str:
    """The engine's user id of a WhatsApp number (hashed by the session store before it is kept)."""
    return "wa:" + number


def lang_hint(number: str) -> str | None:
    """The language most people with the number's country code write, as a hint (the text decides)."""
    for length in (3, 2, 1):
        if (lang := CALLING_CODES.get(number[:length])) is not None:
            return lang
    return None


def incoming_of(inbound: Inbound) -> Incoming | None:
    """What the engine should answer, or None for something only the channel answers (voice, photos)."""
    who, hint = user_id(inbound.number), lang_hint(inbound.number)
    if inbound.location is not None:
        return Incoming(who, location=inbound.location, lang_hint=hint)
    if inbound.button is not None:
        return Incoming(who, button=inbound.button[:64], lang_hint=hint)
    if inbound.text is not None:
        return Incoming(who, text=inbound.text, lang_hint=hint)  # a typed "/forget" is read by the engine
    return None


def please_write(lang: str, voice: bool) -> Reply:
    """The kind answer to a voice note, photo or sticker: Lotse reads words."""
    with i18n.use(lang):
        text = (_("I cannot listen to voice messages yet. Please write your question in a few words, "
                  "or share your location.") if voice else
                _("I can only read text. Please write your question in a few words, or share your location."))
        return Reply([Message(text, [Button(_("Share my location"), ShareLocation())])], lang, rtl=i18n.is_rtl())


def too_fast(lang: str) -> Reply:
    with i18n.use(lang):
        return Reply([Message(_("You are sending messages faster than I can answer. "
                                "Please wait a minute, then write again."))], lang, rtl=i18n.is_rtl())


class Channel:
    """Queues per number; `accept` is all the webhook calls."""

    def __init__(self, answer: Answer, send: Send, limiter: Limiter, lang_of: Callable[[str], str],
                 after: After | None = None, preset: Preset | None = None) -> None:
        self.answer, self.send, self.limiter, self.lang_of, self.after = answer, send, limiter, lang_of, after
        self.preset = preset
        self.on_file: OnFile | None = None  # set when the team inbox runs (bot/whatsapp/files.py)
        self.queues: dict[str, asyncio.Queue[tuple[Inbound, asyncio.Future[bool]]]] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.warned: set[str] = set()  # numbers told that they write too fast, until they may again
        self.record: Record | None = None  # set with several instances: the reply is recorded as it goes out
        self.replays: dict[str, tuple[list[Out], int]] = {}  # message id -> what a stopped instance left unsent

    def accept(self, inbound: Inbound) -> asyncio.Future[bool] | None:
        """Queue one message for its number (or drop it: a repeat, a reaction, or beyond the number's limit); the
        future says when it was handled: True when answered, False when it failed (the webhook answers then)."""
        if inbound.message_id in self.seen or inbound.reaction is not None:
            return None
        self.seen[inbound.message_id] = None
        if len(self.seen) > SEEN:
            self.seen.popitem(last=False)
        number = inbound.number
        if not self.limiter.take(number):
            if number in self.warned:
                return None
            self.warned.add(number)
            inbound = Inbound(number, inbound.message_id, media="too_fast")
        else:
            self.warned.discard(number)
        queue = self.queues.setdefault(number, asyncio.Queue(QUEUE))
        if queue.full():
            return None
        handled: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        queue.put_nowait((inbound, handled))
        if number not in self.tasks:
            self.tasks[number] = asyncio.create_task(self._drain(number), name=f"whatsapp {number[-4:]}")
        return handled

    def forget(self, message_id: str) -> None:
        """A message that failed: its next delivery (Meta's retry) is handled, not taken for a repeat."""
        self.seen.pop(message_id, None)

    async def _drain(self, number: str) -> None:
        queue = self.queues[number]
        try:
            while not queue.empty():
                inbound, handled = queue.get_nowait()
                ok = await self._handle(inbound, handled)
                if not handled.done():
                    handled.set_result(ok)
        finally:
            del self.tasks[number]
            if queue.empty():
                del self.queues[number]
            else:  # cancelled on shutdown: what still waits was not handled
                while not queue.empty():
                    _inbound, handled = queue.get_nowait()
                    if not handled.done():
                        handled.set_result(False)

    async def _handle(self, inbound: Inbound, handled: asyncio.Future[bool] | None = None) -> bool:
        """Answer one message; `handled` is set as soon as the answer is sent (before the work that follows it)."""
        replay = self.replays.pop(inbound.message_id, None)
        if replay is not None:  # answered by an instance that died while sending: the rest of that, not anew
            try:
                await self._send_recorded(inbound, *replay)
            except Exception:
                log.exception("whatsapp: the rest of a reply could not be sent")
                return False
            return True
        try:
            incoming = incoming_of(inbound)
            if incoming is not None and inbound.message_id:
                incoming = replace(incoming, delivery="whatsapp:" + inbound.message_id)
            if incoming is None and self.on_file is not None and inbound.media in ("image", "document"):
                kept = await self.on_file(inbound)
                if kept is not None:
                    await self.send(inbound.number, render(kept))
                    return True
            if incoming is None:
                lang = self.lang_of(inbound.number)
                reply = too_fast(lang) if inbound.media == "too_fast" else please_write(lang, inbound.media == "voice")
                await self.send(inbound.number, render(reply))
                return True
            preset = self.preset(incoming) if self.preset is not None and incoming.text else None
            reply = preset if preset is not None else await self.answer(incoming)
            if self.record is not None and reply.handoff is None:
                await self._send_recorded(inbound, render(reply), 0)
            else:  # a handoff step follows the reply (after): answered anew by a retry, it is taken again
                await self.send(inbound.number, render(reply))
        except Exception:  # one failed message must not stop the number's queue, nor anyone else's
            log.exception("whatsapp: a message could not be answered")
            return False
        if handled is not None and not handled.done():
            handled.set_result(True)
        try:
            if self.after is not None:
                await self.after(incoming, reply)
        except Exception:  # answered: a repeat of the delivery must not answer it again
            log.exception("whatsapp: a handoff step could not be passed on")
        return True

    async def _send_recorded(self, inbound: Inbound, outs: list[Out], start: int) -> None:
        """Send outs[start:], each confirmed in the record after it went (the first recorded before it goes)."""
        values = [asdict(out) for out in outs]
        self._note(inbound.message_id, values, start)
        for i in range(start, len(outs)):
            await self.send(inbound.number, [outs[i]])
            if i + 1 < len(outs):
                self._note(inbound.message_id, values, i + 1)

    def _note(self, message_id: str, values: list[Any], sent: int) -> None:
        if self.record is None:
            return
        try:
            self.record(message_id, values, sent)
        except Exception:  # the database is away: the reply still goes out, only a takeover would send it anew
            log.warning("whatsapp: could not record how far a reply went", exc_info=True)

    async def close(self) -> None:
        """Cancel what is still queued (on shutdown)."""
        for task in list(self.tasks.values()):
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)

    async def idle(self) -> None:
        """Until every queue is empty (tests and the benchmark wait on this, not on the clock)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks.values()), return_exceptions=True)
