"""Importing offers: formats and encodings, header mapping, every bad-input case, all or nothing, upsert, dry run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlite_utils import Database

from bot.cli import cli
from bot.geo.gazetteer import default_gazetteer
from bot.offers import write
from bot.offers.db import open_db
from bot.offers.importer import ImportFileError, ImportResult, import_file, import_records, read_csv
from bot.offers.store import get_offer, nearest

HEADER = "id;Name;Kategorie;Straße;PLZ;Ort;Telefon;E-Mail;Webseite;Öffnungszeiten;lat;lon"
GOOD = ("k1;Kita Sonnenschein;Kita;Marktstraße 1;44532;Lünen;02306 1234;info@example.org;https://example.org;"
        "Mo-Fr 07:00-16:00;;")


def run(db: Database, text: str, dry_run: bool = False) -> ImportResult:
    headers, records = read_csv(text.encode("utf-8"))
    return import_records(db, headers, records, actor="test", dry_run=dry_run, unescape=True)


def counts(db: Database) -> tuple[int, ...]:
    return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("offers", "audit", "offer_categories", "offers_fts"))


@pytest.fixture
def db() -> Database:
    return open_db(memory=True)


def test_good_row_is_imported_and_geocoded_from_its_postcode(db: Database) -> None:
    result = run(db, f"{HEADER}\n{GOOD}\n")
    assert result.ok and result.written and len(result.added) == 1
    offer = get_offer(db, "k1")
    assert offer is not None
    centre = default_gazetteer().postcode("44532")
    assert centre is not None
    assert (offer.lat, offer.lon, offer.approximate) == (centre.point.lat, centre.point.lon, True)
    assert offer.categories == ("kita",) and offer.city == "Lünen" and offer.district == "Kreis Unna"
    assert [h.offer.id for h in nearest(db, ["kita"], centre.point, 3)] == ["k1"]


@pytest.mark.parametrize(("row", "message"), [
    ("k1;;Kita;;44532;Lünen;;;;;;", "missing name"),
    ("k1;Kita A;Kitas und so;;44532;Lünen;;;;;;", "unknown category 'Kitas und so'"),
    ("k1;Kita A;;;44532;Lünen;;;;;;", "missing category"),
    ("k1;Kita A;Kita;;44532;Lünen;;;;;48.85;2.35", "outside Germany"),
    ("k1;Kita A;Kita;;4453X;Lünen;;;;;;", "bad postcode"),
    ("k1;Kita A;Kita;;99999;Lünen;;;;;;", "unknown postcode"),
    ("k1;Kita A;Kita;;;Nirgendwo;;;;;;", "no place"),
    ("k1;Kita A;Kita;;44532;Lünen;;;example org;;;", "bad URL"),
    ("k1;Kita A;Kita;;44532;Lünen;;info(at)example.org;;;;", "bad e-mail"),
    ("k1;Kita A;Kita;;44532;Lünen;;;;Mo-Fr 8-26 Uhr;;", "bad opening hours"),
    ("k1;Kita A;Kita;;44532;Lünen;;;;meistens vormittags;;", "bad opening hours"),
    ("k1;Kita A;Kita;;44532;Lünen;;;;Mo-Fr ab 9;;", "bad opening hours"),
    ("k1;Kita A;Kita;;44532;Lünen;call us;;;;;", "bad phone"),
    ("k1;Kita A;Kita;;44532;Lünen;;;;;51.6;", "both lat and lon"),
    ("k1;Kita A;Kita;;44532;Lünen;;;;;north;7.5", "lat: 'north' is not a number"),
    ("k 1;Kita A;Kita;;44532;Lünen;;;;;;", "bad id"),
])
def test_each_bad_row_is_reported_with_its_line_and_nothing_is_written(db: Database, row: str, message: str) -> None:
    before = counts(db)
    result = run(db, f"{HEADER}\n{GOOD.replace('k1', 'k0')}\n{row}\n")
    assert not result.ok and not result.written
    assert any(p.line == 3 and message in p.message for p in result.errors), [str(p) for p in result.errors]
    assert counts(db) == before


def test_duplicate_id_names_both_lines(db: Database) -> None:
    result = run(db, f"{HEADER}\n{GOOD}\n{GOOD.replace('Sonnenschein', 'Regenbogen')}\n")
    assert [str(p) for p in result.errors] == ["line 3: duplicate id 'k1' (already on line 2)"]
    assert counts(db) == (0, 0, 0, 0)


def test_line_numbers_are_spreadsheet_rows_even_after_multi_line_cells(db: Database) -> None:
    # Excel shows a cell with a line break as one row: the bad offer is in row 3 there, not on text line 4.
    text = f'{HEADER}\nk1;"Kita\nmit Zeilenumbruch";Kita;;44532;Lünen;;;;;;\nk2;Kita B;Kitta;;44532;Lünen;;;;;;\n'
    assert [p.line for p in run(db, text).errors] == [3]


def test_binary_or_undecodable_csv_is_a_clear_file_error(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "offers.csv"
    path.write_bytes(b"Name;Kategorie;PLZ\r\nA\x81;Kita;59423\r\n")  # 0x81 is no character in Windows-1252
    with pytest.raises(ImportFileError, match="UTF-8"):
        import_file(db, path, actor="test")


def test_bad_yes_no_value(db: Database) -> None:
    result = run(db, "id;name_de;categories;postcode;barrierefrei\nb1;B;kita;44532;vielleicht\n")
    assert [str(p) for p in result.errors] == ["line 2: barrier_free: 'vielleicht' is not yes/no (ja/nein, 1/0)"]


def test_file_without_name_or_id_column_is_refused(db: Database) -> None:
    result = run(db, "Kategorie;PLZ\nKita;44532\n")
    assert "no name column" in str(result.errors[0])


def test_crash_in_the_middle_changes_nothing(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    run(db, f"{HEADER}\n{GOOD}\n")
    before = counts(db)
    rows = "\n".join(f"n{i};Kurs {i};Sprachkurs;;59423;Unna;;;;;;" for i in range(100))
    real = write._sql_row
    calls = {"n": 0}

    def failing(values: dict[str, object], stamp: str) -> list[object]:
        calls["n"] += 1
        if calls["n"] == 50:
            raise OSError("disk full")
        return real(values, stamp)

    monkeypatch.setattr(write, "_sql_row", failing)
    with pytest.raises(OSError):
        run(db, f"{HEADER}\n{GOOD.replace('Sonnenschein', 'Umbenannt')}\n{rows}\n")
    assert calls["n"] == 50
    assert counts(db) == before
    offer = get_offer(db, "k1")
    assert offer is not None and offer.name == "Kita Sonnenschein"


def test_upsert_by_id_updates_only_given_columns_and_is_audited(db: Database) -> None:
    run(db, f"{HEADER}\n{GOOD}\n")
    result = run(db, "id;Telefon\nk1;02306 9999\n")
    assert result.ok and [c.fields for c in result.changed] == [["phone"]]
    offer = get_offer(db, "k1")
    assert offer is not None and offer.phone == "02306 9999" and offer.name == "Kita Sonnenschein"
    assert [e.action for e in write.history(db, "k1")] == ["import", "import"]
    assert run(db, "id;Telefon\nk1;02306 9999\n").unchanged == 1  # same again: no change, no audit row
    assert len(write.history(db, "k1")) == 2


def test_new_postcode_moves_an_approximate_offer(db: Database) -> None:
    run(db, f"{HEADER}\n{GOOD}\n")
    run(db, "id;PLZ;Ort\nk1;59423;Unna\n")
    offer, unna = get_offer(db, "k1"), default_gazetteer().postcode("59423")
    assert offer is not None and unna is not None
    assert (offer.lat, offer.lon, offer.district) == (unna.point.lat, unna.point.lon, "Kreis Unna")


def test_given_coordinates_are_exact(db: Database) -> None:
    run(db, f"{HEADER}\n{GOOD[:-2]};51,6123;7,5234\n")  # German decimal commas
    offer = get_offer(db, "k1")
    assert offer is not None and (offer.lat, offer.lon, offer.approximate) == (51.6123, 7.5234, False)


def test_dry_run_reports_and_writes_nothing(db: Database) -> None:
    result = run(db, f"{HEADER}\n{GOOD}\n", dry_run=True)
    assert result.ok and not result.written and [c.offer_id for c in result.added] == ["k1"]
    assert counts(db) == (0, 0, 0, 0)


def test_windows_1252_semicolon_csv(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(f"{HEADER}\r\n{GOOD}\r\n".encode("cp1252"))
    assert import_file(db, path, actor="t").ok
    offer = get_offer(db, "k1")
    assert offer is not None and offer.street == "Marktstraße 1" and offer.city == "Lünen"


def test_utf8_bom_comma_csv_with_english_headers(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_bytes("\ufeffid,name,category,postcode,languages\nc1,Café Welcome,sports_leisure; youth,59423,"
                     "DE; ar\n".encode())
    assert import_file(db, path, actor="t").ok
    offer = get_offer(db, "c1")
    assert offer is not None and offer.name == "Café Welcome"
    assert offer.categories == ("sports_leisure", "youth") and offer.languages == ("de", "ar")


def test_xlsx_with_numeric_cells(db: Database, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ID", "Bezeichnung", "Kategorien", "Postleitzahl", "Breitengrad", "Längengrad", "Termin"])
    sheet.append(["x1", "Beratung Dresden", "Beratung", 1067, None, None, "ja"])  # Excel dropped the 0
    sheet.append(["x2", "Kita Unna", "kita", 59423, 51.53, 7.68, "nein"])
    path = tmp_path / "angebote.xlsx"
    book.save(path)
    result = import_file(db, path, actor="t")
    assert result.ok, [str(p) for p in result.errors]
    first, second = get_offer(db, "x1"), get_offer(db, "x2")
    assert first is not None and first.postcode == "01067" and first.appointment is True and first.approximate
    assert second is not None and (second.lat, second.appointment) == (51.53, False)


def test_json_list(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "offers.json"
    path.write_text('[{"id": "j1", "name_de": "Jugendtreff", "name_uk": "Молодіжний клуб", '
                    '"categories": ["youth"], "postcode": "44532", "barrier_free": true}]', encoding="utf-8")
    assert import_file(db, path, actor="t").ok
    offer = get_offer(db, "j1")
    assert offer is not None and offer.name_in("uk") == "Молодіжний клуб" and offer.barrier_free is True


@pytest.mark.parametrize(("name", "content"), [("a.json", b"{not json"), ("a.json", b'{"x": 1}'),
                                               ("a.pdf", b"%PDF"), ("a.xlsx", b"not a zip")])
def test_unreadable_files_are_refused(db: Database, tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError):
        import_file(db, path, actor="t")


def test_rows_without_id_get_a_stable_one(db: Database) -> None:
    text = "Name;Kategorie;PLZ\nKita Ohne Nummer;Kita;44532\n"
    first = run(db, text)
    second = run(db, text)
    assert len(first.added) == 1 and second.unchanged == 1


def test_unknown_column_is_a_warning(db: Database) -> None:
    result = run(db, f"{HEADER};Bemerkung\n{GOOD};intern\n")
    assert result.ok and result.warnings == ["column 'Bemerkung' is not an offer field and is ignored"]


def test_cli_import_dry_run_and_errors(tmp_path: Path) -> None:
    env = {"LOTSE_DB": str(tmp_path / "cli.db")}
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    bad.write_text(f"{HEADER}\n{GOOD}\nk2;Kita B;Kitta;;44532;Lünen;;;;;;\n", encoding="utf-8")
    runner = CliRunner()
    dry = runner.invoke(cli, ["offers", "import", str(good), "--dry-run"], env=env)
    assert dry.exit_code == 0 and "would add     k1  Kita Sonnenschein" in dry.output
    assert "1 new, 0 changed, 0 unchanged offers would be imported" in dry.output
    failed = runner.invoke(cli, ["offers", "import", str(bad)], env=env)
    assert failed.exit_code != 0 and "line 3: unknown category 'Kitta'" in failed.output
    assert "nothing was imported" in failed.output
    done = runner.invoke(cli, ["offers", "import", str(good)], env=env)
    assert done.exit_code == 0 and "1 new" in done.output


def test_clearing_coordinates_geocodes_again(db: Database) -> None:
    run(db, f"{HEADER}\n{GOOD[:-2]};51.6123;7.5234\n")
    run(db, "id;PLZ;lat;lon\nk1;59423;;\n")
    offer, unna = get_offer(db, "k1"), default_gazetteer().postcode("59423")
    assert offer is not None and unna is not None
    assert (offer.lat, offer.lon, offer.approximate) == (unna.point.lat, unna.point.lon, True)


@pytest.mark.parametrize(("cells", "stored"), [
    ({"opening_hours": "Mo-Fr 8:00-12:00"}, {"opening_hours": "Mo-Fr 08:00-12:00"}),
    ({"website": "kita-unna.de"}, {"website": "https://kita-unna.de"}),
    ({"website": "www.kita-unna.de/anmeldung"}, {"website": "https://www.kita-unna.de/anmeldung"}),
])
def test_what_excel_users_write_is_accepted_in_its_proper_form(cells: dict[str, str], stored: dict[str, str]) -> None:
    from bot.offers.fields import clean_row

    values, errors = clean_row({"name_de": "Kita Test (Beispiel)", "categories": "kita", **cells})
    assert errors == []
    assert {k: values[k] for k in stored} == stored
