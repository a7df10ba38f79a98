"""Who may use the admin: named accounts, sign-in and sign-out, idle expiry, throttling, CSRF, roles.

Three ways in, checked by the `guard` middleware on every /admin request:
1. A named account (`lotse admin add-user NAME --role editor|admin`): the login form starts a session (HttpOnly,
   SameSite=Strict cookie holding a random token); it ends on sign-out, after `LOTSE_ADMIN_IDLE_MINUTES` without
   a request, or when the password changes. Wrong passwords make the next try wait, longer each time, per
   account (beyond five) and per address (beyond twenty); a browser that signed in to the account before is not
   held up by the account's count, so a guesser cannot keep its rightful user out.
2. `LOTSE_ADMIN_TOKEN` for set-up and automation: `Authorization: Bearer <token>` on any request (curl, scripts:
   no cookie, so no CSRF token needed), or the login form with an empty name and the token as password. It acts
   as the account "token" with the admin role; such a browser session is a random token kept in memory (ended by
   sign-out, idle time and a restart).
3. With neither accounts nor a token: nothing but the one-time set-up link (bot/web/admin/setup.py) that
   `lotse setup` and `lotse serve` print, which makes the first admin account. No guess from the address or the
   Host header: behind a reverse proxy every request looks local.

Cookies are `Secure` when the request came over TLS, also through a reverse proxy on this machine that says so
in `X-Forwarded-Proto` (a header from anyone else is not believed).

Every POST must come from the admin's own pages (Origin/Referer) and carry the session's CSRF token (a hidden
`csrf` field or an `X-CSRF-Token` header). Handlers ask for a role with `require_role(request, "editor")`,
which returns the account name for the audit trail.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import re
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
#: Browser sessions of LOTSE_ADMIN_TOKEN: SHA-256 of the cookie's random token -> (CSRF token, last used).
TOKEN_SESSIONS: web.AppKey[dict[str, tuple[str, float]]] = web.AppKey("admin_token_sessions", dict)
#: The clock of session idle expiry (seconds); tests move it forward instead of waiting.
CLOCK: web.AppKey[Callable[[], float]] = web.AppKey("admin_clock")
OPEN_PATHS = ("/admin/login", "/admin/lang", "/admin/setup")
DEVICE_COOKIE = "lotse_admin_device"
# Multipart uploads whose handler checks the CSRF field itself: the import, and a file for a person in the inbox.
STREAMED = re.compile(r"/admin/import|/admin/inbox/\d+/file")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setup_auth(app: web.Application) -> None:
    """Register the guard, the throttles and the sign-in routes."""
    app[THROTTLE] = accounts.Throttle(free=5, base=1.0, cap=60.0)
    app[ADDRESS_THROTTLE] = accounts.Throttle(free=20, base=2.0, cap=300.0)
    app[TOKEN_SESSIONS] = {}
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
    set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 86400)
    raise response


# --- who is asking --------------------------------------------------------------------------------------------

def _is_loopback(request: web.Request) -> bool:
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


def is_secure(request: web.Request) -> bool:
    """Whether the browser reached us over TLS: directly, or through a reverse proxy on this machine that says
    so (`X-Forwarded-Proto: https`, the value it set last); the header from anyone else is not believed."""
    if request.secure:
        return True
    forwarded = request.headers.get("X-Forwarded-Proto", "").rsplit(",", 1)[-1].strip().lower()
    return forwarded == "https" and _is_loopback(request)


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str, path: str = "/admin",
               max_age: int | None = None) -> None:
    """An admin cookie: HttpOnly, SameSite=Strict, and Secure whenever the request came over TLS."""
    response.set_cookie(name, value, httponly=True, samesite="Strict", path=path, secure=is_secure(request),
                        max_age=max_age)


def _same_origin(request: web.Request) -> bool:
    """A form post must come from a page of this server (no cross-site request forgery)."""
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return origin == "" or origin.split("://", 1)[-1].split("/", 1)[0] == request.host


def setup_only(request: web.Request) -> bool:
    """No accounts and no token: only the one-time set-up link is answered."""
    return request.app[SETTINGS].admin_token is None and not accounts.users(request.app[DB])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_token_session(request: web.Request) -> str:
    """A browser session of LOTSE_ADMIN_TOKEN: a random cookie token, kept (hashed) in memory only."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    sessions = request.app[TOKEN_SESSIONS]
    if len(sessions) >= 1000:  # sign-ins without sign-out: the oldest go
        for old in sorted(sessions, key=lambda k: sessions[k][1])[:100]:
            del sessions[old]
    sessions[_digest(cookie)] = (csrf, request.app[CLOCK]())
    return cookie


def _token_session(request: web.Request) -> Session | str | None:
    sessions, digest = request.app[TOKEN_SESSIONS], _digest(request.cookies.get(TOKEN_COOKIE, ""))
    found = sessions.get(digest)
    if found is None:
        return None
    now = request.app[CLOCK]()
    if now - found[1] > request.app[SETTINGS].admin_idle_minutes * 60:
        del sessions[digest]
        return "expired"
    sessions[digest] = (found[0], now)
    return Session(Account("token", "admin"), found[0])


