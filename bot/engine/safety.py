"""Safety first in the reply: when an emergency or violence is plausible, the numbers to call come before anything
else, whatever topic also wins; for someone who may take their own life the crisis lines follow right after."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.engine import listing
from bot.engine.models import Message, Reply
from bot.offers.model import Offer
from bot.offers.store import national_offers

if TYPE_CHECKING:
    from bot.engine.engine import Engine

CRISIS = "mental_health"  # the offer category of the crisis lines shown to someone who may take their own life


def numbers_first(engine: Engine, danger: str | None, reply: Reply, crisis: bool = False) -> Reply:
    """The reply with the national numbers of `danger` (an emergency or violence) first, said once."""
    if danger is None or danger not in engine.intents or not engine.intents[danger].categories:
        return reply
    category = engine.intents[danger].categories[0]
    said = engine.answers[danger].in_lang("de") if danger in engine.answers else ""

    def order(offer: Offer, category: str = category) -> tuple[int, int, str]:
        # The danger's own service first (116 016 before the police for violence), then in the order its answer
        # names them (112 before 110).
        own = offer.categories.index(category) if category in offer.categories else len(offer.categories)
        at = said.find(offer.phone)
        return own, at if at >= 0 else len(said), offer.id

    first = listing.hotlines(sorted(national_offers(engine.db, [category]), key=order))
    if crisis:  # the TelefonSeelsorge (and the line for children and young people) right after 112
        first += "\n" + listing.hotlines(sorted(national_offers(engine.db, [CRISIS]), key=lambda o: order(o, CRISIS)))
    lines = set(first.split("\n"))
    rest = []
    for message in reply.messages:
        kept = "\n".join(line for line in message.text.split("\n") if line not in lines)
        if kept.strip() or message.buttons or message.places:
            rest.append(Message(kept, message.buttons, message.places))
    return replace(reply, messages=[Message(first), *rest])
