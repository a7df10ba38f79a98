"""`lotse offers ...`: work with the offer database from the command line."""

from __future__ import annotations

import json

import click

from bot.config import Settings


@click.group()
def offers() -> None:
    """List, search, import and export offers."""


@offers.command()
@click.option("--category", "-c", "categories", multiple=True, help="Offer category, e.g. kita (repeatable).")
@click.option("--place", help="Town name, e.g. Lünen.")
@click.option("--postcode", help="German postcode, e.g. 59423.")
@click.option("--lat", type=float, help="Latitude (with --lon).")
@click.option("--lon", type=float, help="Longitude (with --lat).")
@click.option("-n", "count", default=5, show_default=True, help="How many offers.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def near(categories: tuple[str, ...], place: str | None, postcode: str | None, lat: float | None,
         lon: float | None, count: int, as_json: bool) -> None:
    """Nearest offers of a category to a place, nearest first.

    Example: lotse offers near --category kita --place Lünen --json
    """
    from bot.geo.distance import Point
    from bot.geo.gazetteer import default_gazetteer
    from bot.offers.db import open_db
    from bot.offers.store import nearest

    gaz = default_gazetteer()
    if lat is not None and lon is not None:
        point = Point(lat, lon)
    else:
        found = gaz.postcode(postcode) if postcode else gaz.town(place) if place else None
        if found is None:
            raise click.UsageError("Give a known --place, --postcode, or --lat and --lon.")
        point = found.point
    hits = nearest(open_db(Settings.from_env().db_path), list(categories), point, count)
    if as_json:
        click.echo(json.dumps([
            {"id": h.offer.id, "name": h.offer.name, "categories": list(h.offer.categories),
             "distance_km": round(h.distance_km, 3)} for h in hits
        ], ensure_ascii=False))
        return
    for h in hits:
        click.echo(f"{h.distance_km:6.1f} km  {h.offer.name}  ({h.offer.address or h.offer.city})")
