"""Reading a POI (location) export of the Integreat CMS (CSV or JSON) as offers.

Integreat's POI has `address` (street and number), `postcode`, `city`, `country`, `latitude`, `longitude`,
`website`, `email`, `phone_number`, `category`, `barrier_free`, `archived`, `temporarily_closed`,
`appointment_url`, `organization`, its translation's `title` and `content`, and `opening_hours` as a JSON list of
seven days (Monday first) of `{"allDay", "closed", "appointmentOnly", "timeSlots": [{"start", "end"}]}`. Those
columns are recognised (case and the `poi_`/`translation_` prefixes do not matter); the days become OpenStreetMap
syntax ("Mo-Fr 09:00-12:00"); every other column goes to the importer as it is, which maps or reports it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from bot.offers.hours import DAYS
from bot.offers.office_hours import day_list

Record = tuple[int | str, dict[str, Any]]
#: Integreat column -> offer field.
COLUMNS = {
    "id": "id", "title": "name_de", "name": "name_de", "content": "description_de", "excerpt": "description_de",
    "address": "street", "street": "street", "postcode": "postcode", "city": "city", "town": "city",
    "latitude": "lat", "longitude": "lon", "website": "website", "email": "email", "phone_number": "phone",
    "category": "categories", "barrier_free": "barrier_free", "organization": "organisation",
    "opening_hours": "opening_hours",
}
MARKERS = {"phone_number", "opening_hours", "temporarily_closed", "appointment_url", "location_on_map"}


def _key(header: str) -> str:
    return re.sub(r"^(poi_|translation_)", "", header.strip().lower().replace(" ", "_"))


def is_integreat(headers: list[str]) -> bool:
    """Whether the columns look like an Integreat POI export (at least two of its own column names)."""
    return len({_key(h) for h in headers} & MARKERS) >= 2


_CLOCK = re.compile(r"^([01]?\d|2[0-4]):[0-5]\d")


def _spans(day: dict[str, Any]) -> str:
    if day.get("allDay"):
        return "00:00-24:00"
    slots = day.get("timeSlots")
    spans = []
    for slot in slots if isinstance(slots, list) else []:
        # A slot that is not {"start": "09:00", "end": "12:00"} (a number, a broken time) is left out: the
        # validator then sees the remaining hours, never a traceback.
        start, end = (slot.get("start"), slot.get("end")) if isinstance(slot, dict) else (None, None)
        if isinstance(start, str) and isinstance(end, str) and _CLOCK.match(start) and _CLOCK.match(end):
            spans.append(f"{start[:5].zfill(5)}-{end[:5].zfill(5)}")
    return ",".join(spans)


def _well_formed(day: Any) -> bool:
    """A day as Integreat writes it: an object whose time slots are objects with text `start` and `end`."""
    if not isinstance(day, dict):
        return False
    slots = day.get("timeSlots") or []
    return isinstance(slots, list) and all(
        isinstance(s, dict) and isinstance(s.get("start", ""), str) and isinstance(s.get("end", ""), str)
        for s in slots)


def opening_hours(value: Any) -> tuple[str, bool]:
    """Integreat's seven days -> (OSM opening_hours, appointment only); text that is not that JSON stays as is."""
    try:
        days = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError:
        return str(value or ""), False
    if not isinstance(days, list) or len(days) != 7 or not all(isinstance(d, dict) for d in days):
        return str(value or ""), False
    groups: dict[str, list[str]] = {}  # the same times on several days: one rule ("Mo-We,Fr 09:00-12:00")
    for name, day in zip(DAYS, days, strict=True):
        spans = "" if day.get("closed") else _spans(day)
        if spans:
            groups.setdefault(spans, []).append(name)
    rules = [f"{day_list(d)} {s}" for s, d in groups.items()]
    appointment = any(d.get("appointmentOnly") for d in days)
    return "; ".join(rules), appointment


def records(headers: list[str], rows: Iterator[Record]) -> tuple[list[str], Iterator[Record]]:
    """The rows with Integreat's columns renamed to offer fields and its values turned into the importer's."""
    mapping = {h: COLUMNS.get(_key(h), h) for h in headers}
    out_headers = [*dict.fromkeys(mapping.values()), "active", "appointment"]
    dropped = {h for h in headers if _key(h) in ("archived", "temporarily_closed", "appointment_url", "country",
                                                  "location_on_map", "icon")}

    def convert() -> Iterator[Record]:
        for line, cells in rows:
            row = {mapping[h]: v for h, v in cells.items() if h in mapping and h not in dropped}
            hours, appointment = opening_hours(row.get("opening_hours", ""))
            row["opening_hours"] = hours
            keys = {_key(h): v for h, v in cells.items()}
            archived = str(keys.get("archived", "")).strip().lower() in ("1", "true", "ja", "yes", "x")
            row["active"] = "0" if archived else "1"
            row["appointment"] = "1" if appointment or keys.get("appointment_url") else ""
            yield line, row

    return [h for h in out_headers if h not in dropped], convert()
