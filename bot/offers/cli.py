"""`lotse offers ...`: list, show, search, near, import, export, history, delete/restore, backup, demo."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from bot.offers.categories import CATEGORIES
from bot.offers.sql import OffersDb

ACTOR = click.option("--actor", default="cli", show_default=True, help="Who makes the change (audit trail).")


def _db() -> OffersDb:
    """The offers: PostgreSQL when LOTSE_DATABASE_URL is set, else the SQLite file (`lotse --db FILE`, LOTSE_DB)."""
    from bot.cli import current_settings
    from bot.offers.sql import open_offers

    settings = current_settings()
    return open_offers(settings.db_path, settings.database_url)


def _sqlite() -> Database:
    """The SQLite file, for what only SQLite does (its online backup, the demo writer); a clear refusal on
    PostgreSQL."""
    from bot.cli import current_settings
    from bot.offers.db import open_db

    settings = current_settings()
    if settings.database_url:
        raise click.ClickException("the offers are in PostgreSQL (LOTSE_DATABASE_URL): back it up with pg_dump, "
                                   "and write demo offers into a SQLite file, then `lotse db copy` them over")
    return open_db(settings.db_path)


def _offer_json(offer: Any, lang: str = "de") -> dict[str, Any]:
    return {
        "id": offer.id, "name": offer.name_in(lang), "categories": list(offer.categories),
        "address": offer.address, "district": offer.district, "lat": offer.lat, "lon": offer.lon,
        "phone": offer.phone, "email": offer.email, "website": offer.website,
        "opening_hours": offer.opening_hours, "example": offer.example, "approximate": offer.approximate,
        "national": offer.national, "active": offer.active, "source": offer.source,
        "source_date": offer.source_date, "attribution": offer.attribution or None,
    }


@click.group()
def offers() -> None:
    """List, search, import and export offers; history, delete and restore; backup.

    Example: lotse offers import angebote.xlsx --dry-run
    """


@offers.command(name="list")
@click.option("--category", "-c", help="Only this category, e.g. kita.")
@click.option("--all", "show_all", is_flag=True, help="Include deleted (inactive) offers.")
@click.option("-n", "limit", type=int, help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_cmd(category: str | None, show_all: bool, limit: int | None, as_json: bool) -> None:
    """List offers by id.

    Example: lotse offers list --category kita -n 10
    """
    from bot.offers.store import list_offers

    found = list(list_offers(_db(), category=category, inactive=show_all, limit=limit))
    if as_json:
        click.echo(json.dumps([_offer_json(o) for o in found], ensure_ascii=False))
        return
    for o in found:
        flags = "".join(f for f, on in (("E", o.example), ("N", o.national), ("-", not o.active)) if on)
        click.echo(f"{o.id:40} {flags:3} {','.join(o.categories):30} {o.name}")
    click.echo(f"{len(found)} offers (E example, N national, - deleted)")


@offers.command()
@click.argument("offer_id")
@click.option("--lang", default="de", show_default=True, help="Language for name and opening hours.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def show(offer_id: str, lang: str, as_json: bool) -> None:
    """Show one offer with every field.

    Example: lotse offers show nat-116016 --lang ar
    """
    from bot.offers.store import get_offer

    offer = get_offer(_db(), offer_id)
    if offer is None:
        raise click.ClickException(f"no offer with id {offer_id}")
    if as_json:
        click.echo(json.dumps(_offer_json(offer, lang), ensure_ascii=False))
        return
    click.echo(f"{offer.name_in(lang)}  [{offer.id}]" + ("  (deleted)" if not offer.active else ""))
    for key, value in (("categories", ", ".join(offer.categories)), ("organisation", offer.organisation),
                       ("address", offer.address), ("district", offer.district),
                       ("coordinates", f"{offer.lat}, {offer.lon}" + (" (approximate)" if offer.approximate else "")
                        if offer.lat is not None else ("nationwide" if offer.national else "")),
                       ("phone", offer.phone), ("email", offer.email), ("website", offer.website),
                       ("opening hours", offer.hours_in(lang)), ("languages", ", ".join(offer.languages)),
                       ("target group", offer.target_group), ("cost", offer.cost),
                       ("description", offer.description_in(lang)),
                       ("source", f"{offer.source} ({offer.source_date})" if offer.source_date else offer.source),
                       ("example data", "yes" if offer.example else ""), ("credit", offer.attribution),
                       ("updated", offer.updated_at)):
        if value:
            click.echo(f"  {key:14} {value}")


@offers.command()
@click.argument("query")
@click.option("-n", "limit", default=20, show_default=True)
def search(query: str, limit: int) -> None:
    """Full-text search over names and descriptions in all languages.

    Example: lotse offers search Deutschkurs
    """
    from bot.offers.store import search as fts

    for o in fts(_db(), query, limit):
        click.echo(f"{o.id:40} {o.name}")


@offers.command()
@click.option("--category", "-c", "categories", multiple=True, required=True,
              type=click.Choice(CATEGORIES), help="Offer category, e.g. kita (repeatable).")
@click.option("--place", help="Town name, e.g. Lünen.")
@click.option("--postcode", help="German postcode, e.g. 59423.")
@click.option("--lat", type=float, help="Latitude (with --lon).")
@click.option("--lon", type=float, help="Longitude (with --lat).")
@click.option("-n", "count", default=5, show_default=True, help="How many offers.")
@click.option("--radius", type=float, help="Only offers within this many km.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def near(categories: tuple[str, ...], place: str | None, postcode: str | None, lat: float | None,
         lon: float | None, count: int, radius: float | None, as_json: bool) -> None:
    """Nearest offers of a category to a place, nearest first.

    Example: lotse offers near --category kita --place Lünen --json
    """
    from bot.geo.distance import Point
    from bot.geo.gazetteer import default_gazetteer
    from bot.offers.store import nearest

    gaz = default_gazetteer()
    if lat is not None and lon is not None:
        point = Point(lat, lon)
    else:
        found = gaz.postcode(postcode) if postcode else gaz.town(place) if place else None
        if found is None:
            raise click.UsageError("Give a known --place, --postcode, or --lat and --lon.")
        point = found.point
    hits = nearest(_db(), list(categories), point, count, radius_km=radius)
    if as_json:
        click.echo(json.dumps([
            {"id": h.offer.id, "name": h.offer.name, "categories": list(h.offer.categories),
             "distance_km": round(h.distance_km, 3), "address": h.offer.address, "example": h.offer.example,
             "approximate": h.offer.approximate} for h in hits
        ], ensure_ascii=False))
        return
    for h in hits:
        click.echo(f"{h.distance_km:6.1f} km  {h.offer.name}  ({h.offer.address or h.offer.city})")


@offers.command(name="import")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; write nothing.")
@ACTOR
def import_cmd(file: Path, dry_run: bool, actor: str) -> None:
    """Import offers from CSV, XLSX, JSON, an HSDS package (.zip or directory) or an Integreat POI export
    (all rows or none; upsert by id). The dry run shows how opening hours were understood.

    Example: lotse offers import angebote.xlsx --dry-run
    """
    from bot.offers.formats import import_path
    from bot.offers.importer import ImportFileError

    try:
        result = import_path(_db(), file, actor=actor, dry_run=dry_run)
    except ImportFileError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if result.errors:
        for problem in result.errors:
            click.echo(f"{file}: {problem}", err=True)
        raise click.ClickException(f"{result.problem_count} problems: nothing was imported")
    if dry_run:
        for change in result.added:
            click.echo(f"would add     {change.offer_id}  {change.new.get('name_de')}")
            if change.new.get("opening_hours"):
                click.echo(f"              opening hours: {change.new['opening_hours']}")
        for change in result.changed:
            click.echo(f"would change  {change.offer_id}  {', '.join(change.fields)}")
            if "opening_hours" in change.fields:
                click.echo(f"              opening hours: {change.new.get('opening_hours') or '-'}")
    verb = "would be" if dry_run else "were"
    click.echo(f"{len(result.added)} new, {len(result.changed)} changed, {result.unchanged} unchanged offers "
               f"{verb} imported from {file}")


@offers.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--hsds", "as_hsds", is_flag=True, help="Write an Open Referral HSDS 3.0 package (a directory of "
              "CSV tables; a FILE ending in .zip is always HSDS).")
def export(file: Path, as_hsds: bool) -> None:
    """Export every offer (deleted ones too) to CSV, XLSX, JSON or HSDS, ready to import again.

    Example: lotse offers export angebote.xlsx   (or: lotse offers export hsds.zip)
    """
    from bot.offers.export import export_file
    from bot.offers.formats import hsds

    try:
        count = hsds.export(_db(), file) if as_hsds or file.suffix.lower() == ".zip" else export_file(_db(), file)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{count} offers written to {file}")


@offers.command()
@click.argument("offer_id")
def history(offer_id: str) -> None:
    """Every change of one offer: time, actor, action and the changed fields (old -> new).

    Example: lotse offers history nrw-05370-1
    """
    from bot.offers.write import history as events

    found = events(_db(), offer_id)
    if not found:
        raise click.ClickException(f"no history for {offer_id}")
    for event in found:
        click.echo(f"{event.time}  {event.actor}  {event.action}")
        for name, (old, new) in event.changes.items():
            click.echo(f"    {name}: {old!r} -> {new!r}" if event.old else f"    {name}: {new!r}")


def _set_active(change: Callable[[OffersDb, str, str], bool], offer_id: str, actor: str) -> bool:
    """Run a delete or restore; an unknown id is the user's error, not a traceback."""
    try:
        return change(_db(), offer_id, actor)
    except KeyError:
        raise click.ClickException(f"no offer with id {offer_id}") from None


