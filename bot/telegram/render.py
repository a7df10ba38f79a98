"""Render engine messages as Telegram HTML: escaped, split below 4096 characters, right-to-left aware.

Every piece of text from the engine or the offer database is escaped here and nowhere else. Latin fragments
(names, addresses, links) inside Arabic, Farsi/Dari or Pashto text are wrapped in Unicode isolates, and each line
of a right-to-left message starts with a right-to-left mark, so that a line beginning with a German name still
lines up on the right. Phone numbers are written so the Telegram apps offer to call them (bot/engine/phones.py):
"+49 2361 502012", "116117", never inside an isolate.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from bot import i18n
from bot.engine.models import Message, PlaceOut
from bot.engine.phones import tappable, tappable_text
from bot.i18n import _

MAX_LEN = 4096  # Telegram's limit for one message (counted after entities; the raw HTML is a safe bound)
SAFE_LEN = 4000


def esc(text: str) -> str:
    """HTML-escape text for Telegram (quotes too, since text also lands in attributes)."""
    return html.escape(text, quote=True)


def osm_url(lat: float, lon: float) -> str:
    """An OpenStreetMap link with a marker on the point."""
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}"


def _line(text: str, rtl: bool) -> str:
    return (i18n.RLM + text) if rtl and text and not text.startswith(i18n.RLM) else text


def source_host(source: str) -> str:
    """The web site a source URL points to ('www.kreis-re.de'), or the source text itself (also for a URL that
    does not parse, such as 'https://[::1': one bad stored source must not break every answer that lists it)."""
    if not source.startswith("http"):
        return source
    try:
        return urlsplit(source).netloc or source
    except ValueError:
        return source


def place_block(place: PlaceOut, rtl: bool) -> str:
    """One offer: name and distance, the address linked to the map, phone and website."""
    iso = i18n.isolate
    # An offer placed at its postcode's centre is only roughly that far: say so with "≈".
    far = ("≈ " if place.approximate else "") + i18n.format_distance(place.distance_km)
    lines = [f"<b>{esc(iso(place.name))}</b> · {esc(far)}"]
    where = place.address or _("Map")
    if place.lat or place.lon:
        lines.append(f'📍 <a href="{esc(osm_url(place.lat, place.lon))}">{esc(iso(where))}</a>')
    elif place.address:
        lines.append("📍 " + esc(iso(place.address)))
    if place.phone:
        lines.append("☎ " + esc(tappable(place.phone, rtl)))
    if place.url:
        lines.append("🌐 " + esc(iso(place.url)))
    if place.hours:
        lines.append("🕒 " + esc(iso(place.hours)))
    if place.appointment:
        lines.append("📅 " + esc(_("By appointment only")))
    notes = [label for flag, label in ((place.example, _("Example data")),
                                       (place.approximate, _("Location approximate"))) if flag]
    if place.source and not place.example:
        # Real contact points show where their facts come from, and how old that page is.
        origin = " ".join(part for part in (source_host(place.source), place.source_date) if part)
        notes.append(_("Source") + ": " + iso(origin))
    if place.attribution:
        notes.append(iso(place.attribution))  # the credit OpenStreetMap's licence asks for
    if notes:
        lines.append("<i>" + esc(" · ".join(notes)) + "</i>")
    return "\n".join(_line(line, rtl) for line in lines)


def _split_plain(text: str, limit: int) -> list[str]:
    """Cut a long plain paragraph at spaces (or hard, for a run without spaces) so each escaped piece fits."""
    if len(text) * 6 <= limit or len(esc(text)) <= limit:  # the usual case: it fits (escaping grows text <= 6x)
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    size = -1  # escaped length of " ".join(current)
    for word in text.split(" "):
        while len(esc(word)) > limit:  # one enormous "word": cut it hard
            head, word = word[: limit // 6], word[limit // 6:]
            if current:
                pieces.append(" ".join(current))
                current, size = [], -1
            pieces.append(head)
        width = len(esc(word))
        if current and size + 1 + width > limit:
            pieces.append(" ".join(current))
            current, size = [], -1
        current.append(word)
        size += 1 + width
    if current:
        pieces.append(" ".join(current))
    return pieces


def pack(blocks: list[str], limit: int = SAFE_LEN) -> list[str]:
    """Join HTML blocks with blank lines into as few messages as fit the limit, never splitting a block."""
    chunks: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) > limit and current:
            chunks.append(current)
            current = block
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def text_blocks(text: str, rtl: bool, limit: int = SAFE_LEN) -> list[str]:
    """Escaped paragraphs of a plain text, each below the limit."""
    blocks: list[str] = []
    for paragraph in tappable_text(text, rtl).split("\n"):
        if not paragraph.strip():
            continue
        for piece in _split_plain(paragraph, limit - 2):
            blocks.append(_line(esc(piece), rtl))
    return blocks


def render(message: Message, rtl: bool | None = None) -> list[str]:
    """The message as one or more HTML texts, each below 4096 characters (empty list for an empty message)."""
    rtl = i18n.is_rtl() if rtl is None else rtl
    blocks = text_blocks(message.text, rtl)
    blocks.extend(place_block(place, rtl) for place in message.places)
    return pack(blocks)
