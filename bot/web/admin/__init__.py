"""The web admin at /admin, for the staff of an integration centre (German first, English second).

- auth.py: named accounts, sign-in, sign-out, idle expiry, throttling, CSRF, roles; `require_role()` for handlers.
- offers.py: the offer list (search, filters, sorting, pages), one offer with its history, the edit/add form,
  delete and restore, recent changes.
- files.py: the overview (counts, questions Lotse could not answer), import with dry run, export.
- sources.py: the sources of offers (last sync, what changed, Integreat's categories), removing examples.
- setup.py: the one-time set-up link of the first account.
- users.py: accounts (admins only). accounts.py: the account and session store (no aiohttp; the CLI uses it).
- cli.py: `lotse admin add-user|passwd|users|remove-user`.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.admin.auth import require_role, setup_auth
from bot.web.admin.files import setup_files
from bot.web.admin.offers import setup_offers
from bot.web.admin.setup import setup_first_account
from bot.web.admin.sources import setup_sources
from bot.web.admin.users import setup_users

__all__ = ["require_role", "setup_admin"]


def setup_admin(app: web.Application) -> None:
    """Register the admin's guard and routes."""
    setup_auth(app)
    setup_first_account(app)
    setup_files(app)
    setup_offers(app)
    setup_sources(app)
    setup_users(app)
