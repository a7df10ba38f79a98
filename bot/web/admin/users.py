"""The users page (admins only): add accounts, set a new password, change a role, remove an account."""

from __future__ import annotations

from aiohttp import web

from bot.web.admin import accounts
from bot.web.admin.auth import gettext, render, require_role
from bot.web.admin.i18n import N_
from bot.web.keys import STORE

# The messages of accounts.AccountError, so the page can show them in the admin's language.
ACCOUNT_MESSAGES = (
    N_("A name has 2 to 64 letters, digits or . _ @ - (e.g. anna.schmidt)."), N_("The role is editor or admin."),
    N_("A password has at least 10 characters."), N_("There is already an account with this name."),
    N_("There is no account with this name."),
)


async def users_page(request: web.Request) -> web.Response:
    """GET /admin/users: every account with its role."""
    require_role(request, "admin")
    return _page(request)


def _page(request: web.Request, status: int = 200, error: str = "", done: str = "") -> web.Response:
    return render(request, "admin_users.html", status=status, users=accounts.users(request.app[STORE]),
                  roles=accounts.ROLES, error=error, done=done)


async def users_post(request: web.Request) -> web.Response:
    """POST /admin/users: action add, passwd, role or remove on one account."""
    me = require_role(request, "admin")
    _ = gettext(request)
    form = await request.post()
    action, name = str(form.get("action", "")), str(form.get("name", "")).strip()
    password, role = str(form.get("password", "")), str(form.get("role", "editor"))
    db = request.app[STORE]
    seen, current = form.get("changed"), accounts.get(db, name)
    if seen is not None and current is not None and str(seen) != current.changed_at:
        # The page was loaded before someone else changed this account: do not act on what it showed.
        return _page(request, 409, error=_("{name} was changed by someone else meanwhile (now: {role}). Nothing "
                                           "was changed; check the list and try again.").format(
                                               name=name, role=_(current.role)))
    try:
        if action == "add":
            accounts.add_user(db, name, password, role)
            done = _("Account {name} created.").format(name=name)
        elif action == "passwd":
            accounts.set_password(db, name, password)
            done = _("New password set for {name}; their sessions have ended.").format(name=name)
        elif action == "role":
            if name.casefold() == me.casefold():
                raise accounts.AccountError(_("You cannot change your own role."))
            accounts.set_role(db, name, role)
            done = _("{name} is now {role}.").format(name=name, role=role)
        elif action == "remove":
            if name.casefold() == me.casefold():
                raise accounts.AccountError(_("You cannot remove your own account."))
            accounts.remove_user(db, name)
            done = _("Account {name} removed.").format(name=name)
        else:
            raise accounts.AccountError(_("Unknown action."))
    except accounts.AccountError as exc:
        return _page(request, 422, error=_(str(exc)))
    return _page(request, done=done)


def setup_users(app: web.Application) -> None:
    app.router.add_get("/admin/users", users_page, name="admin_users")
    app.router.add_post("/admin/users", users_post)
