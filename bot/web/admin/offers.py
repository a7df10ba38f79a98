"""Admin pages for offers: the list (search, filters, sorting, pages), one offer with its history, the edit and
add form, delete and restore, and "recent changes" across all offers. Editors and admins may use all of them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from babel import Locale
from multidict import MultiDictProxy
from sqlite_utils import Database

from bot.offers import browse, editing, hours, store, write
from bot.offers.categories import CATEGORIES
from bot.offers.db import LANGS
from bot.offers.model import Offer
from bot.web.admin import messages, placing
from bot.web.admin.auth import gettext, lang_of, render, require_role
from bot.web.admin.i18n import translator
from bot.web.keys import OFFERS, SETTINGS

TEXT_FIELDS = ("organisation", "street", "postcode", "city", "district", "lat", "lon", "phone", "email", "website",
               "opening_hours", "languages", "target_group", "cost", "keywords", "source", "source_date")
TRISTATE = ("appointment", "barrier_free")
FLAGS = ("example", "national")


MAX_PAGE = 100_000  # page numbers beyond any real list; larger ones would overflow SQLite's OFFSET


def _int(value: str | None, default: int = 1) -> int:
    """A page number from the query: 1 to MAX_PAGE, the default when it is not a number."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 9:
        return default if not (value and value.isascii() and value.isdigit()) else MAX_PAGE
    return min(MAX_PAGE, max(1, int(value)))


async def offer_list(request: web.Request) -> web.Response:
    """GET /admin/offers: one page of offers for the search box, filters and sort order."""
    require_role(request, "editor")
    q = request.query
    query = browse.Query(text=q.get("q", "").strip()[:200], category=q.get("category", "") or "",
                         city=q.get("city", ""), state=q.get("state", "active") if q.get("state") in browse.STATES
                         else "active", example=q.get("example", ""), sort=q.get("sort", "name"),
                         page=_int(q.get("page")))
    db = request.app[OFFERS]
    found = browse.find(db, query)
    params = {k: v for k, v in {"q": query.text, "category": query.category, "city": query.city,
                                "state": query.state, "example": query.example, "sort": query.sort}.items() if v}

    def link(page: int | None = None, sort: str | None = None) -> str:
        return "/admin/offers?" + urlencode({**params, **({"page": page} if page else {}),
                                             **({"sort": sort} if sort else {})})

    return render(request, "admin_offers.html", query=query, result=found, towns=browse.towns(db),
                  categories=CATEGORIES, link=link)


def _offer_or_404(request: web.Request) -> Offer:
    found = store.get_offer(request.app[OFFERS], request.match_info["id"])
    if found is None:
        raise web.HTTPNotFound(text=gettext(request)("No offer with this id."))
    return found


async def offer_page(request: web.Request) -> web.Response:
    """GET /admin/offers/{id}: every field, "open now", and the history of changes."""
    require_role(request, "editor")
    found = _offer_or_404(request)
    lang = lang_of(request)
    shown_hours = hours.render(found.opening_hours, lang) if found.opening_hours else ""
    now_status = hours.status(found.opening_hours, hours.clock(), lang) if found.opening_hours else None
    return render(request, "admin_offer.html", offer=found, history=write.history(request.app[OFFERS], found.id),
                  hours_shown=shown_hours, hours_status=now_status, saved=bool(request.query.get("saved")),
                  langs=LANGS)


def _form_values(offer: Offer | None) -> dict[str, Any]:
    """What the form shows for an offer (an approximate position is not shown as if it were exact)."""
    if offer is None:
        return {"categories": [], "appointment": "", "barrier_free": "", "example": False, "national": False}
    row = offer.extra
    values: dict[str, Any] = {f: row.get(f) or "" for f in TEXT_FIELDS}
    values.update({f"name_{lang}": offer.names.get(lang, "") for lang in LANGS})
    values.update({f"description_{lang}": offer.descriptions.get(lang, "") for lang in LANGS})
    values["id"] = offer.id
    values["categories"] = list(offer.categories)
    values["languages"] = ", ".join(offer.languages)
    if offer.approximate:
        values["lat"] = values["lon"] = ""
    for flag in TRISTATE:
        value = getattr(offer, flag)
        values[flag] = "" if value is None else "1" if value else "0"
    for flag in FLAGS:
        values[flag] = bool(getattr(offer, flag))
    return values


