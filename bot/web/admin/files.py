"""Admin overview, import (dry run first, errors per line) and export of every offer."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from aiohttp import BodyPartReader, web

from bot.offers import importer
from bot.offers.db import open_db
from bot.offers.export import export_file
from bot.offers.formats import hsds, import_path
from bot.offers.sql import OffersDb, on_postgres, rows
from bot.web.admin import messages
from bot.web.admin.auth import csrf_matches, gettext, render, require_role
from bot.web.keys import OFFERS, SETTINGS

MAX_UPLOAD = 20 * 1024 * 1024  # an Excel file of a few thousand offers is well below this
EXPORT_TYPES = {"csv": "text/csv", "json": "application/json", "zip": "application/zip",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
IMPORT_SUFFIXES = (".csv", ".xlsx", ".json", ".zip")


async def dashboard(request: web.Request) -> web.Response:
    """Counts, search, import and export (the questions Lotse could not answer: bot/web/review.py)."""
    require_role(request, "editor")
    db = request.app[OFFERS]
    by_category = rows(
        db, "SELECT category, count(*) FROM offer_categories WHERE active = 1 GROUP BY category ORDER BY category")
    totals = rows(
        db, "SELECT count(*), coalesce(sum(example), 0), coalesce(sum(approximate), 0) FROM offers WHERE active = 1"
    )[0]
    deleted = rows(db, "SELECT count(*) FROM offers WHERE active = 0")[0][0]
    return render(request, "admin_overview.html", by_category=by_category, total=totals[0], examples=totals[1],
                  approximate=totals[2], deleted=deleted)


def _where(request: web.Request) -> Path | OffersDb:
    """Where a worker thread finds the offers: the SQLite file (a connection belongs to the thread that opened
    it, so the thread opens its own), or the shared PostgreSQL store (its pool serves any thread)."""
    offers = request.app[OFFERS]
    return offers if on_postgres(offers) else request.app[SETTINGS].db_path


def _import(where: Path | OffersDb, path: Path, actor: str, dry_run: bool) -> importer.ImportResult:
    """One import in a worker thread."""
    if not isinstance(where, Path):
        return import_path(where, path, actor=actor, dry_run=dry_run)
    db = open_db(where)
    try:
        return import_path(db, path, actor=actor, dry_run=dry_run)
    finally:
        db.close()


def _import_page(request: web.Request, status: int, filename: str, error: str) -> web.Response:
    return render(request, "admin_import.html", status=status, result=None, filename=filename, error=error)


async def upload(request: web.Request) -> web.Response:
    """Import a CSV, XLSX or JSON file: a dry run shows what would change; errors are listed per line."""
    actor = require_role(request, "editor")
    _ = gettext(request)
    reader = await request.multipart()
    dry_run, data, filename, csrf_seen = False, b"", "", False
    async for part in reader:
        if not isinstance(part, BodyPartReader):  # nested multipart: not something a browser form sends
            continue
        if part.name == "csrf":
            csrf_seen = csrf_matches(request, await part.text())
        elif not csrf_seen:
            # The form sends its CSRF token first; anything before it is not from the admin's own page.
            return _import_page(request, 403, "", _("This form has expired or did not come from the admin. "
                                                    "Reload the page and send it again."))
        elif part.name == "dry_run":
            dry_run = (await part.text()) in ("1", "on", "true")
        elif part.name == "file":
            filename = part.filename or ""
            chunks: list[bytes] = []
            size = 0
            while chunk := await part.read_chunk():
                size += len(chunk)
                if size > MAX_UPLOAD:
                    return _import_page(request, 413, filename, _("The file is larger than 20 MB."))
                chunks.append(chunk)
            data = b"".join(chunks)
    if not csrf_seen:
        return _import_page(request, 403, "", _("This form has expired or did not come from the admin. "
                                                "Reload the page and send it again."))
    suffix = Path(filename).suffix.lower()
    if not data or suffix not in IMPORT_SUFFIXES:
        return _import_page(request, 400, filename, _("Choose a .csv, .xlsx, .json or HSDS .zip file."))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            # Off the event loop, on a connection of its own: the chats go on answering while a file is checked.
            result = await asyncio.to_thread(_import, _where(request), path, actor, dry_run)
        except importer.ImportFileError as exc:
            return _import_page(request, 400, filename, messages.translate(str(exc), _))
    status = 200 if result.ok else 422
    return render(request, "admin_import.html", status=status, result=result, filename=filename,
                  dry_run=dry_run, error=None)


def exported(where: Path | OffersDb, kind: str) -> bytes:
    """Every offer as the bytes of one export file (run in a worker thread: its own connection)."""
    db = open_db(where) if isinstance(where, Path) else where
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"offers.{kind}"
            if kind == "zip":
                hsds.export(db, path)
            else:
                export_file(db, path)
            return path.read_bytes()
    finally:
        if isinstance(where, Path):
            db.close()


async def export(request: web.Request) -> web.StreamResponse:
    """Download every offer as CSV, JSON, XLSX or an HSDS zip (each round-trips through the import)."""
    require_role(request, "editor")
    kind = request.match_info["kind"]
    if kind not in EXPORT_TYPES:
        raise web.HTTPNotFound()
    # Off the event loop, on a connection of its own: 40,000 offers take seconds, and the chats go on meanwhile.
    body = await asyncio.to_thread(exported, _where(request), kind)
    return web.Response(body=body, content_type=EXPORT_TYPES[kind],
                        headers={"Content-Disposition": f'attachment; filename="offers.{kind}"'})


def setup_files(app: web.Application) -> None:
    app.router.add_get("/admin", dashboard, name="admin")
    app.router.add_post("/admin/import", upload, name="admin_import")
    app.router.add_get("/admin/export.{kind}", export, name="admin_export")
