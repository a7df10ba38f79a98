"""Offer storage: schema migration, nearest search against brute force, national offers, audit, delete, backup."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from bot.cli import cli
from bot.geo.distance import Point, haversine_km
from bot.i18n import LANGUAGES
from bot.offers.categories import CATEGORIES
from bot.offers.db import MIGRATIONS, migrate, open_db
from bot.offers.demo import build_demo
from bot.offers.model import Offer
from bot.offers.store import get_offer, national_offers, nearest, search
from bot.offers.write import DEFAULTS, Change, backup, content, delete, history, restore, save, write_rows


def fill(db: Database, rows: list[dict[str, Any]]) -> None:
    with db.conn:
        write_rows(db, [Change(r["id"], None, content({**DEFAULTS, **r}), "add") for r in rows], "test")


def random_offers(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        rows.append({
            "id": f"o{i:04d}", "name_de": f"Angebot {i}",
            "categories": rng.sample(CATEGORIES[:5], rng.choice((1, 2))),
            # Clustered like towns, with exact duplicates of points to exercise tie-breaking.
            "lat": round(51.5 + rng.gauss(0, 0.3), 4) if i % 17 else 51.5,
            "lon": round(7.4 + rng.gauss(0, 0.5), 4) if i % 17 else 7.4,
            "active": 0 if i % 13 == 0 else 1,
        })
    return rows


def brute_force(rows: list[dict[str, Any]], cats: list[str], point: Point, radius: float | None) -> list[str]:
    found = []
    for r in rows:
        if not r.get("active", 1) or (cats and not set(cats) & set(r["categories"])):
            continue
        km = haversine_km(point, Point(r["lat"], r["lon"]))
        if radius is None or km <= radius:
            found.append((km, r["id"]))
    return [oid for _km, oid in sorted(found)]


def test_nearest_matches_brute_force_on_random_points() -> None:
    db = open_db(memory=True)
    rows = random_offers(3, 400)
    fill(db, rows)
    rng = random.Random(5)
    # Random points near the offers, plus far ones whose search box spans thousands of grid cells.
    far = [Point(54.9, 14.9), Point(47.3, 13.0), Point(-33.9, 151.2), Point(89.9, 0.0)]
    for index in range(150):
        point = far[index] if index < len(far) else Point(rng.uniform(50.0, 53.0), rng.uniform(5.9, 9.5))
        cats = rng.choice([[], ["kita"], ["kita", "school_enrolment"], [rng.choice(CATEGORIES[:5])]])
        n, offset = rng.randint(1, 8), rng.choice((0, 0, 3, 10))
        radius = rng.choice((None, None, 5.0, 40.0))
        expected = brute_force(rows, cats, point, radius)[offset:offset + n]
        hits = nearest(db, cats, point, n, offset=offset, radius_km=radius)
        assert [h.offer.id for h in hits] == expected
        assert all(h.distance_km == pytest.approx(haversine_km(point, Point(h.offer.lat or 0, h.offer.lon or 0)))
                   for h in hits)


def test_nearest_returns_everything_when_fewer_than_asked() -> None:
    db = open_db(memory=True)
    fill(db, [{"id": "a", "name_de": "A", "categories": ["kita"], "lat": 51.6, "lon": 7.5},
              {"id": "b", "name_de": "B", "categories": ["kita"], "lat": 53.5, "lon": 10.0}])
    hits = nearest(db, ["kita"], Point(51.6, 7.6), 5)
    assert [h.offer.id for h in hits] == ["a", "b"]
    assert nearest(db, ["housing"], Point(51.6, 7.6), 5) == []
    assert nearest(db, ["kita"], Point(51.6, 7.6), 0) == []


def test_multi_category_offer_found_under_each_category_once() -> None:
    db = open_db(memory=True)
    fill(db, [{"id": "m", "name_de": "Mehrfach", "categories": ["kita", "youth"], "lat": 51.6, "lon": 7.5}])
    assert [h.offer.id for h in nearest(db, ["youth"], Point(51.6, 7.5), 3)] == ["m"]
    assert [h.offer.id for h in nearest(db, ["kita", "youth"], Point(51.6, 7.5), 3)] == ["m"]


def test_category_change_and_delete_update_the_search_index() -> None:
    db = open_db(memory=True)
    fill(db, [{"id": "x", "name_de": "X", "categories": ["kita"], "lat": 51.6, "lon": 7.5}])
    save(db, {"id": "x", "categories": ["housing"]}, "admin")
    assert nearest(db, ["kita"], Point(51.6, 7.5), 3) == []
    assert [h.offer.id for h in nearest(db, ["housing"], Point(51.6, 7.5), 3)] == ["x"]
    delete(db, "x", "admin")
    assert nearest(db, ["housing"], Point(51.6, 7.5), 3) == []
    restore(db, "x", "admin")
    assert [h.offer.id for h in nearest(db, ["housing"], Point(51.6, 7.5), 3)] == ["x"]


def test_national_offers_are_not_in_nearest_but_listed_separately() -> None:
    db = open_db(memory=True)
    build_demo(db)
    hotline = {o.id for o in national_offers(db, ["violence_protection"])}
    assert {"nat-116016", "nat-110"} <= hotline
    assert "nat-116117" not in hotline
    assert {o.id for o in national_offers(db, ["emergency"])} == {"nat-112", "nat-110"}
    near = nearest(db, ["violence_protection"], Point(51.6, 7.5), 50)
    assert near and not any(h.offer.national for h in near)
    offer = get_offer(db, "nat-116016")
    assert offer is not None and offer.phone == "116 016" and offer.lat is None


def test_hotlines_for_everyone_come_before_those_for_a_group() -> None:
    db = open_db(memory=True)
    build_demo(db)
    assert [o.id for o in national_offers(db, ["mental_health"])] == ["nat-telefonseelsorge", "nat-116111"]


def test_demo_covers_every_category_in_all_three_districts_and_marks_examples() -> None:
    db = open_db(memory=True)
    build_demo(db)
    examples = [Offer.from_row(dict(r)) for r in db.table("offers").rows_where("example = 1")]
    assert all("(Beispiel)" in o.name and not o.phone and not o.street and not o.website for o in examples)
    for district in ("Kreis Unna", "Kreis Recklinghausen", "Kreis Heinsberg"):
        cats = {c for o in examples if o.district == district for c in o.categories}
        assert cats >= set(CATEGORIES) - {"emergency"}, district
    real = [Offer.from_row(dict(r)) for r in db.table("offers").rows_where("id LIKE 'nrw-%'")]
    assert len(real) == 8 and all(o.source.startswith("http") and o.source_date and o.approximate for o in real)
    assert build_demo(db) == len(list(db.table("offers").rows))  # rebuilding changes nothing


def test_name_in_language_falls_back_to_german() -> None:
    db = open_db(memory=True)
    build_demo(db)
    offer = get_offer(db, "nat-112")
    assert offer is not None
    assert offer.name_in("en") == "Emergency 112: fire brigade and ambulance"
    assert offer.name_in("so").startswith("Gurmadka")  # every national number is named in all twelve languages
    real = next(o for o in (get_offer(db, r[0]) for r in db.execute("SELECT id FROM offers WHERE id LIKE 'nrw-%'"))
                if o is not None and not o.names.get("so"))
    assert real.name_in("so") == real.name  # a real contact point without a Somali name keeps its German one
    example = get_offer(db, db.execute("SELECT id FROM offers WHERE example = 1").fetchone()[0])
    assert example is not None and example.name_in("so").endswith("(tusaale)")  # example data, said in Somali


def test_opening_hours_are_shown_in_the_users_language() -> None:
    offer = Offer("h", "H", ("kita",), opening_hours="Mo-Fr 08:30-12:00; Sa off")
    german = offer.hours_in("de")
    assert german.startswith("Mo.–Fr. 08:30–12:00; Sa. ") and "off" not in german
    assert offer.hours_in("en") == "Mon–Fri 08:30–12:00; Sat closed"
    assert "الاثنين" in offer.hours_in("ar")


def test_audit_history_and_soft_delete() -> None:
    db = open_db(memory=True)
    save(db, {"id": "k1", "name_de": "Kita Sonnenschein", "categories": ["kita"], "lat": 51.6, "lon": 7.5}, "anna")
    save(db, {"id": "k1", "phone": "02306 123"}, "ben")
    assert delete(db, "k1", "ben") is True
    assert delete(db, "k1", "ben") is False  # already deleted: no second entry
    offer = get_offer(db, "k1")
    assert offer is not None and not offer.active  # still stored
    assert restore(db, "k1", "carla") is True
    events = history(db, "k1")
    assert [(e.actor, e.action) for e in events] == [("anna", "add"), ("ben", "edit"), ("ben", "delete"),
                                                      ("carla", "restore")]
    assert events[0].new is not None and events[0].new["name_de"] == "Kita Sonnenschein"
    assert "phone" not in events[0].new  # the creation shows the values it was created with
    assert events[1].changes == {"phone": (None, "02306 123")}
    assert events[2].changes == {"active": (1, 0)}


def test_fulltext_search_quotes_user_input() -> None:
    db = open_db(memory=True)
    save(db, {"id": "d", "name_de": "Deutschkurs für Frauen", "name_ar": "دورة لغة ألمانية للنساء",
              "categories": ["language_course"], "lat": 51.6, "lon": 7.5}, "t")
    assert [o.id for o in search(db, "deutschkurs")] == ["d"]
    assert [o.id for o in search(db, "للنساء")] == ["d"]
    assert search(db, 'Frauen" OR "x') == []  # FTS syntax in user input is text, not an error
    assert search(db, "NEAR(") == []


def skeleton_db(path: Path, *inserts: str) -> Path:
    """A database file in the walking skeleton's schema (version 1), with some rows."""
    first = MIGRATIONS[0]
    assert isinstance(first, str)
    conn = sqlite3.connect(path)
    conn.executescript(first + "PRAGMA user_version = 1;")
    for sql in inserts:
        conn.execute(sql)
    conn.commit()
    conn.close()
    return path


