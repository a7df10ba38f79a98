"""Changing offers: upserts with an audit trail, soft delete and restore, history, online backup.

Every write goes through `write_rows`, inside the caller's transaction, and records one audit row per changed
offer (time, actor, action, old and new values as JSON). Deleting only sets active = 0, so it can be undone.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.offers.fields import FIELDS, READ_ONLY
from bot.offers.sql import OffersDb, rows, writing
from bot.offers.store import rows_by_id
from bot.store import Sql

#: Stored columns compared for changes (updated_at is bookkeeping, not content).
CONTENT = tuple(f for f in FIELDS if f not in READ_ONLY)
DEFAULTS: dict[str, Any] = {f: None for f in CONTENT} | {
    "categories": [], "approximate": 0, "national": 0, "example": 0, "active": 1}


def now() -> str:
    """UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def content(row: dict[str, Any]) -> dict[str, Any]:
    """The comparable content of a stored row: categories as a list, empty text as None."""
    out: dict[str, Any] = {}
    for f in CONTENT:
        value = row.get(f)
        if f == "categories":
            value = json.loads(value) if isinstance(value, str) else list(value or [])
        elif value == "":
            value = None
        elif f in ("lat", "lon") and value is not None:
            value = round(float(value), 6)  # ~0.1 m; spreadsheets keep 15 digits, so exports round-trip
        out[f] = value
    return out


def changed_fields(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Names of the fields whose content differs (all fields when the offer is new)."""
    if old is None:
        return [f for f in CONTENT if new.get(f) not in (None, [], "")]
    return [f for f in CONTENT if old.get(f) != new.get(f)]


@dataclass
class Change:
    """One offer to write: its content before (None when new) and after."""

    offer_id: str
    old: dict[str, Any] | None
    new: dict[str, Any]
    action: str

    @property
    def fields(self) -> list[str]:
        return changed_fields(self.old, self.new)


def _sql_row(values: dict[str, Any], stamp: str) -> list[Any]:
    return [json.dumps(values[f], ensure_ascii=False) if f == "categories" else values[f] for f in CONTENT] + [stamp]


def _json(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


_COLUMNS = (*CONTENT, "updated_at")
_UPSERT = (
    f"INSERT INTO offers ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _COLUMNS[1:])}"
)
_AUDIT = "INSERT INTO audit (time, actor, action, offer_id, old, new) VALUES (?, ?, ?, ?, ?, ?)"


def write_rows(db: Database | Sql, changes: Sequence[Change], actor: str) -> int:
    """Write changed offers and their audit rows (no commit: the caller owns the transaction: a sqlite-utils
    Database inside `with db.conn`, or the Sql of `bot.offers.sql.writing`)."""
    stamp = now()
    run = db.conn.execute if isinstance(db, Database) else db.run
    written = 0
    for change in changes:
        if not change.fields:
            continue
        run(_UPSERT, _sql_row(change.new, stamp))
        if change.old is None:
            # A new offer: its first values are the current ones with later changes undone, so the row is not
            # copied (that would double the database); `history` rebuilds it.
            old_json = new_json = None
        else:
            fields = change.fields
            old_json = _json({f: change.old.get(f) for f in fields})
            new_json = _json({f: change.new.get(f) for f in fields})
        run(_AUDIT, [stamp, actor, change.action, change.offer_id, old_json, new_json])
        written += 1
    return written


def save(db: OffersDb, values: dict[str, Any], actor: str, action: str = "edit") -> bool:
    """Insert or update one offer (values are field -> stored value; missing fields keep their old value).

    No validation: admin input goes through `importer.save_offer`, which checks and geocodes first.
    """
    offer_id = str(values["id"])
    with writing(db) as tx:
        stored = rows_by_id(tx, [offer_id]).get(offer_id)
        old = content(stored) if stored else None
        new = {**(old or DEFAULTS), **content({**(old or DEFAULTS), **values})}
        return write_rows(tx, [Change(offer_id, old, new, action if old else "add")], actor) > 0


def _set_active(db: OffersDb, offer_id: str, active: int, actor: str, action: str) -> bool:
    with writing(db) as tx:
        stored = rows_by_id(tx, [offer_id]).get(offer_id)
        if stored is None:
            raise KeyError(offer_id)
        old = content(stored)
        return write_rows(tx, [Change(offer_id, old, {**old, "active": active}, action)], actor) > 0


def delete(db: OffersDb, offer_id: str, actor: str) -> bool:
    """Soft delete: the offer disappears from answers but stays stored, with an audit row; False if it was."""
    return _set_active(db, offer_id, 0, actor, "delete")


def restore(db: OffersDb, offer_id: str, actor: str) -> bool:
    """Undo a delete; False when the offer was active."""
    return _set_active(db, offer_id, 1, actor, "restore")


@dataclass(frozen=True)
class Event:
    """One audit entry, with the fields it changed."""

    time: str
    actor: str
    action: str
    offer_id: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    @property
    def changes(self) -> dict[str, tuple[Any, Any]]:
        """field -> (old, new) for every field that changed."""
        new = self.new or {}
        return {f: ((self.old or {}).get(f), new.get(f)) for f in changed_fields(self.old, new)} if new else {}


def history(db: OffersDb, offer_id: str) -> list[Event]:
    """Every recorded change of one offer, oldest first; a creation shows the values the offer was created with.

    The audit keeps each change's old and new values of the changed fields; walking back from the current row
    through those gives the state at creation.
    """
    found = rows(db, "SELECT time, actor, action, offer_id, old, new FROM audit WHERE offer_id = ? ORDER BY id",
                 [offer_id])
    stored = rows_by_id(db, [offer_id]).get(offer_id)
    state = content(stored) if stored else {}
    events: list[Event] = []
    for t, a, act, oid, o, n in reversed(found):
        old, new = (json.loads(o) if o else None), (json.loads(n) if n else None)
        if old is None:
            new = {k: v for k, v in state.items() if v not in (None, "", [])}
        else:
            state = {**state, **old}
        events.append(Event(t, a, act, oid, old, new))
    return events[::-1]


def backup(db: Database, target: Path | str) -> Path:
    """Copy the database with SQLite's online backup API (consistent even while the bot writes)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    return target
