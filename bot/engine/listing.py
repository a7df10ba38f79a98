"""The offers part of an answer: pages of the nearest offers, honest about distance, and the national hotlines.

Inside the districts the database covers, a page says "I found 3 offers near Lünen". Outside them (someone in
Köln), Lotse first says which districts it knows and that the place is outside them, then shows what there is
only as far away ("The nearest I know, 48 km away"), and every further page says so too. "closer" shows the
nearest again, nearest first; "open now" keeps the offers that are open now when the opening hours can tell
(bot/offers/hours.py `is_open`), and otherwise says it cannot tell and shows the hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot import i18n
from bot.engine import followups
from bot.engine.actions import Menu, More
from bot.engine.models import Button, Message, place_out
from bot.engine.sessions import Session
from bot.geo.distance import Point
from bot.i18n import _
from bot.offers import hours
from bot.offers.model import Offer, OfferHit
from bot.offers.store import nearest

if TYPE_CHECKING:
    from bot.engine.conversation import Conversation

# Offers farther than this are not shown at all: someone in Berlin is told which districts Lotse knows, not sent
# to a Kita 400 km away. Inside the covered districts this is the radius of "near".
MAX_DISTANCE_KM = 50.0
FAR_KM = 10.0  # a later page starting this far away is no longer "near" the place
OPEN_NOW_CANDIDATES = 20  # "open now" looks at this many of the nearest offers


def hotlines(offers: list[Offer]) -> str:
    """Nationwide services as lines of phone number and name (isolated in right-to-left text)."""
    lang = i18n.current()
    # Only the Latin runs are isolated, and an RTL line starts with a right-to-left mark: a line whose
    # every letter sits inside an isolate would be laid out left to right (icon on the wrong side).
    mark = i18n.RLM if i18n.is_rtl() else ""
    lines = []
    for offer in offers:
        name = offer.name_in(lang)
        # Most hotline names carry their number ("Polizei-Notruf 110"); do not say it twice.
        shown = name if offer.phone.replace(" ", "") in name.replace(" ", "") else f"{offer.phone} · {name}"
        lines.append(mark + "📞 " + i18n.isolate_ltr_runs(shown))
    return "\n".join(lines)


def open_now(offer: Offer) -> bool | None:
    """Is the offer open right now? None when that cannot be said (no hours, or hours without times)."""
    if not offer.opening_hours:
        return None
    try:
        return hours.is_open(offer.opening_hours, hours.clock())
    except Exception:  # an hours text the library cannot read must not break the answer
        return None


def page(engine: Conversation, session: Session, intent: str, offset: int = 0,
         kind: str = followups.MORE, named: Sequence[OfferHit] = ()) -> list[Message]:
    """The messages listing offers of a topic around the session's place (which must be known); offers the
    message named by their own words (`named`, bot/engine/named.py) come first on the first page."""
    assert session.lat is not None and session.lon is not None
    point = Point(session.lat, session.lon)
    categories = list(engine.intents[intent].categories) if intent in engine.intents else []
    place = i18n.isolate(session.place_name or _("you"))
    inside = engine.coverage.covers(point)
    messages: list[Message] = []
    # With no offers at all yet, no place is "outside" them.
    if not inside and offset == 0 and (known := engine.coverage.districts()).names:
        messages.append(Message(_("I know offers in {districts}. {place} is outside these districts.").format(
            districts=known.listed(), place=place)))
    if kind == followups.OPEN_NOW:
        return messages + _open_now(engine, session, categories, point, place)
    named = list(named[:engine.results]) if offset == 0 and kind == followups.MORE else []
    # One query for this page and one offer more: that extra one says whether "More results" has anything.
    found = nearest(engine.offers, categories, point, engine.results + 1 + len(named), offset=offset,
                    radius_km=MAX_DISTANCE_KM)
    hits, taken = _after(named, found, engine.results)
    more = len(found) > taken
    if not hits:
        if offset and inside:
            messages.append(Message(_("That was everything I know near {place}.").format(place=place),
                                    engine.menu_buttons()))
        elif offset:
            messages.append(Message(_("I know nothing else within {distance} of {place}.").format(
                distance=i18n.format_distance(MAX_DISTANCE_KM), place=place), engine.menu_buttons()))
        return messages
    session.shown = offset + taken
    buttons = [Button(_("More results"), More(intent, offset + taken))] if more else []
    buttons.append(Button(_("Topics"), Menu()))
    places = [place_out(h, i18n.current()) for h in hits]
    messages.append(Message(_heading(hits, place, inside, offset, kind), buttons, places))
    return messages


def _after(named: list[OfferHit], found: list[OfferHit], n: int) -> tuple[list[OfferHit], int]:
    """The page: the named offers, then the nearest not named, n in all; and how many of `found` it used up
    (the next page goes on from there; a named offer further away may come up once more then)."""
    page = list(named)
    shown = {h.offer.id for h in named}
    taken = 0
    for hit in found:
        if hit.offer.id in shown:
            taken += 1  # on this page already, as a named offer: used up, or the next page would repeat it
            continue
        if len(page) >= n:
            break
        taken += 1
        page.append(hit)
    return page, taken


def _heading(hits: list[OfferHit], place: str, inside: bool, offset: int, kind: str) -> str:
    distance = i18n.format_distance(hits[0].distance_km)
    if not inside or (offset and hits[0].distance_km >= FAR_KM):
        # Far is never written as near: on the first page and on every page after it.
        if offset == 0:
            return _("The nearest I know, {distance} away:").format(distance=distance)
        return _("Farther away, from {distance}:").format(distance=distance)
    if kind == followups.HOURS:
        return _("The nearest to {place}, with their opening hours:").format(place=place)
    if kind == followups.CLOSER:
        return _("These are the nearest I know to {place}, the nearest {distance} away:").format(
            place=place, distance=distance)
    heading = i18n.ngettext("I found {n} offer near {place}:", "I found {n} offers near {place}:", len(hits))
    return heading.format(n=i18n.format_number(len(hits), 0), place=place)


def _open_now(engine: Conversation, session: Session, categories: list[str], point: Point, place: str) -> list[Message]:
    hits = nearest(engine.offers, categories, point, OPEN_NOW_CANDIDATES, radius_km=MAX_DISTANCE_KM)
    if not hits:
        return [Message(_("I found no offers for this near {place}.").format(place=place), engine.menu_buttons())]
    known = [(hit, open_now(hit.offer)) for hit in hits]
    shown = [hit for hit, is_open in known if is_open][:engine.results]
    if shown:
        text = _("Open now near {place}:").format(place=place)
    elif all(is_open is None for _hit, is_open in known):
        text = _("I cannot tell which of them are open right now. Here are their opening hours:")
    else:
        text = _("None of the nearest is open right now. Here are their opening hours:")
    shown = shown or hits[:engine.results]
    session.shown = 0  # "more" after "open now" starts again from the nearest
    places = [place_out(h, i18n.current()) for h in shown]
    return [Message(text, [Button(_("Topics"), Menu())], places)]
