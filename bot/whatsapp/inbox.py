"""The team inbox's replies on WhatsApp, and WhatsApp's 24-hour window.

The Cloud API takes free-form messages only within 24 hours of the person's last message. Later, only an
approved template may go out ("You have an answer from the team – tap to read", configured by name with
WHATSAPP_TEMPLATE): the reply itself then waits in the database and is sent as soon as the person writes or
taps, which opens the window again.
"""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bot.engine.handoff_store import Handoff
from bot.inbox import UNSENT, Deliver, Inbox
from bot.web.keys import ENGINE, INBOX
from bot.whatsapp.render import Out, tappable_text
from bot.whatsapp.sender import Sender, outside_window

WINDOW = timedelta(hours=24)
MARGIN = timedelta(minutes=5)  # a reply a moment before the window closes might arrive after it


def window_open(inbox: Inbox, handoff: Handoff) -> bool:
    """May a free-form message (text or file) go to the person of this handoff now?"""
    route = inbox.store.address(handoff.number)
    return route is not None and inbox.clock() - route[1] < WINDOW - MARGIN


def deliverer(inbox: Inbox, sender: Sender) -> Deliver:
    """Send a team reply to the person of a handoff: as text in the window, else the template (and keep it)."""

    async def deliver(handoff: Handoff, text: str) -> bool:
        route = inbox.store.address(handoff.number)
        if route is None:
            return False
        number, last = route
        if inbox.clock() - last < WINDOW - MARGIN:
            try:
                await sender.send_one(number, Out("text", "💬 " + tappable_text(text)))
                return True
            except Exception as err:
                if not outside_window(err):
                    raise
        waiting = [p for p in inbox.handoffs.store.pending(handoff.user_key) if p.kind == UNSENT]
        if not waiting:  # one template tells them; the replies after it wait with the first
            await sender.send_template(number, handoff.lang)
        return False

    return deliver


async def reachable_again(app: web.Application, user_id: str, number: str) -> None:
    """The person wrote (or tapped the template): the window is open, send what waited for it."""
    inbox = app.get(INBOX)
    if inbox is None:
        return
    engine = app[ENGINE]
    handoff = engine.handoff.store.open_for(engine.sessions.key(user_id))
    if handoff is None:
        return
    inbox.store.route(handoff.number, number, inbox.clock())
    await inbox.flush(handoff.number)
