"""Queries on offers: the nearest offers of some categories to a point."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from sqlite_utils import Database

from bot.geo.distance import Point, haversine_km
from bot.offers.model import Offer, OfferHit


def _box(point: Point, radius_km: float) -> tuple[float, float, float, float]:
    dlat = radius_km / 111.2
    dlon = radius_km / (111.2 * max(0.01, math.cos(math.radians(point.lat))))
    return point.lat - dlat, point.lat + dlat, point.lon - dlon, point.lon + dlon


def nearest(
    db: Database,
    categories: Sequence[str],
    point: Point,
    n: int = 3,
    *,
    offset: int = 0,
    radius_km: float | None = None,
) -> list[OfferHit]:
    """Active offers in any of `categories` (all when empty), nearest first by true distance.

    The search starts with a small bounding box on the (lat, lon) index and doubles it until it holds
    enough offers that lie inside the circle the box encloses, so no nearer offer can hide in a corner.
    """
    wanted = set(categories)
    need = n + offset
    radius = 5.0
    limit = radius_km if radius_km is not None else 20_000.0
    while True:
        r = min(radius, limit)
        lat0, lat1, lon0, lon1 = _box(point, r)
        rows = db.execute(
            "SELECT * FROM offers WHERE active = 1 AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
            [lat0, lat1, lon0, lon1],
        )
        columns = [d[0] for d in rows.description]
        hits: list[OfferHit] = []
        for values in rows.fetchall():
            row = dict(zip(columns, values, strict=True))
            if wanted and not wanted.intersection(json.loads(row["categories"])):
                continue
            offer = Offer.from_row(row)
            distance = haversine_km(point, Point(offer.lat or 0.0, offer.lon or 0.0))
            if distance <= r:
                hits.append(OfferHit(offer, distance))
        if len(hits) >= need or r >= limit:
            hits.sort(key=lambda h: (h.distance_km, h.offer.id))
            return hits[offset:need]
        radius *= 2
