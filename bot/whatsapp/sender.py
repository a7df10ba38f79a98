"""Sending on WhatsApp through pywa's async client, pointed at WHATSAPP_API_BASE_URL.

pywa builds the Cloud API's message bodies (reply buttons, lists, location requests, templates) and turns its
error answers into typed exceptions; Lotse hands it its own httpx client, whose base URL is Meta's Graph API or,
in tests and `lotse bench`, the fake one on 127.0.0.1 (bot/bench/fakegraphapi.py).
"""

from __future__ import annotations

import logging

import httpx
from pywa.types.callback import Button, Section, SectionList, SectionRow
from pywa.types.templates import TemplateLanguage
from pywa_async.client import WhatsApp
from pywa_async.errors import WhatsAppError

from bot.config import WhatsAppConfig
from bot.ratelimit import Limiter, pace
from bot.store import Store
from bot.store.ratelimit import limiter
from bot.whatsapp.render import Out

log = logging.getLogger(__name__)
# httpx logs every request at INFO: one line per message sent would drown the server's own log.
logging.getLogger("httpx").setLevel(logging.WARNING)

#: The Cloud API's throughput for one business phone number (messages a second, all kinds together); beyond it Meta
#: answers with error 130429 and drops the message.
PER_SECOND = 80
OUTSIDE_WINDOW = 131047  # the Cloud API's error for a free-form message more than 24 hours after the person wrote


class Sender:
    """One pywa client for the lifetime of the server."""

    def __init__(self, config: WhatsAppConfig, limit: Limiter | None = None) -> None:
        self.config = config
        self.limit = limit or send_limit(None)
        self.session = httpx.AsyncClient(timeout=httpx.Timeout(20.0, connect=5.0))
        self.client = WhatsApp(phone_id=config.phone_id, token=config.token, session=self.session, server=None)
        # pywa sets Meta's URL on the session it is given; the configured one (a fake in tests) wins.
        self.session.base_url = httpx.URL(config.api_base_url + "/")

    async def close(self) -> None:
        await self.session.aclose()

    async def send(self, number: str, outs: list[Out]) -> None:
        """Send the messages in order (each waits for the one before: WhatsApp keeps that order then)."""
        for out in outs:
            await self.send_one(number, out)

    async def send_one(self, number: str, out: Out) -> None:
        await pace(self.limit, self.config.phone_id)
        wa = self.client
        if out.kind == "text":
            await wa.send_message(to=number, text=out.text)
        elif out.kind == "buttons":
            buttons = [Button(title=title, callback_data=data) for data, title in out.choices]
            await wa.send_message(to=number, text=out.text, buttons=buttons)
        elif out.kind == "list":
            rows = [SectionRow(title=title, callback_data=data) for data, title in out.choices]
            await wa.send_message(to=number, text=out.text, buttons=SectionList(
                button_title=out.list_label, sections=[Section(title="", rows=rows)]))
        elif out.kind == "location_request":
            await wa.request_location(to=number, text=out.text)
        elif out.kind == "location":
            await wa.send_location(to=number, latitude=out.lat, longitude=out.lon, name=out.text,
                                   address=out.address or None)

    async def send_template(self, number: str, lang: str) -> None:
        """The approved template that says the team has answered (the only message allowed after 24 hours), in
        the person's language when it is approved in it."""
        await pace(self.limit, self.config.phone_id)
        await self.client.send_template(to=number, name=self.config.template,
                                        language=TemplateLanguage(self.config.template_lang(lang)))

    async def mark_read(self, message_id: str) -> None:
        """Blue ticks: the person sees that Lotse got the message (failures do not matter)."""
        try:
            await self.client.mark_message_as_read(message_id=message_id)
        except (WhatsAppError, httpx.HTTPError) as err:
            log.debug("mark as read failed: %s", err)


def send_limit(store: Store | None) -> Limiter:
    """The phone number's throughput, counted by every instance together on PostgreSQL."""
    return limiter(store, "whatsapp-send", PER_SECOND, PER_SECOND * 60)


def outside_window(err: Exception) -> bool:
    """True when the Cloud API refused a message because the person's 24-hour window has closed."""
    return isinstance(err, WhatsAppError) and err.code == OUTSIDE_WINDOW
