"""Who may use the admin: named accounts, sign-in and sign-out, idle expiry, throttling, CSRF, roles.

Three ways in, checked by the `guard` middleware on every /admin request:
1. A named account (`lotse admin add-user NAME --role editor|admin`): the login form starts a session (HttpOnly,
   SameSite=Strict cookie holding a random token); it ends on sign-out, after `LOTSE_ADMIN_IDLE_MINUTES` without
   a request, or when the password changes. Five wrong passwords in a row for an account (or twenty from one
   address) lock sign-in for 15 minutes, with a message that says so.
2. `LOTSE_ADMIN_TOKEN` for set-up and automation: `Authorization: Bearer <token>` on any request (curl, scripts:
   no cookie, so no CSRF token needed), or the login form with an empty name and the token as password. It acts
   as the account "token" with the admin role.
3. With neither accounts nor a token: only this machine (loopback address and a loopback Host header, not behind
   a webhook proxy), as "localhost" with the admin role, so the demo works and the first account can be made.

Every POST must come from the admin's own pages (Origin/Referer) and carry the session's CSRF token (a hidden
`csrf` field or an `X-CSRF-Token` header). Handlers ask for a role with `require_role(request, "editor")`,
which returns the account name for the audit trail.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.offers.categories import CATEGORY_LABELS
from bot.offers.hours import BERLIN
from bot.web.admin import accounts, messages
from bot.web.admin.accounts import Account, Session
from bot.web.admin.i18n import pick, translator
from bot.web.keys import DB, SETTINGS, TEMPLATES

COOKIE = "lotse_admin_session"
TOKEN_COOKIE = "lotse_admin"
LOGIN_COOKIE = "lotse_admin_login"
LANG_COOKIE = "lotse_admin_lang"
SESSION_KEY: web.RequestKey[Session] = web.RequestKey("admin_session", Session)
THROTTLE: web.AppKey[accounts.Throttle] = web.AppKey("admin_throttle", accounts.Throttle)
ADDRESS_THROTTLE: web.AppKey[accounts.Throttle] = web.AppKey("admin_address_throttle", accounts.Throttle)
SECRET: web.AppKey[str] = web.AppKey("admin_secret", str)
#: The clock of session idle expiry (seconds); tests move it forward instead of waiting.
CLOCK: web.AppKey[Callable[[], float]] = web.AppKey("admin_clock")
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
OPEN_PATHS = ("/admin/login", "/admin/lang")
STREAMED = ("/admin/import",)  # multipart uploads whose handler checks the CSRF field itself
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setup_auth(app: web.Application) -> None:
    """Register the guard, the throttles and the sign-in routes."""
    app[THROTTLE] = accounts.Throttle(limit=5)
    app[ADDRESS_THROTTLE] = accounts.Throttle(limit=20)
    app[SECRET] = secrets.token_urlsafe(32)
    app[CLOCK] = time.time
    app.middlewares.append(guard)
    app.router.add_route("*", "/admin/login", login, name="admin_login")
    app.router.add_post("/admin/logout", logout, name="admin_logout")
    app.router.add_get("/admin/lang", choose_language, name="admin_lang")


# --- pages --------------------------------------------------------------------------------------------------

def lang_of(request: web.Request) -> str:
    return pick(request.query.get("lang") or request.cookies.get(LANG_COOKIE),
                request.headers.get("Accept-Language", ""))


def gettext(request: web.Request) -> Callable[[str], str]:
    """The `_()` of the admin language of this request."""
    return translator(lang_of(request))


def category_label(lang: str, category: str) -> str:
    labels = CATEGORY_LABELS.get(category)
    return labels[0 if lang == "de" else 1] if labels else category


def when(stamp: str, lang: str) -> str:
    """An audit time (UTC, ISO 8601) as staff read it: Berlin time, "01.12.2026 09:24" in German."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(BERLIN)
    except ValueError:
        return stamp
    return moment.strftime("%d.%m.%Y %H:%M" if lang == "de" else "%Y-%m-%d %H:%M")


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """An admin page in the admin language, with the account, its CSRF token and the category labels."""
    lang = lang_of(request)
    session: Session | None = request.get(SESSION_KEY)
    _ = translator(lang)
    html = request.app[TEMPLATES].get_template(template).render(
        _=_, lang=lang, msg=lambda m: messages.translate(str(m), _), where=lambda p: messages.where(p, _),
        account=session.account if session else None, csrf=session.csrf if session else "",
        label=lambda c: category_label(lang, c),
        labels=lambda cs: ", ".join(category_label(lang, c) for c in cs), when=lambda t: when(t, lang), **context)
    return web.Response(text=html, content_type="text/html", status=status,
                        headers={"Cache-Control": "no-store", "Content-Language": lang})


