"""`lotse bench offers`: import speed, nearest-search latency and database size on synthetic offers.

Synthetic offers stand near random German postcode centres (so they are spread like the postcodes, dense in
cities), with one or two random categories and the fields an admin typically fills. Targets (issue 4):
10,000-row CSV import <= 5 s; with 100,000 offers nearest 5 in a category median <= 1 ms; database <= 100 MB.
Then the engine's whole message path with the demo's offers and with 40,000 more (bot/bench/message_path.py):
the mean within 20% of the demo's, p99 <= 5 ms.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.bench import message_path
from bot.geo.distance import Point
from bot.geo.gazetteer import default_gazetteer
from bot.offers.categories import CATEGORIES
from bot.offers.db import open_db
from bot.offers.importer import import_file
from bot.offers.store import nearest
from bot.offers.write import DEFAULTS, Change, content, write_rows

IMPORT_ROWS = 10_000
DB_OFFERS = 100_000
QUERIES = 2_000


def synthetic_rows(count: int, seed: int = 4) -> list[dict[str, Any]]:
    """`count` plausible offers spread over Germany (deterministic for a seed)."""
    rng = random.Random(seed)
    places = sorted(default_gazetteer().by_postcode.values(), key=lambda p: p.postcode or "")
    rows = []
    for number in range(count):
        place = rng.choice(places)
        cats = rng.sample(CATEGORIES, rng.choice((1, 1, 2)))
        rows.append({
            "id": f"bench-{number:06d}", "name_de": f"Angebot {number} {place.name}",
            "description_de": f"Synthetisches Angebot Nummer {number} für den Benchmark in {place.name}.",
            "categories": ",".join(cats), "street": f"Hauptstraße {number % 200 + 1}", "postcode": place.postcode,
            "city": place.name, "lat": round(place.point.lat + rng.uniform(-0.02, 0.02), 6),
            "lon": round(place.point.lon + rng.uniform(-0.03, 0.03), 6),
            "phone": f"0{rng.randint(200, 9999)} {rng.randint(10000, 999999)}",
            "website": f"https://example.org/angebot/{number}", "opening_hours": "Mo-Fr 09:00-12:00",
            "languages": "de,en", "source": "Lotse benchmark", "source_date": "2026-11-21",
        })
    return rows


def _csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def run(echo: Callable[[str], None]) -> dict[str, Any]:
    """Run the offer benchmarks; prints a table through `echo` and returns the numbers."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "offers.csv"
        csv_path.write_bytes(_csv_bytes(synthetic_rows(IMPORT_ROWS, seed=1)))
        db = open_db(Path(tmp) / "import.db")
        start = time.perf_counter()
        result = import_file(db, csv_path, actor="bench")
        results["import_10k_s"] = round(time.perf_counter() - start, 3)
        if not result.ok:
            raise RuntimeError(f"benchmark import failed: {result.errors[:3]}")
        db.conn.close()

        path = Path(tmp) / "big.db"
        db = open_db(path)
        start = time.perf_counter()
        rows = synthetic_rows(DB_OFFERS)
        for row in rows:
            row["categories"] = row["categories"].split(",")
        with db.conn:
            write_rows(db, [Change(r["id"], None, content({**DEFAULTS, **r}), "import") for r in rows], "bench")
        results["fill_100k_s"] = round(time.perf_counter() - start, 2)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        results["db_100k_mb"] = round(path.stat().st_size / 1e6, 1)

        rng = random.Random(7)
        places = list(default_gazetteer().by_postcode.values())
        points = [Point(p.point.lat + rng.uniform(-0.05, 0.05), p.point.lon + rng.uniform(-0.05, 0.05))
                  for p in rng.choices(places, k=QUERIES)]
        cats = [rng.choice(CATEGORIES) for _ in range(QUERIES)]
        for point, cat in zip(points[:50], cats[:50], strict=True):  # warm the page cache
            nearest(db, [cat], point, 5)
        times = []
        for point, cat in zip(points, cats, strict=True):
            start = time.perf_counter()
            hits = nearest(db, [cat], point, 5)
            times.append((time.perf_counter() - start) * 1000)
            assert len(hits) == 5
        times.sort()
        results["nearest5_median_ms"] = round(statistics.median(times), 3)
        results["nearest5_p99_ms"] = round(times[int(len(times) * 0.99)], 3)
        start = time.perf_counter()
        for point in points[:200]:
            nearest(db, [], point, 5)
        results["nearest5_all_categories_mean_ms"] = round((time.perf_counter() - start) / 200 * 1000, 3)
        db.conn.close()

        path_numbers = message_path.run(Path(tmp))
    for size in ("demo", "big"):
        numbers = path_numbers[size]
        for name in ("mean_ms", "median_ms", "p99_ms", "p99_cpu_ms"):
            results[f"message_{size}_{name}"] = numbers[name]
        results[f"message_{size}_offers"] = numbers["offers"]
    results["message_mean_ratio"] = path_numbers["mean_ratio"]

    echo(f"{'measure':38} {'value':>10}  target")
    targets = {"import_10k_s": "<= 5 s", "nearest5_median_ms": "<= 1 ms", "db_100k_mb": "<= 100 MB",
               "message_big_p99_ms": "<= 5 ms", "message_mean_ratio": "<= 1.2"}
    for key, value in results.items():
        echo(f"{key:38} {value:>10}  {targets.get(key, '')}")
    return results
