"""The team inbox in the admin (/admin/inbox): open handed-over conversations from every channel, live.

Staff see the list (newest first, with language, channel, district and unread counts, updated over server-sent
events), claim a conversation (one of them gets it, the other is told who has it), read it, answer (with their
saved replies for the person's language) and close it. The work itself is in bot/inbox; here are the pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.inbox import Inbox
from bot.inbox.store import InboxStore
from bot.web.inbox import files, views
from bot.web.keys import ENGINE, INBOX


async def inbox_ctx(app: web.Application) -> AsyncIterator[None]:
    """The inbox over the engine's handoffs (after the engine context); replies that waited go out at start."""
    store = InboxStore(app[ENGINE].store)  # beside the handoffs: SQLite, or PostgreSQL with other instances
    store.sweep()  # what /forget or the retention left behind
    app[INBOX] = Inbox(app[ENGINE].handoff, store)
    yield


def setup_inbox(app: web.Application) -> None:
    app.cleanup_ctx.append(inbox_ctx)
    app.router.add_get("/admin/inbox", views.inbox_page, name="admin_inbox")
    app.router.add_get("/admin/inbox/events", views.events, name="admin_inbox_events")
    app.router.add_get("/admin/inbox/{number:\\d+}", views.conversation, name="admin_inbox_conversation")
    app.router.add_post("/admin/inbox/{number:\\d+}", views.act)
    app.router.add_post("/admin/inbox/saved", views.saved_post)
    files.setup(app)
