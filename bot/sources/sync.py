"""Applying what a source says now to the offers: add, update, archive, never overwrite a hand edit.

A source (Integreat, OpenStreetMap) hands over `Record`s: the source's key, the offer id it maps to, and offer
fields as an import row has them. `apply` checks each like an import row (a bad phone number or opening hours
leaves that field empty and says so in the report, it does not stop the sync), places it (coordinates from the
source, else the geocoder, else the postcode's centre), and compares three versions of every field: what the
offer has now, what the source said last time (`source_state`), and what it says now. A field whose value
differs from what the source said last time was changed by staff, and stays as they left it; every other field
takes the source's value. An offer the source no longer has is archived (inactive, kept, restorable), and comes
back by itself if the source has it again. Every change is written with the audit trail's actor
"sync:<source>:<scope>", and each run is kept in `source_runs` with what it changed, for the admin.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.geo.distance import Point
from bot.geo.gazetteer import Gazetteer, default_gazetteer
from bot.offers.fields import check_complete, clean_row
from bot.offers.sql import OffersDb, rows, writing
from bot.offers.store import rows_by_id
from bot.offers.write import CONTENT, DEFAULTS, Change, content, now, write_rows
from bot.sources.http import SourceError
from bot.store import Sql


class Locator(Protocol):
    """What the sync needs of a geocoder (geocoder.Geocoder, or None for the postcode's centre only)."""

    def locate(self, street: str, postcode: str, city: str) -> Point | None: ...


@dataclass
class Record:
    """One object of a source as offer fields (import cells: text, numbers, lists)."""

    key: str
    offer_id: str
    values: dict[str, Any]
    label: str = ""


@dataclass
class Report:
    """What one sync run did."""

    source: str
    scope: str
    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    archived: list[str] = field(default_factory=list)
    kept: dict[str, list[str]] = field(default_factory=dict)  # offer -> fields staff changed, left as they are
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)
    run_id: int | None = None

    @property
    def actor(self) -> str:
        return f"sync:{self.source}:{self.scope}"

    def summary(self) -> str:
        return (f"{self.source} {self.scope}: {len(self.added)} new, {len(self.updated)} changed, "
                f"{len(self.archived)} archived, {self.unchanged} unchanged; hand edits kept in "
                f"{len(self.kept)} offers")

    def to_json(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "archived": self.archived, "kept": self.kept,
                "notes": self.notes[:200]}


def _clean(record: Record, notes: list[str]) -> dict[str, Any] | None:
    """The record's fields as stored; a bad field is left out with a note, a record without name is skipped."""
    cells = {k: ",".join(map(str, v)) if isinstance(v, list | tuple) else v for k, v in record.values.items()}
    for _attempt in range(len(cells) + 1):
        values, errors = clean_row(cells)
        if not errors:
            return values
        fields = {getattr(e, "field", "") for e in errors}
        if "" in fields or "name_de" in fields or "categories" in fields:
            notes.append(f"{record.label or record.key}: skipped: {'; '.join(map(str, errors))}")
            return None
        for error in errors:
            notes.append(f"{record.label or record.key}: {error} (left empty)")
        cells = {k: v for k, v in cells.items() if k not in fields}
    return None


def _place(values: dict[str, Any], locator: Locator | None, gaz: Gazetteer, notes: list[str],
           label: str) -> dict[str, Any] | None:
    """Every content field the source decides, placed; None when the record cannot be placed."""
    row = {**DEFAULTS, **values, "active": values.get("active", 1)}
    if row.get("lat") is None and locator is not None and row.get("street"):
        point = locator.locate(row["street"], row.get("postcode") or "", row.get("city") or "")
        if point is not None:
            row["lat"], row["lon"], row["approximate"] = point.lat, point.lon, 0
    problems = check_complete(row, gaz)
    if problems:
        notes.append(f"{label}: skipped: {'; '.join(map(str, problems))}")
        return None
    return content(row)


def _merge(old: dict[str, Any] | None, last: dict[str, Any] | None, src: dict[str, Any]
           ) -> tuple[dict[str, Any], list[str]]:
    """The new content: the source's values, except where staff changed the field since the last sync."""
    if old is None or last is None:
        return dict(src), []
    new, kept = dict(old), []
    for name in CONTENT:
        if name == "id":
            continue
        if old.get(name) != last.get(name):
            if src.get(name) != old.get(name):
                kept.append(name)
            continue
        new[name] = src.get(name)
    return new, kept


def _state(db: OffersDb, source: str, scope: str) -> dict[str, dict[str, Any]]:
    found = rows(db, "SELECT offer_id, values_json FROM source_state WHERE source = ? AND scope = ?", [source, scope])
    return {oid: json.loads(values) for oid, values in found}