@offers.command()
@click.argument("offer_id")
@ACTOR
def delete(offer_id: str, actor: str) -> None:
    """Delete an offer (it stays stored and can be restored).

    Example: lotse offers delete demo-kita-59423-unna
    """
    from bot.offers.write import delete as soft_delete

    done = _set_active(soft_delete, offer_id, actor)
    click.echo(f"{offer_id} deleted (lotse offers restore {offer_id} undoes it)" if done else
               f"{offer_id} was already deleted")


@offers.command()
@click.argument("offer_id")
@ACTOR
def restore(offer_id: str, actor: str) -> None:
    """Restore a deleted offer.

    Example: lotse offers restore demo-kita-59423-unna
    """
    from bot.offers.write import restore as undo

    done = _set_active(undo, offer_id, actor)
    click.echo(f"{offer_id} restored" if done else f"{offer_id} was not deleted")


@offers.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Copy the whole database to FILE with SQLite's online backup (safe while the bot runs).

    Example: lotse offers backup backups/lotse-$(date +%F).db
    """
    from bot.offers.write import backup as copy

    click.echo(f"backup written to {copy(_sqlite(), file)}")


@offers.command()
def demo() -> None:
    """Write (or refresh) the demo offers: real contact points and hotlines, marked example offers.

    Example: lotse offers demo
    """
    from bot.offers.demo import build_demo

    click.echo(f"{build_demo(_sqlite())} demo offers written")


@offers.command(name="remove-examples")
@ACTOR
def remove_examples(actor: str) -> None:
    """Remove every example offer for good; the real contact points and national hotlines stay.

    Example: lotse offers remove-examples
    """
    from bot.offers.demo import remove_examples as remove

    removed = remove(_db(), actor)
    click.echo(f"{removed} example offers removed; real offers and hotlines kept")


def _add_source_commands() -> None:
    from bot.sources.cli import locate, map_category, sync

    offers.add_command(sync)
    offers.add_command(map_category)
    offers.add_command(locate)


_add_source_commands()