def refuse(request: web.Request, status: int, message: str) -> web.Response:
    """A short admin page that says why (403, 404, 429 ...)."""
    return render(request, "admin_message.html", status=status, message=message)


async def choose_language(request: web.Request) -> web.Response:
    """GET /admin/lang?to=en: remember the admin language in a cookie and go back."""
    lang = pick(request.query.get("to"))
    back = request.query.get("back", "/admin")
    response = web.HTTPSeeOther(back if back.startswith("/admin") and "//" not in back else "/admin")
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/admin", samesite="Strict", httponly=True)
    raise response


# --- who is asking --------------------------------------------------------------------------------------------

def _is_loopback(request: web.Request) -> bool:
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


def _loopback_host(request: web.Request) -> bool:
    """The Host header names this machine: a web page elsewhere cannot reach the admin through a DNS name it
    points at 127.0.0.1 ("DNS rebinding"), because its requests carry that name."""
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    return host.lower() in LOOPBACK_NAMES | {request.app[SETTINGS].host}


def _keyed(request: web.Request, what: str) -> str:
    token = request.app[SETTINGS].admin_token or ""
    return hmac.new(token.encode(), what.encode(), "sha256").hexdigest()


def _same_origin(request: web.Request) -> bool:
    """A form post must come from a page of this server (no cross-site request forgery)."""
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return origin == "" or origin.split("://", 1)[-1].split("/", 1)[0] == request.host


def open_mode(request: web.Request) -> bool:
    """No accounts and no token: the admin is this machine's only (set-up and demo)."""
    return request.app[SETTINGS].admin_token is None and not accounts.users(request.app[DB])


def _identify(request: web.Request) -> Session | str | None:
    """The session of this request; "expired" after the idle limit; None when not signed in."""
    settings = request.app[SETTINGS]
    token = settings.admin_token
    bearer = request.headers.get("Authorization", "")
    if token and bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:].encode(), token.encode()):
        return Session(Account("token", "admin"), "")  # not a browser: no cookie, nothing to forge
    if token and hmac.compare_digest(request.cookies.get(TOKEN_COOKIE, ""), _keyed(request, "session")):
        return Session(Account("token", "admin"), _keyed(request, "csrf"))
    found = accounts.find_session(request.app[DB], request.cookies.get(COOKIE, ""),
                                  settings.admin_idle_minutes * 60, now=request.app[CLOCK]())
    if found is not None:
        return found
    if open_mode(request):
        if settings.webhook_url is None and _is_loopback(request) and _loopback_host(request):
            csrf = hmac.new(request.app[SECRET].encode(), b"localhost", "sha256").hexdigest()
            return Session(Account("localhost", "admin"), csrf)
        return "machine-only"
    return None


async def _csrf_ok(request: web.Request, session: Session) -> bool:
    if not session.csrf:
        return True  # the bearer token: sent by scripts, never added by a browser on its own
    given = request.headers.get("X-CSRF-Token", "")
    if not given and request.path in STREAMED and request.content_type == "multipart/form-data":
        return True  # checked by the upload handler on the form's first part (the file is streamed, not parsed)
    if not given and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        given = str((await request.post()).get("csrf", ""))
    return hmac.compare_digest(given.encode(), session.csrf.encode())


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every admin page needs a session; every POST the same origin and the session's CSRF token."""
    if not request.path.startswith("/admin") or request.path in OPEN_PATHS:
        return await handler(request)
    _ = gettext(request)
    found = _identify(request)
    if found == "machine-only":
        return refuse(request, 403, _("Without accounts the admin answers only on this machine (and not behind "
                                      "a webhook proxy). Create one with `lotse admin add-user NAME --role admin`, "
                                      "or set LOTSE_ADMIN_TOKEN."))
    if not isinstance(found, Session):
        raise web.HTTPFound("/admin/login" + ("?expired=1" if found == "expired" else ""))
    request[SESSION_KEY] = found
    if request.method == "POST":
        if not _same_origin(request):
            return refuse(request, 403, _("Forms must be sent from the admin page itself."))
        if not await _csrf_ok(request, found):
            return refuse(request, 403, _("This form has expired or did not come from the admin. Reload the page "
                                          "and send it again."))
    return await handler(request)


def require_role(request: web.Request, role: str = "editor") -> str:
    """The signed-in account's name when it has `role` (admin includes editor); else 403 with a clear page.

    Use it first thing in a handler: `actor = require_role(request, "admin")`.
    """
    session: Session | None = request.get(SESSION_KEY)
    if session is None:
        raise web.HTTPFound("/admin/login")
    if not session.account.may(role):
        _ = gettext(request)
        page = refuse(request, 403, _("Only admins may open this page. Ask an admin if you need it."))
        raise web.HTTPForbidden(text=page.text, content_type="text/html")
    return session.account.name


