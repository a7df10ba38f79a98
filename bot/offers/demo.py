"""The demo database: real contact points from data/nrw_contact_points.csv plus clearly marked example offers.

Example offers have no phone number, address or website: they stand at a town's centre so the demo can show
distances, and every user-facing view marks them as example data. Real offers come from `lotse offers import`.
"""

from __future__ import annotations

import csv
import hashlib
import json
from typing import Any

from sqlite_utils import Database

from bot import ROOT
from bot.geo.gazetteer import Gazetteer, default_gazetteer

CONTACT_POINTS_CSV = ROOT / "data" / "nrw_contact_points.csv"

# What each kind of real contact point offers, by words in its type.
_TYPE_CATEGORIES = [
    ("Kommunales Integrationszentrum", ["integration_centre", "counselling", "school_enrolment"]),
    ("Integrationsbüro", ["integration_centre", "counselling"]),
    ("Ausländerbehörde", ["foreigners_office"]),
    ("MBE", ["counselling"]),
    ("JMD", ["youth", "counselling"]),
    ("Jugendmigrationsdienst", ["youth", "counselling"]),
    ("Flüchtlings", ["counselling", "asylum_advice"]),
]

DEMO_TOWNS = ["Unna", "Lünen", "Kamen", "Bergkamen", "Schwerte", "Selm", "Werne", "Fröndenberg", "Holzwickede",
              "Bönen"]
DEMO_KINDS = [("kita", "Beispiel-Kita"), ("language_course", "Beispiel-Deutschkurs")]


def _offset(seed: str) -> tuple[float, float]:
    """A small, stable offset (under ~1.5 km) so example offers of one town do not stand on one spot."""
    digest = hashlib.sha256(seed.encode()).digest()
    return (digest[0] - 128) / 128 * 0.012, (digest[1] - 128) / 128 * 0.018


def contact_point_rows(gaz: Gazetteer) -> list[dict[str, Any]]:
    """Real contact points, placed at their postcode or town centre (flagged approximate)."""
    rows = []
    with CONTACT_POINTS_CSV.open(encoding="utf-8", newline="") as fh:
        for number, rec in enumerate(csv.DictReader(fh), start=1):
            cats: list[str] = []
            for word, extra in _TYPE_CATEGORIES:
                if word in rec["type"]:
                    cats += [c for c in extra if c not in cats]
            town = rec["city"].split(";")[0].strip()
            place = (gaz.postcode(rec["postcode"]) if rec["postcode"] else None) or gaz.town(town)
            rows.append({
                "id": f"nrw-{rec['kreis_ags']}-{number}",
                "name": rec["name"],
                "categories": json.dumps(cats or ["counselling"]),
                "street": rec["street"], "postcode": rec["postcode"], "city": rec["city"],
                "lat": place.point.lat if place else None, "lon": place.point.lon if place else None,
                "approximate": 1,
                "phone": rec["phone"], "website": "",
                "example": 0,
                "source": rec["source_url"], "source_date": rec["source_date"],
                "active": 1,
            })
    return rows


def example_rows(gaz: Gazetteer) -> list[dict[str, Any]]:
    """Example offers in the demo towns, marked as such."""
    rows = []
    for town in DEMO_TOWNS:
        place = gaz.town(town)
        if place is None:
            continue
        for category, label in DEMO_KINDS:
            dlat, dlon = _offset(category + town)
            rows.append({
                "id": f"demo-{category}-{place.postcode}",
                "name": f"{label} {town} (Beispieldaten)",
                "categories": json.dumps([category]),
                "street": "", "postcode": place.postcode or "", "city": town,
                "lat": round(place.point.lat + dlat, 5), "lon": round(place.point.lon + dlon, 5),
                "approximate": 0, "phone": "", "website": "",
                "example": 1, "source": "Lotse demo data", "source_date": "",
                "active": 1,
            })
    return rows


def build_demo(db: Database, gaz: Gazetteer | None = None) -> int:
    """Fill the offers table with the demo data (replacing earlier demo rows); returns the count."""
    gaz = gaz or default_gazetteer()
    rows = contact_point_rows(gaz) + example_rows(gaz)
    with db.conn:
        db["offers"].upsert_all(rows, pk="id")
    return len(rows)
