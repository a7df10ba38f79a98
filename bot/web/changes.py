"""The web side's part in hearing other instances (bot/store/changes.py): what it announces, what it does on a notice.

Announced: staff topics and offers changed in the admin (a middleware names the channel by the route, so every
form that writes is covered), the team inbox changed, a team reply waits for a web chat page. Heard: the engine
reloads taught examples and staff topics and drops its offer caches (Engine.listen); the inbox's live stream
and the web chat's reply stream wake on this instance, wherever the change was made. The notices arrive in the
listening thread; the event loop's work is handed to the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from bot.store.changes import Changes
from bot.web.keys import CHANGES, ENGINE, INBOX
from bot.web.middlewares import Handler

#: Admin forms whose POST changes what every instance's engine uses: the channel that says so.
ANNOUNCED = (("/admin/topics", "knowledge"), ("/admin/offers", "offers"), ("/admin/import", "offers"),
             ("/admin/sources", "offers"), ("/admin/examples", "offers"))


def channel_of(path: str) -> str | None:
    return next((channel for prefix, channel in ANNOUNCED if path.startswith(prefix)), None)


@web.middleware
async def announce_changes(request: web.Request, handler: Handler) -> web.StreamResponse:
    """After an admin form changed topics or offers (any answer but an error), tell the other instances."""
    channel = channel_of(request.path) if request.method == "POST" else None
    if channel is None or CHANGES not in request.app:
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # a redirect after a saved form is raised
        if exc.status < 400:
            request.app[CHANGES].announce(channel)
        raise
    if response.status < 400:
        request.app[CHANGES].announce(channel)
    return response


async def changes_ctx(app: web.Application) -> AsyncIterator[None]:
    """Listen for the other instances' changes for the lifetime of the server (after the engine and inbox)."""
    engine, loop = app[ENGINE], asyncio.get_running_loop()
    changes = Changes(engine.store).start()
    app[CHANGES] = changes
    engine.listen(changes)
    waiters = engine.handoff.waiters
    waiters.announce = lambda key: changes.announce("staff_reply", key)
    changes.on("staff_reply", lambda key: loop.call_soon_threadsafe(waiters.wake, key))
    inbox = app.get(INBOX)
    if inbox is not None:
        inbox.announce = lambda: changes.announce("inbox")
        changes.on("inbox", lambda _payload: loop.call_soon_threadsafe(inbox.heard))
    try:
        yield
    finally:
        changes.close()