def _submitted(form: MultiDictProxy[Any]) -> dict[str, Any]:
    """The form's fields as the validator takes them (every field present, so clearing one clears it)."""
    values: dict[str, Any] = {f: str(form.get(f, "")).strip() for f in TEXT_FIELDS}
    for lang in LANGS:
        values[f"name_{lang}"] = str(form.get(f"name_{lang}", "")).strip()
        values[f"description_{lang}"] = str(form.get(f"description_{lang}", "")).strip()
    values["categories"] = [str(c) for c in form.getall("categories", []) if str(c) in CATEGORIES]
    for flag in TRISTATE:
        values[flag] = str(form.get(flag, ""))
    for flag in FLAGS:
        values[flag] = "1" if form.get(flag) else "0"
    return values


def _hours_preview(text: str, lang: str) -> tuple[str, str]:
    """(normalised OSM text, how it reads) of what staff typed; empty when it cannot be read."""
    try:
        normal = hours.normalise(text)
    except hours.HoursError:
        return "", ""
    return normal, hours.render(normal, lang) if normal else ""


def week_rows(normal: str, lang: str) -> list[tuple[str, str]]:
    """The week as understood, for the preview: (weekday, "09:00–12:00, 14:00–18:00" or "closed") per day."""
    if not normal or not re.search(r"\d\d:\d\d|24/7", normal):
        return []  # "nach Vereinbarung" has no times: a table of closed days would mislead
    try:
        table = hours.week_table(normal)
    except Exception:  # text the library cannot evaluate (checked before; never break the form)
        return []
    names = Locale.parse(lang).days["format"]["wide"]
    _ = translator(lang)
    closed = _("closed")
    return [(str(names[index]), ", ".join(f"{a}–{b}" for a, b in spans) or closed)
            for index, (_day, spans) in enumerate(table)]


def version_of(request: web.Request, offer: Offer | None) -> str:
    """What the form was loaded from: a digest of the stored row, so a save can tell that it changed since."""
    if offer is None:
        return ""
    row = store.rows_by_id(request.app[OFFERS], [offer.id]).get(offer.id, {})
    return hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _form(request: web.Request, offer: Offer | None, values: dict[str, Any], status: int = 200,
          errors: dict[str, list[str]] | None = None, checked: bool = False, version: str | None = None,
          conflict: list[tuple[str, str]] | None = None) -> web.Response:
    lang = lang_of(request)
    normal, reads = _hours_preview(str(values.get("opening_hours") or ""), lang)
    return render(request, "admin_form.html", status=status, offer=offer, values=values, errors=errors or {},
                  categories=CATEGORIES, langs=LANGS, hours_normal=normal, hours_reads=reads, checked=checked,
                  week=week_rows(normal, lang), map=placing.sketch(request.app[OFFERS], offer),
                  version=version if version is not None else version_of(request, offer), conflict=conflict)


