"""What a transport hands to the engine and what it gets back."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.geo.distance import Point
from bot.offers.model import OfferHit


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: wrote text, shared a location, or pressed a button."""

    user_id: str
    text: str | None = None
    location: Point | None = None
    button: str | None = None
    lang_hint: str | None = None


@dataclass(frozen=True)
class Button:
    """A button: what it says, and the data that comes back when pressed."""

    label: str
    data: str


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


@dataclass
class Message:
    """One message of a reply: text, optional buttons, optional places."""

    text: str
    buttons: list[Button] = field(default_factory=list)
    places: list[PlaceOut] = field(default_factory=list)


@dataclass
class Reply:
    """Everything the engine answers to one Incoming, in one language."""

    messages: list[Message]
    lang: str
    intent: str | None = None
    rtl: bool = False

    def to_json(self) -> dict[str, Any]:
        """The web chat API's answer (DESIGN.md)."""
        return {
            "messages": [
                {
                    "text": m.text,
                    "buttons": [asdict(b) for b in m.buttons],
                    "places": [
                        {"name": p.name, "address": p.address, "distance_km": round(p.distance_km, 2),
                         "lat": p.lat, "lon": p.lon, "phone": p.phone or None, "url": p.url or None,
                         "example": p.example, "approximate": p.approximate, "hours": p.hours or None,
                         "source": p.source or None, "source_date": p.source_date or None}
                        for p in m.places
                    ],
                }
                for m in self.messages
            ],
            "lang": self.lang,
            "rtl": self.rtl,
        }


def place_out(hit: OfferHit, lang: str) -> PlaceOut:
    """An offer hit as shown to a person, with the offer's name in their language where it has one."""
    offer = hit.offer
    return PlaceOut(name=offer.name_in(lang), address=offer.address, distance_km=hit.distance_km,
                    lat=offer.lat or 0.0, lon=offer.lon or 0.0, phone=offer.phone, url=offer.website,
                    example=offer.example, approximate=offer.approximate, source=offer.source,
                    source_date=offer.source_date, id=offer.id, hours=offer.hours_now(lang))
