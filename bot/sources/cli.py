"""`lotse offers sync integreat|osm` and `lotse offers map-category`: offers from the sources districts keep."""

from __future__ import annotations

import json

import click

from bot.sources.osm_tags import DEFAULT_KINDS, KINDS
from bot.sources.sync import Report

DISTRICT = click.option("--district", metavar="AGS", help="District key (AGS), e.g. 05978 for Kreis Unna.")
DRY_RUN = click.option("--dry-run", is_flag=True, help="Read the source and show what would change; write nothing.")


def _show(report: Report, dry_run: bool) -> None:
    verb = "would be" if dry_run else "were"
    for offer_id in report.added:
        click.echo(f"new       {offer_id}")
    for offer_id, fields in report.updated.items():
        click.echo(f"changed   {offer_id}  {', '.join(fields)}")
    for offer_id in report.archived:
        click.echo(f"archived  {offer_id}")
    for offer_id, fields in report.kept.items():
        click.echo(f"kept      {offer_id}  {', '.join(fields)} (changed by hand, left as it is)")
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"{len(report.added)} new, {len(report.updated)} changed, {len(report.archived)} archived, "
               f"{report.unchanged} unchanged offers {verb} synced from {report.source} {report.scope}")


@click.group()
def sync() -> None:
    """Bring offers in line with a source: Integreat or OpenStreetMap (idempotent; what the source dropped is
    archived; fields staff changed by hand are kept).

    Example: lotse offers sync osm --district 05978
    """


@sync.command()
@click.argument("region")
@DISTRICT
@DRY_RUN
def integreat(region: str, district: str | None, dry_run: bool) -> None:
    """The locations of an Integreat REGION (every language it has), from LOTSE_INTEGREAT_API.

    Example: lotse offers sync integreat kreis-recklinghausen --district 05562
    """
    from bot.cli import current_settings
    from bot.offers.cli import _db
    from bot.sources.http import SourceError
    from bot.sources.run import sync_integreat

    settings = current_settings()
    try:
        report = sync_integreat(_db(), settings.integreat_api, region, district=district,
                                geocoder_url=settings.geocoder_url, dry_run=dry_run)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    _show(report, dry_run)


@sync.command()
@click.option("--district", metavar="AGS", required=True, help="District key (AGS), e.g. 05978 for Kreis Unna.")
@click.option("--kinds", default=",".join(DEFAULT_KINDS), show_default=True,
              help=f"Which rows of the tag table, comma-separated (of: {', '.join(KINDS)}).")
@DRY_RUN
def osm(district: str, kinds: str, dry_run: bool) -> None:
    """The OpenStreetMap objects of a district (Kitas, schools, town halls, ...) from LOTSE_OVERPASS_API.
    Every such offer shows "© OpenStreetMap contributors (ODbL)".

    Example: lotse offers sync osm --district 05978 --kinds kita,school,doctors
    """
    from bot.cli import current_settings
    from bot.offers.cli import _db
    from bot.sources.http import SourceError
    from bot.sources.run import sync_osm

    settings = current_settings()
    try:
        report = sync_osm(_db(), settings.overpass_api, district, kinds=[k.strip() for k in kinds.split(",") if k],
                          geocoder_url=settings.geocoder_url, dry_run=dry_run)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    _show(report, dry_run)


@click.command(name="map-category")
@click.argument("label")
@click.argument("categories")
@click.option("--actor", default="cli", show_default=True, help="Who makes the change.")
def map_category(label: str, categories: str, actor: str) -> None:
    """Map an Integreat category (by its German name) to Lotse categories, for every later sync.

    Example: lotse offers map-category "Beratung für Geflüchtete" counselling,asylum_advice
    """
    from bot.offers.cli import _db
    from bot.sources.categories import set_mapping

    try:
        found = set_mapping(_db(), "integreat", label, categories, actor)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"'{label}' -> {json.dumps(found)}")


@click.command()
@click.option("--limit", type=click.IntRange(1), help="At most this many offers (one request a second).")
@click.option("--actor", default="geocoder", show_default=True, help="Who makes the change (audit trail).")
def locate(limit: int | None, actor: str) -> None:
    """Place offers that stand at their postcode's centre but have a street, with LOTSE_GEOCODER_URL (one request
    a second, each address once).

    Example: lotse offers locate --limit 100
    """
    from bot.cli import current_settings
    from bot.offers.cli import _db
    from bot.sources.geocoder import Geocoder, locate_approximate

    settings = current_settings()
    if not settings.geocoder_url:
        raise click.ClickException("LOTSE_GEOCODER_URL is not set: offers stay at their postcode's centre")
    db = _db()
    asked, placed = locate_approximate(db, Geocoder(db, settings.geocoder_url), limit=limit, actor=actor)
    click.echo(f"{placed} of {asked} offers placed at their address")
