"""Opening the SQLite database and keeping its schema current (versioned migrations in PRAGMA user_version).

Schema of the offers (migration 2):
- `offers`: one row per offer, keyed by a stable text `id`. Names and descriptions per language are columns
  `name_<lang>` / `description_<lang>` (German `name_de` required, the others optional), so an admin's
  spreadsheet has one plain column per language. `categories` is a JSON list kept for display and export.
- `offer_categories`: one row per (offer, category), filled by triggers from `offers.categories`, carrying the
  offer's lat/lon/active and grid cell, so "nearest Kita" reads a few grid cells of a covering index
  (category, cell, lat, lon) instead of scanning JSON. `offers.cell` (a generated column) does the same for
  "any category".
- `offers_fts`: FTS5 over all names, descriptions and keywords, organisation and town (the layout sqlite-utils'
  enable_fts makes, so `db["offers"].search(q, quote=True)` works), kept current by triggers. Migration 8 adds
  `offers.keywords` (words people may use for an offer, in any language: "Tafel, ملابس, одяг") and rebuilds it.
- `audit`: every change with time, actor, action and the old and new row as JSON.
- `admin_users`, `admin_sessions` (migration 4): the web admin's named accounts and sign-in sessions.
- `meta.offers_version` (migration 8): bumped by triggers on every change of an offer, for caches.
- `staff_topics`, `topic_answers` (migration 12): topics staff own and answers per district (bot/knowledge/).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

#: Languages with their own name/description columns (the bot's languages; German is required).
LANGS: tuple[str, ...] = ("de", "en", "ar", "fa", "uk", "ru", "tr", "fr", "ku", "ti", "ps", "so")
NAME_COLUMNS = tuple(f"name_{lang}" for lang in LANGS)
DESCRIPTION_COLUMNS = tuple(f"description_{lang}" for lang in LANGS)
#: Columns of the full-text index: migration 2 made it without keywords, migration 8 with them.
FTS_COLUMNS_V2 = (*NAME_COLUMNS, *DESCRIPTION_COLUMNS, "organisation", "city")
FTS_COLUMNS = (*NAME_COLUMNS, *DESCRIPTION_COLUMNS, "keywords", "organisation", "city")
#: Grid cell of a point (0.1 degree, ~11 x 7 km in Germany) for the geo indexes; store.cell() computes the same.
CELL_DEG = 0.1
CELL_SQL = "CAST(({lat} + 90) * 10 AS INTEGER) * 10000 + CAST(({lon} + 180) * 10 AS INTEGER)"

_V1 = """
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
"""


def _fts(columns: tuple[str, ...]) -> str:
    """The full-text index over `columns` of offers, and the triggers that keep it current."""
    fts_cols = ", ".join(columns)
    new_cols = ", ".join(f"new.{c}" for c in columns)
    old_cols = ", ".join(f"old.{c}" for c in columns)
    return f"""
