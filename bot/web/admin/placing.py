"""Where an offer stands, for the admin: a small map without tiles (an SVG sketch of the point, its postcode's
centre and the offers around it, about 2.4 x 1.6 km) on which staff click to move the point, and the geocoder
for a street address typed into the form."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.geo.distance import Point
from bot.geo.gazetteer import default_gazetteer
from bot.offers.db import open_db
from bot.offers.model import Offer
from bot.offers.sql import OffersDb
from bot.offers.store import nearest
from bot.sources.geocoder import Geocoder
from bot.store import Store

WIDTH, HEIGHT = 320, 220
KM_PER_PIXEL = 0.0075  # 320 px = 2.4 km: a neighbourhood, where a wrong street corner shows


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    name: str


@dataclass(frozen=True)
class Sketch:
    """What the form's map draws; `dlat`/`dlon` are degrees per pixel, for the page's click handler."""

    lat: float
    lon: float
    dlat: float
    dlon: float
    approximate: bool
    centre: Dot | None = None  # the postcode's centre, where an approximate offer stands
    others: list[Dot] = field(default_factory=list)

    @property
    def osm_url(self) -> str:
        return f"https://www.openstreetmap.org/?mlat={self.lat:.6f}&mlon={self.lon:.6f}#map=17/{self.lat:.6f}/{self.lon:.6f}"


def sketch(db: OffersDb, offer: Offer | None) -> Sketch | None:
    """The map of an offer with a point (None for a new offer or a nationwide one)."""
    if offer is None or offer.lat is None or offer.lon is None:
        return None
    dlat = KM_PER_PIXEL / 111.2
    dlon = KM_PER_PIXEL / (111.2 * math.cos(math.radians(offer.lat)))

    def dot(lat: float, lon: float, name: str) -> Dot | None:
        x, y = WIDTH / 2 + (lon - offer.lon) / dlon, HEIGHT / 2 - (lat - offer.lat) / dlat  # type: ignore[operator]
        return Dot(round(x, 1), round(y, 1), name) if 0 <= x <= WIDTH and 0 <= y <= HEIGHT else None

    place = default_gazetteer().postcode(offer.postcode) if offer.postcode else None
    centre = dot(place.point.lat, place.point.lon, offer.postcode) if place else None
    around = nearest(db, [], Point(offer.lat, offer.lon), 12, radius_km=1.5)
    others = [d for h in around if h.offer.id != offer.id and h.offer.lat is not None and h.offer.lon is not None
              and (d := dot(h.offer.lat, h.offer.lon, h.offer.name))]
    return Sketch(offer.lat, offer.lon, dlat, dlon, offer.approximate, centre, others)


def locate(where: Path | Store, url: str, values: dict[str, Any]) -> Point | None:
    """The geocoder's point for the form's address, on a worker thread: the shared store (its pool hands the thread
    a connection, and every instance reads the same cache), or the SQLite file on a connection of its own."""
    if isinstance(where, Store):
        return Geocoder(where, url).locate(str(values.get("street") or ""), str(values.get("postcode") or ""),
                                           str(values.get("city") or ""))
    db = open_db(where)
    try:
        return Geocoder(db, url).locate(str(values.get("street") or ""), str(values.get("postcode") or ""),
                                        str(values.get("city") or ""))
    finally:
        db.close()
