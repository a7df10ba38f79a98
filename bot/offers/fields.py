"""The offer fields: canonical names and order, German/English header aliases, and validation of one row.

Every imported cell passes through `clean_row`, which returns the stored values and a list of messages an
admin can act on ("unknown category 'Kitas'"). The same module defines the spreadsheet formula escaping that
export applies and import reverses, so a round trip is exact.
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import Any

from bot.geo.gazetteer import Gazetteer, fold
from bot.offers import hours
from bot.offers.categories import categories_of
from bot.offers.db import DESCRIPTION_COLUMNS, NAME_COLUMNS
from bot.offers.db import LANGS as _LANGS
from bot.offers.vocabulary import LANGUAGE_WORDS

BOOL_FIELDS = ("approximate", "national", "example", "active")
TRISTATE_FIELDS = ("appointment", "barrier_free")
TEXT_FIELDS = ("organisation", "street", "city", "district", "target_group", "cost", "keywords", "source",
               "source_date", *NAME_COLUMNS, *DESCRIPTION_COLUMNS)
#: Export column order; import accepts these names and the aliases below.
FIELDS: tuple[str, ...] = (
    "id", *NAME_COLUMNS, *DESCRIPTION_COLUMNS, "keywords", "categories", "organisation", "street", "postcode", "city",
    "district", "lat", "lon", "approximate", "national", "phone", "email", "website", "opening_hours",
    "languages", "target_group", "cost", "appointment", "barrier_free", "example", "source", "source_date",
    "active", "attribution", "updated_at",
)
#: Exported, never imported: when the offer last changed, and the credit its source's licence asks for.
READ_ONLY = ("updated_at", "attribution")

# Folded header (lower case, umlauts folded, no spaces or punctuation) -> field.
_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("nr", "nummer", "kennung", "offerid", "angebotsid"),
    "name_de": ("name", "bezeichnung", "titel", "angebot", "namedeutsch"),
    "description_de": ("description", "beschreibung", "beschreibungdeutsch"),
    "categories": ("category", "kategorie", "kategorien", "rubrik", "bereich"),
    "organisation": ("organization", "trager", "anbieter", "einrichtung", "organisation"),
    "street": ("strasse", "strassehausnummer", "strasseundhausnummer", "adresse", "anschrift", "address"),
    "postcode": ("plz", "postleitzahl", "zip", "zipcode", "postalcode"),
    "city": ("ort", "stadt", "town", "gemeinde", "place"),
    "district": ("kreis", "landkreis"),
    "lat": ("latitude", "breite", "breitengrad"),
    "lon": ("lng", "long", "longitude", "lange", "langengrad"),
    "phone": ("telefon", "tel", "telefonnummer", "telephone"),
    "email": ("mail", "emailadresse"),
    "website": ("webseite", "internet", "internetseite", "homepage", "url", "web"),
    "opening_hours": ("offnungszeiten", "sprechzeiten", "hours"),
    "languages": ("sprachen", "languagesspoken", "gesprochenesprachen"),
    "target_group": ("zielgruppe",),
    "cost": ("costs", "kosten", "gebuhr", "gebuhren", "preis"),
    "keywords": ("keyword", "schlagworte", "schlagworter", "schlagwort", "stichworte", "stichworter", "stichwort",
                 "suchbegriffe", "suchworte", "tags"),
    "appointment": ("termin", "terminnotig", "terminerforderlich", "nurmittermin", "appointmentneeded"),
    "barrier_free": ("barrierefrei", "accessible", "wheelchair", "rollstuhlgerecht"),
    "source": ("quelle",),
    "source_date": ("quelldatum", "stand", "datum"),
    "active": ("aktiv",),
    "example": ("beispiel", "beispieldaten"),
    "approximate": ("ungefahr",),
    "national": ("bundesweit",),
    "updated_at": ("geandert", "aktualisiert", "updated"),
}
_TRUE = {"1", "true", "yes", "ja", "j", "x", "wahr", "y", "✓", "✔", "ok"}
_FALSE = {"0", "false", "no", "nein", "n", "falsch", "-", "–"}
GERMANY = (47.2, 55.1, 5.8, 15.1)  # lat_min, lat_max, lon_min, lon_max (a box around the country)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_BARE_DOMAIN = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}([/?#]\S*)?$")
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?([/?#]\S*)?$")
_PHONE = re.compile(r"^\+?[0-9 ()/.-]+$")
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


class LostLetters(str):
    """A cell of a Windows-1252 file where Excel replaced letters it cannot store (Arabic, Cyrillic) by '?'."""


#: Languages whose names cannot be written in Windows-1252.
NON_LATIN = ("ar", "fa", "uk", "ru", "ti", "ps")


def lost_letters(field: str | None, value: str) -> bool:
    """Whether a cell of a Windows-1252 file looks like letters turned into '?' (never import those)."""
    if "?" not in value:
        return False
    return "??" in value or (field is not None and field.rsplit("_", 1)[-1] in NON_LATIN) or bool(
        re.search(r"(^|\s)\?+(\s|$)", value))


class FieldMessage(str):
    """A problem message that knows the field it is about, so a form can show it next to that field."""

    field: str = ""

    def __new__(cls, text: str, field: str = "") -> FieldMessage:
        message = super().__new__(cls, text)
        message.field = field
        return message


def header_field(header: str) -> str | None:
    """The field a column header means ('PLZ' -> postcode, 'Name (en)' -> name_en), or None."""
    key = re.sub(r"[^a-z0-9]", "", fold(str(header)))
    by_language = _language_column(key)
    if by_language is not None:
        return by_language
    for lang_col in (*NAME_COLUMNS, *DESCRIPTION_COLUMNS):
        kind, lang = lang_col.split("_")
        if key in (f"{kind}{lang}", f"beschreibung{lang}" if kind == "description" else f"bezeichnung{lang}"):
            return lang_col
    for name in FIELDS:
        if key == name.replace("_", "") or key in _ALIASES.get(name, ()):
            return name
    return None


_NAME_WORDS = ("name", "bezeichnung", "titel")
_DESCRIPTION_WORDS = ("beschreibung", "description", "text")


def _language_column(key: str) -> str | None:
    """"Name (arabisch)", "Beschreibung Ukrainisch", "Name (Arabic)" -> name_ar, description_uk, name_ar."""
    for words, kind in ((_NAME_WORDS, "name"), (_DESCRIPTION_WORDS, "description")):
        for word in words:
            rest = key[len(word):] if key.startswith(word) else ""
            code = LANGUAGE_WORDS.get(rest) or (rest if rest in _LANGS else None)
            if rest and code in _LANGS:
                return f"{kind}_{code}"
    return None


def named_categories(text: str) -> list[str]:
    """The categories a text names ("Kita", "Schutz vor Gewalt, Beratung"); empty when it names none."""
    errors: list[str] = []
    found = categories_of(text, errors)
    return [] if errors else found


def escape_formula(value: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (= + - @ ...) by prefixing an apostrophe."""
    return "'" + value if _FORMULA.match(value) else value


