"""The scheduled syncs of `lotse serve` (LOTSE_SYNC, every LOTSE_SYNC_HOURS): a background task that runs every
configured source on a worker thread, with its own database connection, so the chats never wait for a source.
The first run starts with the server; `SYNCED` is set after each round (the tests wait on it)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.offers.sql import on_postgres
from bot.sources.schedule import Endpoints, run_all
from bot.web.keys import OFFERS, SETTINGS

log = logging.getLogger(__name__)
SYNCED: web.AppKey[asyncio.Event] = web.AppKey("synced", asyncio.Event)


async def _loop(app: web.Application) -> None:
    settings = app[SETTINGS]
    endpoints = Endpoints(settings.integreat_api, settings.overpass_api, settings.geocoder_url)
    while True:
        try:
            offers = app[OFFERS]  # the shared PostgreSQL store, or the SQLite file (opened by the thread)
            done = await asyncio.to_thread(run_all, offers if on_postgres(offers) else settings.db_path,
                                           settings.sync_jobs, endpoints)
            log.info("scheduled sync: %d of %d sources synced", done, len(settings.sync_jobs))
        except Exception:  # a bug in one round must not end the schedule; the next round tries again
            log.exception("scheduled sync failed")
        app[SYNCED].set()
        await asyncio.sleep(settings.sync_hours * 3600)


async def sync_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the schedule for the lifetime of the server when LOTSE_SYNC names sources."""
    app[SYNCED] = asyncio.Event()
    if not app[SETTINGS].sync_jobs:
        yield
        return
    task = asyncio.create_task(_loop(app))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
