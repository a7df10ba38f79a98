"""Open Referral HSDS 3.0 in its tabular (CSV) layout: export every offer, import such a data package.

One offer is one `service` with one `location` (linked by `service_at_location`), its `address`, `phone`,
`schedule` rows (one per weekday rule and time span, RFC 5545 `byday` with `opens_at`/`closes_at`), `language`
rows, and its categories as `attribute` rows pointing at `taxonomy_term` rows of the taxonomy "Lotse categories"
(code = category id, name = German label). The organisation becomes an `organization`.

What HSDS has no field for travels in extension columns of service.csv, prefixed `x_lotse_` (names and
descriptions in the other languages, example, national, approximate, appointment, barrier_free, source), and the
exact OpenStreetMap opening hours in the first schedule row's `notes` ("opening_hours: Mo-Fr 09:00-12:00"), so
export -> import changes nothing. A package from elsewhere needs only service.csv; the other tables are used when
present, opening hours are rebuilt from `byday`/`opens_at`/`closes_at`.

Files: a directory of CSVs or a .zip of them (UTF-8, comma separated, as HSDS prescribes).
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.offers import hours
from bot.offers.archive import ArchiveError, check_archive
from bot.offers.categories import CATEGORIES, CATEGORY_LABELS
from bot.offers.db import LANGS
from bot.offers.export import export_rows
from bot.offers.readers import LIMITS
from bot.offers.sql import OffersDb

Record = tuple[int | str, dict[str, Any]]
TABLES: dict[str, tuple[str, ...]] = {
    "organization": ("id", "name", "description", "email", "website"),
    "service": ("id", "organization_id", "name", "description", "url", "email", "status", "fees_description",
                "eligibility_description", "assured_date", "last_modified"),
    "location": ("id", "location_type", "organization_id", "name", "latitude", "longitude"),
    "service_at_location": ("id", "service_id", "location_id"),
    "address": ("id", "location_id", "address_1", "address_2", "city", "region", "state_province", "postal_code",
                "country", "address_type"),
    "phone": ("id", "service_id", "location_id", "number", "type"),
    "schedule": ("id", "service_id", "location_id", "freq", "byday", "opens_at", "closes_at", "description", "notes"),
    "language": ("id", "service_id", "code"),
    "taxonomy_term": ("id", "code", "name", "description", "taxonomy", "language"),
    "attribute": ("id", "link_id", "link_type", "link_entity", "taxonomy_term_id"),
}
FLAGS = ("example", "national", "approximate", "appointment", "barrier_free")
EXTENSIONS = (*(f"name_{lang}" for lang in LANGS[1:]), *(f"description_{lang}" for lang in LANGS[1:]), *FLAGS,
              "source", "keywords")
X = "x_lotse_"
NOTES = "opening_hours: "
_RRULE_DAYS = {"Mo": "MO", "Tu": "TU", "We": "WE", "Th": "TH", "Fr": "FR", "Sa": "SA", "Su": "SU"}
_OSM_DAYS = {v: k for k, v in _RRULE_DAYS.items()}


class HsdsError(ValueError):
    """The package cannot be read (no service.csv, not a zip ...)."""


def _org_id(name: str) -> str:
    return "org-" + hashlib.sha1(name.encode()).hexdigest()[:12]


def _flag(value: Any) -> str:
    return "" if value is None else "1" if value else "0"


def _days(first: str, last: str) -> list[str]:
    order = list(_RRULE_DAYS)
    return [_RRULE_DAYS[d] for d in order[order.index(first):order.index(last) + 1]]


def _schedules(offer_id: str, opening_hours: str) -> list[dict[str, str]]:
    """Schedule rows of one offer: structured where the rules are plain weekdays and times."""
    if not opening_hours:
        return []
    rows: list[dict[str, str]] = []
    try:
        rules = hours.parse(opening_hours)
    except hours.HoursError:
        rules = ()
    for rule in rules:
        days = [d for a, b in rule.days if a in _RRULE_DAYS for d in _days(a, b)] if rule.days else list(
            _RRULE_DAYS.values())
        for start, end in rule.spans or (("", ""),):
            rows.append({"freq": "WEEKLY" if days else "", "byday": ",".join(days), "opens_at": start,
                         "closes_at": end, "description": rule.comment})
    rows = rows or [{"description": hours.render(opening_hours, "de")}]
    rows[0]["notes"] = NOTES + opening_hours
    return [{"id": f"sch-{offer_id}-{n}", "service_id": offer_id, **row} for n, row in enumerate(rows, 1)]


def tables(db: OffersDb) -> dict[str, list[dict[str, Any]]]:
    """Every offer as HSDS tables (table name -> rows)."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    organisations: dict[str, str] = {}
    for cat in CATEGORIES:
        de, en = CATEGORY_LABELS[cat]
        out["taxonomy_term"].append({"id": f"lotse-{cat}", "code": cat, "name": de, "description": en,
                                     "taxonomy": "Lotse categories", "language": "de"})
    for row in export_rows(db):
        oid = row["id"]
        org = row["organisation"] or ""
        if org and org not in organisations:
            organisations[org] = _org_id(org)
            out["organization"].append({"id": organisations[org], "name": org, "description": org})
        service = {"id": oid, "organization_id": organisations.get(org, ""), "name": row["name_de"],
                   "description": row["description_de"], "url": row["website"], "email": row["email"],
                   "status": "active" if row["active"] else "inactive", "fees_description": row["cost"],
                   "eligibility_description": row["target_group"], "assured_date": row["source_date"],
                   "last_modified": row["updated_at"]}
        service.update({X + f: (_flag(row[f]) if f in FLAGS else row[f]) for f in EXTENSIONS})
        service[X + "attribution"] = row["attribution"]  # OpenStreetMap's licence asks for it in every copy
        out["service"].append(service)
        if row["lat"] is not None or row["street"] or row["postcode"] or row["city"]:
            loc = f"loc-{oid}"
            out["location"].append({"id": loc, "location_type": "physical", "name": row["name_de"],
                                    "organization_id": organisations.get(org, ""),
                                    "latitude": "" if row["lat"] is None else repr(row["lat"]),
                                    "longitude": "" if row["lon"] is None else repr(row["lon"])})
            out["service_at_location"].append({"id": f"sal-{oid}", "service_id": oid, "location_id": loc})
            out["address"].append({"id": f"adr-{oid}", "location_id": loc, "address_1": row["street"],
                                   "city": row["city"], "region": row["district"], "postal_code": row["postcode"],
                                   "country": "DE", "address_type": "physical"})
        if row["phone"]:
            out["phone"].append({"id": f"ph-{oid}", "service_id": oid, "number": row["phone"], "type": "voice"})
        out["schedule"] += _schedules(oid, row["opening_hours"] or "")
        out["language"] += [{"id": f"lang-{oid}-{c}", "service_id": oid, "code": c} for c in row["languages"]]
        out["attribute"] += [{"id": f"att-{oid}-{c}", "link_id": oid, "link_type": "category",
                              "link_entity": "service", "taxonomy_term_id": f"lotse-{c}"} for c in row["categories"]]
    return out


