"""Storage of the shared state on SQLite (the default) or PostgreSQL (LOTSE_DATABASE_URL), one interface for both.

`open_store(url)` opens either by its URL (`sqlite:///path/lotse.db`, `postgresql://user@host/db`) and brings its
schema up to date; `as_store(db)` gives the interface over a SQLite database already open.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from bot.store.base import Sql, Store
from bot.store.schema import migrate
from bot.store.sqlite import SqliteStore

__all__ = ["Sql", "Store", "UnknownDatabase", "as_store", "open_store"]


class UnknownDatabase(ValueError):
    """A database URL that is neither sqlite:/// nor postgresql://."""


#: The attribute a sqlite-utils Database keeps its Store in: one per open database, because stores that share a
#: connection must share whether it is in a transaction; kept on the database, it lives exactly as long.
_ATTRIBUTE = "_lotse_store"


def as_store(db: Database | Store) -> Store:
    """The Store interface over `db` (a sqlite-utils Database is wrapped once, a Store given as it is)."""
    if isinstance(db, Store):
        return db
    store = getattr(db, _ATTRIBUTE, None)
    if not isinstance(store, SqliteStore):
        store = SqliteStore(db)
        setattr(db, _ATTRIBUTE, store)
        migrate(store)
    return store


def open_store(url: str, *, migrate_schema: bool = True) -> Store:
    """Open the database a URL names; its shared tables migrated unless told otherwise."""
    store: Store
    if url.startswith(("postgresql://", "postgres://")):
        from bot.store.postgres import PostgresStore  # psycopg is only loaded where PostgreSQL is used

        store = PostgresStore(url)
    elif url.startswith("sqlite:///"):
        from bot.offers.db import open_db

        store = SqliteStore(open_db(Path(url.removeprefix("sqlite:///")), threads=True), owns=True)
    else:
        raise UnknownDatabase(f"{url!r}: a database URL starts with sqlite:/// or postgresql://")
    if migrate_schema:
        migrate(store)
    return store
