"""`lotse db ...`: the database of the shared state (migrate, copy)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from bot.store import Store, UnknownDatabase, open_store
from bot.store.copy import Copied, NotEmpty, copy
from bot.store.schema import migrate as migrate_schema
from bot.store.schema import newest, recorded


def shown(url: str) -> str:
    """A database URL as it may be printed: without its password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def configured_url() -> str:
    """LOTSE_DATABASE_URL when set, else the SQLite file (`lotse --db FILE` or LOTSE_DB)."""
    from bot.cli import current_settings

    settings = current_settings()
    return settings.database_url or f"sqlite:///{settings.db_path}"


def _open(url: str, *, migrated: bool = True) -> Store:
    try:
        return open_store(url, migrate_schema=migrated)
    except UnknownDatabase as exc:
        raise click.BadParameter(str(exc)) from None
    except Exception as exc:  # psycopg's connection errors, a SQLite file that cannot be opened
        raise click.ClickException(f"{shown(url)}: cannot open it: {exc}") from None


@click.group()
def db() -> None:
    """The database of the shared state: conversations, handoffs, the team inbox and rate limits.

    It is the SQLite file (LOTSE_DB) unless LOTSE_DATABASE_URL names a PostgreSQL database, which several
    `lotse serve` instances can share.

    Example: LOTSE_DATABASE_URL=postgresql://lotse@127.0.0.1/lotse lotse db migrate
    """


@db.command()
@click.option("--url", help="The database (default LOTSE_DATABASE_URL, else sqlite:///LOTSE_DB).")
def migrate(url: str | None) -> None:
    """Create the shared tables, or bring them up to date; safe to run again, and from two machines at once.

    Example: lotse db migrate --url postgresql://lotse@127.0.0.1/lotse
    """
    target = url or configured_url()
    with _open(target, migrated=False) as store:
        ran = migrate_schema(store)
        for name in ran:
            click.echo(f"applied: {name}")
        click.echo(f"{shown(target)}: schema version {recorded(store)} of {newest()}"
                   + ("" if ran else " (already current)"))


@db.command(name="copy")
@click.argument("source")
@click.argument("target")
@click.option("--replace", is_flag=True, help="Empty the target's shared tables first (they must be empty else).")
def copy_cmd(source: str, target: str, replace: bool) -> None:
    """Copy the shared tables from SOURCE to TARGET, then compare row counts and a checksum per table.

    Both are database URLs: sqlite:///path/to/lotse.db (three slashes, then the path; four for an absolute one)
    or postgresql://user@host/database. The target's schema is created first. Exit status 1 when a table differs.

    Example: lotse db copy sqlite:////srv/lotse/lotse.db postgresql://lotse@127.0.0.1/lotse
    """
    if source.startswith("sqlite:///") and not Path(source.removeprefix("sqlite:///")).is_file():
        raise click.BadParameter(f"{source}: no such SQLite file (an absolute path needs four slashes)",
                                 param_hint="SOURCE")
    with _open(source) as src, _open(target) as dst:
        click.echo(f"{'table':<16} {'rows':>8} {'copied':>8}  checksum")
        try:
            results = copy(src, dst, replace=replace, progress=_report)
        except NotEmpty as exc:
            raise click.ClickException(f"{shown(target)} already has rows in: {exc}. Nothing was copied; "
                                       "use --replace to empty these tables first.") from None
    bad = [r.table for r in results if not r.ok]
    if bad:
        raise click.ClickException(f"the copy differs from the source in: {', '.join(bad)}")
    click.echo(f"copied {sum(r.target_rows for r in results)} rows in {len(results)} tables; counts and checksums "
               "agree")


def _report(result: Copied) -> None:
    mark = "ok" if result.ok else f"DIFFERS (source {result.source_sum[:12]})"
    click.echo(f"{result.table:<16} {result.source_rows:>8} {result.target_rows:>8}  {result.target_sum[:12]} {mark}")
