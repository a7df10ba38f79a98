"""`lotse offers import FILE`: CSV (as Excel writes it), XLSX or JSON -> validated upsert, all or nothing.

Reading (readers.py, within limits on size, rows, cells and, for XLSX, what the zip unpacks to): CSV in UTF-8,
UTF-16, Windows-1252, MacRoman or Shift-JIS, comma, semicolon or tab separated (sniffed); the first sheet of an
XLSX; a JSON list of objects (or {"offers": [...]}). Headers may be German or English ("PLZ", "Postleitzahl",
"postcode"; see fields.py). Every row is checked and every problem reported with its line (the first
`Limits.problems`, then a count); if there is any, nothing is written. Otherwise all rows are upserted by id in
short transactions of `BATCH` rows with a short pause between them, with one audit row per changed offer: the
bot and the web chat write their sessions between two batches instead of waiting for the whole file (an upsert
by id, so importing the same file again after a failure half-way writes the rest). Rows without coordinates get
their postcode's (or town's) centre, flagged approximate.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bot.geo.gazetteer import Gazetteer, default_gazetteer
from bot.offers.db import retrying, write_problem
from bot.offers.fields import FIELDS, check_complete, clean_row, header_field, make_id
from bot.offers.readers import LIMITS, ImportFileError, Limits, Record, read_csv, read_file, read_json, read_xlsx
from bot.offers.sql import OffersDb, writing
from bot.offers.store import rows_by_id
from bot.offers.write import DEFAULTS, Change, content, write_rows

PAUSE = 0.01  # seconds between two batches: the chats waiting for the lock get in


@dataclass(frozen=True)
class Problem:
    """A problem in one row (line as a spreadsheet shows it)."""

    line: int | str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if isinstance(self.line, int) else str(self.line)
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    added: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False
    more_errors: int = 0  # problems beyond the reported ones (only counted: a bad 19 MB file has a million)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def problem_count(self) -> int:
        return len(self.errors) - (1 if self.more_errors else 0) + self.more_errors

    def cap_errors(self, limit: int) -> None:
        """Keep the first `limit` problems and one line that says how many more there are."""
        if len(self.errors) > limit:
            self.more_errors = len(self.errors) - limit
            self.errors = [*self.errors[:limit], Problem("…", f"and {self.more_errors:,} more problems (only the "
                                                              f"first {limit} are listed)")]


def plan(db: OffersDb, headers: list[str], records: Iterable[Record], *, unescape: bool = False,
         gaz: Gazetteer | None = None, limits: Limits = LIMITS) -> ImportResult:
    """Validate every record and work out the changes, without writing anything."""
    gaz = gaz or default_gazetteer()
    result = ImportResult()
    mapping: dict[str, str] = {}
    for header in headers:
        name = header_field(header) if header.strip() else None
        if name is None:
            if header.strip():
                result.warnings.append(f"column '{header}' is not an offer field and is ignored")
        elif name in mapping.values():
            result.errors.append(Problem(1, f"two columns mean {name}: '{header}' and another"))
        else:
            mapping[header] = name
    if "name_de" not in mapping.values() and "id" not in mapping.values():
        result.errors.append(Problem(1, "no name column (name_de, Name, Bezeichnung) and no id column"))
    if result.errors:
        return result
    cleaned: list[tuple[int | str, dict[str, Any], dict[str, Any], list[str]]] = []
    first_line: dict[str, int | str] = {}
    for line, cells in records:
        raw = {mapping[h]: v for h, v in cells.items() if h in mapping}
        if all(v is None or str(v).strip() == "" for v in raw.values()):
            continue  # empty rows Excel leaves at the end
        values, errors = clean_row(raw, unescape=unescape)
        offer_id = values.get("id") or make_id(values)
        values["id"] = offer_id
        if offer_id in first_line:
            first = first_line[offer_id]
            where = f"line {first}" if isinstance(first, int) else first
            errors.append(f"duplicate id '{offer_id}' (already on {where})")
        else:
            first_line[offer_id] = line
        cleaned.append((line, raw, values, errors))
    ids = [c[2]["id"] for c in cleaned]
    stored: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        stored.update(rows_by_id(db, ids[start:start + 500]))
    for line, raw, values, errors in cleaned:
        row = stored.get(values["id"])
        old = content(row) if row else None
        merged = {**(old or DEFAULTS), **values}
        given = "lat" in raw or "lon" in raw
        if (given and values.get("lat") is None and values.get("lon") is None) or (
                not given and (old is None or old["approximate"])):
            # Cleared, or derived from the postcode before: derive again (the postcode may have changed).
            merged["lat"] = merged["lon"] = None
        elif given and "approximate" not in raw:
            merged["approximate"] = 0  # coordinates from the file are exact unless it says otherwise
        if "district" not in raw:
            merged["district"] = None
        if not errors:
            errors += check_complete(merged, gaz)
        result.errors += [Problem(line, e) for e in errors]
        change = Change(values["id"], old, content(merged), "import")
        if old is None:
            result.added.append(change)
        elif change.fields:
            result.changed.append(change)
        else:
            result.unchanged += 1
    result.cap_errors(limits.problems)
    return result


#: Offers written per transaction: a few milliseconds of holding the write lock each.
BATCH = 200


def _write_batch(db: OffersDb, changes: list[Change], actor: str) -> None:
    with writing(db) as tx:  # one short transaction: an exception rolls this batch back
        write_rows(tx, changes, actor)


def write_in_batches(db: OffersDb, changes: list[Change], actor: str) -> None:
    """Write the changes in short transactions; a failure says how many were written before it."""
    for start in range(0, len(changes), BATCH):
        if start:
            _pause()
        try:
            retrying(partial(_write_batch, db, changes[start:start + BATCH], actor))
        except sqlite3.OperationalError as exc:  # a full disk, a read-only or long-locked database
            done = "nothing was imported" if start == 0 else \
                f"{start} of {len(changes)} offers were written, import the file again for the rest"
            raise ImportFileError(f"{done}: the database cannot be written ({write_problem(exc)})") from exc


def import_records(db: OffersDb, headers: list[str], records: Iterable[Record], *, actor: str,
                   dry_run: bool = False, unescape: bool = False, gaz: Gazetteer | None = None) -> ImportResult:
    """Validate, then (unless a dry run or any row is bad) write everything in short transactions."""
    result = plan(db, headers, records, unescape=unescape, gaz=gaz)
    if result.ok and not dry_run:
        write_in_batches(db, [*result.added, *result.changed], actor)
        result.written = True
    return result


def _pause() -> None:
    """Between two batches: long enough for the chats' own writes (their sessions) to get the database."""
    time.sleep(PAUSE)


def save_offer(db: OffersDb, values: dict[str, Any], *, actor: str, dry_run: bool = False,
               gaz: Gazetteer | None = None) -> ImportResult:
    """Validate and upsert one offer given as field -> value (e.g. from the web admin); same rules as a file."""
    cells = {k: ",".join(map(str, v)) if isinstance(v, list | tuple) else int(v) if isinstance(v, bool) else v
             for k, v in values.items()}
    return import_records(db, list(cells), [("entry 1", cells)], actor=actor, dry_run=dry_run, gaz=gaz)


def import_file(db: OffersDb, path: Path, *, actor: str, dry_run: bool = False,
                gaz: Gazetteer | None = None) -> ImportResult:
    """Import a CSV, XLSX or JSON file (see module doc)."""
    headers, records, unescape = read_file(path, LIMITS)
    return import_records(db, headers, records, actor=actor, dry_run=dry_run, unescape=unescape, gaz=gaz)


__all__ = ["FIELDS", "LIMITS", "ImportFileError", "ImportResult", "Limits", "Problem", "import_file",
           "import_records", "plan", "read_csv", "read_file", "read_json", "read_xlsx", "save_offer"]
