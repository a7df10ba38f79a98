"""Move the shared state from one database to another (`lotse db copy`), verified by counts and checksums.

A district that started on SQLite moves to PostgreSQL (or back) with its conversations, open handoffs and the
team's messages. The copy refuses a target whose tables already hold rows (unless told to replace them), so
running it twice cannot double anything; each table is copied in one transaction, then both sides are read again
and compared by row count and a checksum of every row in key order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from bot.store.base import Row, Sql, Store
from bot.store.schema import TABLES, Table

BATCH = 1000  # rows sent together


class NotEmpty(Exception):
    """The target already holds rows in a table the copy would fill."""


@dataclass(frozen=True)
class Copied:
    """One table's result: rows and checksum on each side."""

    table: str
    source_rows: int
    target_rows: int
    source_sum: str
    target_sum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sum == self.target_sum


def _value(value: object) -> str:
    """One value as the checksum sees it: the same on both engines (SQLite REAL and PostgreSQL DOUBLE agree)."""
    if value is None:
        return "\\N"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def checksum(db: Sql, table: Table) -> tuple[int, str]:
    """How many rows a table has, and a SHA-256 over all of them in key order (by code point)."""
    digest = hashlib.sha256()
    count = 0
    # Sorted here, not by the database: PostgreSQL's collation may order text unlike SQLite's bytewise one.
    keys = [table.columns.index(k) for k in table.key]
    rows = sorted(db.query(f"SELECT {', '.join(table.columns)} FROM {table.name}"),
                  key=lambda row: [row[i] for i in keys])
    for row in rows:
        digest.update("\t".join(_value(v) for v in row).encode() + b"\n")
        count += 1
    return count, digest.hexdigest()


def _rows(source: Store, table: Table) -> list[Row]:
    return source.query(f"SELECT {', '.join(table.columns)} FROM {table.name} ORDER BY {', '.join(table.key)}")


def copy(source: Store, target: Store, *, replace: bool = False,
         progress: Callable[[Copied], None] | None = None) -> list[Copied]:
    """Copy every shared table; one result per table. Raises NotEmpty (before writing anything) when the target
    has rows and `replace` is not set."""
    if not replace:
        full = [t.name for t in TABLES if (row := target.one(f"SELECT count(*) FROM {t.name}")) and row[0]]
        if full:
            raise NotEmpty(", ".join(full))
    results = []
    for table in TABLES:
        rows = _rows(source, table)
        insert = (f"INSERT INTO {table.name}({', '.join(table.columns)}) "
                  f"VALUES ({', '.join('?' * len(table.columns))})")
        with target.transaction() as tx:
            tx.run(f"DELETE FROM {table.name}")
            for start in range(0, len(rows), BATCH):
                tx.many(insert, rows[start:start + BATCH])
            if target.dialect == "postgresql" and table.numbered:
                # The counter of new numbers goes on after the largest copied one (no clash with the next handoff).
                tx.one(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{table.numbered}'), "
                       f"coalesce(max({table.numbered}), 0) + 1, false) FROM {table.name}")
        result = Copied(table.name, *_pair(checksum(source, table), checksum(target, table)))
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def _pair(source: tuple[int, str], target: tuple[int, str]) -> tuple[int, int, str, str]:
    return source[0], target[0], source[1], target[1]
