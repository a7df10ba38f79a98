"""Storage of the shared state on SQLite (the default) or PostgreSQL (LOTSE_DATABASE_URL), one interface for both.

`open_store(url)` opens either by its URL (`sqlite:///path/lotse.db`, `postgresql://user@host/db`) and brings its
schema up to date; `as_store(db)` gives the interface over a SQLite database already open.
"""

from __future__ import annotations

import weakref
from pathlib import Path

from sqlite_utils import Database

from bot.store.base import Sql, Store
from bot.store.schema import migrate
from bot.store.sqlite import SqliteStore

__all__ = ["Sql", "Store", "UnknownDatabase", "as_store", "open_store"]


class UnknownDatabase(ValueError):
    """A database URL that is neither sqlite:/// nor postgresql://."""


#: One Store per open SQLite database: stores that share a connection must share whether it is in a transaction.
_wrapped: weakref.WeakKeyDictionary[Database, SqliteStore] = weakref.WeakKeyDictionary()


def as_store(db: Database | Store) -> Store:
    """The Store interface over `db` (a sqlite-utils Database is wrapped once, a Store given as it is)."""
    if isinstance(db, Store):
        return db
    store = _wrapped.get(db)
    if store is None:
        store = _wrapped[db] = SqliteStore(db)
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
