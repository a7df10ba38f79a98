"""Syncing offers from the sources districts keep: a recorded Integreat region (3 languages, 20 locations) and a
recorded Overpass answer (30 objects) served by local fakes, synced into Kreis Unna, then changed recordings:
the right offers are added, updated and archived, hand edits survive, and the chat credits OpenStreetMap."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakesources import RECORDINGS, FakeSources, fake_sources
from sqlite_utils import Database

from bot.cli import cli
from bot.engine import Engine
from bot.engine.models import Incoming
from bot.offers import write
from bot.offers.db import open_db
from bot.offers.store import get_offer
from bot.sources import categories, sync
from bot.sources.geocoder import Geocoder
from bot.sources.http import SourceError
from bot.sources.run import sync_integreat, sync_osm
from bot.store import Store, open_store
from bot.store.ratelimit import SharedRateLimiter
from bot.telegram.render import place_block
from bot.web.replies import reply_json

UNNA = "05978"


@pytest.fixture
def fake() -> Iterator[FakeSources]:
    with fake_sources() as server:
        yield server


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_db(tmp_path / "lotse.db")


def _audit_count(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM audit").fetchone()[0])


def _integreat(db: Database, fake: FakeSources) -> sync.Report:
    return sync_integreat(db, fake.url, "testregion", district=UNNA, geocoder_url=fake.url)


def _osm(db: Database, fake: FakeSources) -> sync.Report:
    return sync_osm(db, f"{fake.url}/api/interpreter", UNNA)


def test_integreat_region_is_synced_in_every_language_and_kept_current(db: Database,
                                                                              fake: FakeSources) -> None:
    first = _integreat(db, fake)
    # 20 locations; "Freizeittreff" (4 of them) is no Lotse category until staff map it: reported, not guessed.
    assert len(first.added) == 16 and not first.updated and not first.archived
    assert any("'Freizeittreff' is not mapped" in note for note in first.notes)
    assert sorted(fake.locations_requests) == ["testregion/ar", "testregion/de", "testregion/en"]
    kita = get_offer(db, "integreat-testregion-900")
    assert kita is not None and kita.name == "Kita Lünen 0" and kita.names["en"] == "Daycare Lünen 0"
    assert kita.names["ar"] == "روضة Lünen 0" and kita.descriptions["de"] == "Hilfe für Familien in Lünen."
    assert kita.opening_hours == "Mo-We,Fr 09:00-12:00; Th 09:00-12:00,14:00-18:00"
    assert kita.phone == "02306 9999-00" and kita.organisation == "Beispiel-Träger e.V." and kita.barrier_free
    assert kita.source == "https://integreat.app/testregion/de/locations/ort-0/" and kita.source_date == "2026-11-02"
    assert not kita.approximate and kita.district == "Kreis Unna"
    violence = get_offer(db, "integreat-testregion-903")
    assert violence is not None and violence.categories == ("violence_protection",)
    # Two locations without coordinates were placed by the geocoder, not at their postcode's centre.
    geocoded = get_offer(db, "integreat-testregion-905")
    assert geocoded is not None and not geocoded.approximate
    assert geocoded.lat == pytest.approx(51.4439 + 0.0031)  # Schwerte 58239, a little off the postcode's centre
    assert len(fake.geocoder_requests) == 2 and all("Lotse" in ua for ua in fake.user_agents)

    # A second run changes nothing, writes no audit row and asks the geocoder nothing (cached).
    audit = _audit_count(db)
    again = _integreat(db, fake)
    assert (again.added, again.updated, again.archived, again.unchanged) == ([], {}, [], 16)
    assert _audit_count(db) == audit and len(fake.geocoder_requests) == 2

    # Staff change a phone number by hand, and map the unknown category.
    write.save(db, {"id": "integreat-testregion-903", "phone": "02306 5555-55"}, "anna")
    categories.set_mapping(db, "integreat", "Freizeittreff", "Sport und Freizeit", "anna")
    fake.use(2)
    changed = _integreat(db, fake)
    assert "integreat-testregion-920" in changed.added  # new at the source
    assert {"integreat-testregion-904", "integreat-testregion-909"} <= set(changed.added)  # mapped now
    assert changed.archived == ["integreat-testregion-902"]  # gone from the source: archived, not deleted
    assert changed.updated["integreat-testregion-901"] == ["phone"]
    assert changed.updated["integreat-testregion-903"] == ["website"]
    assert changed.kept == {"integreat-testregion-903": ["phone"]}  # the hand edit survives
    edited = get_offer(db, "integreat-testregion-903")
    assert edited is not None and edited.phone == "02306 5555-55"
    assert edited.website == "https://neu.example-traeger-3.de/"
    archived = get_offer(db, "integreat-testregion-902")
    assert archived is not None and not archived.active
    actors = {e.actor for e in write.history(db, "integreat-testregion-901")}
    assert actors == {"sync:integreat:testregion:05978"}
    runs = sync.last_runs(db)
    assert [(r.added, r.updated, r.archived) for r in runs] == [(5, 2, 1)]


def test_osm_objects_of_a_district_become_offers_with_the_credit(db: Database, fake: FakeSources) -> None:
    first = _osm(db, fake)
    # 30 objects: 12 + 2 unnamed Kitas, 6 schools, 4 town halls, 3 counselling for migrants, 3 doctors (a kind the
    # district did not choose); the unnamed ones are counted, not invented.
    assert len(first.added) == 25 and any("2 objects without a name" in n for n in first.notes)
    query = fake.overpass_queries[0]
    assert '"de:amtlicher_gemeindeschluessel"="05978"' in query and '["amenity"="kindergarten"]' in query
    assert "doctors" not in query
    way = get_offer(db, "osm-w100000")
    assert way is not None and way.categories == ("kita",) and way.names["ar"] == "روضة Lünen"
    assert way.opening_hours == "Mo-Fr 07:00-16:30" and way.phone == "+49 2306 777700"
    assert way.attribution == "© OpenStreetMap contributors (ODbL)"
    assert way.source == "https://www.openstreetmap.org/way/100000"
    counselling = get_offer(db, "osm-n100022")
    assert counselling is not None and counselling.categories == ("counselling",)

    again = _osm(db, fake)
    assert (again.added, again.updated, again.archived) == ([], {}, [])

    write.save(db, {"id": "osm-n100019", "phone": "02306 100-0"}, "anna")  # a town hall's number by hand
    fake.use(2)
    changed = _osm(db, fake)
    assert changed.added == ["osm-n100100"] and changed.archived == ["osm-n100001"]
    assert changed.updated == {"osm-w100012": ["opening_hours"]}
    town_hall = get_offer(db, "osm-n100019")
    assert town_hall is not None and town_hall.phone == "02306 100-0"


def test_the_chat_credits_openstreetmap_under_its_offers(db: Database, fake: FakeSources) -> None:
    _osm(db, fake)
    engine = Engine(db, default_lang="de")
    reply = engine.handle(Incoming("u1", text="Kita in Lünen"))
    places = [p for m in reply.messages for p in m.places]
    assert places and all(p.attribution == "© OpenStreetMap contributors (ODbL)" for p in places)
    shown = reply_json(reply)["messages"]
    assert any(p["attribution"] == "© OpenStreetMap contributors (ODbL)" for m in shown for p in m["places"])
    assert "© OpenStreetMap contributors (ODbL)" in place_block(places[0], rtl=False)


def test_a_source_that_returns_nothing_archives_nothing(db: Database, fake: FakeSources,
                                                              tmp_path: Path) -> None:
    _osm(db, fake)
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"elements": []}))
    with pytest.raises(SourceError, match="returned no objects"):
        sync.apply(db, "osm", UNNA, [])
    assert db.execute("SELECT count(*) FROM offers WHERE active = 1").fetchone()[0] == 25


def test_an_unreachable_source_is_a_clear_error_kept_for_the_admin(db: Database) -> None:
    with pytest.raises(SourceError, match="cannot be reached"):
        sync_osm(db, "http://127.0.0.1:9/api/interpreter", UNNA)
    run = sync.last_runs(db)[0]
    assert run.source == "osm" and run.error is not None and "cannot be reached" in run.error


def test_the_cli_syncs_from_the_configured_servers(fake: FakeSources, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTSE_OVERPASS_API", f"{fake.url}/api/interpreter")
    monkeypatch.setenv("LOTSE_INTEGREAT_API", fake.url)
    db_path = tmp_path / "cli.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db_path), "offers", "sync", "osm",
                                                          "--district", UNNA])
    assert result.exit_code == 0, result.output
    assert "25 new, 0 changed, 0 archived, 0 unchanged offers were synced from osm 05978" in result.output
    result = runner.invoke(cli, ["--db", str(db_path), "offers", "sync", "integreat",
                                                          "testregion", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "16 new" in result.output and "would be synced" in result.output
    result = runner.invoke(cli, ["--db", str(db_path), "offers", "sync", "integreat",
                                                          "nowhere"])
    assert result.exit_code == 1 and "HTTP 404" in result.output


async def test_lotse_serve_runs_the_configured_syncs_on_a_schedule(fake: FakeSources, tmp_path: Path) -> None:
    from aiohttp import web

    from bot.config import Settings
    from bot.server import create_server
    from bot.sources.schedule import parse_jobs
    from bot.web.syncing import SYNCED

    settings = Settings(db_path=tmp_path / "serve.db", overpass_api=f"{fake.url}/api/interpreter",
                        integreat_api=fake.url, sync_jobs=parse_jobs("osm:05978 integreat:testregion:05978"))
    app = create_server(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await asyncio.wait_for(app[SYNCED].wait(), timeout=120)
    finally:
        await runner.cleanup()
    done = {(r.source, r.scope): r.added for r in sync.last_runs(open_db(tmp_path / "serve.db"))}
    assert done == {("osm", "05978"): 25, ("integreat", "testregion:05978"): 16}


def test_exports_carry_the_openstreetmap_credit(db: Database, fake: FakeSources, tmp_path: Path) -> None:
    import csv
    import zipfile

    from bot.offers.export import export_file
    from bot.offers.formats import hsds

    _osm(db, fake)
    export_file(db, tmp_path / "offers.csv")
    rows = list(csv.DictReader((tmp_path / "offers.csv").read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert {r["attribution"] for r in rows if r["id"].startswith("osm-")} == {"© OpenStreetMap contributors (ODbL)"}
    export_file(db, tmp_path / "offers.json")
    assert json.loads((tmp_path / "offers.json").read_text())[0]["attribution"] == "© OpenStreetMap contributors (ODbL)"
    hsds.export(db, tmp_path / "hsds.zip")
    with zipfile.ZipFile(tmp_path / "hsds.zip") as archive:
        assert "© OpenStreetMap contributors (ODbL)" in archive.read("service.csv").decode()
    runner = CliRunner()
    shown = runner.invoke(cli, ["--db", str(tmp_path / "lotse.db"), "offers", "show", "osm-w100000"])
    assert "© OpenStreetMap contributors (ODbL)" in shown.output


@pytest.mark.parametrize("broken", [
    {"opening_hours": [{"timeSlots": [1]}] * 7},  # a slot that is a number
    {"opening_hours": [{"timeSlots": [{"start": "25:00", "end": "x"}]}] * 7},
    {"opening_hours": "immer"},
    {"location": None, "category": "Kita"},
    {"available_languages": ["en"], "organization": 7, "content": None},
])
def test_odd_integreat_locations_never_break_a_sync(broken: dict[str, object]) -> None:
    from bot.sources import integreat

    item = {**json.loads((RECORDINGS / "integreat_v1_de.json").read_text())[0], **broken}
    notes: list[str] = []
    found = integreat.records("testregion", [item], {}, {}, notes)
    assert all(r.values["opening_hours"] in ("", "Mo-Su 00:00-24:00") or ":" in r.values["opening_hours"]
               for r in found)
    report = sync.apply(open_db(memory=True), "integreat", "testregion", found)
    assert len(report.added) + len(report.notes) + len(notes) >= 1


def test_offers_imported_at_their_postcode_are_placed_at_their_address(fake: FakeSources, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    db_path = tmp_path / "sheet.db"
    db = open_db(db_path)
    write.save(db, {"id": "s1", "name_de": "Beratung", "categories": ["counselling"], "street": "Marktstraße 1",
                    "postcode": "44532", "lat": 51.6067, "lon": 7.5241, "approximate": 1}, "import")
    write.save(db, {"id": "s2", "name_de": "Kita", "categories": ["kita"], "postcode": "44532", "lat": 51.6067,
                    "lon": 7.5241, "approximate": 1}, "import")  # no street: nothing to ask
    monkeypatch.setenv("LOTSE_GEOCODER_URL", fake.url)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "offers", "locate"])
    assert result.exit_code == 0 and "1 of 1 offers placed at their address" in result.output, result.output
    placed = get_offer(db, "s1")
    assert placed is not None and not placed.approximate and placed.lat == pytest.approx(51.6067 + 0.0031)
    assert write.history(db, "s1")[-1].actor == "geocoder" and len(fake.geocoder_requests) == 1
    monkeypatch.delenv("LOTSE_GEOCODER_URL")
    refused = CliRunner().invoke(cli, ["--db", str(db_path), "offers", "locate"])
    assert refused.exit_code == 1 and "LOTSE_GEOCODER_URL is not set" in refused.output


@pytest.fixture
def instances(database_url: str) -> Iterator[list[Store]]:
    """Three instances' stores on one database (a SQLite file, or PostgreSQL)."""
    with open_store(database_url) as a, open_store(database_url) as b, open_store(database_url) as c:
        yield [a, b, c]