def _csv(name: str, rows: list[dict[str, Any]]) -> bytes:
    columns = list(TABLES[name]) + ([*(X + f for f in EXTENSIONS), X + "attribution"] if name == "service" else [])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def export(db: OffersDb, target: Path) -> int:
    """Write the package to a .zip file or into a directory; returns how many services."""
    data = tables(db)
    if target.suffix.lower() == ".zip":
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, rows in data.items():
                archive.writestr(f"{name}.csv", _csv(name, rows))
    else:
        target.mkdir(parents=True, exist_ok=True)
        for name, rows in data.items():
            (target / f"{name}.csv").write_bytes(_csv(name, rows))
    return len(data["service"])


# --- import ---------------------------------------------------------------------------------------------------

def _read_tables(source: Path) -> dict[str, list[dict[str, str]]]:
    files: dict[str, bytes] = {}
    if source.is_dir():
        files = {p.stem.lower(): p.read_bytes() for p in source.glob("*.csv")}
    else:
        try:
            check_archive(source, LIMITS, "HSDS package")  # before a byte is unpacked
            with zipfile.ZipFile(source) as archive:
                files = {Path(n).stem.lower(): archive.read(n) for n in archive.namelist()
                         if n.lower().endswith(".csv") and not n.startswith("__MACOSX")}
        except ArchiveError as exc:
            raise HsdsError(str(exc)) from None
        except zipfile.BadZipFile:
            raise HsdsError("not a zip file of HSDS tables (service.csv, location.csv, ...)") from None
    if "service" not in files:
        raise HsdsError("no service.csv: an HSDS package needs at least the service table")
    out = {}
    for name, data in files.items():
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise HsdsError(f"{name}.csv is not UTF-8 (HSDS files are UTF-8)") from None
        out[name] = list(csv.DictReader(io.StringIO(text, newline="")))
    return out


