"""Opening the SQLite database and keeping its schema current."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

# Versioned migrations: each entry runs once, in order, inside a transaction; user_version records progress.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE IF NOT EXISTS offers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        categories TEXT NOT NULL DEFAULT '[]',
        street TEXT, postcode TEXT, city TEXT,
        lat REAL, lon REAL, approximate INTEGER NOT NULL DEFAULT 0,
        phone TEXT, website TEXT,
        example INTEGER NOT NULL DEFAULT 0,
        source TEXT, source_date TEXT,
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX IF NOT EXISTS offers_lat_lon ON offers(lat, lon);
    CREATE TABLE IF NOT EXISTS sessions (
        user_key TEXT PRIMARY KEY,
        lang TEXT, place_name TEXT, lat REAL, lon REAL, last_intent TEXT,
        updated_at TEXT
    );
    CREATE TABLE IF NOT EXISTS unanswered (
        id INTEGER PRIMARY KEY, text TEXT NOT NULL, lang TEXT, created_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
    """,
]


def migrate(db: Database) -> None:
    """Bring the schema up to the newest version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with db.conn:
            db.conn.executescript(script)
            db.execute(f"PRAGMA user_version = {number}")


def open_db(path: Path | str | None = None, *, memory: bool = False) -> Database:
    """Open (and create or migrate) the database; WAL so the web admin and the bot can share it."""
    if memory or path is None:
        db = Database(memory=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = Database(str(path))
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA busy_timeout=5000")
    migrate(db)
    return db
