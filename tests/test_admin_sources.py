"""The admin for sources: when each source last synced and what changed (German first), mapping Integreat's
categories, removing the example offers, the week table of opening hours, and the map to place an offer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db
from fakesources import FakeSources, fake_sources

from bot.config import Settings
from bot.offers.db import open_db
from bot.offers.store import get_offer
from bot.sources.run import sync_integreat
from bot.sources.schedule import parse_jobs
from bot.web.admin import accounts
from bot.web.app import create_app

PASSWORD = "sonnenblume-42"


@pytest.fixture
def fake() -> Iterator[FakeSources]:
    with fake_sources() as server:
        yield server


@pytest.fixture
async def staff(tmp_path: Path, fake: FakeSources) -> AsyncIterator[TestClient]:
    db_path = tmp_path / "lotse.db"
    db = demo_db(db_path)
    accounts.add_user(db, "anna", PASSWORD, "editor")
    sync_integreat(db, fake.url, "testregion", district="05978", geocoder_url=fake.url)
    db.close()
    settings = Settings(db_path=db_path, integreat_api=fake.url, geocoder_url=fake.url,
                        sync_jobs=parse_jobs("integreat:testregion:05978"))
    async with TestClient(TestServer(create_app(settings))) as client:
        page = await (await client.get("/admin/login")).text()
        token = re.search(r'name="login_csrf" value="([^"]+)"', page)
        assert token
        await client.post("/admin/login", data={"name": "anna", "password": PASSWORD, "login_csrf": token.group(1)})
        yield client


async def _csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', await (await client.get(path)).text())
    assert found
    return found.group(1)


async def test_the_sources_page_says_in_german_what_the_last_sync_changed(staff: TestClient) -> None:
    html = await (await staff.get("/admin/sources")).text()
    assert "Letzter Abgleich" in html and "integreat testregion:05978" in html
    assert "16 neu, 0 geändert, 0 archiviert" in html
    assert "Die Integreat-Kategorie „Freizeittreff“ ist keiner Lotse-Kategorie zugeordnet: 4 Orte" in html
    assert "not mapped" not in html and "left out" not in html  # German first, no English in between
    english = await (await staff.get("/admin/sources?lang=en")).text()
    assert "Last sync" in english and "Integreat category &#39;Freizeittreff&#39; is not mapped" in english


async def test_staff_map_a_category_and_the_next_sync_takes_those_locations(staff: TestClient,
                                                                           fake: FakeSources) -> None:
    token = await _csrf(staff, "/admin/sources")
    resp = await staff.post("/admin/sources/categories", data={"csrf": token, "label": "Freizeittreff",
                                                               "categories": "sports_leisure"})
    assert resp.status == 200 and "Gespeichert. Der nächste Abgleich verwendet es." in await resp.text()
    resp = await staff.post("/admin/sources/sync", data={"csrf": token})
    html = await resp.text()
    assert resp.status == 200 and "Abgleich beendet." in html and "4 neu, 0 geändert, 0 archiviert" in html
    db = open_db(_db(staff))
    offer = get_offer(db, "integreat-testregion-904")
    assert offer is not None and offer.categories == ("sports_leisure",)


def _db(client: TestClient) -> Path:
    from bot.web.keys import SETTINGS

    return client.server.app[SETTINGS].db_path


async def test_removing_the_examples_in_the_admin_keeps_real_offers(staff: TestClient) -> None:
    page = await (await staff.get("/admin/sources")).text()
    examples = open_db(_db(staff)).execute("SELECT count(*) FROM offers WHERE example = 1").fetchone()[0]
    assert examples > 0 and f"{examples} Beispielangebote" in page
    token = await _csrf(staff, "/admin/sources")
    unconfirmed = await staff.post("/admin/examples/remove", data={"csrf": token})
    assert "Nichts entfernt" in await unconfirmed.text()
    done = await staff.post("/admin/examples/remove", data={"csrf": token, "confirm": "1"})
    assert "Die Beispielangebote wurden entfernt." in await done.text()
    db = open_db(_db(staff))
    assert db.execute("SELECT count(*) FROM offers WHERE example = 1").fetchone()[0] == 0
    assert get_offer(db, "nat-116016") is not None and get_offer(db, "integreat-testregion-900") is not None
    history = await (await staff.get("/admin/offers/demo-kita-44532-luenen")).text()
    assert history  # the removal is in the audit trail (404 page for the offer itself is fine)


async def test_the_hours_preview_shows_the_week_as_understood(staff: TestClient) -> None:
    data = await (await staff.get("/admin/hours", params={"text": "Mo-Fr 9-12 Uhr, Do 14-18 Uhr"})).json()
    assert data["ok"] and dict(data["week"])["Donnerstag"] == "09:00–12:00, 14:00–18:00"
    assert dict(data["week"])["Samstag"] == "geschlossen"
    form = await (await staff.get("/admin/offers/integreat-testregion-900/edit")).text()
    assert 'id="hours-week"' in form and "<th>Donnerstag</th><td>09:00–12:00, 14:00–18:00</td>" in form


async def test_the_form_shows_the_point_on_a_map_and_geocodes_a_typed_address(staff: TestClient,
                                                                              fake: FakeSources) -> None:
    form = await (await staff.get("/admin/offers/integreat-testregion-900/edit")).text()
    assert '<svg id="map"' in form and 'id="map-point"' in form and "Mitte des Postleitzahlgebiets" in form
    token = await _csrf(staff, "/admin/offers/new")
    resp = await staff.post("/admin/offers/new", data={
        "csrf": token, "action": "save", "id": "t-geo", "name_de": "Neue Beratung", "categories": "counselling",
        "street": "Kurt-Schumacher-Straße 41", "postcode": "44532", "city": "Lünen"})
    assert resp.status == 200
    offer = get_offer(open_db(_db(staff)), "t-geo")
    assert offer is not None and not offer.approximate and offer.lat == pytest.approx(51.6067 + 0.0031)
    assert fake.geocoder_requests[-1]["street"] == "Kurt-Schumacher-Straße 41"


async def test_a_failed_sync_is_shown_with_its_reason_in_german(staff: TestClient) -> None:
    from bot.sources.sync import record_failure

    db = open_db(_db(staff))
    record_failure(db, "osm", "05978", "http://127.0.0.1:9/api/interpreter: cannot be reached (Connection refused)")
    html = await (await staff.get("/admin/sources")).text()
    assert "http://127.0.0.1:9/api/interpreter ist nicht erreichbar (Connection refused)" in html
