"""Safety first in the reply: when someone may be in danger, the right numbers come before anything else.

Which numbers and which first words depend on the situation the danger detector found (intents/danger/<kind>.yaml:
poisoning gets 112 and the poison information centre, a crisis the TelefonSeelsorge in words that show care,
violence 110 and the helplines). A danger is kept for a few messages: "he is three and very sleepy" after "my
child swallowed my pills" keeps the numbers first, until the person clearly asks about something else. What to do
is said again whenever a message speaks of the danger anew ("he is very sleepy now", "he is at the door"); on the
messages between ("where can I go tonight?") the numbers come first alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bot import i18n
from bot.engine import listing
from bot.engine.models import Message, Reply
from bot.engine.sessions import Session
from bot.nlu.danger import Situation
from bot.nlu.understanding import Understanding
from bot.offers.model import Offer
from bot.offers.sql import OffersDb
from bot.offers.store import national_offers

#: Messages after a danger reply that keep its numbers first unless the person clearly moves on.
KEEP = 3
CLEAR = 65.0  # a topic named this clearly (and not related to the danger) means the person moved on
CRISIS = "crisis"  # the danger kind of someone who may take their own life (intents/danger/crisis.yaml)


@dataclass(frozen=True)
class Found:
    """The danger of one turn: the priority intent whose numbers come first, and its situation if known."""

    intent: str
    kind: str | None = None
    crisis: bool = False
    again: bool = False  # the same danger as a moment ago: what to do was said then


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def carry(session: Session, found: Found | None, understanding: Understanding | None,
          situations: Mapping[str, Situation], in_scope: frozenset[str]) -> Found | None:
    """The danger this turn answers with, and the session updated: a new danger is kept for KEEP more messages;
    without one, a kept danger goes on unless the message clearly asks about something unrelated (`in_scope`:
    the topics that can mean that; "thanks" or "is there someone who speaks Dari?" do not end a danger) or says
    there is none ("nee, kein Notfall")."""
    kept = situations.get(session.danger or "")
    if found is not None:
        if kept is not None and session.danger_turns > 0 and found.intent == kept.intent and not found.crisis:
            found = _found(kept)  # "he is sleepy now": still the pills
        session.danger, session.danger_turns = found.kind or found.intent, KEEP
        return found
    if kept is None or session.danger_turns <= 0:
        session.danger, session.danger_turns = None, 0
        return None
    if understanding is not None and (understanding.no_danger or (
            understanding.intent in in_scope and understanding.intent not in kept.related
            and understanding.score >= CLEAR and not understanding.ambiguous)):
        session.danger, session.danger_turns = None, 0  # "and a German course?", "nee, kein Notfall": moved on
        return None
    session.danger_turns -= 1
    return _found(kept, again=True)


def kept(session: Session, situations: Mapping[str, Situation]) -> Found | None:
    """The danger of the last messages, while it is kept (a language chosen in the middle of it keeps it too)."""
    situation = situations.get(session.danger or "")
    return _found(situation, again=True) if situation is not None and session.danger_turns > 0 else None


def _found(situation: Situation, *, again: bool = False) -> Found:
    return Found(situation.intent, situation.kind, situation.kind == CRISIS, again)


def numbers_first(db: OffersDb, intents_categories: Mapping[str, Sequence[str]], answer_de: Mapping[str, str],
                  situations: Mapping[str, Situation], found: Found | None, reply: Reply) -> Reply:
    """The reply with the situation's first words and numbers before anything else, each number said once
    (`intents_categories`: every intent's offer categories, from its file). Said `again`, the numbers alone."""
    if found is None:
        return reply
    situation = situations.get(found.kind or "")
    if situation is not None:
        first = _situation_lines(db, situation, say=not found.again)
        if found.intent != situation.intent:  # "he beats me and I am bleeding": the other intent's lines too
            first = _join(first, _intent_lines(db, intents_categories, answer_de, found.intent))
    else:
        first = _intent_lines(db, intents_categories, answer_de, found.intent)
        crisis = situations.get(CRISIS)
        topic = intents_categories.get(crisis.topic, ()) if crisis is not None else ()
        if found.crisis and topic:  # the TelefonSeelsorge (and the line for children and young people) after 112:
            # the national services of the first category of the crisis's topic
            first = _join(first, listing.hotlines(_ordered(national_offers(db, [topic[0]]), topic[0], "")))
    if not first:
        return reply
    lines = set(first.split("\n"))
    rest = []
    for message in reply.messages:
        kept = "\n".join(line for line in message.text.split("\n") if line not in lines)
        if kept.strip() or message.buttons or message.places:
            rest.append(Message(kept, message.buttons, message.places))
    return replace(reply, messages=[Message(first), *rest])


def _situation_lines(db: OffersDb, situation: Situation, *, say: bool = True) -> str:
    """The situation's numbers in the order it declares, then (`say`) what to do in the reader's language."""
    by_digits = {_digits(o.phone): o for o in national_offers(db)}
    offers = [by_digits[d] for d in (_digits(n) for n in situation.numbers) if d in by_digits]
    said = (situation.say.get(i18n.current()) or situation.say.get("en", "")) if say else ""
    return "\n".join(part for part in (listing.hotlines(offers), said) if part)


def _intent_lines(db: OffersDb, intents_categories: Mapping[str, Sequence[str]], answer_de: Mapping[str, str],
                  intent: str) -> str:
    """The national numbers of a priority intent's first category, in the order its answer names them."""
    categories = intents_categories.get(intent) or ()
    if not categories:
        return ""
    return listing.hotlines(_ordered(national_offers(db, [categories[0]]), categories[0], answer_de.get(intent, "")))


def _ordered(offers: list[Offer], category: str, said: str) -> list[Offer]:
    def order(offer: Offer) -> tuple[int, int, str]:
        # The category's own service first (116 016 before the police for violence), then in the order the
        # answer names them (112 before 110).
        own = offer.categories.index(category) if category in offer.categories else len(offer.categories)
        at = said.find(offer.phone)
        return own, at if at >= 0 else len(said), offer.id
    return sorted(offers, key=order)


def _join(first: str, more: str) -> str:
    """Two blocks of lines, the second without the lines the first has."""
    seen = set(first.split("\n"))
    extra = [line for line in more.split("\n") if line and line not in seen]
    return "\n".join([first, *extra]) if first else "\n".join(extra)
