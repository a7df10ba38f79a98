"""One sync from end to end: read the source, turn it into records, apply them, keep the run (also a failure)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.geo.distance import Point
from bot.geo.gazetteer import Gazetteer, default_gazetteer
from bot.offers.sql import OffersDb
from bot.sources import integreat, osm
from bot.sources.geocoder import Geocoder
from bot.sources.http import SourceError
from bot.sources.osm_tags import DEFAULT_KINDS, KINDS, rules_for
from bot.sources.sync import Record, Report, apply, record_failure

log = logging.getLogger(__name__)


def _in_district(records: list[Record], district: str, gaz: Gazetteer, notes: list[str]) -> list[Record]:
    """Only the records placed in `district` (by coordinates, else postcode); the rest are counted."""
    kept = []
    for record in records:
        lat, lon, postcode = (record.values.get(k) for k in ("lat", "lon", "postcode"))
        where: Point | str | None = None
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            where = Point(float(lat), float(lon))
        elif postcode:
            where = str(postcode)
        if where is not None and gaz.district_of(where) == district:
            kept.append(record)
    if len(kept) < len(records):
        notes.append(f"{len(records) - len(kept)} locations outside district {district} left out")
    return kept


def sync_integreat(db: OffersDb, api: str, region: str, *, district: str | None = None,
                   geocoder_url: str | None = None, gaz: Gazetteer | None = None,
                   dry_run: bool = False) -> Report:
    """Sync an Integreat region (optionally only its locations in one district) into the offers."""
    gaz = gaz or default_gazetteer()
    scope = f"{region}:{district}" if district else region
    notes: list[str] = []
    try:
        german, others = integreat.fetch(api, region)
        found = integreat.records(region, german, others, integreat.category_map(db), notes)
        if district:
            found = _in_district(found, district, gaz, notes)
        locator = Geocoder(db, geocoder_url) if geocoder_url else None
        report = apply(db, integreat.SOURCE, scope, found, locator=locator, gaz=gaz, dry_run=dry_run,
                       notes=notes)
    except SourceError as exc:
        if not dry_run:
            record_failure(db, integreat.SOURCE, scope, str(exc))
        raise
    _log(report)
    return report


def sync_osm(db: OffersDb, api: str, district: str, *, kinds: Sequence[str] = DEFAULT_KINDS,
             geocoder_url: str | None = None, gaz: Gazetteer | None = None, dry_run: bool = False) -> Report:
    """Sync the OpenStreetMap objects of a district (the kinds of osm_tags.py) into the offers."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise SourceError(f"unknown kinds {', '.join(unknown)} (known: {', '.join(KINDS)})")
    rules = rules_for(list(kinds))
    notes: list[str] = []
    try:
        found = osm.records(osm.fetch(api, district, rules), rules, notes)
        locator = Geocoder(db, geocoder_url) if geocoder_url else None
        report = apply(db, osm.SOURCE, district, found, locator=locator, gaz=gaz, dry_run=dry_run, notes=notes)
    except SourceError as exc:
        if not dry_run:
            record_failure(db, osm.SOURCE, district, str(exc))
        raise
    _log(report)
    return report


def _log(report: Report) -> None:
    log.info("sync %s", report.summary())
    for note in report.notes[:20]:
        log.info("sync %s %s: %s", report.source, report.scope, note)
