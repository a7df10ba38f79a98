"""An Integreat region's locations as offers: `GET {api}/api/v3/{region}/{lang}/locations/`.

Each location (a POI translation) has `title`, `excerpt`, `content` (HTML), `url`, `last_updated`,
`available_languages` ({lang: {"id", "url", "path"}}), `website`, `email`, `phone_number`, `category`
({"id", "name"}), `temporarily_closed`, `barrier_free`, `appointment_url`, `opening_hours` (seven days of
`allDay`/`closed`/`appointmentOnly`/`timeSlots`), `organization` ({"name", "website"}) and `location`
({"id", "address", "town", "postcode", "latitude", "longitude"}). The POI's `location.id` is the same in every
language, so it keys the offer ("integreat-<region>-<id>"); the German list is the base, the other languages of
the region (those in `available_languages` that Lotse speaks) add names and descriptions.

Integreat's categories are the region's own: staff map each to ours in the admin (`source_categories`); until
then a category whose name is one of our labels ("Kita", "Beratung", "Schutz vor Gewalt") maps by that name, and
any other is reported and its locations are left out.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.offers.db import LANGS
from bot.offers.fields import named_categories
from bot.offers.formats.integreat import opening_hours
from bot.offers.sql import OffersDb
from bot.sources.categories import mappings
from bot.sources.http import SourceError, get_json
from bot.sources.sync import Record

SOURCE = "integreat"
DEFAULT_API = "https://cms.integreat-app.de"
_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(p|br|li|div|h\d|ul|ol|tr)\b[^>]*>", re.IGNORECASE)
_REGION = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")


def text_of(markup: Any) -> str:
    """HTML as plain text: paragraphs and list items on their own lines, tags and entities gone."""
    if not isinstance(markup, str):
        return ""
    text = _TAG.sub("", _BLOCK.sub("\n", markup))
    lines = [" ".join(html.unescape(line).split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)[:10_000]


def locations_url(api: str, region: str, lang: str) -> str:
    return f"{api.rstrip('/')}/api/v3/{region}/{lang}/locations/"


def _items(doc: Any, url: str) -> list[dict[str, Any]]:
    if not isinstance(doc, list):
        raise SourceError(f"{url}: expected a list of locations")
    return [item for item in doc if isinstance(item, dict)]


def _part(item: dict[str, Any], key: str) -> dict[str, Any]:
    """A nested object of a location ("location", "organization"), or {} when it is missing or not an object."""
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def _poi_id(item: dict[str, Any]) -> str:
    return str(_part(item, "location").get("id") or item.get("id") or "")


def fetch(api: str, region: str) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The German locations and, per other language the region has, its locations (raises SourceError)."""
    if not _REGION.fullmatch(region):
        raise SourceError(f"'{region}' is not an Integreat region name (lower case letters, digits and -)")
    url = locations_url(api, region, "de")
    german = _items(get_json(url), url)
    langs = sorted({lang for item in german for lang in (item.get("available_languages") or {})
                    if isinstance(lang, str) and lang in LANGS and lang != "de"})
    others: dict[str, list[dict[str, Any]]] = {}
    for lang in langs:
        other_url = locations_url(api, region, lang)
        others[lang] = _items(get_json(other_url), other_url)
    return german, others


def category_map(db: OffersDb) -> dict[str, list[str]]:
    """Staff's mapping of Integreat category names to ours (label -> categories)."""
    return mappings(db, SOURCE)


def _category(item: dict[str, Any]) -> str:
    category = item.get("category")
    return str(category.get("name") or "").strip() if isinstance(category, dict) else ""


def _flag(value: Any) -> int | None:
    return None if value is None else int(bool(value))


def records(region: str, german: list[dict[str, Any]], others: dict[str, list[dict[str, Any]]],
            mapping: dict[str, list[str]], notes: list[str]) -> list[Record]:
    """The locations as offer records (see the module doc); unmapped categories are noted, not guessed."""
    translated: dict[str, dict[str, dict[str, Any]]] = {
        lang: {_poi_id(item): item for item in items} for lang, items in others.items()}
    out: list[Record] = []
    unmapped: dict[str, int] = {}
    for item in german:
        poi = _poi_id(item)
        label = _category(item)
        categories = mapping.get(label) or named_categories(label)
        if not poi or not categories:
            unmapped[label or "(keine)"] = unmapped.get(label or "(keine)", 0) + 1
            continue
        location, organization = _part(item, "location"), _part(item, "organization")
        hours, appointment_only = opening_hours(item.get("opening_hours"))
        values: dict[str, Any] = {
            "name_de": item.get("title") or "", "categories": categories,
            "description_de": text_of(item.get("excerpt")) or text_of(item.get("content")),
            "street": location.get("address") or "", "postcode": location.get("postcode") or "",
            "city": location.get("town") or "", "lat": location.get("latitude"), "lon": location.get("longitude"),
            "organisation": organization.get("name") or "",
            "website": item.get("website") or organization.get("website") or "",
            "email": item.get("email") or "", "phone": item.get("phone_number") or "",
            "opening_hours": hours if isinstance(item.get("opening_hours"), list) else "",
            "barrier_free": _flag(item.get("barrier_free")),
            "appointment": 1 if appointment_only or item.get("appointment_url") else None,
            "active": 0 if item.get("temporarily_closed") else 1,
            "source": item.get("url") or "", "source_date": str(item.get("last_updated") or "")[:10],
        }
        for lang, by_id in translated.items():
            other = by_id.get(poi)
            if other is not None:
                values[f"name_{lang}"] = other.get("title") or ""
                values[f"description_{lang}"] = text_of(other.get("excerpt")) or text_of(other.get("content"))
        out.append(Record(poi, f"integreat-{region}-{poi}", values, f"{values['name_de']} [{poi}]"))
    for label, count in sorted(unmapped.items()):
        notes.append(f"category '{label}' is not mapped to a Lotse category: {count} locations left out "
                     "(map it on the admin's sources page)")
    return out
