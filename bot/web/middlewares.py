"""Errors on the API become JSON with a clear message, never an HTML page or a traceback."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_json(status: int, message: str) -> web.Response:
    """A JSON error answer."""
    return web.json_response({"error": message}, status=status)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn HTTP errors and unexpected exceptions on /api into JSON answers."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if not request.path.startswith("/api/") or exc.status < 400:
            raise
        message = {413: "The message is too large."}.get(exc.status, exc.reason)
        return error_json(exc.status, message)
    except Exception:
        log.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            return error_json(500, "Something went wrong on our side. Please try again.")
        raise
