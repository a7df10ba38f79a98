"""OpenStreetMap objects of a district as offers, from an Overpass API server.

The district is the administrative boundary whose `de:amtlicher_gemeindeschluessel` is its AGS (Kreis Unna:
05978); the objects are those of the tag table (osm_tags.py). An object gives its name (and `name:<lang>` in
the languages Lotse speaks), address, phone, website, e-mail, operator, `opening_hours` (already OSM syntax)
and `wheelchair`; ways and areas their centre. The offer id is "osm-<n|w|r><id>", its source the object's page
on openstreetmap.org: every offer from there shows "© OpenStreetMap contributors (ODbL)" (`ATTRIBUTION`).
"""

from __future__ import annotations

import re
from typing import Any

from bot.offers.db import LANGS
from bot.offers.model import OSM_ATTRIBUTION as ATTRIBUTION
from bot.sources.http import SourceError, get_json
from bot.sources.osm_tags import TagRule
from bot.sources.sync import Record

SOURCE = "osm"
DEFAULT_API = "https://overpass-api.de/api/interpreter"
_AGS = re.compile(r"\d{5}")
_WHEELCHAIR = {"yes": 1, "designated": 1, "no": 0}


def query(ags: str, rules: list[TagRule]) -> str:
    """The Overpass QL for the objects of `rules` inside the district `ags`."""
    if not _AGS.fullmatch(ags):
        raise SourceError(f"'{ags}' is not a district key (AGS, five digits such as 05978)")
    selectors = "\n".join(f"  nwr{selector}(area.district);"
                          for selector in dict.fromkeys(rule.selector() for rule in rules))
    return (f'[out:json][timeout:180];\n'
            f'area["boundary"="administrative"]["de:amtlicher_gemeindeschluessel"="{ags}"]->.district;\n'
            f"(\n{selectors}\n);\nout center tags meta;")


def fetch(api: str, ags: str, rules: list[TagRule]) -> list[dict[str, Any]]:
    """The elements of the Overpass answer (raises SourceError)."""
    doc = get_json(api, data={"data": query(ags, rules)})
    elements = doc.get("elements") if isinstance(doc, dict) else None
    if not isinstance(elements, list):
        raise SourceError(f"{api}: the answer has no list of elements")
    if isinstance(doc, dict) and doc.get("remark") and not elements:
        raise SourceError(f"{api}: {doc['remark']}")
    return [e for e in elements if isinstance(e, dict)]


def _first(tags: dict[str, str], *keys: str) -> str:
    for key in keys:
        if tags.get(key):
            return tags[key].split(";")[0].strip()
    return ""


def _point(element: dict[str, Any]) -> tuple[float | None, float | None]:
    where = element if "lat" in element else element.get("center") or {}
    lat, lon = where.get("lat"), where.get("lon")
    return (float(lat), float(lon)) if isinstance(lat, int | float) and isinstance(lon, int | float) else (None, None)


def records(elements: list[dict[str, Any]], rules: list[TagRule], notes: list[str]) -> list[Record]:
    """The elements as offer records; objects without a name or a matching row are left out (counted)."""
    out: list[Record] = []
    unnamed = 0
    for element in elements:
        raw = element.get("tags")
        tags = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
        kind, number = str(element.get("type") or ""), element.get("id")
        categories = list(dict.fromkeys(c for rule in rules if rule.matches(tags) for c in rule.categories))
        if kind not in ("node", "way", "relation") or not isinstance(number, int) or not categories:
            continue
        if not tags.get("name"):
            unnamed += 1
            continue
        lat, lon = _point(element)
        street = " ".join(p for p in (tags.get("addr:street", ""), tags.get("addr:housenumber", "")) if p)
        values: dict[str, Any] = {
            "name_de": tags.get("name:de") or tags["name"], "categories": categories,
            "street": street, "postcode": tags.get("addr:postcode", ""),
            "city": tags.get("addr:city", ""), "lat": lat, "lon": lon,
            "phone": _first(tags, "phone", "contact:phone"), "email": _first(tags, "email", "contact:email"),
            "website": _first(tags, "website", "contact:website", "url"),
            "organisation": tags.get("operator", ""), "opening_hours": tags.get("opening_hours", ""),
            "barrier_free": _WHEELCHAIR.get(tags.get("wheelchair", "")),
            "source": f"https://www.openstreetmap.org/{kind}/{number}",
            "source_date": str(element.get("timestamp") or "")[:10],
        }
        for lang in LANGS[1:]:
            if tags.get(f"name:{lang}"):
                values[f"name_{lang}"] = tags[f"name:{lang}"]
        key = f"{kind}/{number}"
        out.append(Record(key, f"osm-{kind[0]}{number}", values, f"{values['name_de']} [{key}]"))
    if unnamed:
        notes.append(f"{unnamed} objects without a name left out")
    return out


__all__ = ["ATTRIBUTION", "DEFAULT_API", "SOURCE", "fetch", "query", "records"]
