"""Queries on offers: nearest offers to a point, national offers, one offer, listing and full-text search.

Nearest search: a bounding box around the point, looked up by the 0.1-degree grid cells it touches on the
covering index of `offer_categories` (category, cell, lat, lon) or of `offers` (cell, lat, lon) for "all
categories". The box encloses the circle of radius r
exactly (spherical bounds, not a flat approximation), so once the circle holds enough offers no nearer one
can hide in a corner; otherwise r grows and the box is asked again.

Every query runs on SQLite (a sqlite-utils Database, as always) or PostgreSQL (a Store) through bot/offers/sql.py:
the nearest search is the same statements on both (PostgreSQL keeps `cell` and `offer_categories` as SQLite
does, bot/offers/pgschema.py); the full-text search is FTS5 on SQLite and a 'simple' tsvector on PostgreSQL.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from bot.geo.distance import EARTH_RADIUS_KM, Point, haversine_km
from bot.offers.db import offers_version
from bot.offers.model import Offer, OfferHit
from bot.offers.pgschema import fold
from bot.offers.sql import OffersDb, offer_dicts, on_postgres, rows
from bot.store import Sql, Store

START_RADIUS_KM = 3.0
GROWTH = 2.5
MAX_CELLS = 1000  # one index seek per cell; larger boxes read whole rows of cells (a band)
WHOLE_EARTH_KM = math.pi * EARTH_RADIUS_KM + 1.0  # any two points are closer than this
# Example data never ranks above a real offer of the same search that is at most this much farther away.
EXAMPLE_PENALTY_KM = 5.0


def _box(point: Point, radius_km: float) -> tuple[float, float, float, float]:
    """Latitude and longitude bounds of every point within `radius_km` (the spherical cap's exact extent)."""
    angle = radius_km / EARTH_RADIUS_KM
    dlat = math.degrees(angle) * 1.000001 + 1e-9
    lat0, lat1 = point.lat - dlat, point.lat + dlat
    cos_lat = math.cos(math.radians(point.lat))
    if angle >= math.pi / 2 or lat0 <= -90 or lat1 >= 90 or math.sin(angle) >= cos_lat:
        return lat0, lat1, -360.0, 360.0  # the cap reaches a pole: every longitude
    dlon = math.degrees(math.asin(math.sin(angle) / cos_lat)) * 1.000001 + 1e-9
    return lat0, lat1, point.lon - dlon, point.lon + dlon


def rows_by_id(db: OffersDb | Sql, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Full offer rows for some ids."""
    if not ids:
        return {}
    return {row["id"]: row for row in offer_dicts(db, f" WHERE id IN ({','.join('?' * len(ids))})", ids)}


def _cells(box: tuple[float, float, float, float]) -> tuple[str, list[int]]:
    """SQL condition and parameters for the grid cells a box touches (db.CELL_SQL computes a row's cell)."""
    lat0, lat1, lon0, lon1 = box
    i0, i1 = int((max(lat0, -90.0) + 90) * 10), int((min(lat1, 90.0) + 90) * 10)
    j0, j1 = int((max(lon0, -180.0) + 180) * 10), int((min(lon1, 180.0) + 180) * 10)
    if (i1 - i0 + 1) * (j1 - j0 + 1) > MAX_CELLS:
        return "cell BETWEEN ? AND ?", [i0 * 10000, i1 * 10000 + 9999]  # a band of whole rows of cells
    cells = [i * 10000 + j for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]
    return f"cell IN ({','.join('?' * len(cells))})", cells


def _candidates(db: OffersDb, categories: Sequence[str], box: tuple[float, float, float, float]) -> list[Any]:
    lat0, lat1, lon0, lon1 = box
    cells, cell_params = _cells(box)
    if categories:
        marks = ",".join("?" * len(categories))
        sql = (f"SELECT offer_id, lat, lon FROM offer_categories WHERE category IN ({marks}) AND active = 1 "
               f"AND {cells} AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?")
        found = rows(db, sql, [*categories, *cell_params, lat0, lat1, lon0, lon1])
        return list({r[0]: r for r in found}.values()) if len(categories) > 1 else found
    sql = (f"SELECT id, lat, lon FROM offers WHERE active = 1 AND {cells} "
           "AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?")
    return rows(db, sql, [*cell_params, lat0, lat1, lon0, lon1])


def _count(db: OffersDb, categories: Sequence[str]) -> int:
    """How many active offers with coordinates there are in the categories (all when none)."""
    if categories:
        marks = ",".join("?" * len(categories))
        sql = (f"SELECT count(DISTINCT offer_id) FROM offer_categories WHERE category IN ({marks}) "
               "AND active = 1 AND lat IS NOT NULL")
        return int(rows(db, sql, categories)[0][0])
    return int(rows(db, "SELECT count(*) FROM offers WHERE active = 1 AND lat IS NOT NULL")[0][0])


def nearest(
    db: OffersDb,
    categories: Sequence[str],
    point: Point,
    n: int = 3,
    *,
    offset: int = 0,
    radius_km: float | None = None,
) -> list[OfferHit]:
    """Active offers with a place in any of `categories` (all when empty), nearest first by true distance.

    Ties are broken by id, so paging with `offset` is stable. Example offers count as EXAMPLE_PENALTY_KM
    farther than they are (their true distance is reported). National offers (no place) are not included:
    see `national_offers`.
    """
    need = n + offset
    if n <= 0 or need <= 0:
        return []
    limit = min(radius_km, WHOLE_EARTH_KM) if radius_km is not None else WHOLE_EARTH_KM
    categories = list(dict.fromkeys(categories))
    radius = min(START_RADIUS_KM, limit)
    total: int | None = None
    examples = _example_ids(db)
    while True:
        found = _candidates(db, categories, _box(point, radius))
        inside = [(haversine_km(point, Point(lat, lon)), oid) for oid, lat, lon in found]
        inside = [(km, oid) for km, oid in inside if km <= radius]
        if len(inside) < need and radius < limit and radius > 50:
            # Far out: stop growing once the box already holds every candidate there is.
            total = _count(db, categories) if total is None else total
            if len(found) >= total:
                radius = limit
                inside = [(haversine_km(point, Point(lat, lon)), oid) for oid, lat, lon in found]
                inside = [(km, oid) for km, oid in inside if km <= radius]
        ranked, settled = _rank(inside, examples, radius)
        if settled >= need or radius >= limit:
            page = ranked[offset:need]
            rows = rows_by_id(db, [oid for _km, oid in page])
            return [OfferHit(Offer.from_row(rows[oid]), km) for km, oid in page if oid in rows]
        radius = min(radius * GROWTH, limit)


def _rank(inside: list[tuple[float, str]], examples: frozenset[str], radius: float
          ) -> tuple[list[tuple[float, str]], int]:
    """(km, id) in the order shown, and how many of them are certain within `radius`: an example counts
    EXAMPLE_PENALTY_KM farther, so it is placed only once every real offer up to that much beyond it is found."""
    if not examples:
        return sorted(inside), len(inside)
    keyed = sorted((km + EXAMPLE_PENALTY_KM if oid in examples else km, km, oid) for km, oid in inside)
    return [(km, oid) for _key, km, oid in keyed], sum(1 for key, _km, _oid in keyed if key <= radius)


def _example_ids(db: OffersDb) -> frozenset[str]:
    """Ids of the example offers (few, and none once a district removed them), kept on the Database object until
    this connection or another one writes (PRAGMA data_version), so a search costs no extra lookups. On
    PostgreSQL, kept on the store until the offers' version counter moves (one primary-key lookup)."""
    if not isinstance(db, Database):
        return _example_ids_of_store(db)
    version = (db.execute("PRAGMA data_version").fetchone()[0], db.conn.total_changes)
    cached: tuple[tuple[int, int], frozenset[str]] | None = getattr(db, "_lotse_examples", None)
    if cached is not None and cached[0] == version:
        return cached[1]
    ids = frozenset(r[0] for r in db.execute("SELECT id FROM offers WHERE example = 1"))  # partial index
    db._lotse_examples = (version, ids)  # type: ignore[attr-defined]
    return ids


#: store -> (offers_version, example ids); weak, so a closed store's entry goes with it.
_STORE_EXAMPLES: weakref.WeakKeyDictionary[Store, tuple[str, frozenset[str]]] = weakref.WeakKeyDictionary()


def _example_ids_of_store(db: Store) -> frozenset[str]:
    version = offers_version(db)
    cached = _STORE_EXAMPLES.get(db)
    if cached is not None and cached[0] == version:
        return cached[1]
    ids = frozenset(str(r[0]) for r in rows(db, "SELECT id FROM offers WHERE example = 1"))
    _STORE_EXAMPLES[db] = (version, ids)
    return ids


def national_offers(db: OffersDb, categories: Sequence[str] = ()) -> list[Offer]:
    """Active offers that serve all of Germany (hotlines such as 112 or 116 016) in any of `categories`."""
    if categories:
        marks = ",".join("?" * len(categories))
        # From the few nationwide offers (their own partial index) to their categories, never the other way
        # round: a category can hold thousands of local offers (SQLite's CROSS JOIN keeps that order).
        join = "JOIN" if on_postgres(db) else "CROSS JOIN"
        sql = (f"SELECT DISTINCT o.id FROM offers o {join} offer_categories c ON c.offer_id = o.id "
               f"WHERE o.national = 1 AND o.active = 1 AND c.category IN ({marks})")
        ids = [r[0] for r in rows(db, sql, categories)]
    else:
        ids = [r[0] for r in rows(db, "SELECT id FROM offers WHERE national = 1 AND active = 1")]
    found = rows_by_id(db, ids)
    # Lines for everyone before those for a group (an adult in distress reads the crisis line before the children's).
    return sorted((Offer.from_row(r) for r in found.values()), key=lambda o: (bool(o.target_group), o.id))


def get_offer(db: OffersDb | Sql, offer_id: str) -> Offer | None:
    """One offer by id (also when deleted, i.e. inactive)."""
    row = rows_by_id(db, [offer_id]).get(offer_id)
    return Offer.from_row(row) if row else None


def list_offers(db: OffersDb, *, category: str | None = None, inactive: bool = False,
                limit: int | None = None) -> Iterable[Offer]:
    """Offers ordered by id, optionally of one category and including deleted ones."""
    where = [] if inactive else ["active = 1"]
    params: list[Any] = []
    if category:
        where.append("id IN (SELECT offer_id FROM offer_categories WHERE category = ?)")
        params.append(category)
    sql = "SELECT * FROM offers" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    if not isinstance(db, Database):
        yield from (Offer.from_row(row) for row in offer_dicts(db, sql.removeprefix("SELECT * FROM offers"), params))
        return
    cursor = db.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    for values in cursor:
        yield Offer.from_row(dict(zip(columns, values, strict=True)))


def search(db: OffersDb, query: str, limit: int = 20) -> list[Offer]:
    """Full-text search over names and descriptions in every language; user input is quoted (no FTS syntax):
    every word must occur, the best match first (FTS5's rank on SQLite, ts_rank on PostgreSQL)."""
    if not query.strip():
        return []
    if not isinstance(db, Database):
        match = f"plainto_tsquery('simple', {fold()})"
        tail = f" WHERE active = 1 AND fts_all @@ {match} ORDER BY ts_rank(fts_all, {match}) DESC, id LIMIT ?"
        return [Offer.from_row(row) for row in offer_dicts(db, tail, [query, query, limit])]
    found = db.table("offers").search(query, quote=True, limit=limit, where="active = 1")
    return [Offer.from_row(dict(row)) for row in found]
