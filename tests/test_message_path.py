"""A message's way through the engine must not read more of the database as the offers grow.

Wall-clock time belongs in `lotse bench offers`; here SQLite's own count of virtual-machine steps per message is
compared between the demo database and the same with thousands more offers elsewhere in Germany (a count over
every offer, or a scan for the nationwide ones, shows up as steps in proportion to the offers).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from demodb import demo_db
from sqlite_utils import Database

from bot.bench.offers import synthetic_rows
from bot.engine import Engine, Incoming
from bot.offers.db import offers_version
from bot.offers.write import DEFAULTS, Change, content, write_rows

EXTRA = 6_000
STEP = 100  # the progress handler runs every STEP virtual-machine instructions
MESSAGES = ("Deutschkurs in Unna", "Kita in Lünen", "mehr", "Wohnung in Recklinghausen", "Hallo", "Frauenhaus")


def _db(path: Path, extra: int) -> Database:
    db = demo_db(path)
    if extra:
        rows = synthetic_rows(extra, seed=3)
        for row in rows:
            row["categories"] = row["categories"].split(",")
        with db.conn:
            write_rows(db, [Change(r["id"], None, content({**DEFAULTS, **r}), "import") for r in rows], "test")
    return db


def _steps(db: Database) -> list[int]:
    """SQLite steps (in units of STEP) of each message, after one warm-up round."""
    engine = Engine(db)
    for text in MESSAGES:
        engine.handle(Incoming("test:warm", text=text))
    counted = [0]

    def tick() -> int:
        counted[0] += 1
        return 0

    db.conn.set_progress_handler(tick, STEP)
    steps = []
    for text in MESSAGES:
        counted[0] = 0
        engine.handle(Incoming("test:user", text=text))
        steps.append(counted[0])
    db.conn.set_progress_handler(None, STEP)
    return steps


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[int]]:
    tmp = tmp_path_factory.mktemp("path")
    return {"demo": _steps(_db(tmp / "demo.db", 0)), "big": _steps(_db(tmp / "big.db", EXTRA))}


@pytest.mark.parametrize("index", range(len(MESSAGES)), ids=MESSAGES)
def test_a_message_reads_no_more_with_ten_times_the_offers(steps: dict[str, list[int]], index: int) -> None:
    demo, big = steps["demo"][index], steps["big"][index]
    # Nearby offers are denser with more of them, so a little more work is fair; a pass over 6,000 offers is not.
    assert big <= demo * 1.5 + 20, (MESSAGES[index], demo, big)


def test_the_offers_version_changes_with_every_kind_of_change(tmp_path: Path) -> None:
    db = _db(tmp_path / "v.db", 0)
    seen = [offers_version(db)]
    with db.conn:
        db.execute("UPDATE offers SET phone = '0231 1' WHERE id = (SELECT min(id) FROM offers)")
    seen.append(offers_version(db))
    with db.conn:
        db.execute("DELETE FROM offers WHERE id = (SELECT max(id) FROM offers)")
    seen.append(offers_version(db))
    assert len(set(seen)) == 3
