"""Derive data/gazetteer.csv from the GeoNames postcode dump of Germany.

Run by hand when the GeoNames snapshot changes (never at run time, never by tests):
    python data/tools/make_gazetteer.py PATH/TO/geonames_DE_postcodes.csv data/destatis_kreise.csv data/gazetteer.csv

GeoNames mixes two kinds of rows. Regular postcode areas carry a two-letter state code ("NW", "BY") and the
district's short name ("Unna"). Large-customer postcodes (Großkundenpostleitzahlen) carry a numeric state code
("07") and an organisation as their "place" ("Agentur für Arbeit Recklinghausen", "HUK-Coburg", "SWR"). Nobody
lives at those, so the numeric state code is the filter: it drops all 6,819 of them, also the ones no word list
would catch ("SWR", "Carl Zeiss", "Bauhaus"), and keeps real towns a word list would wrongly drop ("Kassel",
"Freigericht", "Niederkassel"). A short list of unmistakable company forms is kept as a second guard for future
snapshots. District names come from Destatis ("Kreis Unna", "Dortmund").
Licence: CC BY 4.0, credit "GeoNames (geonames.org)" and "Statistisches Bundesamt (Destatis)" (data/ATTRIBUTION.md).
"""

from __future__ import annotations

import csv
import re
import sys

# Only forms that never name a town: legal forms of companies and the post office's own units.
ORGANISATION = re.compile(r"(\bgmbh\b|\bmbh\b|\bag\b|\bkg\b|\bohg\b|\be\.\s?v\.|&|deutsche post|c/o)", re.IGNORECASE)


def is_place(row: dict[str, str]) -> bool:
    """True when a GeoNames row is a regular postcode area of a town or village, not an organisation."""
    if row["state_code"].isdigit():  # large-customer postcode: the "place" is a company or an authority
        return False
    name = row["place"]
    return bool(name) and not ORGANISATION.search(name) and not any(ch.isdigit() for ch in name)


def district_names(path: str) -> dict[str, str]:
    """AGS key -> the name people use: 'Kreis Unna', 'Landkreis Dahme-Spreewald', 'Dortmund'."""
    names: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            kind, name = row["type"], row["name"]
            if kind in ("Kreisfreie Stadt", "Stadtkreis"):
                names[row["AGS"]] = name.split(",")[0].strip()
            elif name.startswith(("Region", "Städteregion", "Regionalverband")):
                names[row["AGS"]] = name
            else:
                names[row["AGS"]] = f"{kind} {name}"
    return names


def main(src: str, kreise: str, dst: str) -> None:
    names = district_names(kreise)
    with open(src, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if is_place(r)]
    seen: set[tuple[str, str]] = set()
    with open(dst, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["postcode", "place", "district_code", "district", "state", "lat", "lon"])
        for r in sorted(rows, key=lambda r: (r["zipcode"], r["place"])):
            key = (r["zipcode"], r["place"])
            if key in seen:
                continue
            seen.add(key)
            code = r["community_code"]
            writer.writerow([r["zipcode"], r["place"], code, names.get(code, r["community"]), r["state"],
                             r["latitude"], r["longitude"]])
    print(f"{len(seen)} places written to {dst}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