def unescape_formula(value: str) -> str:
    """Reverse `escape_formula` (exactly one apostrophe comes off, so every value round-trips)."""
    return value[1:] if value.startswith("'") and _FORMULA.match(value) else value


def make_id(row: dict[str, Any]) -> str:
    """A stable id for a row without one: the same offer imported twice gets the same id."""
    key = "|".join(str(row.get(f) or "") for f in ("name_de", "street", "postcode", "city"))
    return "o-" + hashlib.sha1(key.encode()).hexdigest()[:12]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _paragraphs(value: Any) -> str:
    """Descriptions keep their line breaks; spaces within a line are collapsed like every other cell."""
    lines = [" ".join(line.split()) for line in ("" if value is None else str(value)).splitlines()]
    return "\n".join(lines).strip()


def _bool(value: str, field: str, errors: list[str], tristate: bool = False) -> int | None:
    low = value.casefold()
    if low in _TRUE:
        return 1
    if low in _FALSE:
        return 0
    if not low:
        return None if tristate else (1 if field == "active" else 0)
    errors.append(f"{field}: '{value}' is not yes/no (ja/nein, 1/0)")
    return None


def _number(value: str, field: str, errors: list[str]) -> float | None:
    if not value:
        return None
    try:
        number = float(value.replace(",", "."))  # German Excel writes 51,53
    except ValueError:
        number = math.nan
    if not math.isfinite(number):  # nan, inf and 1e400 (which float() makes inf) are no coordinates
        errors.append(f"{field}: '{value[:40]}' is not a number")
        return None
    return number


