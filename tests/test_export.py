"""Exporting offers: CSV, XLSX and JSON import back unchanged; spreadsheet formulas are neutralised."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from demodb import demo_db
from openpyxl import load_workbook
from sqlite_utils import Database

from bot.cli import cli
from bot.offers.db import open_db
from bot.offers.export import export_file
from bot.offers.fields import escape_formula, unescape_formula
from bot.offers.importer import import_file, save_offer
from bot.offers.write import content, delete

TRICKY = {
    "id": "t1", "name_de": "=HYPERLINK(\"http://evil.example\",\"Klick\")", "name_ar": "دورة لغة",
    "description_de": "Erste Zeile\nZweite Zeile; mit \"Anführungszeichen\"", "categories": ["kita", "youth"],
    "organisation": "@SUM(1+1)", "street": "-1+2", "postcode": "01067", "city": "Dresden", "lat": 51.0547,
    "lon": 13.7269, "phone": "+49 351 123456", "cost": "'=already quoted", "target_group": "-Jugendliche",
    "opening_hours": 'Mo-Fr 08:00-12:00; Sa "nach Vereinbarung"', "languages": "de,ar", "appointment": 1,
    "barrier_free": 0,
}


@pytest.fixture
def db() -> Database:
    database = demo_db()
    assert save_offer(database, TRICKY, actor="test").written
    delete(database, "demo-kita-44532-luenen", "test")  # deleted offers travel too
    return database


def snapshot(db: Database) -> dict[str, dict[str, object]]:
    return {row["id"]: content(row) for row in db.table("offers").rows}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_round_trip(db: Database, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"offers{suffix}"
    assert export_file(db, path) == len(snapshot(db))
    again = import_file(db, path, actor="t", dry_run=True)
    assert again.ok and not again.added and not again.changed, [c.fields for c in again.changed[:3]]
    fresh = open_db(memory=True)
    result = import_file(fresh, path, actor="t")
    assert result.ok, [str(p) for p in result.errors[:3]]
    assert snapshot(fresh) == snapshot(db)
    second = tmp_path / f"second{suffix}"
    export_file(fresh, second)
    if suffix == ".csv":  # byte for byte, but for the time of the last change
        strip = [line.rsplit(";", 1)[0] for line in path.read_text(encoding="utf-8-sig").splitlines()]
        assert strip == [line.rsplit(";", 1)[0] for line in second.read_text(encoding="utf-8-sig").splitlines()]


def test_csv_cells_cannot_run_as_formulas(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "offers.csv"
    export_file(db, path)
    text = path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ";'@SUM(1+1);" in text and ";'-1+2;" in text and ";'+49 351 123456;" in text
    assert ";''=already quoted;" in text and ";'-Jugendliche;" in text
    for line in text.splitlines():
        for cell in line.split(";"):
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_xlsx_cells_are_text_not_formulas(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "offers.xlsx"
    export_file(db, path)
    sheet = load_workbook(path).worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
    headers = [c.value for c in sheet[1]]
    tricky = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "t1")
    assert tricky[headers.index("name_de")] == "'=HYPERLINK(\"http://evil.example\",\"Klick\")"
    assert tricky[headers.index("lat")] == 51.0547  # coordinates stay numbers


@pytest.mark.parametrize("value", ["=1+1", "'=1+1", "''@x", "+49", "-", "plain", "'plain", "", "@", "\tx", "\r="])
def test_escaping_is_reversible(value: str) -> None:
    assert unescape_formula(escape_formula(value)) == value


def test_cli_export(db: Database, tmp_path: Path) -> None:
    env = {"LOTSE_DB": str(tmp_path / "cli.db")}
    runner = CliRunner()
    runner.invoke(cli, ["setup"], env=env)
    out = tmp_path / "export.json"
    result = runner.invoke(cli, ["offers", "export", str(out)], env=env)
    assert result.exit_code == 0 and out.exists() and "offers written" in result.output
    assert runner.invoke(cli, ["offers", "export", str(tmp_path / "x.pdf")], env=env).exit_code != 0
