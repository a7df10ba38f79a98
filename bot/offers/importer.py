"""`lotse offers import FILE`: CSV (as Excel writes it), XLSX or JSON -> validated upsert, all or nothing.

Reading: CSV in UTF-8, UTF-8 with BOM or Windows-1252, comma, semicolon or tab separated (sniffed); the first
sheet of an XLSX; a JSON list of objects (or {"offers": [...]}). Headers may be German or English ("PLZ",
"Postleitzahl", "postcode"; see fields.py). Every row is checked and every problem reported with its line;
if there is any, nothing is written. Otherwise all rows are upserted by id in one transaction, with one audit
row per changed offer. Rows without coordinates get their postcode's (or town's) centre, flagged approximate.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.geo.gazetteer import Gazetteer, default_gazetteer
from bot.offers.fields import FIELDS, LostLetters, check_complete, clean_row, header_field, lost_letters, make_id
from bot.offers.store import rows_by_id
from bot.offers.write import DEFAULTS, Change, content, write_rows

Record = tuple[int | str, dict[str, Any]]  # (line number or "entry N", cells by header)


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, no header)."""


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

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(data: bytes) -> str:
    return _decode_as(data)[0]


def _decode_as(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in (utf-8 or cp1252)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"  # what German Excel writes as "CSV (Trennzeichen-getrennt)"
    except UnicodeDecodeError:
        raise ImportFileError(
            "the file is not text in UTF-8 or Windows-1252 (is it an Excel file saved with a .csv name? "
            "In Excel choose 'Save as' > 'CSV UTF-8')"
        ) from None


def read_csv(data: bytes) -> tuple[list[str], Iterator[Record]]:
    """Headers and records of a CSV file, with the line each record starts on."""
    text, encoding = _decode_as(data)
    first = text.split("\n", 1)[0]
    # The header line decides the separator: German Excel writes ";", others ",", some tools tabs.
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        raise ImportFileError("the file is empty") from None

    def records() -> Iterator[Record]:
        # The row number a spreadsheet shows: a cell with a line break inside stays one row there.
        fields = {h: header_field(h) for h in headers}
        for row, cells in enumerate(reader, start=2):
            record = dict(zip(headers, cells, strict=False))
            if encoding == "cp1252":
                # Excel's "CSV (Trennzeichen-getrennt)" turns Arabic or Cyrillic letters into '?': mark such
                # cells, so the row is refused instead of overwriting the names with question marks.
                record = {h: LostLetters(v) if lost_letters(fields[h], v) else v for h, v in record.items()}
            yield row, record

    return headers, records()


def read_xlsx(path: Path) -> tuple[list[str], Iterator[Record]]:
    """Headers and records of the first sheet of an Excel workbook."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"cannot read the workbook: {exc}") from exc
    rows = book.worksheets[0].iter_rows(values_only=True)
    try:
        headers = ["" if h is None else str(h) for h in next(rows)]
    except StopIteration:
        raise ImportFileError("the sheet is empty") from None

    def records() -> Iterator[Record]:
        for number, cells in enumerate(rows, start=2):
            yield number, {h: _cell(v) for h, v in zip(headers, cells, strict=False)}
        book.close()

    return headers, records()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def read_json(data: bytes) -> tuple[list[str], Iterator[Record]]:
    """Headers (union of keys) and records of a JSON list of objects."""
    try:
        doc = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"not valid JSON: {exc}") from exc
    items = doc.get("offers") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ImportFileError('JSON must be a list of objects (or {"offers": [...]})')
    headers = list(dict.fromkeys(k for item in items for k in item))

    def value(v: Any) -> Any:
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, list):
            return ",".join(str(x) for x in v)
        return v

    return headers, ((f"entry {n}", {k: value(v) for k, v in item.items()}) for n, item in enumerate(items, 1))


def read_file(path: Path) -> tuple[list[str], Iterator[Record], bool]:
    """Headers, records, and whether cells may carry export's formula escaping (CSV and XLSX do)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return (*read_xlsx(path), True)
    data = path.read_bytes()
    if suffix == ".json":
        return (*read_json(data), False)
    if suffix in (".csv", ".txt", ".tsv"):
        return (*read_csv(data), True)
    raise ImportFileError(f"unknown file type '{suffix}' (use .csv, .xlsx or .json)")


def plan(db: Database, headers: list[str], records: Iterable[Record], *, unescape: bool = False,
         gaz: Gazetteer | None = None) -> ImportResult:
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
    return result


def import_records(db: Database, headers: list[str], records: Iterable[Record], *, actor: str,
                   dry_run: bool = False, unescape: bool = False, gaz: Gazetteer | None = None) -> ImportResult:
    """Validate, then (unless a dry run or any row is bad) write everything in one transaction."""
    result = plan(db, headers, records, unescape=unescape, gaz=gaz)
    if result.ok and not dry_run:
        with db.conn:  # one transaction: any exception rolls every row back
            write_rows(db, [*result.added, *result.changed], actor)
        result.written = True
    return result


def save_offer(db: Database, values: dict[str, Any], *, actor: str, dry_run: bool = False,
               gaz: Gazetteer | None = None) -> ImportResult:
    """Validate and upsert one offer given as field -> value (e.g. from the web admin); same rules as a file."""
    cells = {k: ",".join(map(str, v)) if isinstance(v, list | tuple) else int(v) if isinstance(v, bool) else v
             for k, v in values.items()}
    return import_records(db, list(cells), [("entry 1", cells)], actor=actor, dry_run=dry_run, gaz=gaz)


def import_file(db: Database, path: Path, *, actor: str, dry_run: bool = False,
                gaz: Gazetteer | None = None) -> ImportResult:
    """Import a CSV, XLSX or JSON file (see module doc)."""
    headers, records, unescape = read_file(path)
    return import_records(db, headers, records, actor=actor, dry_run=dry_run, unescape=unescape, gaz=gaz)


__all__ = ["FIELDS", "ImportFileError", "ImportResult", "Problem", "import_file", "import_records", "plan",
           "save_offer"]