def _folded(word: str) -> str:
    return re.sub(r"[^a-z]", "", fold(word))


def _languages(text: str, errors: list[str]) -> str:
    """Codes ("de,ar") or words as staff write them ("Deutsch, Arabisch und Farsi") -> "de,ar,fa"."""
    codes: list[str] = []
    for word in re.split(r"[,;/+&]+|\s+und\s+|\s+and\s+|\s+", text):
        if not word.strip():
            continue
        key = _folded(word)
        if key in LANGUAGE_WORDS:
            codes.append(LANGUAGE_WORDS[key])
        elif re.fullmatch(r"[a-z]{2,3}", word.strip().lower()):
            codes.append(word.strip().lower())
        else:
            errors.append(f"languages: '{word.strip()}' is neither a language code (de, ar) nor a known "
                          "language name (Deutsch, Arabisch)")
    return ",".join(dict.fromkeys(codes))


def _field_of(message: str) -> str:
    """The field a message of clean_row/check_complete is about (for showing it next to the form field)."""
    for prefix, field in (("missing name", "name_de"), ("unknown category", "categories"),
                          ("missing category", "categories"), ("bad postcode", "postcode"),
                          ("unknown postcode", "postcode"), ("bad e-mail", "email"), ("bad URL", "website"),
                          ("bad phone", "phone"), ("bad opening hours", "opening_hours"), ("bad id", "id"),
                          ("coordinates", "lat"), ("give both lat", "lat"), ("no place", "postcode"),
                          ("duplicate id", "id")):
        if message.startswith(prefix):
            return field
    head = message.split(":", 1)[0]
    return head if head in FIELDS else ""


def tag(messages: list[str]) -> list[str]:
    """The same messages as FieldMessages that name their field."""
    return [m if isinstance(m, FieldMessage) else FieldMessage(m, _field_of(m)) for m in messages]


