"""`lotse offers export FILE`: every offer (deleted ones too, active = 0) as CSV, XLSX or JSON.

The columns are the canonical field names (fields.FIELDS), so the file imports back unchanged. CSV is written
as German Excel likes it (UTF-8 with BOM, ";"). In CSV and XLSX a text cell starting with = + - @ (or a tab or
carriage return) gets a leading apostrophe, so a spreadsheet shows it as text instead of running it as a
formula ("CSV injection"); the importer takes exactly that apostrophe off again. JSON is not escaped.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from bot.offers.fields import FIELDS, escape_formula
from bot.offers.model import attribution_of
from bot.offers.sql import OffersDb, rows

NUMBER_FIELDS = ("lat", "lon")
FLAG_FIELDS = ("approximate", "national", "example", "active", "appointment", "barrier_free")


def export_rows(db: OffersDb) -> list[dict[str, Any]]:
    """All offers as typed values (categories and languages as lists, flags as bool or None), ordered by id."""
    stored = [f for f in FIELDS if f != "attribution"]
    out = []
    for values in rows(db, f"SELECT {', '.join(stored)} FROM offers ORDER BY id"):
        row = dict(zip(stored, values, strict=True))
        row["attribution"] = attribution_of(row["source"])  # OpenStreetMap's licence asks for it in every copy
        row["categories"] = json.loads(row["categories"] or "[]")
        row["languages"] = [x for x in (row["languages"] or "").split(",") if x]
        for flag in FLAG_FIELDS:
            row[flag] = None if row[flag] is None else bool(row[flag])
        out.append(row)
    return out


def _cell_text(field: str, value: Any) -> str:
    """A value as spreadsheet text: lists joined by commas, flags 1/0, unknown empty; text escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ",".join(value)
    if field in NUMBER_FIELDS:
        return repr(float(value))
    return escape_formula(str(value))


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """CSV bytes: UTF-8 with BOM, semicolon separated, CRLF line ends (as Excel writes them)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([_cell_text(f, row[f]) for f in FIELDS])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def to_json(rows: list[dict[str, Any]]) -> bytes:
    """A JSON list of objects with typed values."""
    return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_xlsx(rows: list[dict[str, Any]], path: Path) -> None:
    """An Excel workbook, one sheet 'offers'; coordinates as numbers, everything else as (escaped) text."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("offers")
    sheet.append(list(FIELDS))
    for row in rows:
        sheet.append([row[f] if f in NUMBER_FIELDS else _cell_text(f, row[f]) for f in FIELDS])
    book.save(path)


def export_file(db: OffersDb, path: Path) -> int:
    """Write every offer to `path` (format from the suffix); returns how many."""
    rows = export_rows(db)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        path.write_bytes(to_csv(rows))
    elif suffix == ".json":
        path.write_bytes(to_json(rows))
    elif suffix == ".xlsx":
        write_xlsx(rows, path)
    else:
        raise ValueError(f"unknown file type '{suffix}' (use .csv, .xlsx or .json)")
    return len(rows)
