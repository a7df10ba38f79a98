"""Lookups for transports beside the conversation: offers for a one-line query (Telegram inline mode), and
setting a person's home town from a typed name (/place).

Plain Python over the engine's parts (no telegram imports); neither changes what the conversation remembers
unless it is meant to (`set_place`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot import i18n
from bot.engine.conversation import Conversation
from bot.engine.deeplinks import decode, find_place
from bot.engine.listing import MAX_DISTANCE_KM
from bot.engine.models import Incoming, Message, PlaceOut, Reply, place_out
from bot.geo.distance import Point
from bot.i18n import _


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
    hits = nearest(engine.db, categories, result.point, n, radius_km=MAX_DISTANCE_KM)
    result.places = [place_out(hit, lang) for hit in hits]
    return result


def set_place(engine: Conversation, user_id: str, text: str, lang_hint: str | None = None) -> Reply | None:
    """Save a typed town or postcode as the person's place and continue their topic; None if no place."""
    place = find_place(engine, text) or engine.nlu.understand(text, lang_hint=lang_hint).place
    if place is None:
        return None
    session = engine.sessions.load(user_id)
    session.place_name, session.lat, session.lon = place.name, place.point.lat, place.point.lon
    engine.sessions.save(user_id, session)
    if session.last_intent and session.last_intent not in engine.small_talk and session.last_intent in engine.intents:
        return engine.handle(Incoming(user_id, button=f"t:{session.last_intent}", lang_hint=lang_hint))
    lang = session.lang or i18n.normalise_lang(lang_hint) or engine.default_lang
    with i18n.use(lang):
        message = Message(_("Thank you, I saved your location. What are you looking for?"), engine.menu_buttons())
        return Reply([message], i18n.current(), session.last_intent, rtl=i18n.is_rtl())
