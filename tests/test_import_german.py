"""Real spreadsheets of German offices: opening hours as they are written, languages as words, categories by their
German label, ja/nein/x, and a Windows-1252 file that lost its Arabic and Cyrillic letters."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from demodb import demo_db
from sqlite_utils import Database

from bot.cli import cli
from bot.offers.db import open_db
from bot.offers.importer import import_file
from bot.offers.store import get_offer

DATA = Path(__file__).parent / "data"


@pytest.fixture
def db() -> Database:
    return open_db(memory=True)


def test_a_german_office_spreadsheet_imports_as_written(db: Database) -> None:
    result = import_file(db, DATA / "angebote_deutsch.csv", actor="test")
    assert result.ok, [str(p) for p in result.errors]
    assert len(result.added) == 5
    course, counselling, kita, recognition, housing = (get_offer(db, f"de-{n}") for n in range(1, 6))
    assert course and counselling and kita and recognition and housing
    assert course.opening_hours == "Mo-Fr 09:00-12:00"
    assert counselling.opening_hours == "Tu,Th 14:00-17:00"
    assert kita.opening_hours == "Mo-Fr 09:00-12:00"
    assert recognition.opening_hours == "Mo 10:00-12:00"
    assert housing.opening_hours == '"nach Vereinbarung"' and housing.appointment is True
    assert course.languages == ("de", "ar") and counselling.languages == ("de", "fa")
    assert kita.languages == ("de", "tr", "uk")
    assert (course.categories, counselling.categories, kita.categories) == (
        ("language_course",), ("counselling",), ("kita",))
    assert course.barrier_free is True and course.appointment is False and course.example
    assert counselling.barrier_free is False and counselling.appointment is True
    assert kita.barrier_free is True and kita.appointment is None


def test_the_dry_run_shows_how_the_opening_hours_were_understood(tmp_path: Path) -> None:
    env = {"LOTSE_DB": str(tmp_path / "lotse.db")}
    result = CliRunner().invoke(cli, ["offers", "import", str(DATA / "angebote_deutsch.csv"), "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert "opening hours: Mo-Fr 09:00-12:00" in result.output
    assert "opening hours: Tu,Th 14:00-17:00" in result.output
    assert 'opening hours: "nach Vereinbarung"' in result.output
    assert "5 new, 0 changed, 0 unchanged offers would be imported" in result.output


@pytest.mark.parametrize(("written", "stored"), [
    ("Mo-Fr 9-12 Uhr", "Mo-Fr 09:00-12:00"),
    ("Di, Do 14:00-17:00", "Tu,Th 14:00-17:00"),
    ("Montag bis Freitag 9-12 Uhr", "Mo-Fr 09:00-12:00"),
    ("Mo 10-12", "Mo 10:00-12:00"),
    ("nach Vereinbarung", '"nach Vereinbarung"'),
    ("Termine nach Vereinbarung", '"nach Vereinbarung"'),
    ("Mo-Fr 9-12 und 14-16 Uhr, Sa 10-12 Uhr", "Mo-Fr 09:00-12:00,14:00-16:00; Sa 10:00-12:00"),
    ("Mo.-Fr. 8.30-12.00 Uhr; feiertags geschlossen", "Mo-Fr 08:30-12:00; PH off"),
    ("werktags 8-16 Uhr", "Mo-Fr 08:00-16:00"),
    ("Mo-Fr 08:00-12:00; Tu,Th 14:00-17:00; PH off", "Mo-Fr 08:00-12:00; Tu,Th 14:00-17:00; PH off"),
    ("Jan-Mar Mo 10:00-12:00; Apr-Dec Mo 09:00-12:00", "Jan-Mar Mo 10:00-12:00; Apr-Dec Mo 09:00-12:00"),
])
def test_opening_hours_as_offices_write_them(written: str, stored: str) -> None:
    from bot.offers.fields import clean_row

    values, errors = clean_row({"name_de": "X (Beispiel)", "categories": "Beratung", "opening_hours": written})
    assert errors == [] and values["opening_hours"] == stored


@pytest.mark.parametrize(("written", "category"), [
    ("Kita", "kita"), ("Kindertagesstätte", "kita"), ("Sprachkurse", "language_course"),
    ("Beratungen", "counselling"), ("Ausländerbehörde", "foreigners_office"), ("Sport und Freizeit", "sports_leisure"),
    ("Integration centre", "integration_centre"), ("Bürgerbüro", "registration_office"),
])
def test_categories_by_their_german_or_english_label(written: str, category: str) -> None:
    from bot.offers.fields import clean_row

    values, errors = clean_row({"name_de": "X (Beispiel)", "categories": written})
    assert errors == [] and values["categories"] == [category]


@pytest.mark.parametrize(("cells", "message"), [
    ({"languages": "Deutsch, Klingonisch"}, "'Klingonisch' is neither a language code"),
    ({"opening_hours": "immer mal wieder"}, "bad opening hours"),
    ({"categories": "Zauberei"}, "unknown category 'Zauberei'"),
    ({"barrier_free": "vielleicht"}, "is not yes/no"),
])
def test_what_cannot_be_understood_is_said(cells: dict[str, str], message: str) -> None:
    from bot.offers.fields import clean_row

    _values, errors = clean_row({"name_de": "X (Beispiel)", "categories": "kita", **cells})
    assert any(message in e for e in errors), errors


def _cp1252_file(tmp_path: Path) -> Path:
    # What Excel writes as "CSV (Trennzeichen-getrennt)": Windows-1252, so Arabic and Cyrillic became '?'.
    text = ("ID;Name;Name (ar);Name (ru);Kategorie;PLZ;Ort\r\n"
            "nat-116117;Ärztlicher Bereitschaftsdienst 116 117;???? ?????? ??????? 116 117;"
            "????????? ????????? ?????? 116 117;Gesundheit;;\r\n"
            "t-umlaut;Büro für Vielfalt (Beispiel);;;Beratung;59423;Unna\r\n")
    path = tmp_path / "excel-ansi.csv"
    path.write_bytes(text.encode("cp1252"))
    return path


def test_a_windows_1252_file_never_overwrites_arabic_or_cyrillic_names(tmp_path: Path) -> None:
    db = demo_db()
    before = get_offer(db, "nat-116117")
    assert before is not None and before.names.get("ar")
    result = import_file(db, _cp1252_file(tmp_path), actor="test")
    assert not result.ok and not result.written
    messages = [str(p) for p in result.errors]
    assert any(m.startswith("line 2: name_ar: '???? ??????") and "CSV UTF-8" in m for m in messages), messages
    assert any(m.startswith("line 2: name_ru") for m in messages), messages
    assert not any("line 3" in m for m in messages)  # the German row is fine; only the file as a whole is refused
    after = get_offer(db, "nat-116117")
    assert after is not None and after.names == before.names


def test_the_same_file_saved_as_utf8_imports(tmp_path: Path) -> None:
    db = open_db(memory=True)
    text = "ID;Name;Name (ar);Kategorie;PLZ;Ort\r\nt-1;Beratung (Beispiel);استشارة;Beratung;59423;Unna\r\n"
    path = tmp_path / "utf8.csv"
    path.write_bytes(text.encode("utf-8"))
    result = import_file(db, path, actor="test")
    offer = get_offer(db, "t-1")
    assert result.ok and offer is not None and offer.names["ar"] == "استشارة"