def _stored(db: OffersDb, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        out.update(rows_by_id(db, ids[start:start + 500]))
    return out


def apply(db: OffersDb, source: str, scope: str, records: Sequence[Record], *, locator: Locator | None = None,
          gaz: Gazetteer | None = None, dry_run: bool = False, notes: Sequence[str] = ()) -> Report:
    """Bring the offers of one source and scope in line with `records` (see the module doc); `notes` are the
    source's own remarks (left-out objects), kept with the run."""
    gaz = gaz or default_gazetteer()
    report = Report(source, scope, notes=list(notes))
    state = _state(db, source, scope)
    if not records and state:
        raise SourceError(f"{source} {scope} returned no objects; nothing was archived (is the source down?)")
    planned: list[tuple[Record, dict[str, Any]]] = []
    seen: set[str] = set()
    for record in records:
        if record.offer_id in seen:
            continue
        seen.add(record.offer_id)
        values = _clean(record, report.notes)
        src = _place({**values, "id": record.offer_id}, locator, gaz, report.notes,
                     record.label or record.key) if values is not None else None
        if src is not None:
            planned.append((record, src))
    stored = _stored(db, [*seen, *state])
    changes: list[Change] = []
    new_state: list[tuple[Record, dict[str, Any]]] = []
    for record, src in planned:
        row = stored.get(record.offer_id)
        old = content(row) if row else None
        new, kept = _merge(old, state.get(record.offer_id), src)
        change = Change(record.offer_id, old, new, "sync")
        if kept:
            report.kept[record.offer_id] = kept
        if old is None:
            report.added.append(record.offer_id)
        elif change.fields:
            report.updated[record.offer_id] = change.fields
        else:
            report.unchanged += 1
        changes.append(change)
        new_state.append((record, src))
    for offer_id, last in state.items():
        row = stored.get(offer_id)
        if offer_id in seen or row is None or last.get("active") == 0:
            continue
        old = content(row)
        if old["active"]:
            changes.append(Change(offer_id, old, {**old, "active": 0}, "archive"))
            report.archived.append(offer_id)
        new_state.append((Record(offer_id, offer_id, {}), {**last, "active": 0}))
    if dry_run:
        return report
    stamp = now()
    with writing(db) as tx:
        write_rows(tx, changes, report.actor)
        tx.many(
            "INSERT INTO source_state (offer_id, source, scope, source_key, values_json, seen_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(offer_id) DO UPDATE SET source = excluded.source, "
            "scope = excluded.scope, source_key = excluded.source_key, values_json = excluded.values_json, "
            "seen_at = excluded.seen_at",
            [(r.offer_id, source, scope, r.key, json.dumps(v, ensure_ascii=False), stamp) for r, v in new_state])
        report.run_id = record_run(tx, report, stamp)
    return report


def record_run(tx: Sql, report: Report, started: str, error: str | None = None) -> int:
    """Keep one run (also a failed one, with its error) for the admin's sources page."""
    found = tx.one(
        "INSERT INTO source_runs (source, scope, started, finished, added, updated, archived, unchanged, kept, "
        "report, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [report.source, report.scope, started, now(), len(report.added), len(report.updated),
         len(report.archived), report.unchanged, len(report.kept), json.dumps(report.to_json(), ensure_ascii=False),
         error])
    return int(found[0]) if found else 0


def record_failure(db: OffersDb, source: str, scope: str, error: str) -> None:
    """A run that could not read its source: shown in the admin with the reason."""
    with writing(db) as tx:
        record_run(tx, Report(source, scope), now(), error)


@dataclass(frozen=True)
class Run:
    """One kept sync run, for the admin."""

    id: int
    source: str
    scope: str
    started: str
    finished: str
    added: int
    updated: int
    archived: int
    unchanged: int
    kept: int
    report: dict[str, Any]
    error: str | None


def runs(db: OffersDb, limit: int = 50) -> list[Run]:
    """The newest runs first."""
    found = rows(db, "SELECT id, source, scope, started, finished, added, updated, archived, unchanged, kept, "
                 "report, error FROM source_runs ORDER BY id DESC LIMIT ?", [limit])
    return [Run(r[0], r[1], r[2], r[3], r[4] or "", r[5], r[6], r[7], r[8], r[9], json.loads(r[10] or "{}"), r[11])
            for r in found]


def last_runs(db: OffersDb) -> list[Run]:
    """The newest run of each source and scope."""
    ids = {r[0] for r in rows(db, "SELECT max(id) FROM source_runs GROUP BY source, scope")}
    return [run for run in runs(db, 1000) if run.id in ids]
