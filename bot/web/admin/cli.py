"""`lotse admin ...`: the web admin's named accounts (add-user, passwd, users, remove-user)."""

from __future__ import annotations

import click

from bot.store import Store
from bot.web.admin import accounts


def _db() -> Store:
    """The accounts' database: LOTSE_DATABASE_URL when set, else the SQLite file (`lotse --db FILE admin ...`
    wins over LOTSE_DB)."""
    from bot.store.cli import configured_url, open_configured

    return open_configured(configured_url())


def _password() -> str:
    return str(click.prompt("Password (at least 10 characters)", hide_input=True, confirmation_prompt=True))


@click.group()
def admin() -> None:
    """Accounts of the web admin at /admin: editors edit offers, admins also manage accounts.

    Example: lotse admin add-user anna.schmidt --role editor
    """


@admin.command(name="add-user")
@click.argument("name")
@click.option("--role", type=click.Choice(accounts.ROLES), default="editor", show_default=True,
              help="editor: offers, import, export; admin: also the users page.")
def add_user(name: str, role: str) -> None:
    """Create an account NAME; asks for its password twice (or reads two lines from stdin).

    Example: lotse admin add-user anna.schmidt --role editor
    """
    try:
        accounts.check_name(name)
        account = accounts.add_user(_db(), name, _password(), role)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"account {account.name} ({account.role}) created; sign in at /admin/login")


@admin.command()
@click.argument("name")
def passwd(name: str) -> None:
    """Set a new password for NAME (their open sessions end).

    Example: lotse admin passwd anna.schmidt
    """
    try:
        db = _db()
        if accounts.get(db, name) is None:
            raise accounts.AccountError("There is no account with this name.")
        accounts.set_password(db, name, _password())
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"new password set for {name}")


@admin.command(name="users")
def users_cmd() -> None:
    """List the accounts with their roles.

    Example: lotse admin users
    """
    found = accounts.users(_db())
    for account in found:
        click.echo(f"{account.name:32} {account.role:7} created {account.created_at}")
    click.echo(f"{len(found)} accounts" if found else "no accounts yet: lotse admin add-user NAME --role admin")


@admin.command(name="remove-user")
@click.argument("name")
def remove_user(name: str) -> None:
    """Delete the account NAME (their changes stay in the audit trail under that name).

    Example: lotse admin remove-user anna.schmidt
    """
    try:
        accounts.remove_user(_db(), name)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"account {name} removed")
