"""Which syncs run on a schedule (LOTSE_SYNC), and running them all once (what `lotse serve` does every
LOTSE_SYNC_HOURS, on a worker thread with its own database connection).

LOTSE_SYNC lists jobs separated by spaces or commas: `integreat:REGION`, `integreat:REGION:AGS` (only the
region's locations in that district) and `osm:AGS`, e.g. `integreat:kreis-recklinghausen osm:05978`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from bot.offers.sql import OffersDb
from bot.sources.http import SourceError

log = logging.getLogger(__name__)
_JOB = re.compile(r"(?P<source>integreat):(?P<region>[a-z0-9][a-z0-9-]*)(?::(?P<ags>\d{5}))?|osm:(?P<osm>\d{5})")


@dataclass(frozen=True)
class SyncJob:
    source: str
    region: str = ""
    district: str | None = None

    def __str__(self) -> str:
        if self.source == "osm":
            return f"osm:{self.district}"
        return f"integreat:{self.region}" + (f":{self.district}" if self.district else "")


def parse_jobs(text: str) -> tuple[SyncJob, ...]:
    """The jobs of a LOTSE_SYNC value; ValueError names the part that is not one."""
    jobs = []
    for part in (p for p in re.split(r"[\s,]+", text.strip()) if p):
        match = _JOB.fullmatch(part)
        if match is None:
            raise ValueError(f"'{part}' is not a sync job (integreat:REGION, integreat:REGION:AGS or osm:AGS)")
        if match["osm"]:
            jobs.append(SyncJob("osm", district=match["osm"]))
        else:
            jobs.append(SyncJob("integreat", match["region"], match["ags"]))
    return tuple(jobs)


@dataclass(frozen=True)
class Endpoints:
    integreat_api: str
    overpass_api: str
    geocoder_url: str | None = None


def run_all(where: Path | OffersDb, jobs: tuple[SyncJob, ...], endpoints: Endpoints) -> int:
    """Run every job once on a connection of its own (a SQLite file's path), or on the shared PostgreSQL store
    (its pool serves any thread); a failing source is logged and kept for the admin, the others still run.
    Returns how many succeeded."""
    from bot.offers.db import open_db
    from bot.sources.run import sync_integreat, sync_osm

    db = open_db(where) if isinstance(where, Path) else where
    done = 0
    try:
        for job in jobs:
            try:
                if job.source == "osm":
                    assert job.district is not None
                    sync_osm(db, endpoints.overpass_api, job.district, geocoder_url=endpoints.geocoder_url)
                else:
                    sync_integreat(db, endpoints.integreat_api, job.region, district=job.district,
                                   geocoder_url=endpoints.geocoder_url)
                done += 1
            except SourceError as exc:
                log.warning("sync %s failed: %s", job, exc)
    finally:
        if isinstance(db, Database):
            db.conn.close()
    return done