def test_migration_from_the_skeleton_keeps_offers_and_sessions(tmp_path: Path) -> None:
    path = skeleton_db(
        tmp_path / "old.db",
        "INSERT INTO offers (id, name, categories, lat, lon, postcode, city) VALUES "
        "('old1', 'Alte Kita', '[\"kita\"]', 51.6, 7.5, '44532', 'Lünen')",
        "INSERT INTO sessions (user_key, lang) VALUES ('u1', 'ar')",
    )
    db = open_db(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert [h.offer.name for h in nearest(db, ["kita"], Point(51.6, 7.5), 3)] == ["Alte Kita"]
    assert db.execute("SELECT lang FROM sessions WHERE user_key = 'u1'").fetchone()[0] == "ar"
    assert [o.id for o in search(db, "Kita")] == ["old1"]
    migrate(db)  # idempotent
    assert db.execute("SELECT name FROM offers").fetchone()[0] == "Alte Kita"


def test_backup_is_a_working_copy(tmp_path: Path) -> None:
    db = open_db(tmp_path / "live.db")
    build_demo(db)
    target = backup(db, tmp_path / "backups" / "copy.db")
    copy = open_db(target)
    assert copy.execute("SELECT count(*) FROM offers").fetchone()[0] == db.execute(
        "SELECT count(*) FROM offers").fetchone()[0]


def test_cli_near_kita_in_luenen(tmp_path: Path) -> None:
    env = {"LOTSE_DB": str(tmp_path / "cli.db")}
    runner = CliRunner()
    assert runner.invoke(cli, ["setup"], env=env).exit_code == 0
    result = runner.invoke(cli, ["offers", "near", "--category", "kita", "--place", "Lünen", "--json"], env=env)
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert len(hits) == 5
    assert hits[0]["name"] == "Kita Lünen (Beispiel)"
    assert all("kita" in h["categories"] for h in hits)
    distances = [h["distance_km"] for h in hits]
    assert distances == sorted(distances) and distances[0] < 3


def test_cli_history_delete_restore_backup(tmp_path: Path) -> None:
    env = {"LOTSE_DB": str(tmp_path / "cli.db")}
    runner = CliRunner()
    runner.invoke(cli, ["setup"], env=env)
    assert "deleted" in runner.invoke(cli, ["offers", "delete", "nat-110", "--actor", "anna"], env=env).output
    shown = runner.invoke(cli, ["offers", "show", "nat-110"], env=env).output
    assert "(deleted)" in shown
    assert "restored" in runner.invoke(cli, ["offers", "restore", "nat-110"], env=env).output
    out = runner.invoke(cli, ["offers", "history", "nat-110"], env=env).output
    assert "anna  delete" in out and "active: 1 -> 0" in out and "cli  restore" in out
    result = runner.invoke(cli, ["offers", "backup", str(tmp_path / "b.db")], env=env)
    assert result.exit_code == 0 and (tmp_path / "b.db").stat().st_size > 0


def test_setup_replaces_the_skeletons_demo_but_keeps_real_data(tmp_path: Path) -> None:
    path = skeleton_db(
        tmp_path / "old.db",
        "INSERT INTO offers (id, name, categories, lat, lon) VALUES "
        "('demo-kita-59423', 'Beispiel-Kita Unna (Beispieldaten)', '[\"kita\"]', 51.53, 7.68)",
    )
    runner = CliRunner()
    env = {"LOTSE_DB": str(path)}
    assert "demo database created" in runner.invoke(cli, ["setup"], env=env).output
    db = open_db(path)
    assert get_offer(db, "demo-kita-59423") is None and get_offer(db, "nat-116016") is not None
    save(db, {"id": "real-1", "name_de": "Echte Kita", "categories": ["kita"], "lat": 51.5, "lon": 7.6}, "anna")
    db.execute("UPDATE meta SET value = 'old' WHERE key = 'demo_version'")
    db.conn.commit()
    assert "database ready" in runner.invoke(cli, ["setup"], env=env).output  # an admin's data: left alone
    assert get_offer(open_db(path), "real-1") is not None


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "de"])
def test_every_national_number_is_named_in_the_readers_language(lang: str) -> None:
    db = open_db(memory=True)
    build_demo(db)
    for (offer_id,) in db.execute("SELECT id FROM offers WHERE id LIKE 'nat-%'"):
        offer = get_offer(db, offer_id)
        assert offer is not None and offer.names.get(lang), f"{offer_id} has no name in {lang}"
