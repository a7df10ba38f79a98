"""The gazetteer: German postcodes and towns from GeoNames (data/gazetteer.csv, CC BY 4.0).

A town has several postcodes; its point is the mean of their centres, which is close enough to list the
nearest offers, and the district (Kreis) is the one most of its postcodes belong to.
"""

from __future__ import annotations

import csv
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from bot import ROOT
from bot.geo.distance import Point, haversine_km

GAZETTEER_CSV = ROOT / "data" / "gazetteer.csv"


def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'Lünen', 'LUENEN' and 'Lunen' all become 'lunen'."""
    text = text.casefold().replace("ß", "ss")
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        text = text.replace(umlaut, plain)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # "luenen" and "lunen" should meet: drop the e of a folded umlaut.
    return stripped.replace("ae", "a").replace("oe", "o").replace("ue", "u")


@dataclass(frozen=True)
class Place:
    """A town (or a postcode area) with a representative point."""

    name: str
    point: Point
    postcode: str | None = None
    district_code: str | None = None
    district: str | None = None
    postcodes: tuple[str, ...] = field(default=(), compare=False)


@dataclass
class Gazetteer:
    """Lookups by postcode, by town name and by point."""

    by_postcode: dict[str, Place]
    by_name: dict[str, Place]

    def postcode(self, code: str) -> Place | None:
        """The place of a 5-digit postcode."""
        return self.by_postcode.get(code.strip())

    def town(self, name: str) -> Place | None:
        """A town by name, tolerant of case, umlauts and accents."""
        return self.by_name.get(fold(name))

    def nearest_town(self, point: Point) -> Place | None:
        """The town whose centre is nearest to a point (a linear scan: ~17k towns, a few ms)."""
        return min(self.by_name.values(), key=lambda p: haversine_km(p.point, point), default=None)

    def district_of(self, point: Point) -> str | None:
        """The district key (AGS) of the nearest postcode area to a point."""
        best = min(self.by_postcode.values(), key=lambda p: haversine_km(p.point, point), default=None)
        return best.district_code if best else None


def load_gazetteer(path: Path = GAZETTEER_CSV) -> Gazetteer:
    """Read the gazetteer CSV into lookup tables."""
    by_postcode: dict[str, Place] = {}
    towns: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            point = Point(float(row["lat"]), float(row["lon"]))
            by_postcode.setdefault(
                row["postcode"],
                Place(row["place"], point, row["postcode"], row["district_code"], row["district"],
                      (row["postcode"],)),
            )
            towns[row["place"]].append(row)
    by_name: dict[str, Place] = {}
    for name, rows in towns.items():
        district_code, district = Counter((r["district_code"], r["district"]) for r in rows).most_common(1)[0][0]
        rows = [r for r in rows if r["district_code"] == district_code]
        lat = sum(float(r["lat"]) for r in rows) / len(rows)
        lon = sum(float(r["lon"]) for r in rows) / len(rows)
        codes = tuple(sorted(r["postcode"] for r in rows))
        place = Place(name, Point(lat, lon), codes[0], district_code, district, codes)
        key = fold(name)
        # Two towns of one name (there are several "Neustadt"): keep the one with more postcodes.
        if key not in by_name or len(by_name[key].postcodes) < len(codes):
            by_name[key] = place
    return Gazetteer(by_postcode, by_name)


@cache
def default_gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded once per process."""
    return load_gazetteer()
