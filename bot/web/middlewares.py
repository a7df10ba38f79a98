"""Errors on the API become JSON with a clear message, never an HTML page or a traceback; every response
carries the security headers."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot import i18n

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
    except Exception as exc:
        if request.path.startswith("/api/") and isinstance(exc, sqlite3.OperationalError):
            # A full disk or a read-only database: expected trouble, one line in the log and no traceback.
            log.error("database error on %s: %s", request.path, exc)
        else:
            log.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            return error_json(500, _kind_apology(request))
        raise


def _kind_apology(request: web.Request) -> str:
    """"Something went wrong" in the language of the person's browser."""
    from bot.web.views import preferred_lang

    with i18n.use(preferred_lang(request, i18n.DEFAULT_LANG)):
        return i18n.gettext("Sorry, something went wrong. Please try again.")


# The pages load their script, styles and images from this server only; nothing may frame them (a page of another
# origin that frames the admin could make one click delete an offer), and no form posts elsewhere. The admin's
# templates keep small inline <style> blocks; inline scripts stay forbidden.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",  # the same for browsers that predate frame-ancestors
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # links to maps and offer sites do not learn which page the person was on
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
}


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: every answer, also static files, redirects and errors, gets the headers."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
