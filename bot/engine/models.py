"""What a transport hands to the engine and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.engine.actions import Action, encode
from bot.geo.distance import Point
from bot.offers.model import OfferHit


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: wrote text, shared a location, pressed a button (its data, as it came back), or
    sent something Lotse cannot read (`media`: a photo, a sticker, a voice note)."""

    user_id: str
    text: str | None = None
    location: Point | None = None
    button: str | None = None
    lang_hint: str | None = None
    media: bool = False
    #: The channel's id of this delivery ("web:...", "telegram:<update id>"), when it has one: the same message
    #: sent again after an instance died while answering it is known as such.
    delivery: str | None = None


@dataclass(frozen=True)
class Button:
    """A button: what it says, and what it does (its data, `encode(action)`, comes back when pressed)."""

    label: str
    action: Action

    @property
    def data(self) -> str:
        """The button's data as transports send it (bot/engine/actions.py)."""
        return encode(self.action)


@dataclass(frozen=True)
class PlaceOut:
    """An offer as shown to a person."""

    name: str
    address: str
    distance_km: float
    lat: float
    lon: float
    phone: str = ""
    url: str = ""
    example: bool = False
    approximate: bool = False
    source: str = ""
    source_date: str = ""
    id: str = ""
    hours: str = ""
    appointment: bool = False  # by appointment only (shown translated: "By appointment only")
    attribution: str = ""  # the credit the data's licence asks for ("© OpenStreetMap contributors (ODbL)")


@dataclass
class Message:
    """One message of a reply: text, optional buttons, optional places."""

    text: str
    buttons: list[Button] = field(default_factory=list)
    places: list[PlaceOut] = field(default_factory=list)


@dataclass(frozen=True)
class HandoffStep:
    """What a reply means for an open handoff to staff (bot/engine/handoff.py); the transport carries it out.

    The engine may run in another process than the transport, so it only says what is to be done: pass the
    person's message on to the staff topic (`relay`), or tell the staff that the person ended it (`ended`).
    """

    number: int
    relay: bool = False
    ended: bool = False
    # Where the staff topic is, for an ended handoff (after /forget its row is gone already).
    staff_chat: int | None = None
    thread_id: int | None = None
    # A relayed message that speaks of danger: the engine puts this topic's numbers first (the team sees it too).
    urgent: str | None = None


@dataclass
class Reply:
    """Everything the engine answers to one Incoming, in one language."""

    messages: list[Message]
    lang: str
    intent: str | None = None
    rtl: bool = False
    handoff: HandoffStep | None = None


def place_out(hit: OfferHit, lang: str) -> PlaceOut:
    """An offer hit as shown to a person, with the offer's name in their language where it has one."""
    offer = hit.offer
    return PlaceOut(name=offer.name_in(lang), address=offer.address, distance_km=hit.distance_km,
                    lat=offer.lat or 0.0, lon=offer.lon or 0.0, phone=offer.phone, url=offer.website,
                    example=offer.example, approximate=offer.approximate, source=offer.source,
                    source_date=offer.source_date, id=offer.id, hours=offer.hours_now(lang),
                    appointment=bool(offer.appointment), attribution=offer.attribution)


def merged(messages: list[Message]) -> list[Message]:
    """Join a text-only message with the next one: the answer and its follow-up ("Where are you?", the list of
    offers) arrive as one message, with the follow-up's buttons under it (Telegram and WhatsApp alike)."""
    out: list[Message] = []
    pending: list[str] = []
    for message in messages:
        if not message.buttons and not message.places:
            if message.text.strip():
                pending.append(message.text)
            continue
        if pending:
            message = Message("\n\n".join([*pending, message.text]), message.buttons, message.places)
            pending = []
        out.append(message)
    if pending:
        out.append(Message("\n\n".join(pending)))
    return out
