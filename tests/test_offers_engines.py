"""The offers on both engines through one interface (bot/offers/sql.py): the demo offers in SQLite, and the same
offers moved to PostgreSQL with `lotse db copy`'s code; nearest search, full-text search, offers named by their
own words, edits with their audit trail, the admin's search, and an import, asserted alike on both."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from demodb import demo_db
from sqlite_utils import Database

from bot.engine import Engine, Incoming
from bot.engine.coverage import Coverage
from bot.geo.distance import Point
from bot.geo.gazetteer import default_gazetteer
from bot.offers import browse, write
from bot.offers.db import offers_version, open_db
from bot.offers.importer import import_file
from bot.offers.named import named_nearby
from bot.offers.sql import OffersDb
from bot.offers.store import get_offer, national_offers, nearest, search
from bot.store import Store, open_store
from bot.store.copy import copy

UNNA = Point(51.5347, 7.6890)


def _demo_file(folder: Path) -> Path:
    path = folder / "demo.db"
    demo_db(path)
    return path


@pytest.fixture
def offers(tmp_path: Path, database_url: str) -> Iterator[OffersDb]:
    """The demo offers: a SQLite file read as always, or moved to PostgreSQL."""
    demo = _demo_file(tmp_path)
    if database_url.startswith("sqlite"):
        db = open_db(demo)
        yield db
        db.close()
        return
    with open_store(f"sqlite:///{demo}") as source, open_store(database_url) as target:
        assert all(result.ok for result in copy(source, target))
        yield target


@pytest.fixture
def both(tmp_path: Path, pg_url: str) -> Iterator[tuple[Database, Store]]:
    """The same offers on each engine at once."""
    demo = _demo_file(tmp_path)
    with open_store(f"sqlite:///{demo}") as source, open_store(pg_url) as target:
        copy(source, target)
        yield open_db(demo), target


def test_the_nearest_search_answers_alike_on_both_engines(both: tuple[Database, Store]) -> None:
    sqlite, postgres = both
    chance = random.Random(24)
    categories = [[], ["kita"], ["language_course"], ["health", "kita"], ["counselling"], ["food_goods"]]
    for _ in range(40):
        point = Point(chance.uniform(50.9, 51.8), chance.uniform(6.0, 7.9))
        wanted, n, offset = chance.choice(categories), chance.randint(1, 6), chance.randint(0, 3)
        expected = [(h.offer.id, round(h.distance_km, 9)) for h in nearest(sqlite, wanted, point, n, offset=offset)]
        assert [(h.offer.id, round(h.distance_km, 9))
                for h in nearest(postgres, wanted, point, n, offset=offset)] == expected


def test_nearest_finds_the_kita_in_unna_first(offers: OffersDb) -> None:
    hits = nearest(offers, ["kita"], UNNA, 3)
    assert hits[0].offer.city == "Unna" and "kita" in hits[0].offer.categories
    assert [h.distance_km for h in hits] == sorted(h.distance_km for h in hits)
    assert nearest(offers, ["kita"], UNNA, 3, radius_km=0.01) == []


def test_national_hotlines_and_coverage(offers: OffersDb) -> None:
    assert any("112" in o.phone for o in national_offers(offers, ["emergency"]))
    assert "05978" in Coverage(offers, default_gazetteer()).districts().names  # Kreis Unna


@pytest.mark.parametrize(("words", "expected"), [
    ("Deutschkurs", "language_course"),
    ("deutschkurs unna", "language_course"),
    ("Kita", "kita"),
])
def test_full_text_search_finds_offers_by_their_words(offers: OffersDb, words: str, expected: str) -> None:
    found = search(offers, words)
    assert found and all(expected in o.categories for o in found)


@pytest.mark.parametrize("words", ["", "   ", "\"'*:&|!()", "zzzqqq"])
def test_full_text_search_takes_any_input_without_an_error(offers: OffersDb, words: str) -> None:
    assert search(offers, words) == []


def test_an_offer_is_found_by_a_keyword_staff_gave_it(offers: OffersDb) -> None:
    kita = nearest(offers, ["kita"], UNNA, 1)[0].offer
    write.save(offers, {"id": kita.id, "keywords": "Sonnenblume, دار الحضانة"}, "kim")
    assert [h.offer.id for h in named_nearby(offers, ["sonnenblume"], UNNA, 20)] == [kita.id]
    assert [h.offer.id for h in named_nearby(offers, ["sonnenbl"], UNNA, 20)] == [kita.id]  # a beginning
    assert named_nearby(offers, ["sonnenblume"], Point(50.9, 6.1), 5) == []  # too far away


def test_an_edit_is_audited_and_can_be_undone(offers: OffersDb) -> None:
    kita = nearest(offers, ["kita"], UNNA, 1)[0].offer
    version = offers_version(offers)
    assert write.save(offers, {"id": kita.id, "name_de": "Kita Regenbogen (Beispiel)"}, "anna")
    assert offers_version(offers) != version
    changed = get_offer(offers, kita.id)
    assert changed is not None and changed.name == "Kita Regenbogen (Beispiel)"
    history = write.history(offers, kita.id)
    assert history[-1].actor == "anna" and history[-1].changes["name_de"] == (kita.name, changed.name)
    recent = browse.recent_changes(offers, limit=1)[0]
    assert (recent.actor, recent.offer_id, recent.fields) == ("anna", kita.id, ["name_de"])
    assert write.delete(offers, kita.id, "anna")
    assert kita.id not in [h.offer.id for h in nearest(offers, ["kita"], UNNA, 5)]
    assert write.restore(offers, kita.id, "anna") and not write.restore(offers, kita.id, "anna")
    assert nearest(offers, ["kita"], UNNA, 1)[0].offer.id == kita.id


@pytest.mark.parametrize(("query", "check"), [
    (browse.Query(text="Deutschk"), lambda o: "language_course" in o.categories),
    (browse.Query(text="59423"), lambda o: o.postcode == "59423"),
    (browse.Query(city="unna", sort="city"), lambda o: o.city == "Unna"),
    (browse.Query(category="kita", sort="updated"), lambda o: "kita" in o.categories),
    (browse.Query(text="x'y\\z:*"), lambda o: False),
])
def test_the_admins_search_box_and_filters(offers: OffersDb, query: browse.Query, check: object) -> None:
    page = browse.find(offers, query)
    assert all(check(o) for o in page.offers)  # type: ignore[operator]
    assert (page.total > 0) == bool(page.offers)
    assert "Unna" in browse.towns(offers)


def test_an_import_writes_its_offers_and_audit_rows(offers: OffersDb, tmp_path: Path) -> None:
    csv = tmp_path / "neu.csv"
    csv.write_text("ID;Name;Kategorie;Straße;PLZ;Ort\r\nt-1;Kita Sonnenschein (Beispiel);kita;;59423;Unna\r\n",
                   encoding="utf-8-sig")
    result = import_file(offers, csv, actor="import-test")
    assert result.ok and result.written, result.errors
    added = get_offer(offers, "t-1")
    assert added is not None and added.approximate and added.lat is not None  # placed at the postcode's centre
    assert write.history(offers, "t-1")[0].action == "import"
    assert "t-1" in [h.offer.id for h in nearest(offers, ["kita"], UNNA, 50)]


def test_the_engine_answers_from_the_offers_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    """An engine whose shared store is PostgreSQL reads the offers there: an edit there is in its answers."""
    demo = _demo_file(tmp_path)
    with open_store(f"sqlite:///{demo}") as source, open_store(pg_url) as store:
        copy(source, store)
        engine = Engine(open_db(tmp_path / "own.db"), default_lang="de", store=store)
        assert engine.offers is store
        kita = nearest(store, ["kita"], UNNA, 1)[0].offer
        write.save(store, {"id": kita.id, "name_de": "Kita Pusteblume (Beispiel)"}, "anna")
        reply = engine.handle(Incoming(user_id="w:1", text="Kita in Unna"))
        assert any("Kita Pusteblume" in place.name for m in reply.messages for place in m.places)


def test_lotse_setup_gives_an_empty_postgresql_the_files_offers_once(tmp_path: Path, pg_url: str) -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    env = {"LOTSE_DB": str(tmp_path / "lotse.db"), "LOTSE_DATABASE_URL": pg_url}
    first = CliRunner().invoke(cli, ["setup"], env=env)
    assert first.exit_code == 0 and "offers copied into PostgreSQL, which had none" in first.output, first.output
    again = CliRunner().invoke(cli, ["setup"], env=env)
    assert again.exit_code == 0 and "copied into PostgreSQL" not in again.output
    with open_store(pg_url) as store:
        assert nearest(store, ["kita"], UNNA, 1)


def test_lotse_offers_near_and_search_read_postgresql_when_configured(tmp_path: Path, pg_url: str) -> None:
    import json

    from click.testing import CliRunner

    from bot.cli import cli

    demo = _demo_file(tmp_path)
    with open_store(f"sqlite:///{demo}") as source, open_store(pg_url) as store:
        copy(source, store)
        write.save(store, {"id": "nat-112", "name_de": "Notruf 112 (nur in PostgreSQL)"}, "kim")
    env = {"LOTSE_DB": str(tmp_path / "empty.db"), "LOTSE_DATABASE_URL": pg_url}
    near = CliRunner().invoke(cli, ["offers", "near", "--category", "kita", "--place", "Unna", "--json"], env=env)
    assert near.exit_code == 0, near.output
    assert json.loads(near.output)[0]["categories"] == ["kita"]
    found = CliRunner().invoke(cli, ["offers", "show", "nat-112"], env=env)
    assert found.exit_code == 0 and "nur in PostgreSQL" in found.output, found.output
    refused = CliRunner().invoke(cli, ["offers", "backup", str(tmp_path / "b.db")], env=env)
    assert refused.exit_code == 1 and "pg_dump" in refused.output


@pytest.mark.parametrize(("words", "expected"), [
    ("Kita Lunen", "demo-kita-44532-luenen"),  # as typed on a keyboard without umlauts
    ("kita lünen", "demo-kita-44532-luenen"),
    ("Beratungsstelle fur Frauen", "lotse-beratung-frauen"),
    ("beratungsstelle für frauen", "lotse-beratung-frauen"),
    ("Fruhforderung", "lotse-beratung-frauen"),  # a keyword staff gave it
])
def test_every_search_ignores_accents(offers: OffersDb, words: str, expected: str) -> None:
    write.save(offers, {"id": "lotse-beratung-frauen", "name_de": "Beratungsstelle für Frauen", "city": "Unna",
                        "postcode": "59423", "lat": UNNA.lat, "lon": UNNA.lon, "categories": ["counselling"],
                        "keywords": "Frühförderung"}, "anna")
    assert expected in [o.id for o in search(offers, words)]  # `lotse offers search`
    assert expected in [o.id for o in browse.find(offers, browse.Query(text=words)).offers]  # the admin's list
    first = words.split()[0]
    if expected == "lotse-beratung-frauen" and first.casefold() != "beratungsstelle":
        assert [h.offer.id for h in named_nearby(offers, [first.casefold()], UNNA, 20)] == [expected]
