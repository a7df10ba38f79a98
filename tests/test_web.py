"""The web chat API through aiohttp's test client: what the browser gets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db

from bot.config import Settings
from bot.web.app import create_app


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    db_path = tmp_path / "lotse.db"
    demo_db(db_path)
    app = create_app(Settings(db_path=db_path))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_healthz(client: TestClient) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert (await resp.json())["status"] == "ok"


async def test_chat_answers_with_offers(client: TestClient) -> None:
    resp = await client.post("/api/chat", json={"session": "s1", "text": "Deutschkurs in Unna"})
    assert resp.status == 200
    data = await resp.json()
    assert data["lang"] == "de"
    places = [p for m in data["messages"] for p in m["places"]]
    assert places and {"name", "address", "distance_km", "lat", "lon", "phone", "url"} <= set(places[0])


async def test_chat_location(client: TestClient) -> None:
    await client.post("/api/chat", json={"session": "s2", "text": "Kita"})
    resp = await client.post("/api/chat", json={"session": "s2", "location": {"lat": 51.6164, "lon": 7.5228}})
    data = await resp.json()
    assert any("Kita" in p["name"] for m in data["messages"] for p in m["places"])


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"not json", "application/json"),
        (b"\xff\xfe\x00binary", "application/octet-stream"),
        (b"[1, 2]", "application/json"),
        (b'{"text": "Kita"}', "application/json"),
        (b'{"session": "s", "text": 5}', "application/json"),
        (b'{"session": "s"}', "application/json"),
        (b'{"session": "s", "location": {"lat": "x"}}', "application/json"),
        (b'{"session": "s", "location": {"lat": 999, "lon": 0}}', "application/json"),
    ],
)
async def test_bad_requests_get_json_4xx(client: TestClient, body: bytes, content_type: str) -> None:
    resp = await client.post("/api/chat", data=body, headers={"Content-Type": content_type})
    assert 400 <= resp.status < 500
    assert "error" in await resp.json()


async def test_one_megabyte_of_text_is_refused_clearly(client: TestClient) -> None:
    resp = await client.post("/api/chat", json={"session": "s", "text": "a" * 1_000_000})
    assert resp.status == 413
    assert "too large" in (await resp.json())["error"]


async def test_unknown_button_gets_menu(client: TestClient) -> None:
    resp = await client.post("/api/chat", json={"session": "s3", "button": "zzz:old"})
    assert resp.status == 200
    assert any(b["data"].startswith("t:") for m in (await resp.json())["messages"] for b in m["buttons"])


async def test_index_follows_accept_language(client: TestClient) -> None:
    resp = await client.get("/", headers={"Accept-Language": "ar-SY,ar;q=0.9,en;q=0.5"})
    html = await resp.text()
    assert resp.status == 200
    assert 'lang="ar"' in html and 'dir="rtl"' in html


async def test_forget_asks_first_then_deletes_the_session(client: TestClient) -> None:
    await client.post("/api/chat", json={"session": "s4", "button": "l:uk"})
    ask = await (await client.post("/api/chat", json={"session": "s4", "button": "forget"})).json()
    assert ask["lang"] == "uk"
    assert [b["data"] for m in ask["messages"] for b in m["buttons"]] == ["forget:yes", "m"]
    done = await (await client.post("/api/chat", json={"session": "s4", "button": "forget:yes"})).json()
    assert done["messages"][0]["text"]
    # Nothing is remembered any more: the next reply is in the default language again.
    after = await (await client.post("/api/chat", json={"session": "s4", "button": "m"})).json()
    assert after["lang"] == "de"


async def test_page_has_a_forget_button(client: TestClient) -> None:
    html = await (await client.get("/?lang=en")).text()
    assert 'id="forget"' in html and "Delete what Lotse remembers about you" in html