def clean_row(raw: dict[str, Any], *, unescape: bool = False) -> tuple[dict[str, Any], list[str]]:
    """Validate one row (keys are field names); returns the values to store and the problems found.

    Only the fields present in `raw` are returned, so a file with fewer columns updates only those.
    """
    errors: list[str] = []
    out: dict[str, Any] = {}
    appointment_only = False
    for field, value in raw.items():
        if field in READ_ONLY:
            continue
        if isinstance(value, LostLetters):
            errors.append(FieldMessage(
                f"{field}: '{value}' has '?' where letters were: the file was saved as Windows-1252 (ANSI), which "
                "has no Arabic, Persian or Cyrillic letters. In Excel choose 'Save as' > 'CSV UTF-8' and import "
                "that file", field))
            continue
        text = _text(value) if not field.startswith("description_") else _paragraphs(value)
        if unescape:
            text = unescape_formula(text)
        if field in BOOL_FIELDS:
            out[field] = _bool(text, field, errors)
        elif field in TRISTATE_FIELDS:
            out[field] = _bool(text, field, errors, tristate=True)
        elif field in ("lat", "lon"):
            out[field] = _number(text, field, errors)
        elif field == "categories":
            out[field] = categories_of(text, errors)
        elif field == "postcode":
            if text and not re.fullmatch(r"\d{4,5}", text):
                errors.append(f"bad postcode '{text}' (5 digits)")
            out[field] = text.zfill(5) if text else ""  # Excel drops the leading 0 of 01067
        elif field == "email":
            if text and not _EMAIL.match(text):
                errors.append(f"bad e-mail '{text}'")
            out[field] = text
        elif field == "website":
            if text and "://" not in text and _BARE_DOMAIN.match(text):
                text = "https://" + text  # "www.kita.de" or "kita-unna.de" as people write web addresses
            if text and not _URL.match(text):
                errors.append(f"bad URL '{text}' (start with https://)")
            out[field] = text
        elif field == "source":
            # A source is a text ("Kreis Unna, Flyer 2024") or a web address; a web address must be one that
            # parses, or every answer listing the offer would carry a broken link.
            if text.lower().startswith(("http:", "https:")) and not _URL.match(text.split()[0]):
                errors.append(f"bad source URL '{text}' (a web address such as https://www.kreis-unna.de/...)")
            out[field] = text
        elif field == "phone":
            if text and (not _PHONE.match(text) or sum(ch.isdigit() for ch in text) < 3):
                errors.append(f"bad phone number '{text}'")
            out[field] = text
        elif field == "opening_hours":
            try:
                out[field] = hours.normalise(text)
            except hours.HoursError as exc:
                errors.append(f"bad opening hours '{text}': {exc}")
            else:
                appointment_only = hours.by_appointment(text)
        elif field == "languages":
            out[field] = _languages(text, errors)
        elif field == "id":
            if text and not _ID.match(text):
                errors.append(f"bad id '{text}' (letters, digits, . _ : - only, up to 64)")
            out[field] = text
        else:
            out[field] = text
    if appointment_only and not out.get("appointment"):
        out["appointment"] = 1  # "nach Vereinbarung" says an appointment is needed
    if "name_de" in raw and not out.get("name_de"):
        errors.append("missing name (German name is required)")
    if "categories" in raw and not out.get("categories") and not any(e.startswith("unknown cat") for e in errors):
        errors.append("missing category")
    return out, tag(errors)


def check_complete(row: dict[str, Any], gaz: Gazetteer) -> list[str]:
    """Checks on the merged row (file values over stored ones); fills coordinates from the postcode or town.

    Mutates `row`: lat/lon from the postcode's centre (or the town's) when missing, flagged approximate.
    """
    errors: list[str] = []
    if not row.get("name_de"):
        errors.append("missing name (German name is required)")
    if not row.get("categories"):
        errors.append("missing category")
    lat, lon = row.get("lat"), row.get("lon")
    if (lat is None) != (lon is None):
        errors.append("give both lat and lon, or neither")
    elif lat is not None and lon is not None:
        if not (GERMANY[0] <= lat <= GERMANY[1] and GERMANY[2] <= lon <= GERMANY[3]):
            errors.append(f"coordinates {lat}, {lon} are outside Germany")
    elif not row.get("national"):
        place = gaz.postcode(row["postcode"]) if row.get("postcode") else None
        if row.get("postcode") and place is None:
            errors.append(f"unknown postcode '{row['postcode']}' (give lat and lon)")
        place = place or (gaz.town(row["city"], fuzzy=False) if row.get("city") else None)
        if place is None and not errors:
            errors.append("no place: give a postcode, a known town, or lat and lon")
        elif place is not None:
            row["lat"], row["lon"], row["approximate"] = place.point.lat, place.point.lon, 1
    if not row.get("district") and row.get("lat") is not None and row.get("lon") is not None:
        from bot.geo.distance import Point

        row["district"] = gaz.district_name(row["postcode"]) if row.get("postcode") else None
        row["district"] = row["district"] or gaz.district_name(Point(row["lat"], row["lon"])) or ""
    return tag(errors)


__all__ = ["FIELDS", "LANGUAGE_WORDS", "READ_ONLY", "categories_of", "check_complete", "clean_row", "header_field",
           "named_categories"]
