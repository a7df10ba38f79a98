"""An engine Reply as WhatsApp messages: text with tappable numbers, reply buttons or lists, a location request.

WhatsApp's limits shape it: at most 3 reply buttons (titles up to 20 characters), or a list of at most 10 rows
(titles up to 24) behind one button; an interactive body up to 1024 characters, a text up to 4096. Buttons that
do not fit as reply buttons become lists, and a long menu becomes several lists. Numbers are written as
"+492361502012" (no spaces): WhatsApp links them for a tap, and in right-to-left text no groups are reordered.
Pure functions: the sender (bot/whatsapp/sender.py) turns these dataclasses into pywa calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import i18n
from bot.engine.actions import Language, ShareLocation, Topic
from bot.engine.models import Button, Message, PlaceOut, Reply, merged
from bot.engine.phones import dialable_text, tel_uri
from bot.i18n import _

MAX_BUTTONS = 3
MAX_ROWS = 10
BUTTON_TITLE = 20
ROW_TITLE = 24
MAX_BODY = 1024
MAX_TEXT = 4096


@dataclass(frozen=True)
class Out:
    """One WhatsApp message: `kind` is text, buttons, list, location_request or location."""

    kind: str
    text: str
    choices: tuple[tuple[str, str], ...] = ()  # (data, title)
    list_label: str = ""
    lat: float = 0.0
    lon: float = 0.0
    address: str = ""


def tappable(number: str) -> str:
    """'02361 / 50 20 12' -> '+492361502012'; service numbers stay short ('116117', '112')."""
    return tel_uri(number).removeprefix("tel:")


def tappable_text(text: str) -> str:
    """The text with every phone number in its tappable form, unwrapped from bidi isolates."""
    return dialable_text(text)


def osm_url(lat: float, lon: float) -> str:
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}"


def place_text(place: PlaceOut) -> str:
    """One offer: name and distance, address with a map link, phone, website, hours, and where it comes from."""
    far = ("≈ " if place.approximate else "") + i18n.format_distance(place.distance_km)
    lines = [f"*{i18n.isolate(place.name)}* · {far}"]
    if place.address:
        lines.append("📍 " + i18n.isolate(place.address))
    if place.lat or place.lon:
        lines.append(osm_url(place.lat, place.lon))
    if place.phone:
        lines.append("☎ " + tappable(place.phone))
    if place.url:
        lines.append("🌐 " + place.url)
    if place.hours:
        lines.append("🕒 " + i18n.isolate(place.hours))
    if place.appointment:
        lines.append("📅 " + _("By appointment only"))
    notes = [label for flag, label in ((place.example, _("Example data")),
                                       (place.approximate, _("Location approximate"))) if flag]
    if place.source and not place.example:
        notes.append(_("Source") + ": " + i18n.isolate(" ".join(p for p in (place.source, place.source_date) if p)))
    if notes:
        lines.append("_" + " · ".join(notes) + "_")
    return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pieces(text: str, limit: int) -> list[str]:
    """A long text in pieces below the limit, cut between paragraphs (or lines, or hard as a last resort)."""
    pieces: list[str] = []
    current = ""
    for block in text.split("\n"):
        while len(block) > limit:
            pieces.extend([current] if current else [])
            current = ""
            pieces.append(block[:limit])
            block = block[limit:]
        candidate = f"{current}\n{block}" if current else block
        if len(candidate) > limit:
            pieces.append(current)
            current = block
        else:
            current = candidate
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def _list_label(buttons: list[Button]) -> str:
    if all(isinstance(b.action, Language) for b in buttons):
        return "🌐"
    if any(isinstance(b.action, Topic) for b in buttons):
        return _cut("☰ " + _("Topics"), BUTTON_TITLE)
    return "☰"


def interactive(body: str, buttons: list[Button]) -> list[Out]:
    """The body with its buttons: reply buttons when they fit, else lists of at most 10 rows."""
    choices = [(b.data, b.label) for b in buttons]
    if len(choices) <= MAX_BUTTONS and all(len(title) <= BUTTON_TITLE for _d, title in choices):
        return [Out("buttons", body, tuple(choices))]
    label = _list_label(buttons)
    outs: list[Out] = []
    for start in range(0, len(choices), MAX_ROWS):
        page = tuple((data, _cut(title, ROW_TITLE)) for data, title in choices[start:start + MAX_ROWS])
        outs.append(Out("list", body if start == 0 else "…", page, list_label=label))
    return outs


def message_outs(message: Message) -> list[Out]:
    """One engine message as WhatsApp messages."""
    blocks = [tappable_text(message.text)] if message.text.strip() else []
    blocks.extend(place_text(place) for place in message.places)
    text = "\n\n".join(blocks)
    asks_location = any(isinstance(b.action, ShareLocation) for b in message.buttons)
    buttons = [b for b in message.buttons if not isinstance(b.action, ShareLocation)]
    pieces = _pieces(text, MAX_TEXT) if text else []
    if not buttons and not asks_location:
        return [Out("text", piece) for piece in pieces]
    # The buttons go under the last piece when it fits an interactive body, else under a short line of their own.
    last = pieces.pop() if pieces and len(pieces[-1]) <= MAX_BODY else "⬇"
    outs = [Out("text", piece) for piece in pieces]
    if buttons:
        outs.extend(interactive(last, buttons))
        last = "📍 " + _("Share my location")
    if asks_location:
        outs.append(Out("location_request", last))
    return outs


def render(reply: Reply) -> list[Out]:
    """Every WhatsApp message of a reply, in order, in the reply's language."""
    with i18n.use(reply.lang):
        return [out for message in merged(reply.messages) for out in message_outs(message)]
