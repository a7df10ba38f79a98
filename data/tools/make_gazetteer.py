"""Derive data/gazetteer.csv from the GeoNames postcode dump of Germany.

Run by hand when the GeoNames snapshot changes (not at run time):
    python data/tools/make_gazetteer.py PATH/TO/geonames_DE_postcodes.csv data/gazetteer.csv

GeoNames lists large-customer postcodes (Großkundenpostleitzahlen) whose "place" is an organisation
("Agentur für Arbeit Recklinghausen", "Deutsche Post AG ..."); they are not places a person lives in,
so they are dropped here. Licence: CC BY 4.0, credit "GeoNames (geonames.org)" (see data/ATTRIBUTION.md).
"""

from __future__ import annotations

import csv
import re
import sys

# Words that mark an organisation, an authority or a building rather than a town.
ORGANISATION = re.compile(
    r"(gmbh|\bag\b|\bkg\b|\bse\b|\beg\b|\binc\b|\bco\b|mbh|e\.\s?v\.|&|bank|kasse|versicherung|agentur|amt\b|"
    r"amts|gericht|verwaltung|finanz|hospital|krankenhaus|klinik|knappschaft|\bpost\b|postbank|telekom|"
    r"werke|\baok\b|\bikk\b|\bbkk\b|universit|hochschule|ministerium|polizei|bundes|landes|stiftung|"
    r"zentrale|zentrum|getränke|psychiatr|niederlassung|\bfiliale|verlag|versand|service|vertrieb|logistik|zustell|^kreis |^stadt |"
    r"^gemeinde |deutschland|\bdr\.|\bgebr\.|\bund\b .*\bgmbh)",
    re.IGNORECASE,
)


def is_place(name: str) -> bool:
    """True when a GeoNames 'place' names a town or village, not an organisation."""
    return not ORGANISATION.search(name) and not any(ch.isdigit() for ch in name)


def main(src: str, dst: str) -> None:
    with open(src, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if is_place(r["place"])]
    seen: set[tuple[str, str]] = set()
    with open(dst, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["postcode", "place", "district_code", "district", "state", "lat", "lon"])
        for r in sorted(rows, key=lambda r: (r["zipcode"], r["place"])):
            key = (r["zipcode"], r["place"])
            if key in seen:
                continue
            seen.add(key)
            writer.writerow(
                [r["zipcode"], r["place"], r["community_code"], r["community"], r["state"],
                 r["latitude"], r["longitude"]]
            )
    print(f"{len(seen)} places written to {dst}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
