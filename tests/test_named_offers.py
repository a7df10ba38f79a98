"""Offers found by their own words: a question that names an offer (its name, keywords or description) finds it
nearby, inside a topic's answer first and also when no topic fits; keywords travel through form, import and HSDS."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.engine import Engine, Incoming, Reply
from bot.geo.distance import Point
from bot.offers.db import MIGRATIONS, open_db
from bot.offers.formats import hsds, import_path
from bot.offers.importer import import_file
from bot.offers.named import named_nearby, words_of
from bot.offers.store import get_offer

KAMEN = Point(51.5923, 7.6638)
# A real-looking offer about 2 km from the centre of Kamen, farther than the demo's example Kleiderkammer there.
CSV = ("id;Name;Kategorie;Straße;PLZ;Ort;Breitengrad;Längengrad;Schlagworte;Beschreibung\n"
       "stmartin;Kleiderkammer St. Martin;Kleiderkammer;Kirchplatz 1;59174;Kamen;51,6080;7,6800;"
       "Kleidung, ملابس, одяг, kıyafet;Gebrauchte Kleidung für alle, dienstags\n"
       "sonnenblume;Begegnungscafé Sonnenblume;Sport und Freizeit;;59174;Kamen;51,5900;7,6700;;"
       "Frühstück und Gespräche für Frauen aus aller Welt\n")


@pytest.fixture
def imported(db: Database, tmp_path: Path) -> Database:
    path = tmp_path / "angebote.csv"
    path.write_text(CSV, encoding="utf-8")
    result = import_file(db, path, actor="test")
    assert result.ok, [str(e) for e in result.errors]
    return db


def places(reply: Reply) -> list[str]:
    return [p.name for m in reply.messages for p in m.places]


def test_keywords_are_imported_from_a_german_spreadsheet(imported: Database) -> None:
    offer = get_offer(imported, "stmartin")
    assert offer is not None and offer.keywords == "Kleidung, ملابس, одяг, kıyafet"
    assert offer.categories == ("food_goods",)


@pytest.mark.parametrize("text", ["Kleiderkammer in Kamen", "ملابس مجانية في كامن", "Kleiderkammer St. Martin Kamen"])
def test_the_offer_a_question_names_comes_first(imported: Database, text: str) -> None:
    reply = Engine(imported).handle(Incoming("n1", text=text))
    assert places(reply)[:1] == ["Kleiderkammer St. Martin"], (reply.intent, places(reply))
    assert len(places(reply)) == 3  # the rest of the topic's nearest offers follow


def test_a_named_offer_is_found_when_no_topic_fits(imported: Database) -> None:
    engine = Engine(imported)
    reply = engine.handle(Incoming("n2", text="Sonnenblume in Kamen"))
    assert places(reply) == ["Begegnungscafé Sonnenblume"]
    # By a word of its description too, near the place the person gave before.
    reply = engine.handle(Incoming("n2", text="Frühstück für Frauen"))
    assert places(reply)[:1] == ["Begegnungscafé Sonnenblume"]


def test_without_telling_words_the_answer_is_the_topics_nearest(imported: Database) -> None:
    """Common words ("Beratung", "Beispiel", "für") name nothing: the topic's offers stay nearest first, and an
    offer of another kind is never put first into a topic's answer."""
    engine = Engine(imported)
    reply = engine.handle(Incoming("n3", text="Beratung in Kamen"))
    listed = [p for m in reply.messages for p in m.places]
    for example in (False, True):  # real offers first, each group nearest first (examples rank behind real ones)
        distances = [p.distance_km for p in listed if p.example is example]
        assert distances == sorted(distances)
    assert not any("Gewalt" in name for name in places(reply))
    assert named_nearby(imported, words_of("für Beispiel Angebot"), KAMEN, 50) == []


def test_question_words_are_the_words_without_function_words() -> None:
    assert words_of("Gibt es in Kamen eine Kleiderkammer für Kinder?") == ["kamen", "kleiderkammer", "kinder"]
    assert words_of("ملابس مجانية في كامن") == ["ملابس", "مجانية", "كامن"]


def test_keywords_survive_csv_and_hsds_round_trips(imported: Database, tmp_path: Path) -> None:
    from bot.offers.export import export_file

    export_file(imported, tmp_path / "all.csv")
    hsds.export(imported, tmp_path / "hsds.zip")
    for source in (tmp_path / "all.csv", tmp_path / "hsds.zip"):
        fresh = open_db(memory=True)
        assert import_path(fresh, source, actor="test").ok
        offer = get_offer(fresh, "stmartin")
        assert offer is not None and offer.keywords == "Kleidung, ملابس, одяг, kıyafet", source


def test_an_older_database_gets_keywords_and_its_offers_stay_searchable(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for number, step in enumerate(MIGRATIONS[:7], start=1):
        script = step() if callable(step) else step
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    conn.execute("INSERT INTO offers (id, name_de, categories, lat, lon) VALUES "
                 "('old', 'Kleiderkammer Alt', '[\"food_goods\"]', 51.59, 7.66)")
    conn.commit()
    conn.close()
    db = open_db(path)
    assert "keywords" in db["offers"].columns_dict
    db.execute("UPDATE offers SET keywords = 'ملابس' WHERE id = 'old'")
    assert [h.offer.id for h in named_nearby(db, ["kleiderkammer"], KAMEN, 50)] == ["old"]
    assert [h.offer.id for h in named_nearby(db, ["ملابس"], KAMEN, 50)] == ["old"]


async def test_the_admin_form_edits_keywords(imported: Database, tmp_path: Path) -> None:
    """The field is on the form with the others (its label in the admin's catalogs)."""
    from bot.web.admin.i18n import translator

    page = (Path(__file__).parent.parent / "bot" / "web" / "templates" / "admin_form.html").read_text("utf-8")
    assert 'input("keywords"' in page
    assert translator("de")("Keywords") == "Schlagworte"