def _identify(request: web.Request) -> Session | str | None:
    """The session of this request; "expired" after the idle limit; "setup-only" before the first account;
    None when not signed in."""
    settings = request.app[SETTINGS]
    token = settings.admin_token
    bearer = request.headers.get("Authorization", "")
    if token and bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:].encode(), token.encode()):
        return Session(Account("token", "admin"), "")  # not a browser: no cookie, nothing to forge
    if token and request.cookies.get(TOKEN_COOKIE) and (by_token := _token_session(request)) is not None:
        return by_token
    found = accounts.find_session(request.app[DB], request.cookies.get(COOKIE, ""),
                                  settings.admin_idle_minutes * 60, now=request.app[CLOCK]())
    if found is not None:
        return found
    return "setup-only" if setup_only(request) else None


async def _csrf_ok(request: web.Request, session: Session) -> bool:
    if not session.csrf:
        return True  # the bearer token: sent by scripts, never added by a browser on its own
    given = request.headers.get("X-CSRF-Token", "")
    if not given and STREAMED.fullmatch(request.path) and request.content_type == "multipart/form-data":
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
    if found == "setup-only":
        return refuse(request, 403, _("There is no admin account yet. Open the one-time set-up link that "
                                      "`lotse setup` or `lotse serve` printed, or create an account with "
                                      "`lotse admin add-user NAME --role admin`."))
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


def _wait_message(request: web.Request, seconds: float) -> str:
    _ = gettext(request)
    return _("Too many wrong passwords. Please wait {seconds} seconds, then try again.").format(
        seconds=max(1, round(seconds)))


def _device(request: web.Request, name: str) -> str:
    """The mark a browser gets when it signs in to an account: keyed, so nobody can make one up."""
    return hmac.new(request.app[SECRET].encode(), f"device\x00{name.casefold()}".encode(), "sha256").hexdigest()


def _known_device(request: web.Request, name: str) -> bool:
    return hmac.compare_digest(request.cookies.get(DEVICE_COOKIE, "").encode(), _device(request, name).encode())


def _login_page(request: web.Request, status: int = 200, error: str = "", name: str = "") -> web.Response:
    login_csrf = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    _ = gettext(request)
    notice = _("You were signed out after a while without activity. Please sign in again.") \
        if request.query.get("expired") else _("You are signed out.") if request.query.get("bye") else ""
    response = render(request, "admin_login.html", status=status, error=error, notice=notice, name=name,
                      login_csrf=login_csrf, token_login=request.app[SETTINGS].admin_token is not None)
    set_cookie(request, response, LOGIN_COOKIE, login_csrf, path="/admin/login")
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
    account_key, address_key = f"name:{name.casefold()}", f"addr:{_client_address(request)}"
    throttle, by_address = request.app[THROTTLE], request.app[ADDRESS_THROTTLE]
    # A browser that signed in to this account before is not held up by the account's count: guesses from
    # elsewhere cannot keep the rightful user out. The address's count holds for everyone.
    keys = () if _known_device(request, name) else (account_key,)
    if wait := max(throttle.wait(*keys), by_address.wait(address_key)):
        return _login_page(request, 429, _wait_message(request, wait), name)
    token = request.app[SETTINGS].admin_token
    if not name and token and hmac.compare_digest(password.encode(), token.encode()):
        throttle.succeed(account_key)
        response = web.HTTPSeeOther("/admin")
        set_cookie(request, response, TOKEN_COOKIE, start_token_session(request))
        set_cookie(request, response, DEVICE_COOKIE, _device(request, name), max_age=365 * 86400)
        raise response
    stored = accounts.stored_hash(request.app[DB], name) if name else None
    # argon2 takes ~0.2 s on purpose: in a thread, so the chat and other admins are not kept waiting meanwhile.
    matches = await asyncio.to_thread(accounts.password_matches, stored, password)
    account = accounts.signed_in(request.app[DB], name, password, stored) if matches and stored else None
    if account is None:
        throttle.fail(account_key)
        by_address.fail(address_key)  # never cleared by a success: signing in elsewhere must not reset it
        if wait := max(throttle.wait(*keys), by_address.wait(address_key)):
            return _login_page(request, 429, _wait_message(request, wait), name)
        return _login_page(request, 401, _("Name or password is not right."), name)
    throttle.succeed(account_key)
    cookie_token, _session = accounts.start_session(request.app[DB], account, now=request.app[CLOCK]())
    response = web.HTTPSeeOther("/admin")
    set_cookie(request, response, COOKIE, cookie_token)
    set_cookie(request, response, DEVICE_COOKIE, _device(request, name), max_age=365 * 86400)
    raise response


async def logout(request: web.Request) -> web.Response:
    """End the session (the guard has checked the CSRF token) and show the login form."""
    accounts.end_session(request.app[DB], request.cookies.get(COOKIE, ""))
    request.app[TOKEN_SESSIONS].pop(_digest(request.cookies.get(TOKEN_COOKIE, "")), None)
    response = web.HTTPSeeOther("/admin/login?bye=1")
    response.del_cookie(COOKIE, path="/admin")
    response.del_cookie(TOKEN_COOKIE, path="/admin")
    raise response
