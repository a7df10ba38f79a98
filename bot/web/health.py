"""Is the database usable? `GET /healthz` and `lotse serve` ask the same question before they say yes.

A database that can be read but not written (a full disk, a read-only file or directory) used to pass the
health check while every answer failed, and made `lotse serve` end in a traceback. Here one small write
(a heartbeat in `meta`, on a connection of its own) and the free space beside the file decide.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.offers.db import write_problem

MIN_FREE_BYTES = 16 * 1024 * 1024  # below this an import or the write-ahead log can fill the disk any moment


def database_problem(path: Path, timeout: float = 2.0) -> str | None:
    """None when the database file can be written, else what is wrong, in one line."""
    directory = path.parent if path.parent != Path("") else Path(".")
    try:
        free = shutil.disk_usage(directory).free
    except OSError as exc:
        return f"its folder {directory} cannot be reached ({exc.strerror})"
    if free < MIN_FREE_BYTES:
        return f"the disk is almost full ({free // 1024 // 1024} MB free)"
    try:
        conn = sqlite3.connect(path, timeout=timeout)
    except sqlite3.Error as exc:
        return f"it cannot be opened ({exc})"
    try:
        with conn:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            conn.execute("INSERT INTO meta(key, value) VALUES ('heartbeat', ?) ON CONFLICT(key) DO UPDATE SET "
                         "value = excluded.value", [datetime.now(UTC).isoformat(timespec="seconds")])
    except sqlite3.OperationalError as exc:
        return write_problem(exc)
    except sqlite3.DatabaseError as exc:
        return f"it is damaged or not a database ({exc})"
    finally:
        conn.close()
    return None
