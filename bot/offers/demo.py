"""The demo database `lotse setup` builds: real contact points, real national services, marked example offers.

- Real contact points: data/nrw_contact_points.csv as transcribed (source URL and date kept; missing fields stay
  empty; placed at their postcode or town centre, flagged approximate). Their opening hours are the source's
  own words rewritten in opening_hours syntax, nothing added.
- Real national services (112, 110, 116 117, 116 016 and the two helplines of data/verified_numbers.yaml):
  `national` offers without a place; `store.national_offers()` returns them, `nearest()` does not.
- Example offers in every category but emergency (an invented emergency room would be harmful even in a demo;
  the national 112/110 cover it) in ten towns of each of Kreis Unna, Recklinghausen and Heinsberg. They have no
  street, phone or website, stand near the town centre, carry `example = 1` and "(Beispiel)" in their name.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from typing import Any

from sqlite_utils import Database

from bot import resources
from bot.geo.gazetteer import Gazetteer, default_gazetteer
from bot.offers.categories import CATEGORIES
from bot.offers.sql import OffersDb, rows, writing
from bot.offers.store import rows_by_id
from bot.offers.write import DEFAULTS, Change, content, now, write_rows

CONTACT_POINTS_CSV = resources.data_file("nrw_contact_points.csv")
DEMO_VERSION = "7"
DEMO_PREFIXES = ("nrw-", "nat-", "demo-")

# What each kind of real contact point offers, by words in its type.
_TYPE_CATEGORIES = [
    ("Kommunales Integrationszentrum", ["integration_centre", "counselling", "school_enrolment"]),
    ("Integrationsbüro", ["integration_centre", "counselling"]),
    ("Ausländerbehörde", ["foreigners_office"]),
    ("MBE", ["counselling"]),
    ("JMD", ["youth", "counselling"]),
    ("Jugendmigrationsdienst", ["youth", "counselling"]),
    ("Flüchtlings", ["counselling", "asylum_advice"]),
]
# The "hours" column of the contact points in opening_hours syntax (row number -> value), word for word.
_HOURS = {
    1: "Mo-Fr 08:30-12:00; Tu,Th 08:30-12:00,14:00-17:00",
    3: 'Mo 08:00-13:00; Tu "nach Vereinbarung"; We 08:00-13:00; Th 08:00-18:00; Fr 08:00-13:00',
    7: 'Tu-Th "Sprechstunden auch in Heinsberg, Hückelhoven, Wegberg, Geilenkirchen, Übach-Palenberg"',
    8: 'Mo,We 10:00-14:00 "Stand 2017"',
}

_VERIFIED_DATE = "2026-11-21"  # when data/verified_numbers.yaml (the source of these numbers) was checked
NATIONAL: list[dict[str, Any]] = [
    {"id": "nat-112", "categories": ["emergency", "health"], "phone": "112", "opening_hours": "24/7",
     "cost": "kostenlos", "source": "https://digital-strategy.ec.europa.eu/en/news/112-day-raises-awareness-eu-emergency-number",
     "name_de": "Notruf 112: Feuerwehr und Rettungsdienst", "name_en": "Emergency 112: fire brigade and ambulance",
     "name_fr": "Urgences 112 : pompiers et ambulance", "name_tr": "Acil 112: itfaiye ve ambulans",
     "name_uk": "Екстрений виклик 112: пожежна служба і швидка допомога",
     "name_ru": "Экстренный вызов 112: пожарные и скорая помощь", "name_ar": "الطوارئ 112: الإطفاء والإسعاف",
     "name_fa": "اورژانس 112: آتش‌نشانی و آمبولانس", "name_ku": "Acîl 112: agirkujî û ambulans",
     "name_ti": "ህጹጽ 112: መጥፈኢ ሓዊን ኣምቡላንስን", "name_ps": "بیړني 112: اور وژونکي او امبولانس",
     "name_so": "Gurmadka degdegga ah 112: dab-damiska iyo ambalaaska"},
    {"id": "nat-110", "categories": ["emergency", "violence_protection"], "phone": "110", "opening_hours": "24/7",
     "cost": "kostenlos", "source": "https://aachen.polizei.nrw/faq/notruf",
     "name_de": "Polizei-Notruf 110", "name_en": "Police emergency 110", "name_fr": "Police secours 110",
     "name_tr": "Polis imdat 110", "name_uk": "Поліція 110", "name_ru": "Полиция 110", "name_ar": "الشرطة 110",
     "name_fa": "پلیس 110", "name_ku": "Polîs 110", "name_ti": "ፖሊስ 110", "name_ps": "پولیس 110",
     "name_so": "Booliska 110"},
    {"id": "nat-116117", "categories": ["health"], "phone": "116 117", "cost": "kostenlos",
     "source": "https://www.116117.de/", "website": "https://www.116117.de/",
     "name_de": "Ärztlicher Bereitschaftsdienst 116 117", "name_en": "Medical on-call service 116 117",
     "name_fr": "Permanence médicale 116 117", "name_tr": "Nöbetçi doktor hizmeti 116 117",
     "name_uk": "Чергова лікарська служба 116 117", "name_ru": "Дежурная врачебная служба 116 117",
     "name_ar": "خدمة الطبيب المناوب 116 117", "name_fa": "پزشک کشیک 116 117",
     "name_ku": "Xizmeta doktorê nobedar 116 117", "name_ti": "ናይ ተረኛ ሓኪም ኣገልግሎት 116 117",
     "name_ps": "د نوکریوال ډاکټر خدمت 116 117", "name_so": "Adeegga dhakhtarka shaqada ku jira 116 117"},
    {"id": "nat-116016", "categories": ["violence_protection"], "phone": "116 016", "opening_hours": "24/7",
     "cost": "kostenlos", "source": "https://www.hilfetelefon.de/", "website": "https://www.hilfetelefon.de/",
     "target_group": "Frauen", "name_de": "Hilfetelefon Gewalt gegen Frauen 116 016",
     "name_en": "Violence against women helpline 116 016",
     "name_fr": "Ligne d'aide violences faites aux femmes 116 016",
     "name_tr": "Kadına yönelik şiddet yardım hattı 116 016",
     "name_uk": "Гаряча лінія «Насильство проти жінок» 116 016",
     "name_ru": "Горячая линия «Насилие в отношении женщин» 116 016",
     "name_ar": "هاتف المساعدة للنساء ضحايا العنف 116 016", "name_fa": "خط کمک خشونت علیه زنان 116 016",
     "name_ku": "Xeta alîkariyê ji bo tundiya li dijî jinan 116 016",
     "name_ti": "ናይ ሓገዝ መስመር ንዓመጽ ኣብ ልዕሊ ደቂ ኣንስትዮ 116 016",
     "name_ps": "پر ښځو د تاوتریخوالي د مرستې لیکه 116 016",
     "name_so": "Khadka caawimaadda rabshadaha ka dhanka ah haweenka 116 016"},
    {"id": "nat-116111", "categories": ["youth", "mental_health"], "phone": "116 111", "cost": "kostenlos",
     "source": "https://www.nummergegenkummer.de/", "website": "https://www.nummergegenkummer.de/",
     "target_group": "Kinder und Jugendliche", "name_de": "Nummer gegen Kummer: Kinder- und Jugendtelefon 116 111",
     "name_en": "Helpline for children and young people 116 111",
     "name_fr": "Ligne d'écoute pour enfants et jeunes 116 111", "name_tr": "Çocuk ve gençlik yardım hattı 116 111",
     "name_uk": "Телефон довіри для дітей і молоді 116 111",
     "name_ru": "Телефон доверия для детей и подростков 116 111",
     "name_ar": "هاتف المساعدة للأطفال والشباب 116 111", "name_fa": "خط کمک کودکان و نوجوانان 116 111",
     "name_ku": "Xeta alîkariyê ji bo zarok û ciwanan 116 111", "name_ti": "ናይ ሓገዝ መስመር ንቖልዑን መንእሰያትን 116 111",
     "name_ps": "د ماشومانو او ځوانانو د مرستې لیکه 116 111",
     "name_so": "Khadka caawimaadda carruurta iyo dhallinyarada 116 111"},
    {"id": "nat-giftnotruf", "categories": ["health"], "phone": "0228 19240", "opening_hours": "24/7",
     "cost": "kostenlos", "source": "https://gizbonn.de/", "website": "https://gizbonn.de/",
     "name_de": "Giftnotruf Bonn (Informationszentrale gegen Vergiftungen NRW) 0228 19240",
     "name_en": "Poison information centre Bonn (NRW) 0228 19240",
     "name_fr": "Centre antipoison de Bonn (NRW) 0228 19240", "name_tr": "Bonn zehir danışma merkezi (NRW) 0228 19240",
     "name_uk": "Токсикологічний центр Бонн (NRW) 0228 19240",
     "name_ru": "Токсикологический центр Бонн (NRW) 0228 19240",
     "name_ar": "مركز معلومات السموم في بون (NRW) 0228 19240", "name_fa": "مرکز اطلاعات مسمومیت بن (NRW) 0228 19240",
     "name_ku": "Navenda agahiyan a jehrê li Bonnê (NRW) 0228 19240",
     "name_ti": "ማእከል ሓበሬታ መርዚ ቦን (NRW) 0228 19240", "name_ps": "د بن د زهرو د معلوماتو مرکز (NRW) 0228 19240",
     "name_so": "Xarunta macluumaadka sunta ee Bonn (NRW) 0228 19240"},
    {"id": "nat-telefonseelsorge", "categories": ["mental_health"], "phone": "0800 111 0 111",
     "opening_hours": "24/7", "cost": "kostenlos", "source": "https://www.telefonseelsorge.de/",
     "website": "https://www.telefonseelsorge.de/", "name_de": "TelefonSeelsorge 0800 111 0 111",
     "name_en": "TelefonSeelsorge crisis line 0800 111 0 111",
     "name_fr": "TelefonSeelsorge, écoute en cas de crise 0800 111 0 111",
     "name_tr": "TelefonSeelsorge kriz hattı 0800 111 0 111",
     "name_uk": "TelefonSeelsorge, кризова лінія 0800 111 0 111",
     "name_ru": "TelefonSeelsorge, кризисная линия 0800 111 0 111",
     "name_ar": "TelefonSeelsorge خط المساعدة في الأزمات 0800 111 0 111",
     "name_fa": "TelefonSeelsorge خط کمک در بحران 0800 111 0 111",
     "name_ku": "TelefonSeelsorge, xeta krîzê 0800 111 0 111",
     "name_ti": "TelefonSeelsorge ናይ ቅልውላው መስመር 0800 111 0 111",
     "name_ps": "TelefonSeelsorge د بحران لیکه 0800 111 0 111",
     "name_so": "TelefonSeelsorge, khadka xaaladaha adag 0800 111 0 111"},
]

DEMO_TOWNS = {
    "Kreis Unna": ["Unna", "Lünen", "Kamen", "Bergkamen", "Schwerte", "Selm", "Werne", "Fröndenberg",
                   "Holzwickede", "Bönen"],
    "Kreis Recklinghausen": ["Recklinghausen", "Marl", "Castrop-Rauxel", "Gladbeck", "Dorsten", "Herten",
                             "Datteln", "Haltern am See", "Oer-Erkenschwick", "Waltrop"],
    "Kreis Heinsberg": ["Heinsberg", "Erkelenz", "Geilenkirchen", "Hückelhoven", "Übach-Palenberg", "Wassenberg",
                        "Wegberg", "Gangelt", "Selfkant", "Waldfeucht"],
}
# category -> (German label, English label) of the example offers.
EXAMPLE_LABELS: dict[str, tuple[str, str]] = {
    "kita": ("Kita", "Daycare centre"), "school_enrolment": ("Schulanmeldung", "School enrolment"),
    "language_course": ("Deutschkurs", "German course"), "counselling": ("Migrationsberatung", "Migration counselling"),
    "foreigners_office": ("Ausländerbehörde", "Foreigners' office"), "asylum_advice": ("Asylberatung", "Asylum advice"),
    "work": ("Jobberatung", "Job advice"), "recognition": ("Anerkennungsberatung", "Recognition advice"),
    "housing": ("Wohnungsberatung", "Housing advice"), "health": ("Gesundheitsberatung", "Health advice"),
    "violence_protection": ("Beratung bei Gewalt", "Counselling on violence"),
    "mental_health": ("Psychosoziale Beratung", "Psychosocial counselling"),
    "benefits": ("Sozialberatung", "Benefits advice"), "interpreter": ("Dolmetscherdienst", "Interpreter service"),
    "volunteering": ("Ehrenamtsbörse", "Volunteering exchange"), "sports_leisure": ("Sportverein", "Sports club"),
    "youth": ("Jugendtreff", "Youth centre"), "registration_office": ("Bürgerbüro", "Citizens' office"),
    "transport": ("Mobilitätsberatung", "Mobility advice"),
    "integration_centre": ("Integrationspunkt", "Integration point"),
    "food_goods": ("Kleiderkammer", "Clothes store"), "debt_counselling": ("Schuldnerberatung", "Debt counselling"),
    "legal_advice": ("Rechtsberatung", "Legal advice"),
    "pregnancy": ("Schwangerschaftsberatung", "Pregnancy counselling"),
    "disability_care": ("Pflegeberatung", "Care counselling"),
}
# (opening hours, by appointment only): "by appointment" is a field of the offer, shown in the reader's language,
# not a German comment inside the hours.
_EXAMPLE_HOURS = (("Mo-Fr 09:00-12:00", False), ("Mo-Th 08:00-16:00; Fr 08:00-12:00", False),
                  ("Tu,Th 14:00-18:00", True))


def _slug(town: str) -> str:
    """ASCII id part of a town name: 'Übach-Palenberg' -> 'uebach-palenberg'."""
    text = town.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _offset(seed: str) -> tuple[float, float]:
    """A small, stable offset (under ~1.5 km) so example offers of one town do not stand on one spot."""
    digest = hashlib.sha256(seed.encode()).digest()
    return (digest[0] - 128) / 128 * 0.012, (digest[1] - 128) / 128 * 0.018


def contact_point_rows(gaz: Gazetteer) -> list[dict[str, Any]]:
    """Real contact points, placed at their postcode or town centre (flagged approximate)."""
    rows = []
    with CONTACT_POINTS_CSV.open(encoding="utf-8", newline="") as fh:
        for number, rec in enumerate(csv.DictReader(fh), start=1):
            cats: list[str] = []
            for word, extra in _TYPE_CATEGORIES:
                if word in rec["type"]:
                    cats += [c for c in extra if c not in cats]
            town = rec["city"].split(";")[0].strip()
            place = (gaz.postcode(rec["postcode"]) if rec["postcode"] else None) or gaz.town(town, fuzzy=False)
            rows.append({
                "id": f"nrw-{rec['kreis_ags']}-{number}", "name_de": rec["name"], "categories": cats or ["counselling"],
                # Transcription notes such as "(street not given)" are for us, not for the people asking.
                "street": re.sub(r"\s*\([^)]*not given\)", "", rec["street"]),
                "postcode": rec["postcode"], "city": rec["city"],
                "district": f"Kreis {rec['kreis']}",
                "lat": place.point.lat if place else None, "lon": place.point.lon if place else None,
                "approximate": 1, "phone": rec["phone"], "opening_hours": _HOURS.get(number, ""),
                "source": rec["source_url"], "source_date": rec["source_date"],
            })
    return rows


def national_rows() -> list[dict[str, Any]]:
    """The nationwide services: no place, `national = 1`."""
    return [{**row, "national": 1, "source_date": _VERIFIED_DATE} for row in NATIONAL]


#: "example" in the other languages: an example offer keeps its German office word ("Kita", "Bürgerbüro", which
#: people meet on every sign) and says in the reader's own language that it is example data.
EXAMPLE_WORD = {"ar": "مثال", "fa": "نمونه", "uk": "приклад", "ru": "пример", "tr": "örnek", "fr": "exemple",
                "ku": "mînak", "ti": "ኣብነት", "ps": "بېلګه", "so": "tusaale"}


def example_rows(gaz: Gazetteer) -> list[dict[str, Any]]:
    """Example offers in every category (but emergency) in the demo towns, marked as such."""
    rows = []
    for district, towns in DEMO_TOWNS.items():
        for town in towns:
            place = gaz.town(town, fuzzy=False)
            if place is None:
                continue
            for index, category in enumerate(c for c in CATEGORIES if c in EXAMPLE_LABELS):
                label_de, label_en = EXAMPLE_LABELS[category]
                dlat, dlon = _offset(category + town)
                rows.append({
                    "id": f"demo-{category}-{place.postcode}-{_slug(town)}",
                    "name_de": f"{label_de} {town} (Beispiel)", "name_en": f"{label_en} {town} (example)",
                    **{f"name_{lang}": f"{label_de} {town} ({word})" for lang, word in EXAMPLE_WORD.items()},
                    "description_de": "Beispieldaten für die Demo, kein echtes Angebot.",
                    "description_en": "Example data for the demo, not a real offer.",
                    "categories": [category], "postcode": place.postcode or "", "city": town, "district": district,
                    "lat": round(place.point.lat + dlat, 5), "lon": round(place.point.lon + dlon, 5),
                    "opening_hours": _EXAMPLE_HOURS[index % len(_EXAMPLE_HOURS)][0],
                    "appointment": int(_EXAMPLE_HOURS[index % len(_EXAMPLE_HOURS)][1]), "example": 1,
                    "source": "Lotse-Beispieldaten",
                })
    return rows


def demo_rows(gaz: Gazetteer | None = None, *, examples: bool = True) -> list[dict[str, Any]]:
    """Every demo offer as field -> value (without the example offers when `examples` is false)."""
    gaz = gaz or default_gazetteer()
    return contact_point_rows(gaz) + national_rows() + (example_rows(gaz) if examples else [])


def examples_removed(db: OffersDb) -> bool:
    """Whether staff removed the example offers (then no later set-up brings them back)."""
    return bool(rows(db, "SELECT 1 FROM meta WHERE key = 'examples_removed'"))


def remove_examples(db: OffersDb, actor: str) -> int:
    """Remove every example offer for good (they were never real), keeping real contact points and hotlines.

    Each removal is recorded in the audit trail with the offer's last values; returns how many were removed.
    """
    with writing(db) as tx:
        ids = [r[0] for r in tx.query("SELECT id FROM offers WHERE example = 1")]
        stored = rows_by_id(tx, ids)
        stamp = now()
        for offer_id in ids:
            old = {k: v for k, v in content(stored[offer_id]).items() if v not in (None, "", [])}
            tx.run("INSERT INTO audit (time, actor, action, offer_id, old, new) VALUES (?, ?, ?, ?, ?, ?)",
                   [stamp, actor, "remove-example", offer_id, json.dumps(old, ensure_ascii=False), "{}"])
            tx.run("DELETE FROM offers WHERE id = ?", [offer_id])
        tx.run("INSERT INTO meta (key, value) VALUES ('examples_removed', ?) ON CONFLICT(key) DO UPDATE SET "
               "value = excluded.value", [stamp])
    return len(ids)


def is_demo_only(db: Database) -> bool:
    """True when every stored offer is demo data (so rebuilding the demo loses nothing of an admin's)."""
    clause = " AND ".join("id NOT LIKE ?" for _ in DEMO_PREFIXES)
    sql = f"SELECT count(*) FROM offers WHERE {clause}"
    return int(db.execute(sql, [p + "%" for p in DEMO_PREFIXES]).fetchone()[0]) == 0


def build_demo(db: Database, gaz: Gazetteer | None = None, *, examples: bool = True) -> int:
    """Write the demo offers (replacing older demo rows, with audit entries); returns how many there are.

    Without `examples` (or once staff removed them) only the real contact points and hotlines are written.
    """
    rows = demo_rows(gaz, examples=examples and not examples_removed(db))
    ids = [r["id"] for r in rows]
    with db.conn:
        stale = [r[0] for r in db.execute(
            "SELECT id FROM offers WHERE " + " OR ".join("id LIKE ?" for _ in DEMO_PREFIXES),
            [p + "%" for p in DEMO_PREFIXES]).fetchall() if r[0] not in set(ids)]
        for offer_id in stale:  # demo rows of an older demo version: gone, they were never real
            db.conn.execute("DELETE FROM offers WHERE id = ?", [offer_id])
        stored: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            stored.update(rows_by_id(db, ids[start:start + 500]))
        changes = []
        for row in rows:
            old = content(stored[row["id"]]) if row["id"] in stored else None
            changes.append(Change(row["id"], old, content({**DEFAULTS, **row}), "demo"))
        write_rows(db, changes, "lotse setup")
        db.conn.execute("INSERT INTO meta (key, value) VALUES ('demo_version', ?), ('demo_built', ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [DEMO_VERSION, now()])
    return len(rows)

