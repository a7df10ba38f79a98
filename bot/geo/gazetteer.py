"""The gazetteer: German postcodes and towns from GeoNames (data/gazetteer.csv, CC BY 4.0).

A town has several postcodes; its point is the mean of their centres, which is close enough to list the
nearest offers, and its district (Kreis) is the one most of its postcodes belong to. Lookups by point use a
grid of 0.1-degree cells searched ring by ring, so `nearest_town` costs a few dozen distance computations
instead of a scan over 13,000 towns.
"""

from __future__ import annotations

import csv
import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from bot import resources
from bot.geo.distance import Point, haversine_km

GAZETTEER_CSV = resources.data_file("gazetteer.csv")
CELL_DEG = 0.1  # grid cell edge in degrees (about 11 km north-south, 7 km east-west in Germany)
FUZZY_CUTOFF = 85.0  # rapidfuzz ratio (0..100) a misspelt town name needs: "Recklinhausen" yes, "Kita" no


def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'Lünen', 'LUENEN' and 'Lunen' all become 'lunen'."""
    if text.isascii():  # most words: nothing to decompose (the same key as the long way, in a tenth of the time)
        return text.strip().lower().replace("ae", "a").replace("oe", "o").replace("ue", "u")
    text = text.strip().casefold().replace("ß", "ss")
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


class Grid:
    """Places bucketed by 0.1-degree cell, searched in growing square rings around a point."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.cells: dict[tuple[int, int], list[Place]] = defaultdict(list)
        self.all: list[Place] = []
        for place in places:
            self.cells[self._cell(place.point)].append(place)
            self.all.append(place)

    @staticmethod
    def _cell(point: Point) -> tuple[int, int]:
        return math.floor(point.lat / CELL_DEG), math.floor(point.lon / CELL_DEG)

    def nearest(self, point: Point, max_rings: int = 40) -> Place | None:
        """The place nearest to `point` by true distance."""
        ci, cj = self._cell(point)
        best: Place | None = None
        best_km = math.inf
        # Everything outside ring k is at least k cells away; a cell is narrowest east-west at high latitude.
        lat_edge = min(89.0, abs(point.lat) + max_rings * CELL_DEG)
        cell_km = CELL_DEG * 111.19 * math.cos(math.radians(lat_edge))
        for ring in range(max_rings + 1):
            if best is not None and best_km <= (ring - 1) * cell_km:
                return best
            for i in range(ci - ring, ci + ring + 1):
                edge = i in (ci - ring, ci + ring)
                for j in range(cj - ring, cj + ring + 1) if edge else (cj - ring, cj + ring):
                    for place in self.cells.get((i, j), ()):
                        km = haversine_km(point, place.point)
                        if km < best_km or (km == best_km and best is not None and place.name < best.name):
                            best, best_km = place, km
        # Far outside Germany: fall back to a full scan rather than give a wrong answer.
        return min(self.all, key=lambda p: haversine_km(point, p.point), default=None)


@dataclass
class Gazetteer:
    """Lookups by postcode, by town name and by point."""

    by_postcode: dict[str, Place]
    by_name: dict[str, Place]
    _town_grid: Grid | None = field(default=None, repr=False)
    _postcode_grid: Grid | None = field(default=None, repr=False)
    _names: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._town_grid = Grid(self.by_name.values())
        self._postcode_grid = Grid(self.by_postcode.values())
        self._names = list(self.by_name)

    def postcode(self, code: str) -> Place | None:
        """The place of a 5-digit postcode."""
        return self.by_postcode.get(code.strip())

    def town(self, name: str, *, fuzzy: bool = True) -> Place | None:
        """A town by name, tolerant of case, umlauts and accents, and (with `fuzzy`) of small typos."""
        key = fold(name)
        exact = self.by_name.get(key)
        if exact is not None or not fuzzy or len(key) < 4:
            return exact
        matches = process.extract(key, self._names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5)
        if not matches:
            return None
        top = matches[0][1]
        # Equally close spellings: the larger town (more postcodes) is the likelier meaning.
        tied = [self.by_name[m[0]] for m in matches if m[1] == top]
        return max(tied, key=lambda p: (len(p.postcodes), p.name))

    def nearest_town(self, point: Point) -> Place | None:
        """The town whose centre is nearest to a point."""
        assert self._town_grid is not None
        return self._town_grid.nearest(point)

    def nearest_postcode(self, point: Point) -> Place | None:
        """The postcode area whose centre is nearest to a point."""
        assert self._postcode_grid is not None
        return self._postcode_grid.nearest(point)

    def district_of(self, where: Point | str) -> str | None:
        """The district key (AGS, e.g. '05978') of a postcode, or of the nearest postcode area to a point."""
        place = self.postcode(where) if isinstance(where, str) else self.nearest_postcode(where)
        return place.district_code if place and place.district_code else None

    def district_name(self, where: Point | str) -> str | None:
        """The district's name ('Kreis Unna') of a postcode or a point."""
        place = self.postcode(where) if isinstance(where, str) else self.nearest_postcode(where)
        return place.district if place and place.district else None


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
