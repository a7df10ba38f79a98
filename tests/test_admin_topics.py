"""The admin's topic pages: every topic with the languages it lacks, a staff topic added and changed, a district's
answer in one language, and a topic made from a group of the review queue."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db
from serving import first_admin

from bot.config import Settings
from bot.knowledge.store import district_answers, staff_topics
from bot.web.app import create_app
from bot.web.keys import STORE

REPAIR = {"name": "Reparaturcafé", "answer_de": "Im Reparaturcafé reparieren Ehrenamtliche mit Ihnen kaputte Geräte.",
          "examples": "reparaturcafé\nwo kann ich etwas reparieren lassen\nأين يمكنني إصلاح دراجتي", "menu": "more",
          "district": "05978", "link": ""}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    db_path = tmp_path / "lotse.db"
    demo_db(db_path)
    async with TestClient(TestServer(create_app(Settings(db_path=db_path)))) as test_client:
        await first_admin(test_client, "kim")
        yield test_client


async def csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', await (await client.get(path)).text())
    assert found
    return found.group(1)


async def add(client: TestClient, **changes: str) -> tuple[int, str]:
    data = {**REPAIR, **changes, "csrf": await csrf(client, "/admin/topics/new")}
    resp = await client.post("/admin/topics/new", data=data, allow_redirects=False)
    return resp.status, await resp.text()


async def test_a_topic_added_in_the_form_is_stored_with_its_examples_in_their_languages(client: TestClient) -> None:
    status, _ = await add(client)
    assert status == 303
    topic = staff_topics(client.app[STORE])["reparaturcafe"]
    assert topic.name == "Reparaturcafé" and topic.district == "05978" and not topic.needs_place
    assert topic.examples["de"] == ("reparaturcafé", "wo kann ich etwas reparieren lassen")
    assert topic.examples["ar"] == ("أين يمكنني إصلاح دراجتي",)
    page = await (await client.get("/admin/topics")).text()
    row = re.search(r'<tr data-id="reparaturcafe">.*?</tr>', page, re.S)
    assert row and "Reparaturcafé" in row.group() and "en, ar, fa" in row.group()
    assert 'data-id="kita"' in page and ">kita<" not in page  # built-in topics by their names, never their ids


@pytest.mark.parametrize(("changes", "shown"), [
    ({"name": ""}, "Der Name fehlt."),
    ({"answer_de": ""}, "Die deutsche Antwort (de:) fehlt"),
    ({"answer_de": "Rufen Sie 0231 9876543 an."}, "Die Telefonnummer 0231 9876543 steht nicht auf der Liste"),
    ({"examples": ""}, "Mindestens ein Beispiel ist nötig"),
    ({"district": "Unna"}, "„Unna“ ist kein AGS"),
    ({"name": "Kita"}, "kita ist ein eingebautes Thema"),
])
async def test_a_bad_form_is_shown_again_with_what_is_wrong(client: TestClient, changes: dict[str, str],
                                                            shown: str) -> None:
    status, page = await add(client, **changes)
    assert status == 422 and "Nicht gespeichert" in page and shown in page
    assert staff_topics(client.app[STORE]) == {}


async def test_a_district_writes_the_arabic_answer_of_kita(client: TestClient) -> None:
    token = await csrf(client, "/admin/topics/kita")
    resp = await client.post("/admin/topics/kita/answer", data={"csrf": token, "district": "05978", "lang": "ar",
                                                                 "text": "نص كرايس أونا"}, allow_redirects=False)
    assert resp.status == 303
    assert district_answers(client.app[STORE]) == {("kita", "05978", "ar"): "نص كرايس أونا"}
    page = await (await client.get("/admin/topics")).text()
    assert "05978: ar" in page
    bad = await client.post("/admin/topics/kita/answer", data={"csrf": token, "district": "Unna", "lang": "ar",
                                                               "text": "x"})
    assert bad.status == 422 and "fünf Ziffern" in await bad.text()


async def test_a_topic_is_made_from_a_group_of_the_review_queue(client: TestClient) -> None:
    asked = await client.post("/api/chat", data=json.dumps({"session": "s", "text": "Wo kann man Sachen flicken?"}),
                              headers={"Content-Type": "application/json"})
    assert asked.status == 200
    queue = await (await client.get("/admin/review")).text()
    link = re.search(r'href="(/admin/topics/new\?from=[^"]+)"', queue)
    assert link and "Aus dieser Gruppe ein Thema anlegen" in queue
    form = await (await client.get(link.group(1).replace("&amp;", "&"))).text()
    assert "Wo kann man Sachen flicken?</textarea>" in form
    key = re.search(r'name="from" value="([^"]+)"', form)
    assert key
    status, _ = await add(client, examples="Wo kann man Sachen flicken?", **{"from": key.group(1)})
    assert status == 303
    assert "Sachen flicken" not in await (await client.get("/admin/review")).text()


async def test_the_topic_pages_are_german_first_and_english_one_click_away(client: TestClient) -> None:
    german = await (await client.get("/admin/topics")).text()
    english = await (await client.get("/admin/topics?lang=en")).text()
    assert "Fehlende Sprachen" in german and 'href="/admin/lang?to=en"' in german
    assert "Languages missing" in english


async def test_a_queue_group_can_be_taught_as_a_staff_topic_named_by_its_name(client: TestClient) -> None:
    assert (await add(client))[0] == 303
    asked = await client.post("/api/chat", data=json.dumps({"session": "s", "text": "Wo kann man Sachen flicken?"}),
                              headers={"Content-Type": "application/json"})
    assert asked.status == 200
    queue = await (await client.get("/admin/review")).text()
    assert '<option value="reparaturcafe"' in queue and ">Reparaturcafé</option>" in queue
    key = re.search(r'name="key" value="([^"]+)"', queue)
    assert key
    taught = await client.post("/admin/review", data={"csrf": await csrf(client, "/admin/review"), "key": key.group(1),
                                                      "action": "teach", "intent": "reparaturcafe"},
                               allow_redirects=False)
    assert taught.status == 303, await taught.text()
    learned = await (await client.get("/admin/learned")).text()
    assert "Wo kann man Sachen flicken?" in learned and "Reparaturcafé" in learned
