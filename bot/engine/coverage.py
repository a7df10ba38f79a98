"""Which districts the offer database covers, so Lotse can be honest about distances.

Someone in Köln asking for a Kita must not be shown a Kita 48 km away in Erkelenz as if it were near: Lotse says
which districts it knows ("Kreis Unna, Kreis Recklinghausen and Kreis Heinsberg"), that Köln is outside them, and
shows far offers only as far ones. The districts come from the data (the gazetteer's district of every offer's
place), never from a list in the code, and are worked out again whenever the offers change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from babel.lists import format_list

from bot import i18n
from bot.geo.distance import Point
from bot.geo.gazetteer import Gazetteer
from bot.offers.db import offers_version
from bot.offers.sql import OffersDb, on_postgres, rows


@dataclass(frozen=True)
class Districts:
    """The districts with offers (AGS code -> name), most offers first."""

    names: dict[str, str]

    def covers(self, code: str | None) -> bool:
        """Is this district (AGS) one the database has offers in?"""
        return code is not None and code in self.names

    def listed(self) -> str:
        """The names as a list in the current language ("A, B and C"), each isolated in right-to-left text."""
        names = [i18n.isolate(name) for name in self.names.values()]
        return format_list(names, locale=i18n.babel_locale()) if names else ""


class Coverage:
    """The covered districts of one database, recomputed when its offers change."""

    def __init__(self, db: OffersDb, gazetteer: Gazetteer) -> None:
        self.db = db
        self.gazetteer = gazetteer
        self._version: str | None = None
        self._districts = Districts({})

    def _current_version(self) -> str:
        return offers_version(self.db)  # one primary-key lookup, however many offers there are

    def forget(self) -> None:
        """Compute the districts again on the next look."""
        self._version = None

    def districts(self) -> Districts:
        """The districts with active offers that have a place."""
        version = self._current_version()
        if version != self._version:
            self._districts = self._compute()
            self._version = version
        return self._districts

    def _compute(self) -> Districts:
        # Offers of one street share a district: rounding to ~100 m keeps the lookups few on big databases.
        # (PostgreSQL rounds only numeric to a number of places.)
        lat, lon = ("round(lat::numeric, 3)", "round(lon::numeric, 3)") if on_postgres(self.db) else \
            ("round(lat, 3)", "round(lon, 3)")
        found = rows(self.db, f"SELECT district, {lat}, {lon}, count(*) FROM offers WHERE active = 1 AND "
                     "national = 0 AND lat IS NOT NULL AND lon IS NOT NULL GROUP BY 1, 2, 3")
        # An offer's own district (as its admin wrote it) decides; its point only says which district code that
        # is, by majority: an offer placed near the border (Schwerte, Gladbeck) does not add the neighbour.
        votes: dict[str, Counter[str]] = {}
        names: dict[str, str] = {}
        for declared, lat_3, lon_3, count in found:
            point = Point(float(lat_3), float(lon_3))
            code = self.gazetteer.district_of(point)
            if code:
                name = (declared or "").strip() or self.gazetteer.district_name(point) or code
                votes.setdefault(name, Counter())[code] += count
        counts: Counter[str] = Counter()
        for name, by_code in votes.items():
            code, _count = by_code.most_common(1)[0]
            counts[code] += sum(by_code.values())
            names.setdefault(code, name)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]]))  # most offers first, then by name
        return Districts({code: names[code] for code, _count in ranked})

    def covers(self, point: Point) -> bool:
        """Is the point in a district the database has offers in?"""
        return self.districts().covers(self.gazetteer.district_of(point))
