"""The web chat's JSON: how an engine Reply looks to the page (the shape DESIGN.md gives `POST /api/chat`).

The engine answers with a Reply (bot/engine/models.py) and knows nothing of JSON; the page's shape lives here,
beside the view that sends it. Every phone number of a text comes with the `tel:` URI that dials it, so the page
links it (bot/engine/phones.py finds them).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from markupsafe import Markup, escape

from bot.engine.actions import (
    AskPlace,
    Feedback,
    Forget,
    Help,
    Language,
    LanguagePicker,
    Menu,
    More,
    ShareLocation,
    Start,
    StopHandoff,
    Topic,
    encode,
)
from bot.engine.models import Button, Message, PlaceOut, Reply
from bot.engine.phones import phones_in, tel_uri
from bot.i18n import LANGUAGES


def reply_json(reply: Reply) -> dict[str, Any]:
    """The answer of `POST /api/chat`."""
    return {
        "messages": [message_json(m) for m in reply.messages],
        "lang": reply.lang,
        "rtl": reply.rtl,
        # True while the team answers in this chat: the page then listens for their replies.
        "handoff": reply.handoff is not None and not reply.handoff.ended,
    }


def message_json(message: Message) -> dict[str, Any]:
    """One message: its text, buttons (label and data), places and the phone numbers in its text."""
    return {
        "text": message.text,
        "buttons": [button_json(b) for b in message.buttons],
        "places": [place_json(p) for p in message.places],
        "phones": phones_json(message.text),
    }


#: What a button does, as the page reads it (it sends `data` back as it is and never parses it).
KINDS: dict[type, str] = {
    Topic: "topic", More: "more", Feedback: "feedback", Language: "language", LanguagePicker: "languages",
    Menu: "menu", Help: "about", AskPlace: "place", ShareLocation: "location", Forget: "forget", StopHandoff: "stop",
    Start: "start",
}


def button_json(button: Button) -> dict[str, Any]:
    """A button: its label, its data (sent back when pressed) and its kind; a language button says which
    language (the page switches its own texts), a feedback button whether it is 👍."""
    out: dict[str, Any] = {"label": button.label, "data": button.data, "kind": KINDS[type(button.action)]}
    match button.action:
        case Language(code):
            out["lang"] = code
        case Feedback(helpful=helpful):
            out["helpful"] = helpful
    return out


def page_buttons() -> dict[str, Any]:
    """The data of the page's own buttons: its language list (each language's) and its 🗑 (forget)."""
    return {"languages": {code: encode(Language(code)) for code in LANGUAGES}, "forget": encode(Forget())}


def stop_json() -> str:
    """The data of "end the chat with the team", for a page that finds its chat with the team still open."""
    return encode(StopHandoff())


def phones_json(text: str) -> list[dict[str, str]]:
    """Every phone number of a text, as written there, with the `tel:` URI that dials it (staff replies too)."""
    return [asdict(phone) for phone in phones_in(text)]


def phone_links(text: str) -> Markup:
    """The text, escaped, with each phone number a `tel:` link (a Jinja filter of the team inbox)."""
    parts: list[str] = []
    at = 0
    for phone in phones_in(text):
        start = text.find(phone.text, at)
        if start < 0:
            continue
        parts += [escape(text[at:start]), Markup('<a href="{}">{}</a>').format(phone.tel, phone.text)]
        at = start + len(phone.text)
    parts.append(escape(text[at:]))
    return Markup("").join(parts)


def place_json(place: PlaceOut) -> dict[str, Any]:
    return {"name": place.name, "address": place.address, "distance_km": round(place.distance_km, 2),
            "lat": place.lat, "lon": place.lon, "phone": place.phone or None, "url": place.url or None,
            "example": place.example, "approximate": place.approximate, "hours": place.hours or None,
            "appointment": place.appointment, "tel": tel_uri(place.phone) if place.phone else None,
            "source": place.source or None, "source_date": place.source_date or None,
            "attribution": place.attribution or None}