def test_three_instances_ask_the_geocoder_once_per_address(instances: list[Store], fake: FakeSources) -> None:
    geocoders = [Geocoder(store, fake.url, interval=0.001) for store in instances]
    points = [g.locate("Rathausplatz 1", "59423", "Unna") for g in geocoders]
    assert points[0] is not None and points == [points[0]] * 3
    assert [g.locate("Nirgendwo 1", "99999", "Nirgendwo") for g in geocoders] == [None] * 3  # "not found" kept
    assert len(fake.geocoder_requests) == 2


def test_instances_on_postgresql_ask_the_geocoder_at_most_once_a_second_together(
        pg_url: str, fake: FakeSources) -> None:
    clock, slept = [1000.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    with open_store(pg_url) as a, open_store(pg_url) as b:
        geocoders = [Geocoder(store, fake.url, sleep=sleep) for store in (a, b)]
        for g in geocoders:
            assert isinstance(g.shared, SharedRateLimiter)
            g.shared.clock = lambda: clock[0]
        geocoders[0].locate("Rathausplatz 1", "59423", "Unna")
        assert slept == []
        geocoders[1].locate("Markt 2", "59174", "Kamen")  # another instance, another address: it waits its second
        assert slept == [pytest.approx(1.0)] and len(fake.geocoder_requests) == 2