CREATE VIRTUAL TABLE offers_fts USING FTS5 ({fts_cols}, content=[offers], tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER offers_ai AFTER INSERT ON offers BEGIN
    INSERT INTO offers_fts (rowid, {fts_cols}) VALUES (new.rowid, {new_cols});
END;
CREATE TRIGGER offers_ad AFTER DELETE ON offers BEGIN
    INSERT INTO offers_fts (offers_fts, rowid, {fts_cols}) VALUES ('delete', old.rowid, {old_cols});
END;
CREATE TRIGGER offers_au AFTER UPDATE ON offers BEGIN
    INSERT INTO offers_fts (offers_fts, rowid, {fts_cols}) VALUES ('delete', old.rowid, {old_cols});
    INSERT INTO offers_fts (rowid, {fts_cols}) VALUES (new.rowid, {new_cols});
END;
INSERT INTO offers_fts (offers_fts) VALUES ('rebuild');
"""


def _v2() -> str:
    """The offers table of issue 4, migrated forward from the skeleton's (name -> name_de)."""
    lang_columns = ",\n    ".join(f"{c} TEXT" for c in (*NAME_COLUMNS[1:], *DESCRIPTION_COLUMNS))
    cell = CELL_SQL.format(lat="{r}.lat", lon="{r}.lon")
    categories_of = f"SELECT {{r}}.id, value, {{r}}.lat, {{r}}.lon, {{r}}.active, {cell} " \
        "FROM json_each({r}.categories)"
    return f"""
CREATE TABLE offers_v2 (
    id TEXT PRIMARY KEY,
    name_de TEXT NOT NULL,
    {lang_columns},
    name TEXT GENERATED ALWAYS AS (name_de) VIRTUAL,
    categories TEXT NOT NULL DEFAULT '[]',
    organisation TEXT, street TEXT, postcode TEXT, city TEXT, district TEXT,
    lat REAL, lon REAL,
    approximate INTEGER NOT NULL DEFAULT 0,
    national INTEGER NOT NULL DEFAULT 0,
    phone TEXT, email TEXT, website TEXT,
    opening_hours TEXT, languages TEXT, target_group TEXT, cost TEXT,
    appointment INTEGER, barrier_free INTEGER,
    example INTEGER NOT NULL DEFAULT 0,
    source TEXT, source_date TEXT,
    updated_at TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    cell INTEGER GENERATED ALWAYS AS ({CELL_SQL.format(lat="lat", lon="lon")}) VIRTUAL
);
INSERT INTO offers_v2 (id, name_de, categories, street, postcode, city, lat, lon, approximate, phone, website,
                       example, source, source_date, active, updated_at)
    SELECT id, name, categories, street, postcode, city, lat, lon, approximate, phone, website,
           example, source, source_date, active, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM offers;
DROP TABLE offers;
ALTER TABLE offers_v2 RENAME TO offers;
CREATE INDEX offers_geo ON offers(cell, lat, lon, id) WHERE active = 1;

CREATE TABLE offer_categories (
    offer_id TEXT NOT NULL, category TEXT NOT NULL, lat REAL, lon REAL, active INTEGER NOT NULL, cell INTEGER,
    PRIMARY KEY (offer_id, category)
) WITHOUT ROWID;
CREATE INDEX offer_categories_geo ON offer_categories(category, cell, lat, lon, offer_id) WHERE active = 1;
INSERT OR IGNORE INTO offer_categories {categories_of.format(r="offers")}, offers;
CREATE TRIGGER offers_categories_ai AFTER INSERT ON offers BEGIN
    INSERT OR IGNORE INTO offer_categories {categories_of.format(r="new")};
END;
CREATE TRIGGER offers_categories_au AFTER UPDATE ON offers BEGIN
    DELETE FROM offer_categories WHERE offer_id = old.id;
    INSERT OR IGNORE INTO offer_categories {categories_of.format(r="new")};
END;
CREATE TRIGGER offers_categories_ad AFTER DELETE ON offers BEGIN
    DELETE FROM offer_categories WHERE offer_id = old.id;
END;

{_fts(FTS_COLUMNS_V2)}
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, offer_id TEXT NOT NULL,
    old TEXT, new TEXT
);
CREATE INDEX audit_offer ON audit(offer_id, id);
"""


# Versioned migrations: each runs once, in order, in one transaction with the user_version bump.
# v3: the language a person writes in (when they have not chosen one), so a conversation stays in it.
_V3 = "ALTER TABLE sessions ADD COLUMN last_lang TEXT;"

# v4: where a conversation stands (bot/engine/states.py), the topic waiting for a place, offers shown so far.
_V4 = """ALTER TABLE sessions ADD COLUMN state TEXT;
ALTER TABLE sessions ADD COLUMN pending_intent TEXT;
ALTER TABLE sessions ADD COLUMN shown INTEGER;"""
# v5: what staff review and teach (bot/engine/learning.py). Times are days only and no row holds a user id or
# key, so nothing here can be joined to a session; the old word-for-word `unanswered` log is dropped.
_V5 = """
CREATE TABLE review_queue (
    key TEXT PRIMARY KEY, text TEXT NOT NULL, lang TEXT, count INTEGER NOT NULL DEFAULT 1,
    reasons TEXT NOT NULL DEFAULT '[]', guesses TEXT NOT NULL DEFAULT '[]', first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX review_queue_last_seen ON review_queue(last_seen);
CREATE TABLE learned (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, text TEXT NOT NULL, intent TEXT NOT NULL, lang TEXT,
    who TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE feedback (id INTEGER PRIMARY KEY, day TEXT NOT NULL, intent TEXT NOT NULL, lang TEXT,
                       vote INTEGER NOT NULL);
CREATE INDEX feedback_day ON feedback(day);
CREATE TABLE usage (day TEXT NOT NULL, intent TEXT NOT NULL, lang TEXT NOT NULL, n INTEGER NOT NULL,
                    PRIMARY KEY (day, intent, lang)) WITHOUT ROWID;
DROP TABLE IF EXISTS unanswered;
"""
# v6: per queue entry, a keyed one-way mark of each person who asked it (bot/engine/learning.py): /forget finds
# and removes their part, and without the user id and the key file the marks link to no one.
_V6 = "ALTER TABLE review_queue ADD COLUMN marks TEXT NOT NULL DEFAULT '[]';"
# v7: named accounts of the web admin (argon2 hashes, never passwords) and their sign-in sessions (a hash of the
# cookie's random token, the CSRF token of the session, and when it was last used, for the idle expiry).
_V7 = """
CREATE TABLE admin_users (
    name TEXT PRIMARY KEY COLLATE NOCASE, role TEXT NOT NULL, password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL, changed_at TEXT NOT NULL
);
CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE, csrf TEXT NOT NULL,
    created_at REAL NOT NULL, last_seen REAL NOT NULL
);
CREATE INDEX admin_sessions_name ON admin_sessions(name);
"""



def _v8() -> str:
    """v8: keywords per offer, searched with the names and descriptions (a question that names an offer by a
    word staff gave it finds the offer, bot/offers/named.py); the index is rebuilt with the new column."""
    return ("ALTER TABLE offers ADD COLUMN keywords TEXT;\n"
            "DROP TRIGGER offers_ai; DROP TRIGGER offers_ad; DROP TRIGGER offers_au; DROP TABLE offers_fts;\n"
            + _fts(FTS_COLUMNS))


# v9: a danger the conversation is in (bot/engine/safety.py): its situation and how many more messages keep its
# numbers first.
_V9 = """ALTER TABLE sessions ADD COLUMN danger TEXT;
ALTER TABLE sessions ADD COLUMN danger_turns INTEGER;"""

# v10: offers kept in step with outside sources (bot/sources/): what each source last said about an offer (so a
# field staff changed since is never overwritten), each sync run with what it changed, staff's mapping of a
# source's categories to ours, and the geocoder's answers (asked once per address); the example offers indexed,
# as every search ranks them behind real ones (store.nearest).
_V10 = """
CREATE TABLE source_state (
    offer_id TEXT PRIMARY KEY, source TEXT NOT NULL, scope TEXT NOT NULL, source_key TEXT NOT NULL,
    values_json TEXT NOT NULL, seen_at TEXT NOT NULL
);
CREATE INDEX source_state_scope ON source_state(source, scope);
CREATE TABLE source_runs (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, scope TEXT NOT NULL, started TEXT NOT NULL, finished TEXT,
    added INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0, kept INTEGER NOT NULL DEFAULT 0, report TEXT NOT NULL DEFAULT '{}',
    error TEXT
);
CREATE INDEX source_runs_source ON source_runs(source, scope, id);
CREATE TABLE source_categories (
    source TEXT NOT NULL, label TEXT NOT NULL, categories TEXT NOT NULL DEFAULT '[]', who TEXT, changed_at TEXT,
    PRIMARY KEY (source, label)
);
CREATE TABLE geocode_cache (query TEXT PRIMARY KEY, lat REAL, lon REAL, found_at TEXT NOT NULL);
CREATE INDEX offers_example ON offers(id) WHERE example = 1;
"""

# v11: what a message reads on every turn must not grow with the offers. `offers_version` in `meta` counts every
# change of an offer (triggers), so the covered districts are recomputed only when the offers changed (a count over
# 40,000 rows per message took 35 ms), and the few nationwide offers are found through their own small index.
_VERSION_BUMP = ("INSERT INTO meta(key, value) VALUES ('offers_version', '1') ON CONFLICT(key) "
                 "DO UPDATE SET value = CAST(value AS INTEGER) + 1;")
_V11 = f"""
CREATE TRIGGER offers_version_ai AFTER INSERT ON offers BEGIN {_VERSION_BUMP} END;
CREATE TRIGGER offers_version_au AFTER UPDATE ON offers BEGIN {_VERSION_BUMP} END;
CREATE TRIGGER offers_version_ad AFTER DELETE ON offers BEGIN {_VERSION_BUMP} END;
CREATE INDEX offers_national ON offers(id) WHERE national = 1;
"""

# v12: topics staff own and answers per district (bot/knowledge/store.py). `knowledge_version` in `meta` counts
# every change (triggers), so each process reloads the topics and retrains its understanding only when they changed.
_KNOWLEDGE_BUMP = ("INSERT INTO meta(key, value) VALUES ('knowledge_version', '1') ON CONFLICT(key) "
                   "DO UPDATE SET value = CAST(value AS INTEGER) + 1;")
_V12 = """
CREATE TABLE staff_topics (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, answer TEXT NOT NULL DEFAULT '{}',
    examples TEXT NOT NULL DEFAULT '{}', categories TEXT NOT NULL DEFAULT '[]',
    needs_place INTEGER NOT NULL DEFAULT 1, menu TEXT NOT NULL DEFAULT 'more', district TEXT, link TEXT,
    sources TEXT NOT NULL DEFAULT '[]', who TEXT, changed_at TEXT
);
CREATE TABLE topic_answers (
    intent TEXT NOT NULL, district TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL, who TEXT, changed_at TEXT,
    PRIMARY KEY (intent, district, lang)
);
""" + "".join(f"CREATE TRIGGER {table}_version_{op[:1].lower()} AFTER {op} ON {table} BEGIN {_KNOWLEDGE_BUMP} END;\n"
              for table in ("staff_topics", "topic_answers") for op in ("INSERT", "UPDATE", "DELETE"))

MIGRATIONS: list[str | Callable[[], str]] = [_V1, _v2, _V3, _V4, _V5, _V6, _V7, _v8, _V9, _V10, _V11, _V12]


def offers_version(db: Database) -> str:
    """A counter that changes whenever any offer is added, changed or removed (in any process)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'offers_version'").fetchone()
    return str(row[0]) if row else "0"


def write_problem(exc: sqlite3.OperationalError) -> str:
    """What a failed write means for the person running Lotse, in one line."""
    text = str(exc).lower()
    if "full" in text:
        return "the disk is full; free some space"
    if "readonly" in text or "read-only" in text:
        return "the database file or its folder is read-only; check the permissions"
    if is_busy(exc):
        return "another program is writing to it; try again in a minute"
    if "unable to open" in text:
        return "it cannot be opened (does its folder exist, and may Lotse write there?)"
    return str(exc)


T = TypeVar("T")

#: Pauses between the tries of a write that found the database busy (after SQLite's own busy_timeout each time).
WRITE_RETRY_PAUSES = (0.05, 0.2, 0.5, 1.0)


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """True when another connection holds the write lock (worth trying again), not a full disk or bad SQL."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def retrying(write: Callable[[], T], pauses: tuple[float, ...] = WRITE_RETRY_PAUSES) -> T:
    """Run a short write transaction, again after a pause while another writer holds the lock.

    Imports commit in short batches, so a chat's session write waits at most for one batch; the tries cover a
    machine so busy that one batch outlasts SQLite's busy_timeout. The last failure is raised for the caller to
    keep the write for later.
    """
    for pause in pauses:
        try:
            return write()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
            time.sleep(pause)
    return write()


def migrate(db: Database) -> None:
    """Bring the schema up to the newest version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        script = step() if callable(step) else step
        # executescript commits what was open; BEGIN ... COMMIT makes the step and its version atomic.
        db.conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")


def open_db(path: Path | str | None = None, *, memory: bool = False, threads: bool = False) -> Database:
    """Open (and create or migrate) the database; WAL so the web admin and the bot can share it.

    `threads`: the connection may be used from other threads than this one (one at a time: bot/store/sqlite.py
    takes turns), as a store shared by threads does.
    """
    if memory or path is None:
        db = Database(memory=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = Database(sqlite3.connect(str(path), check_same_thread=False) if threads else str(path))
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA busy_timeout=5000")
        db.execute("PRAGMA synchronous=NORMAL")
        # Reads dominate (every answer is a nearest search): map the file and keep hot pages in memory.
        db.execute("PRAGMA mmap_size=268435456")
        db.execute("PRAGMA cache_size=-32000")
    migrate(db)
    from bot.store import as_store  # the shared state's tables (bot/store/schema.py), in the same file

    as_store(db)
    return db
