"""URL table."""

from __future__ import annotations

from aiohttp import web

from bot.web import files, staff, views, webhook


def setup_routes(app: web.Application) -> None:
    """Register every route of the web side."""
    app.router.add_get("/", views.index, name="index")
    app.router.add_post("/api/chat", views.chat, name="chat")
    app.router.add_get("/healthz", views.healthz, name="healthz")
    app.router.add_static("/static", views.STATIC, name="static")
    staff.setup(app)  # GET /api/staff: the team's replies as server-sent events
    files.setup(app)  # POST /api/upload, GET /api/file/<token>: photos and documents during a handoff
    webhook.setup(app)  # POST /telegram/webhook (answers 404 unless the bot runs in webhook mode)
