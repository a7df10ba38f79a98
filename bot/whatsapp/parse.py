"""What a webhook delivery from the WhatsApp Cloud API says: the people's messages in it, nothing else.

Meta posts `{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {...}}]}]}`; a value holds
`messages` (what people sent) or `statuses` (sent, delivered, read: Lotse ignores those). Parsed by hand because
it is small and stable, and because Lotse wants plain dataclasses it can queue, not a framework's objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.geo.distance import Point

MAX_TEXT = 4096  # WhatsApp's own limit; a longer body is not a person's message


@dataclass(frozen=True)
class Inbound:
    """One message from a person: text, a pressed button or list row, a location, or something Lotse cannot read."""

    number: str  # the WhatsApp id (the phone number, digits only)
    message_id: str
    text: str | None = None
    button: str | None = None
    location: Point | None = None
    media: str | None = None  # "voice", "image", "document" ...: answered with "please write"
    reaction: str | None = None  # an emoji put on one of Lotse's messages
    media_id: str | None = None  # of an image or document: fetched for the team during a handoff
    filename: str | None = None  # of a document, as the person's phone named it


def messages(update: Any) -> list[Inbound]:
    """Every message of a delivery, in order; anything malformed is skipped, never raised."""
    if not isinstance(update, dict) or update.get("object") != "whatsapp_business_account":
        return []
    found: list[Inbound] = []
    for entry in _list(update.get("entry")):
        for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict):
                found.extend(m for raw in _list(value.get("messages")) if (m := _message(raw)) is not None)
    return found


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _message(raw: Any) -> Inbound | None:
    if not isinstance(raw, dict):
        return None
    number, message_id, kind = raw.get("from"), raw.get("id"), raw.get("type")
    if not isinstance(number, str) or not number.isdigit() or not isinstance(message_id, str):
        return None
    content = raw.get(kind) if isinstance(kind, str) else None
    content = content if isinstance(content, dict) else {}
    if kind == "text" and isinstance(body := content.get("body"), str) and len(body) <= MAX_TEXT:
        return Inbound(number, message_id, text=body)
    if kind == "interactive":
        reply = content.get(str(content.get("type")))
        if isinstance(reply, dict) and isinstance(data := reply.get("id"), str):
            return Inbound(number, message_id, button=data[:256])
        return None
    if kind == "button" and isinstance(payload := content.get("payload"), str):  # a template's quick reply
        return Inbound(number, message_id, button=payload[:256])
    if kind == "location":
        return _location(number, message_id, content)
    if kind == "reaction":
        emoji = content.get("emoji")
        return Inbound(number, message_id, reaction=emoji) if isinstance(emoji, str) and emoji else None
    if kind in ("audio", "voice"):
        return Inbound(number, message_id, media="voice")
    if kind in ("image", "document") and isinstance(media_id := content.get("id"), str):
        filename = content.get("filename")
        return Inbound(number, message_id, media=kind, media_id=media_id[:128],
                       filename=filename[:200] if isinstance(filename, str) else None)
    if isinstance(kind, str) and kind not in ("system", "unsupported", "ephemeral"):
        return Inbound(number, message_id, media=kind)  # image, document, sticker, video, contacts ...
    return None


def _location(number: str, message_id: str, content: dict[str, Any]) -> Inbound | None:
    try:
        lat, lon = float(content["latitude"]), float(content["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Inbound(number, message_id, location=Point(lat, lon))
