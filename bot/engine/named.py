"""A message that names offers by their own words: "Kleiderkammer in Kamen", "St. Martin Kamen", "ملابس مجانية في كامن".

The words of the message without its place are looked up among the offers' names and keywords
(bot/offers/named.py). Inside a topic's answer the topic's offers a message names come first ("Kleiderkammer in
Kamen" lists "Kleiderkammer St. Martin" before other food and clothes offers nearer by); when no topic fits, the
offers it names, of any kind and also by words of their descriptions, are the answer instead of "I saved your
location".
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from bot import i18n
from bot.engine.actions import Menu
from bot.engine.listing import MAX_DISTANCE_KM
from bot.engine.models import Button, Incoming, Message, Reply, place_out
from bot.engine.sessions import Session
from bot.engine.states import IDLE
from bot.geo.distance import Point
from bot.i18n import _
from bot.nlu.normalise import normalise
from bot.offers.model import OfferHit
from bot.offers.named import ALL, NAMES, named_nearby, words_of

if TYPE_CHECKING:
    from bot.engine.conversation import Conversation

_WORD = re.compile(r"\w+")


def words(engine: Conversation, text: str) -> list[str]:
    """The words of a message that may name an offer: as typed (the offers' index folds them itself), without
    the words of the place it names ("Kamen" is in the address of every offer there, not in its name)."""
    found = engine.nlu.places.find(text)
    place = set(normalise(text).split()[found.start:found.end]) if found else set()
    return words_of(" ".join(w for w in _WORD.findall(text) if normalise(w) not in place))


def first(engine: Conversation, session: Session, intent: str, named: list[str]) -> list[OfferHit]:
    """The real offers of the topic near the session's place that the words name (by name or keywords).

    Only the topic's own offers: "Beratung in Unna" must not put a "Beratung bei Gewalt" first into the answer
    about migration counselling; a named offer of another kind is found when no topic fits. And no example data:
    "Migrationsberatung in Heinsberg" must not put the demo's "Migrationsberatung Heinsberg (Beispiel)" before the
    real integration centre nearer by, which the topic's nearest offers show anyway."""
    categories = engine.intents[intent].categories if intent in engine.intents else ()
    if not named or not categories or session.lat is None or session.lon is None:
        return []
    return named_nearby(engine.db, named, Point(session.lat, session.lon), MAX_DISTANCE_KM, engine.results, NAMES,
                        categories, real_only=True)


def answer(engine: Conversation, incoming: Incoming, session: Session, named: list[str],
           out_of_scope: bool) -> Reply | None:
    """The offers a message names when no topic fits it, or None. A message clearly out of scope ("Fußball in
    Unna") may still name an offer, but only by its name or keywords, never by a word of a description."""
    if not named or session.lat is None or session.lon is None:
        return None
    hits = named_nearby(engine.db, named, Point(session.lat, session.lon), MAX_DISTANCE_KM, engine.results,
                        NAMES if out_of_scope else ALL)
    if not hits:
        return None
    session.state, session.pending_intent = IDLE, None
    engine.sessions.save(incoming.user_id, replace(session))
    place = i18n.isolate(session.place_name or _("you"))
    heading = i18n.ngettext("I found {n} offer near {place}:", "I found {n} offers near {place}:", len(hits))
    message = Message(heading.format(n=i18n.format_number(len(hits), 0), place=place), [Button(_("Topics"), Menu())],
                      [place_out(h, i18n.current()) for h in hits])
    return Reply([message], i18n.current(), session.last_intent, rtl=i18n.is_rtl())