def _differences(mine: dict[str, Any], stored: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields where what was sent differs from what is stored now (the changes that were not saved)."""
    def plain(value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(sorted(str(v) for v in value))
        if isinstance(value, bool):
            return "1" if value else "0"
        return "" if value is None else str(value)

    return [(name, plain(value)) for name, value in mine.items()
            if name != "id" and plain(value) != plain(stored.get(name))]


async def hours_preview(request: web.Request) -> web.Response:
    """GET /admin/hours?text=...: how the form's opening hours are understood, for the preview while typing."""
    require_role(request, "editor")
    _ = gettext(request)
    text = request.query.get("text", "")[:500]
    try:
        normal = hours.normalise(text)
    except hours.HoursError as exc:  # the validator's own message, in the admin's language
        return web.json_response({"ok": False, "message": messages.translate(f"bad opening hours '{text}': {exc}", _)})
    reads = hours.render(normal, lang_of(request)) if normal else ""
    return web.json_response({"ok": True, "normal": normal, "week": week_rows(normal, lang_of(request)),
                              "message": f"{_('Understood as:')} {reads} ({normal})" if normal else ""})


async def edit_form(request: web.Request) -> web.Response:
    """GET /admin/offers/new or /admin/offers/{id}/edit: the form with every field."""
    require_role(request, "editor")
    offer = _offer_or_404(request) if "id" in request.match_info else None
    return _form(request, offer, _form_values(offer))


async def save_form(request: web.Request) -> web.Response:
    """POST the form: check it like an import row; "check" only previews, "save" writes with the person's name."""
    actor = require_role(request, "editor")
    offer = _offer_or_404(request) if "id" in request.match_info else None
    form = await request.post()
    values = _submitted(form)
    if offer is not None:
        values["id"] = offer.id
    elif str(form.get("id", "")).strip():
        values["id"] = str(form.get("id", "")).strip()
    preview = form.get("action") == "check"
    sent_version = str(form.get("version", ""))
    if offer is not None and sent_version != version_of(request, offer):
        # Saved by someone else since this form was loaded: show theirs, list what this person changed, save
        # nothing (their change must not be reverted by a form that never saw it).
        stored = _form_values(offer)
        return _form(request, offer, stored, status=409, conflict=_differences(values, stored))
    settings = request.app[SETTINGS]
    if settings.geocoder_url and values.get("street") and not (values.get("lat") or values.get("lon")):
        # A street address is placed by the geocoder (cached, at most one request a second), not at the
        # postcode's centre; on a worker thread, so the chats go on meanwhile.
        offers = request.app[OFFERS]
        where = settings.db_path if isinstance(offers, Database) else offers
        point = await asyncio.to_thread(placing.locate, where, settings.geocoder_url, values)
        if point is not None:
            values["lat"], values["lon"] = f"{point.lat:.6f}", f"{point.lon:.6f}"
    result = editing.save(request.app[OFFERS], values, actor, new=offer is None, dry_run=preview)
    if not result.ok or preview:
        return _form(request, offer, values, status=422 if not result.ok else 200,
                     errors=editing.errors_by_field(result), checked=preview and result.ok, version=sent_version)
    changes = [*result.added, *result.changed]
    offer_id = changes[0].offer_id if changes else values.get("id", "")
    raise web.HTTPSeeOther(f"/admin/offers/{offer_id}?saved=1")


async def set_active(request: web.Request) -> web.Response:
    """Delete (soft) or restore an offer; both are recorded in the audit trail with the person's name."""
    actor = require_role(request, "editor")
    offer_id, action = request.match_info["id"], request.match_info["action"]
    change = write.delete if action == "delete" else write.restore
    try:
        change(request.app[OFFERS], offer_id, actor)  # False when it already was so: the page shows that either way
    except KeyError:
        raise web.HTTPNotFound(text=gettext(request)("No offer with this id.")) from None
    raise web.HTTPSeeOther(f"/admin/offers/{offer_id}")


async def recent(request: web.Request) -> web.Response:
    """GET /admin/changes: the newest changes across all offers (who, when, what), 100 per page."""
    require_role(request, "editor")
    page = _int(request.query.get("page"))
    actor = request.query.get("actor", "")[:64]
    changes = browse.recent_changes(request.app[OFFERS], limit=100, offset=(page - 1) * 100, actor=actor)
    return render(request, "admin_changes.html", changes=changes, page=page, actor=actor)


def setup_offers(app: web.Application) -> None:
    app.router.add_get("/admin/offers", offer_list, name="admin_offers")
    app.router.add_get("/admin/offers/new", edit_form, name="admin_offer_new")
    app.router.add_post("/admin/offers/new", save_form)
    app.router.add_get("/admin/offers/{id}", offer_page, name="admin_offer")
    app.router.add_get("/admin/offers/{id}/edit", edit_form, name="admin_offer_edit")
    app.router.add_post("/admin/offers/{id}/edit", save_form)
    app.router.add_post("/admin/offers/{id}/{action:delete|restore}", set_active, name="admin_set_active")
    app.router.add_get("/admin/changes", recent, name="admin_changes")
    app.router.add_get("/admin/hours", hours_preview, name="admin_hours")