def _by(rows: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if row.get(key):
            grouped[row[key]].append(row)
    return grouped


def _hours(rows: list[dict[str, str]]) -> str:
    """The offer's opening hours: the exact text Lotse exported, else rebuilt from byday/opens_at/closes_at."""
    for row in rows:
        if (row.get("notes") or "").startswith(NOTES):
            return row["notes"][len(NOTES):]
    spans: dict[str, list[str]] = {}
    comments: list[str] = []
    for row in rows:
        days = ",".join(_OSM_DAYS.get(d.strip().upper(), "") for d in (row.get("byday") or "").split(",")
                        if d.strip().upper() in _OSM_DAYS)
        opens, closes = (row.get("opens_at") or "")[:5], (row.get("closes_at") or "")[:5]
        if opens and closes:
            spans.setdefault(days, []).append(f"{opens}-{closes}")
        elif row.get("description"):
            comments.append(row["description"].replace('"', "'"))
    rules = [" ".join(p for p in (days, ",".join(times)) if p) for days, times in spans.items()]
    rules += [f'"{c}"' for c in comments]
    return "; ".join(rules)


def records(source: Path) -> tuple[list[str], Iterator[Record]]:
    """Canonical offer fields and one record per service (line = "service.csv line N")."""
    t = _read_tables(source)
    organisations = {r.get("id", ""): r for r in t.get("organization", [])}
    locations = {r.get("id", ""): r for r in t.get("location", [])}
    at_location = _by(t.get("service_at_location", []), "service_id")
    addresses = _by(t.get("address", []), "location_id")
    phones_s, phones_l = _by(t.get("phone", []), "service_id"), _by(t.get("phone", []), "location_id")
    schedules_s, schedules_l = _by(t.get("schedule", []), "service_id"), _by(t.get("schedule", []), "location_id")
    languages = _by(t.get("language", []), "service_id")
    terms = {r.get("id", ""): r for r in t.get("taxonomy_term", [])}
    attributes = _by(t.get("attribute", []), "link_id")
    service_columns = set(t["service"][0]) if t["service"] else set()
    extensions = [f for f in EXTENSIONS if X + f in service_columns]
    headers = ["id", "name_de", "description_de", "website", "email", "active", "cost", "target_group",
               "source_date", "organisation", "lat", "lon", "street", "postcode", "city", "district", "phone",
               "opening_hours", "languages", "categories", *extensions]

    def one(service: dict[str, str]) -> dict[str, Any]:
        sid = service.get("id", "")
        link = next(iter(at_location.get(sid, [])), {})
        location = locations.get(link.get("location_id", ""), {})
        address = next(iter(sorted(addresses.get(location.get("id", ""), []),
                                   key=lambda a: a.get("address_type") != "physical")), {})
        phone = next(iter(phones_s.get(sid, []) or phones_l.get(location.get("id", ""), [])), {})
        schedule = schedules_s.get(sid, []) or schedules_l.get(location.get("id", ""), [])
        cats = []
        for attribute in attributes.get(sid, []):
            term = terms.get(attribute.get("taxonomy_term_id", ""), {})
            code = term.get("code", "")
            cats.append(code if code in CATEGORIES else term.get("name") or code)
        status = (service.get("status") or "active").strip().lower()
        row = {"id": sid, "name_de": service.get("name", ""), "description_de": service.get("description", ""),
               "website": service.get("url", ""), "email": service.get("email", ""),
               "active": "1" if status == "active" else "0", "cost": service.get("fees_description", ""),
               "target_group": service.get("eligibility_description", ""),
               "source_date": service.get("assured_date", ""),
               "organisation": organisations.get(service.get("organization_id", ""), {}).get("name", ""),
               "lat": location.get("latitude", ""), "lon": location.get("longitude", ""),
               "street": ", ".join(p for p in (address.get("address_1"), address.get("address_2")) if p),
               "postcode": address.get("postal_code", ""), "city": address.get("city", ""),
               "district": address.get("region", ""), "phone": phone.get("number", ""),
               "opening_hours": _hours(schedule),
               "languages": ",".join(r.get("code") or r.get("name", "") for r in languages.get(sid, [])),
               "categories": ",".join(cats)}
        row.update({f: service.get(X + f, "") for f in extensions})
        return row

    return headers, ((f"service.csv line {n}", one(s)) for n, s in enumerate(t["service"], start=2))


__all__ = ["HsdsError", "export", "records", "tables"]