def csrf_matches(request: web.Request, given: str) -> bool:
    """For multipart forms, whose CSRF field the handler reads itself."""
    session: Session | None = request.get(SESSION_KEY)
    return session is not None and (not session.csrf or hmac.compare_digest(given.encode(), session.csrf.encode()))


# --- sign in and out ------------------------------------------------------------------------------------------

def _client_address(request: web.Request) -> str:
    """The address to throttle: behind a reverse proxy on this machine every request comes from loopback, so
    the address the proxy appended to X-Forwarded-For (the last one; earlier ones the client can forge)."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if _is_loopback(request) and forwarded:
        return forwarded.rsplit(",", 1)[-1].strip()
    return request.remote or ""


def _lock_message(request: web.Request, seconds: float) -> str:
    _ = gettext(request)
    until = datetime.fromtimestamp(time.time() + seconds).strftime("%H:%M")
    minutes = max(1, round(seconds / 60))
    return _("Too many wrong passwords. Sign-in is locked for {minutes} minutes (until {time}). Wait, or ask "
             "an admin to set a new password with `lotse admin passwd NAME`.").format(minutes=minutes, time=until)


def _login_page(request: web.Request, status: int = 200, error: str = "", name: str = "") -> web.Response:
    login_csrf = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    _ = gettext(request)
    notice = _("You were signed out after a while without activity. Please sign in again.") \
        if request.query.get("expired") else _("You are signed out.") if request.query.get("bye") else ""
    response = render(request, "admin_login.html", status=status, error=error, notice=notice, name=name,
                      login_csrf=login_csrf, token_login=request.app[SETTINGS].admin_token is not None)
    response.set_cookie(LOGIN_COOKIE, login_csrf, httponly=True, samesite="Strict", path="/admin/login",
                        secure=request.secure)
    return response


async def login(request: web.Request) -> web.Response:
    """GET: the form; POST: check name and password (throttled) and start a session."""
    if request.method != "POST":
        return _login_page(request)
    _ = gettext(request)
    form = await request.post()
    name, password = str(form.get("name", "")).strip(), str(form.get("password", form.get("token", "")))
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not hmac.compare_digest(str(form.get("login_csrf", "")).encode(), cookie.encode()) \
            or not _same_origin(request):
        return _login_page(request, 403, _("This form has expired. Please try again."), name)
    keys, address = (f"name:{name.casefold()}",), (f"addr:{_client_address(request)}",)
    throttle, by_address = request.app[THROTTLE], request.app[ADDRESS_THROTTLE]
    if locked := max(throttle.locked(*keys), by_address.locked(*address)):
        return _login_page(request, 429, _lock_message(request, locked), name)
    token = request.app[SETTINGS].admin_token
    if not name and token and hmac.compare_digest(password.encode(), token.encode()):
        by_address.succeed(*address)
        response = web.HTTPSeeOther("/admin")
        response.set_cookie(TOKEN_COOKIE, _keyed(request, "session"), httponly=True, samesite="Strict",
                            path="/admin", secure=request.secure)
        raise response
    stored = accounts.stored_hash(request.app[DB], name) if name else None
    # argon2 takes ~0.2 s on purpose: in a thread, so the chat and other admins are not kept waiting meanwhile.
    matches = await asyncio.to_thread(accounts.password_matches, stored, password)
    account = accounts.signed_in(request.app[DB], name, password, stored) if matches and stored else None
    if account is None:
        throttle.fail(*keys)
        by_address.fail(*address)
        if locked := max(throttle.locked(*keys), by_address.locked(*address)):
            return _login_page(request, 429, _lock_message(request, locked), name)
        return _login_page(request, 401, _("Name or password is not right."), name)
    throttle.succeed(*keys)
    by_address.succeed(*address)
    cookie_token, _session = accounts.start_session(request.app[DB], account, now=request.app[CLOCK]())
    response = web.HTTPSeeOther("/admin")
    response.set_cookie(COOKIE, cookie_token, httponly=True, samesite="Strict", path="/admin", secure=request.secure)
    raise response


async def logout(request: web.Request) -> web.Response:
    """End the session (the guard has checked the CSRF token) and show the login form."""
    accounts.end_session(request.app[DB], request.cookies.get(COOKIE, ""))
    response = web.HTTPSeeOther("/admin/login?bye=1")
    response.del_cookie(COOKIE, path="/admin")
    response.del_cookie(TOKEN_COOKIE, path="/admin")
    raise response
