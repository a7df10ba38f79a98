"""The web admin at /admin: offers (search, import with dry run, export, history, delete, restore); the review
queue, learned examples and dashboard are in bot/web/review.py.

Access: with LOTSE_ADMIN_TOKEN set, a login form sets an HttpOnly, SameSite=Strict cookie holding the token
(compared in constant time); without a token the admin answers only requests from this machine (loopback),
which is enough for the demo and for an admin behind an SSH tunnel. Forms post back to the same origin only.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import tempfile
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

from bot.offers import importer, store, write
from bot.offers.db import open_db
from bot.offers.export import export_file
from bot.web.keys import DB, SETTINGS, TEMPLATES

COOKIE = "lotse_admin"
MAX_UPLOAD = 20 * 1024 * 1024  # an Excel file of a few thousand offers is well below this
EXPORT_TYPES = {"csv": "text/csv", "json": "application/json",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
IMPORT_SUFFIXES = (".csv", ".xlsx", ".json")


def _is_loopback(request: web.Request) -> bool:
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def _loopback_host(request: web.Request) -> bool:
    """The Host header names this machine: a web page elsewhere cannot reach the admin through a DNS name it
    points at 127.0.0.1 ("DNS rebinding"), because its requests carry that name."""
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    return host.lower() in LOOPBACK_NAMES | {request.app[SETTINGS].host}


def _cookie_value(token: str) -> str:
    """What the cookie holds: a keyed hash of the token, so a leaked cookie does not reveal the token itself."""
    return hmac.new(token.encode(), b"lotse-admin-session", "sha256").hexdigest()


def _allowed(request: web.Request) -> bool:
    settings = request.app[SETTINGS]
    if settings.admin_token is None:
        # Without a token only this machine may use the admin. Behind a reverse proxy (webhook mode) every
        # request comes from loopback, so there a token is required.
        return settings.webhook_url is None and _is_loopback(request) and _loopback_host(request)
    return hmac.compare_digest(request.cookies.get(COOKIE, ""), _cookie_value(settings.admin_token))


def _same_origin(request: web.Request) -> bool:
    """A form post must come from a page of this server (no cross-site request forgery)."""
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return origin == "" or origin.split("://", 1)[-1].split("/", 1)[0] == request.host


def _render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    html = request.app[TEMPLATES].get_template(template).render(**context)
    return web.Response(text=html, content_type="text/html", status=status)


@web.middleware
async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
    """Admin pages need the token cookie (or loopback without a token); posts must be same-origin."""
    if request.path.startswith("/admin") and request.path != "/admin/login":
        if not _allowed(request):
            if request.app[SETTINGS].admin_token is None:
                return web.Response(status=403, text="The admin answers only on this machine (and not behind a "
                                    "webhook proxy). Set LOTSE_ADMIN_TOKEN to use it from elsewhere.")
            raise web.HTTPFound("/admin/login")
        if request.method == "POST" and not _same_origin(request):
            return web.Response(status=403, text="Forms must be sent from the admin page itself.")
    response: web.StreamResponse = await handler(request)
    return response


async def login(request: web.Request) -> web.Response:
    """GET: the login form; POST: check the token and set the cookie."""
    token = request.app[SETTINGS].admin_token
    if request.method == "POST":
        form = await request.post()
        given = str(form.get("token", ""))
        if token and hmac.compare_digest(given.encode(), token.encode()):
            response = web.HTTPFound("/admin")
            response.set_cookie(COOKIE, _cookie_value(token), httponly=True, samesite="Strict", path="/admin",
                                secure=request.secure)
            raise response
        return _render(request, "admin_login.html", status=401, error=True)
    return _render(request, "admin_login.html", error=False)


async def dashboard(request: web.Request) -> web.Response:
    """Counts, search, import and export (the questions Lotse could not answer: bot/web/review.py)."""
    db = request.app[DB]
    by_category = db.execute(
        "SELECT category, count(*) FROM offer_categories WHERE active = 1 GROUP BY category ORDER BY category"
    ).fetchall()
    totals = db.execute(
        "SELECT count(*), coalesce(sum(example), 0), coalesce(sum(approximate), 0) FROM offers WHERE active = 1"
    ).fetchone()
    return _render(request, "admin.html", by_category=by_category, total=totals[0], examples=totals[1],
                   approximate=totals[2])


async def offers(request: web.Request) -> web.Response:
    """Search (full text over every language) or list offers."""
    db = request.app[DB]
    query = request.query.get("q", "").strip()[:200]
    category = request.query.get("category") or None
    found = store.search(db, query, limit=200) if query else list(
        store.list_offers(db, category=category, inactive=True, limit=500))
    return _render(request, "admin_offers.html", query=query, category=category, offers=found)


async def offer(request: web.Request) -> web.Response:
    """One offer with its history."""
    db = request.app[DB]
    found = store.get_offer(db, request.match_info["id"])
    if found is None:
        raise web.HTTPNotFound(text="No offer with this id.")
    return _render(request, "admin_offer.html", offer=found, history=write.history(db, found.id))


async def set_active(request: web.Request) -> web.Response:
    """Delete (soft) or restore an offer; both are recorded in the audit trail."""
    db = request.app[DB]
    offer_id, action = request.match_info["id"], request.match_info["action"]
    actor = "web-admin"
    change = write.delete if action == "delete" else write.restore
    try:
        change(db, offer_id, actor)  # False when it already was so: the offer page shows that either way
    except KeyError:
        raise web.HTTPNotFound(text="No offer with this id.") from None
    raise web.HTTPSeeOther(f"/admin/offers/{offer_id}")


def _import(db_path: Path, path: Path, dry_run: bool) -> importer.ImportResult:
    """One import in a worker thread (a SQLite connection belongs to the thread that opened it)."""
    db = open_db(db_path)
    try:
        return importer.import_file(db, path, actor="web-admin", dry_run=dry_run)
    finally:
        db.close()


async def upload(request: web.Request) -> web.Response:
    """Import a CSV, XLSX or JSON file: a dry run shows what would change; errors are listed per line."""
    reader = await request.multipart()
    dry_run, data, filename = False, b"", ""
    async for part in reader:
        if not isinstance(part, BodyPartReader):  # nested multipart: not something a browser form sends
            continue
        if part.name == "dry_run":
            dry_run = (await part.text()) in ("1", "on", "true")
        elif part.name == "file":
            filename = part.filename or ""
            chunks: list[bytes] = []
            size = 0
            while chunk := await part.read_chunk():
                size += len(chunk)
                if size > MAX_UPLOAD:
                    return _render(request, "admin_import.html", status=413, result=None, filename=filename,
                                   error="The file is larger than 20 MB.")
                chunks.append(chunk)
            data = b"".join(chunks)
    suffix = Path(filename).suffix.lower()
    if not data or suffix not in IMPORT_SUFFIXES:
        return _render(request, "admin_import.html", status=400, result=None, filename=filename,
                       error="Choose a .csv, .xlsx or .json file.")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            # Off the event loop, on a connection of its own: the chats go on answering while a file is checked.
            result = await asyncio.to_thread(_import, request.app[SETTINGS].db_path, path, dry_run)
        except importer.ImportFileError as exc:
            return _render(request, "admin_import.html", status=400, result=None, filename=filename,
                           error=str(exc))
    status = 200 if result.ok else 422
    return _render(request, "admin_import.html", status=status, result=result, filename=filename,
                   dry_run=dry_run, error=None)


async def export(request: web.Request) -> web.StreamResponse:
    """Download every offer as CSV, JSON or XLSX (round-trips through the import)."""
    kind = request.match_info["kind"]
    if kind not in EXPORT_TYPES:
        raise web.HTTPNotFound()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"offers.{kind}"
        export_file(request.app[DB], path)
        body = path.read_bytes()
    return web.Response(body=body, content_type=EXPORT_TYPES[kind],
                        headers={"Content-Disposition": f'attachment; filename="offers.{kind}"'})


def setup_admin(app: web.Application) -> None:
    """Register the admin routes and its guard."""
    app.middlewares.append(guard)
    app.router.add_route("*", "/admin/login", login, name="admin_login")
    app.router.add_get("/admin", dashboard, name="admin")
    app.router.add_get("/admin/offers", offers, name="admin_offers")
    app.router.add_get("/admin/offers/{id}", offer, name="admin_offer")
    app.router.add_post("/admin/offers/{id}/{action:delete|restore}", set_active, name="admin_set_active")
    app.router.add_post("/admin/import", upload, name="admin_import")
    app.router.add_get("/admin/export.{kind}", export, name="admin_export")
