"""The one-time set-up link: before the first account exists, the admin answers nothing else.

`lotse setup` and `lotse serve` print `/admin/setup?token=...` while there is no account (and no
LOTSE_ADMIN_TOKEN); whoever opens it chooses the first admin's name and password and is signed in. The token is
random, kept only as its SHA-256, replaced by the next one printed, and used up by the account it makes.
"""

from __future__ import annotations

import click
from aiohttp import web

from bot.web.admin import accounts
from bot.web.admin.auth import CLOCK, COOKIE, gettext, render, set_cookie
from bot.web.keys import STORE


def print_setup_link(db: accounts.Db, base_url: str, has_token: bool, *, fresh: bool = True) -> None:
    """Print a set-up link when no account exists yet: always a fresh one for `lotse setup` (`fresh`); for `lotse
    serve` only when none is open, so that `lotse setup && lotse serve` (`make run`, systemd) shows one link that
    works instead of two, the first already replaced by the second."""
    if has_token or accounts.users(db):
        return
    if not fresh and accounts.setup_token_open(db):
        click.echo("No admin account yet: open the one-time set-up link `lotse setup` printed "
                   "(`lotse setup` prints a new one).")
        return
    token = accounts.new_setup_token(db)
    click.echo(f"No admin account yet. Create the first one with this one-time link: "
               f"{base_url}/admin/setup?token={token} (or: lotse admin add-user NAME --role admin)")


def _page(request: web.Request, token: str, status: int = 200, error: str = "", name: str = "") -> web.Response:
    return render(request, "admin_setup.html", status=status, token=token, error=error, name=name)


async def setup(request: web.Request) -> web.Response:
    """GET: the form for the first admin account; POST: make it and sign in."""
    _ = gettext(request)
    db = request.app[STORE]
    if accounts.users(db):
        raise web.HTTPSeeOther("/admin/login")
    if request.method != "POST":
        token = request.query.get("token", "")
        if not accounts.setup_token_matches(db, token):
            return _page(request, "", 403, _("This set-up link has been used or replaced. Run `lotse setup` "
                                             "for a new one."))
        return _page(request, token)
    form = await request.post()
    token, name = str(form.get("token", "")), str(form.get("name", "")).strip()
    password, again = str(form.get("password", "")), str(form.get("password2", ""))
    if password != again:
        return _page(request, token, 422, _("The two passwords differ."), name)
    try:
        account = accounts.first_admin(db, token, name, password)
    except accounts.AccountError as exc:
        return _page(request, token, 422, _(str(exc)), name)
    cookie, _session = accounts.start_session(db, account, now=request.app[CLOCK]())
    response = web.HTTPSeeOther("/admin")
    set_cookie(request, response, COOKIE, cookie)
    raise response


def setup_first_account(app: web.Application) -> None:
    app.router.add_route("*", "/admin/setup", setup, name="admin_setup")
