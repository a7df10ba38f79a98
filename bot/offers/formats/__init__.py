"""Exchange formats besides Lotse's own CSV/XLSX/JSON: Open Referral HSDS 3.0 (read and write) and the POI export
of the Integreat CMS (read). `import_path` picks the reader from the file; every reader hands canonical offer
fields to `importer.import_records`, so the same validation and all-or-nothing rule apply.
"""

from __future__ import annotations

from pathlib import Path

from bot.geo.gazetteer import Gazetteer
from bot.offers import importer
from bot.offers.formats import hsds, integreat
from bot.offers.sql import OffersDb


def is_hsds(path: Path) -> bool:
    """A directory holding service.csv, or a .zip (HSDS tables)."""
    return (path.is_dir() and (path / "service.csv").exists()) or path.suffix.lower() == ".zip"


def import_path(db: OffersDb, path: Path, *, actor: str, dry_run: bool = False,
                gaz: Gazetteer | None = None) -> importer.ImportResult:
    """Import any supported file or HSDS directory (see module doc)."""
    if is_hsds(path):
        try:
            headers, records = hsds.records(path)
        except hsds.HsdsError as exc:
            raise importer.ImportFileError(str(exc)) from exc
        return importer.import_records(db, headers, records, actor=actor, dry_run=dry_run, gaz=gaz)
    headers, rows, unescape = importer.read_file(path)
    if integreat.is_integreat(headers):
        headers, rows = integreat.records(headers, rows)
        unescape = False
    return importer.import_records(db, headers, rows, actor=actor, dry_run=dry_run, unescape=unescape, gaz=gaz)


__all__ = ["hsds", "import_path", "integreat", "is_hsds"]
