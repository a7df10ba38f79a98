"""The demo database for tests: built once per test process, copied for each test with SQLite's backup API (a few
milliseconds, where building it takes a third of a second, and a thousand tests start from it)."""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from bot.offers.db import open_db
from bot.offers.demo import build_demo


@functools.cache
def _built() -> sqlite3.Connection:
    db = open_db(memory=True)
    build_demo(db)
    return db.conn


def demo_db(path: Path | str | None = None) -> Database:
    """A fresh database with the demo offers (as after `lotse setup`): the file `path` (in WAL mode, as open_db
    makes it), or in memory."""
    db = open_db(path, memory=path is None)
    _built().backup(db.conn)
    return db
