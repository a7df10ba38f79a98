"""Street addresses to points with a Nominatim-compatible geocoder (LOTSE_GEOCODER_URL), politely.

Nominatim's usage policy asks for at most one request per second, a User-Agent that names the application, and
caching: each address is asked once (`geocode_cache`, also "not found", kept for good), requests are spaced a
second apart, and the answer must lie in Germany. On PostgreSQL the cache and the spacing are shared by every
instance: three instances ask for an address once, and together no more than once a second. Without a geocoder,
or when it finds nothing, the offer stands at its postcode's centre and is marked approximate
(fields.check_complete does that).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlite_utils import Database

from bot.geo.distance import Point
from bot.offers.fields import GERMANY
from bot.offers.sql import OffersDb, on_postgres, rows, writing
from bot.offers.write import now
from bot.ratelimit import Limiter
from bot.sources.http import SourceError, get_json
from bot.store.ratelimit import SharedRateLimiter

MIN_INTERVAL = 1.0  # seconds between two requests (Nominatim's policy)


class Geocoder:
    """`locate(street, postcode, city)` -> Point or None, cached in the database."""

    def __init__(self, db: OffersDb, url: str, *, interval: float = MIN_INTERVAL,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.db, self.url = db, url.rstrip("/")
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self.last: float | None = None
        self.requests = 0
        # Spaced in the shared store when the offers are (several instances), else in this object.
        self.shared: Limiter | None = (SharedRateLimiter(db, "geocoder", 1, 60.0 / interval)
                                       if on_postgres(db) and not isinstance(db, Database) else None)

    def _wait(self) -> None:
        if self.shared is not None:
            while not self.shared.take("requests"):
                self.sleep(self.shared.seconds_until("requests"))
            return
        if self.last is not None:
            left = self.interval - (self.clock() - self.last)
            if left > 0:
                self.sleep(left)
        self.last = self.clock()

    def locate(self, street: str, postcode: str, city: str) -> Point | None:
        key = " | ".join(" ".join(part.split()).casefold() for part in (street, postcode, city))
        found = rows(self.db, "SELECT lat, lon FROM geocode_cache WHERE query = ?", [key])
        cached = found[0] if found else None
        if cached is not None:
            return Point(cached[0], cached[1]) if cached[0] is not None else None
        self._wait()
        self.requests += 1
        params = {"street": street, "postalcode": postcode, "city": city, "country": "de", "format": "jsonv2",
                  "limit": "1"}
        try:
            found = get_json(f"{self.url}/search", {k: v for k, v in params.items() if v}, timeout=30)
        except SourceError:
            return None  # not cached: asked again next time
        point = _point(found)
        with writing(self.db) as tx:
            tx.run("INSERT INTO geocode_cache (query, lat, lon, found_at) VALUES (?, ?, ?, ?) ON CONFLICT(query) "
                   "DO UPDATE SET lat = excluded.lat, lon = excluded.lon, found_at = excluded.found_at",
                   [key, point.lat if point else None, point.lon if point else None, now()])
        return point


def _point(found: object) -> Point | None:
    if not isinstance(found, list) or not found or not isinstance(found[0], dict):
        return None
    try:
        lat, lon = float(found[0]["lat"]), float(found[0]["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (GERMANY[0] <= lat <= GERMANY[1] and GERMANY[2] <= lon <= GERMANY[3]):
        return None
    return Point(lat, lon)


def locate_approximate(db: OffersDb, geocoder: Geocoder, *, limit: int | None = None, actor: str = "geocoder",
                       ) -> tuple[int, int]:
    """Place offers that stand at their postcode's centre but have a street (imported from a sheet, typed in
    before a geocoder was set): (asked, placed). Each move is in the audit trail; a hand-set point is exact and
    never touched."""
    from bot.offers.write import save

    found = rows(db, "SELECT id, street, postcode, city FROM offers WHERE approximate = 1 AND active = 1 "
                 "AND national = 0 AND coalesce(street, '') != '' ORDER BY id"
                 + (f" LIMIT {int(limit)}" if limit else ""))
    placed = 0
    for offer_id, street, postcode, city in found:
        point = geocoder.locate(street, postcode or "", city or "")
        if point is not None and save(db, {"id": offer_id, "lat": point.lat, "lon": point.lon, "approximate": 0},
                                      actor, "locate"):
            placed += 1
    return len(found), placed
