"""The offers on either engine through one small interface: a sqlite-utils Database (the district's SQLite file,
the default, read exactly as before) or a Store on PostgreSQL (several instances sharing one database).

Statements that both engines speak go through `rows` / `one` and `writing`; where the engines differ (full-text
search, SQLite's PRAGMAs) a module asks `on_postgres(db)` and takes its own branch. On SQLite these helpers add
one isinstance check to the statement Lotse always ran, on its own connection: the nearest search stays as fast.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.store import Sql, Store
from bot.store.base import Row
from bot.store.sqlite import SqliteStore

#: Where the offers are: a sqlite-utils Database, or a Store (PostgreSQL, or SQLite through its store).
OffersDb = Database | Store


def rows(db: OffersDb | Sql, sql: str, args: Sequence[Any] = ()) -> list[Row]:
    """Every row of a statement (`?` placeholders on both engines)."""
    if isinstance(db, Database):
        return db.execute(sql, list(args)).fetchall()
    return db.query(sql, args)


def one(db: OffersDb | Sql, sql: str, args: Sequence[Any] = ()) -> Row | None:
    found = rows(db, sql, args)
    return found[0] if found else None


def on_postgres(db: OffersDb | Sql) -> bool:
    """Whether the offers are in PostgreSQL (full-text search and a few statements differ)."""
    return isinstance(db, Store) and db.dialect == "postgresql"


def sqlite_of(db: OffersDb) -> Database | None:
    """The sqlite-utils Database behind `db`, when the offers are in SQLite."""
    if isinstance(db, Database):
        return db
    return db.db if isinstance(db, SqliteStore) else None


def open_offers(db_path: Path, database_url: str | None) -> OffersDb:
    """The offers a command works on: PostgreSQL when LOTSE_DATABASE_URL is set, else the SQLite file."""
    if database_url:
        from bot.store import open_store

        return open_store(database_url)
    from bot.offers.db import open_db

    return open_db(db_path)


@contextlib.contextmanager
def writing(db: OffersDb) -> Iterator[Sql]:
    """Statements that commit together (rolled back when the block raises), on either engine."""
    if isinstance(db, Database):
        from bot.store.sqlite import _InTransaction

        with db.conn:  # Python's sqlite3 opens the transaction at the first write and commits here
            yield _InTransaction(db.conn)
        return
    with db.transaction() as tx:
        yield tx


def _columns() -> tuple[str, ...]:
    from bot.offers.fields import FIELDS

    return tuple(f for f in FIELDS if f != "attribution")


def offer_dicts(db: OffersDb | Sql, tail: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Offer rows as dicts: `SELECT * FROM offers<tail>` (on SQLite as always; elsewhere the stored columns,
    without PostgreSQL's search vectors)."""
    if isinstance(db, Database):
        cursor = db.execute(f"SELECT * FROM offers{tail}", list(args))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    columns = _columns()
    return [dict(zip(columns, row, strict=True))
            for row in db.query(f"SELECT {', '.join(columns)} FROM offers{tail}", args)]
