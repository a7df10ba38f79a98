"""Exchange formats: Open Referral HSDS 3.0 (export, import, round trip) and the Integreat CMS POI export."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from click.testing import CliRunner
from sqlite_utils import Database

from bot.cli import cli
from bot.offers.db import open_db
from bot.offers.export import export_rows
from bot.offers.formats import hsds, import_path, integreat
from bot.offers.store import get_offer

DATA = Path(__file__).parent / "data"


def _content(db: Database) -> list[dict[str, object]]:
    return [{k: v for k, v in row.items() if k != "updated_at"} for row in export_rows(db)]


def test_hsds_export_has_the_tables_and_import_changes_nothing(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "hsds.zip"
    count = hsds.export(db, target)
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        services = list(csv.DictReader(io.StringIO(archive.read("service.csv").decode("utf-8"))))
        schedules = list(csv.DictReader(io.StringIO(archive.read("schedule.csv").decode("utf-8"))))
    assert {"service.csv", "location.csv", "address.csv", "phone.csv", "schedule.csv"} <= names
    assert count == len(services) == db.execute("SELECT count(*) FROM offers").fetchone()[0]
    # Structured weekly rules for other systems: the Unna integration centre opens Mo-Fr 08:30-12:00.
    assert any(s["byday"] == "MO,TU,WE,TH,FR" and s["opens_at"] == "08:30" and s["closes_at"] == "12:00"
               for s in schedules)

    before = _content(db)
    again = import_path(db, target, actor="test")
    assert again.ok, [str(p) for p in again.errors[:5]]
    assert (len(again.added), len(again.changed), again.unchanged) == (0, 0, count)
    assert _content(db) == before


def test_hsds_round_trip_into_an_empty_database_gives_the_same_offers(db: Database, tmp_path: Path) -> None:
    hsds.export(db, tmp_path / "package")  # a directory of CSV files this time
    fresh = open_db(memory=True)
    result = import_path(fresh, tmp_path / "package", actor="test")
    assert result.ok and len(result.added) == len(export_rows(db))
    assert _content(fresh) == _content(db)


def test_an_hsds_package_from_elsewhere_is_read() -> None:
    db = open_db(memory=True)
    result = import_path(db, DATA / "hsds_example", actor="test")
    assert result.ok, [str(p) for p in result.errors]
    women, homework = get_offer(db, "svc-1"), get_offer(db, "svc-2")
    assert women is not None and homework is not None
    assert women.name == "Frauentreff International (Beispiel)" and women.organisation == "Beispielverein Unna e. V."
    assert (women.lat, women.lon, women.approximate) == (51.5359, 7.6895, False)
    assert women.street == "Musterstraße 10" and women.postcode == "59423" and women.city == "Unna"
    assert women.opening_hours == "Mo,We 10:00-12:00; Th 15:00-18:00"
    assert women.languages == ("de", "ar", "fa") and women.categories == ("counselling",)
    assert women.cost == "kostenlos" and women.target_group == "Frauen" and women.source_date == "2026-11-01"
    assert homework.categories == ("youth",)  # by its German label "Jugend"
    assert homework.opening_hours == "Mo,Tu,We,Th 14:00-16:00" and not homework.active
    assert homework.approximate  # no coordinates: placed at its postcode


def test_an_hsds_file_without_a_service_table_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("location.csv", "id,name\r\n")
    from bot.offers.importer import ImportFileError

    try:
        import_path(open_db(memory=True), empty, actor="test")
    except ImportFileError as exc:
        assert "service.csv" in str(exc)
    else:
        raise AssertionError("a package without service.csv was accepted")


def test_integreat_opening_hours_become_osm_syntax() -> None:
    week = [{"allDay": False, "closed": False, "appointmentOnly": False,
             "timeSlots": [{"start": "09:00", "end": "12:00"}]}] * 5 + [
        {"allDay": True, "closed": False, "appointmentOnly": False, "timeSlots": []},
        {"allDay": False, "closed": True, "appointmentOnly": False, "timeSlots": []}]
    assert integreat.opening_hours(week) == ("Mo-Fr 09:00-12:00; Sa 00:00-24:00", False)


def test_an_integreat_poi_export_is_read() -> None:
    db = open_db(memory=True)
    result = import_path(db, DATA / "integreat_pois.csv", actor="test")
    assert result.ok, [str(p) for p in result.errors]
    cafe, talk = get_offer(db, "901"), get_offer(db, "902")
    assert cafe is not None and talk is not None
    assert cafe.name == "Beratungscafé (Beispiel)" and cafe.categories == ("counselling",)
    assert cafe.opening_hours == "Mo-We,Fr 09:00-12:00; Th 09:00-12:00,14:00-17:00"
    assert cafe.barrier_free is True and cafe.organisation == "Beispielverein" and not cafe.approximate
    assert talk.opening_hours == "We 16:00-18:00" and talk.appointment is True
    assert not talk.active and talk.approximate  # archived in Integreat; no coordinates


def test_cli_exports_hsds_and_imports_it_back(tmp_path: Path) -> None:
    env = {"LOTSE_DB": str(tmp_path / "lotse.db")}
    runner = CliRunner()
    assert runner.invoke(cli, ["offers", "import", str(DATA / "angebote_deutsch.csv")], env=env).exit_code == 0
    out = runner.invoke(cli, ["offers", "export", str(tmp_path / "hsds.zip")], env=env)
    assert out.exit_code == 0 and "5 offers" in out.output
    back = runner.invoke(cli, ["offers", "import", str(tmp_path / "hsds.zip"), "--dry-run"], env=env)
    assert back.exit_code == 0 and "0 new, 0 changed, 5 unchanged" in back.output
