"""Lookups for transports beside the conversation: offers for a one-line query (Telegram inline mode).

Plain Python over the engine's parts (no telegram imports); it never changes what the conversation remembers
(/place is a button of the engine's, which owns the session).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.engine.conversation import Conversation
from bot.engine.deeplinks import decode, find_place
from bot.engine.listing import MAX_DISTANCE_KM
from bot.engine.models import PlaceOut, place_out
from bot.geo.distance import Point


@dataclass
class Lookup:
    """What a query found: the topic, the place searched around, and the nearest offers."""

    intent: str | None = None
    place_name: str | None = None
    point: Point | None = None
    places: list[PlaceOut] = field(default_factory=list)


def lookup(engine: Conversation, query: str, user_id: str, lang: str, n: int = 5) -> Lookup:
    """Offers for a query such as 'kita lünen' or a deep-link payload 'kita_Luenen' ('share this' uses it)."""
    from bot.offers.store import nearest

    query = query.strip()[:200]
    result = Lookup()
    preset = decode(query, engine.intents)
    if preset.topic:
        result.intent = preset.topic
        place = find_place(engine, preset.place) if preset.place else None
    else:
        understanding = engine.nlu.understand(query, lang_hint=lang) if query else None
        if understanding is not None and understanding.intent not in engine.small_talk:
            result.intent = understanding.intent
        place = understanding.place if understanding is not None else None
    if place is not None:
        result.place_name, result.point = place.name, place.point
    else:
        session = engine.sessions.load(user_id)
        if session.lat is not None and session.lon is not None:
            result.place_name, result.point = session.place_name, Point(session.lat, session.lon)
    if result.intent is None or result.intent not in engine.intents or result.point is None:
        return result
    categories = list(engine.intents[result.intent].categories)
    hits = nearest(engine.offers, categories, result.point, n, radius_km=MAX_DISTANCE_KM)
    result.places = [place_out(hit, lang) for hit in hits]
    return result
