"""Admin page for the sources of offers: when each last synced and what changed, a sync on demand, the mapping of
Integreat's categories to ours, and removing the example offers."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.offers.categories import CATEGORIES
from bot.offers.demo import remove_examples
from bot.offers.sql import on_postgres, rows
from bot.sources import categories, sync
from bot.sources.integreat import SOURCE as INTEGREAT
from bot.sources.schedule import Endpoints, run_all
from bot.web.admin.auth import gettext, render, require_role
from bot.web.keys import OFFERS, SETTINGS


async def sources_page(request: web.Request) -> web.Response:
    """GET /admin/sources: the last run of each source and scope, the newest runs in detail, the category table."""
    require_role(request, "editor")
    db, settings = request.app[OFFERS], request.app[SETTINGS]
    mapped = categories.mappings(db, INTEGREAT)
    unmapped = [label for label in categories.seen_labels(db, INTEGREAT) if label not in mapped]
    examples = rows(db, "SELECT count(*) FROM offers WHERE example = 1")[0][0]
    return render(request, "admin_sources.html", last=sync.last_runs(db), runs=sync.runs(db, 20), mapped=mapped,
                  unmapped=unmapped, categories=CATEGORIES, jobs=[str(j) for j in settings.sync_jobs],
                  hours=settings.sync_hours, examples=examples, done=request.query.get("done", ""))


async def map_category(request: web.Request) -> web.Response:
    """POST /admin/sources/categories: Integreat category `label` means the chosen categories (none forgets it)."""
    actor = require_role(request, "editor")
    form = await request.post()
    label = str(form.get("label", "")).strip()[:200]
    chosen = [str(c) for c in form.getall("categories", []) if str(c) in CATEGORIES]
    if label:
        categories.set_mapping(request.app[OFFERS], INTEGREAT, label, chosen, actor)
    raise web.HTTPSeeOther("/admin/sources?done=mapped")


async def sync_now(request: web.Request) -> web.Response:
    """POST /admin/sources/sync: run every configured sync now (on a worker thread, with its own connection)."""
    require_role(request, "editor")
    settings = request.app[SETTINGS]
    if not settings.sync_jobs:
        raise web.HTTPBadRequest(text=gettext(request)("No sources are configured (LOTSE_SYNC)."))
    endpoints = Endpoints(settings.integreat_api, settings.overpass_api, settings.geocoder_url)
    offers = request.app[OFFERS]
    await asyncio.to_thread(run_all, offers if on_postgres(offers) else settings.db_path, settings.sync_jobs,
                            endpoints)
    raise web.HTTPSeeOther("/admin/sources?done=synced")


async def drop_examples(request: web.Request) -> web.Response:
    """POST /admin/examples/remove: remove every example offer (real contact points and hotlines stay)."""
    actor = require_role(request, "editor")
    form = await request.post()
    if form.get("confirm") != "1":
        raise web.HTTPSeeOther("/admin/sources?done=unconfirmed")
    remove_examples(request.app[OFFERS], actor)
    raise web.HTTPSeeOther("/admin/sources?done=examples")


def setup_sources(app: web.Application) -> None:
    app.router.add_get("/admin/sources", sources_page, name="admin_sources")
    app.router.add_post("/admin/sources/categories", map_category, name="admin_sources_categories")
    app.router.add_post("/admin/sources/sync", sync_now, name="admin_sources_sync")
    app.router.add_post("/admin/examples/remove", drop_examples, name="admin_examples_remove")
