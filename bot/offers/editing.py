"""Saving one offer from the admin's form: the import's validator (`importer.plan`), the audit trail's actions.

The form and a spreadsheet row go through the same checks (fields.clean_row and fields.check_complete, via
`importer.plan`), so an offer the form accepts imports the same way and the other way round. Only the recorded
action differs: "add" or "edit" instead of "import".
"""

from __future__ import annotations

from typing import Any

from bot.geo.gazetteer import Gazetteer
from bot.offers import importer
from bot.offers.fields import FieldMessage
from bot.offers.sql import OffersDb, writing
from bot.offers.store import rows_by_id
from bot.offers.write import write_rows


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return int(value) if isinstance(value, bool) else value


def save(db: OffersDb, values: dict[str, Any], actor: str, *, new: bool, dry_run: bool = False,
         gaz: Gazetteer | None = None) -> importer.ImportResult:
    """Validate and (unless a dry run or invalid) write one offer; `new` refuses an id that is taken."""
    cells = {k: _cell(v) for k, v in values.items()}
    offer_id = str(cells.get("id") or "")
    if new and offer_id and rows_by_id(db, [offer_id]):
        result = importer.ImportResult()
        result.errors.append(importer.Problem("form", FieldMessage(
            f"duplicate id '{offer_id}': an offer with this id exists already", "id")))
        return result
    result = importer.plan(db, list(cells), [("form", cells)], gaz=gaz)
    for change in result.added:
        change.action = "add"
    for change in result.changed:
        change.action = "edit"
    if result.ok and not dry_run:
        with writing(db) as tx:
            write_rows(tx, [*result.added, *result.changed], actor)
        result.written = True
    return result


def errors_by_field(result: importer.ImportResult) -> dict[str, list[str]]:
    """The problems of a form, keyed by the field they are about ("" for the form as a whole)."""
    out: dict[str, list[str]] = {}
    for problem in result.errors:
        out.setdefault(getattr(problem.message, "field", ""), []).append(str(problem.message))
    return out
