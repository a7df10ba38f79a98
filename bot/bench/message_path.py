"""The engine's time per message as the offers grow: the demo database, then the same with 40,000 more offers.

Nearest search alone stays under a millisecond at 100,000 offers, so anything else on a message's way that reads
all offers (a count, a scan for the nationwide ones) shows here as a gap between the two runs. Targets: the mean
with 40,000 offers within 20% of the demo's, and p99 <= 5 ms.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.engine import Engine, Incoming
from bot.offers.db import open_db
from bot.offers.demo import build_demo
from bot.offers.write import DEFAULTS, Change, content, write_rows

BIG_OFFERS = 40_000
ROUNDS = 10
# What people send, with places in the demo's districts: topics with offers, paging, small talk, out of scope.
MESSAGES = ("Deutschkurs in Unna", "Kita in Lünen", "mehr", "Arzt in Kamen", "Wohnung in Recklinghausen",
            "Schuldnerberatung Heinsberg", "und in Selm?", "Wetter morgen", "Hallo", "ich brauche einen Anwalt",
            "Sprachkurs", "Unna", "Jobcenter in Marl", "Frauenhaus Dorsten", "Integrationskurs in Bergkamen")


def _fill(db: Database, extra: int) -> int:
    """The demo offers plus `extra` synthetic ones spread over Germany; the number of offers."""
    from bot.bench.offers import synthetic_rows

    build_demo(db)
    if extra:
        rows = synthetic_rows(extra, seed=25)
        for row in rows:
            row["categories"] = row["categories"].split(",")
        with db.conn:
            write_rows(db, [Change(r["id"], None, content({**DEFAULTS, **r}), "import") for r in rows], "bench")
    return int(db.execute("SELECT count(*) FROM offers").fetchone()[0])


def _p99(times: list[float]) -> float:
    ordered = sorted(times)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3)


def _summary(times: list[float], cpu: list[float], offers: int) -> dict[str, Any]:
    """Wall-clock numbers, and the p99 of the CPU time the message took (what other programs on a busy
    machine cannot inflate)."""
    return {"offers": offers, "mean_ms": round(statistics.fmean(times), 3),
            "median_ms": round(statistics.median(times), 3), "p99_ms": _p99(times), "p99_cpu_ms": _p99(cpu)}


def run(tmp: Path) -> dict[str, Any]:
    """Both databases in one run, their messages interleaved (a busy machine slows both alike), and the ratio
    of their means."""
    dbs = [open_db(tmp / f"path-{extra}.db") for extra in (0, BIG_OFFERS)]
    offers = [_fill(db, extra) for db, extra in zip(dbs, (0, BIG_OFFERS), strict=True)]
    engines = [Engine(db) for db in dbs]
    for engine in engines:
        for number, text in enumerate(MESSAGES):  # warm up: caches, the first sessions
            engine.handle(Incoming(f"bench:warm{number}", text=text))
    times: list[list[float]] = [[], []]
    cpu: list[list[float]] = [[], []]
    for turn in range(ROUNDS * len(MESSAGES)):
        incoming = Incoming(f"bench:{turn % 30}", text=MESSAGES[turn % len(MESSAGES)])
        for which in (turn % 2, 1 - turn % 2):
            start, start_cpu = time.perf_counter(), time.thread_time()
            engines[which].handle(incoming)
            times[which].append((time.perf_counter() - start) * 1000)
            cpu[which].append((time.thread_time() - start_cpu) * 1000)
    for db in dbs:
        db.conn.close()
    demo, big = _summary(times[0], cpu[0], offers[0]), _summary(times[1], cpu[1], offers[1])
    return {"demo": demo, "big": big, "mean_ratio": round(big["mean_ms"] / demo["mean_ms"], 3)}
