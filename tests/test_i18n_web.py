"""The web chat page follows the browser's language (Accept-Language) and lays out right to left where needed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db

from bot.config import Settings
from bot.i18n import LANGUAGES
from bot.web.app import create_app


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    db_path = tmp_path / "lotse.db"
    demo_db(db_path)
    async with TestClient(TestServer(create_app(Settings(db_path=db_path, default_lang="de")))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "header, lang, direction, send",
    [
        ("ar-SY,ar;q=0.9,en;q=0.5", "ar", "rtl", "إرسال"),
        ("uk-UA,uk;q=0.9,ru;q=0.6", "uk", "ltr", "Надіслати"),
        ("fa-IR", "fa", "rtl", "ارسال"),
        ("prs-AF,en;q=0.4", "fa", "rtl", "ارسال"),  # Dari speakers get Farsi
        ("ps", "ps", "rtl", "ولېږئ"),
        ("en;q=0.3, ti;q=0.8", "ti", "ltr", "ስደድ"),  # the higher quality wins, whatever the order
        ("ja-JP, so;q=0.2", "so", "ltr", "Dir"),  # the first supported one
        ("ja-JP, zh;q=0.8", "de", "ltr", "Senden"),  # none supported: the district's default
        ("", "de", "ltr", "Senden"),
    ],
)
async def test_page_follows_accept_language(
    client: TestClient, header: str, lang: str, direction: str, send: str
) -> None:
    resp = await client.get("/", headers={"Accept-Language": header} if header else {})
    html = await resp.text()
    assert resp.status == 200
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert send in html  # the page's own words are in that language


async def test_lang_parameter_overrides_the_browser(client: TestClient) -> None:
    html = await (await client.get("/?lang=ar", headers={"Accept-Language": "de-DE"})).text()
    assert 'lang="ar" dir="rtl"' in html


async def test_language_picker_lists_each_language_in_its_own_name(client: TestClient) -> None:
    html = await (await client.get("/", headers={"Accept-Language": "de"})).text()
    for code, name in LANGUAGES.items():
        assert f'<option value="{code}" lang="{code}"' in html
        assert name in html


async def test_arabic_reply_is_marked_right_to_left_with_isolated_latin(client: TestClient) -> None:
    resp = await client.post("/api/chat", json={"session": "rtl", "button": "l:ar"})
    data = await resp.json()
    assert data["lang"] == "ar" and data["rtl"] is True
    resp = await client.post("/api/chat", json={"session": "rtl", "button": "t:kita"})
    text = (await resp.json())["messages"][0]["text"]
    assert "\u2068Kita\u2069" in text  # the German word keeps its place inside the Arabic sentence


async def test_offer_heading_counts_in_the_users_language(client: TestClient) -> None:
    await client.post("/api/chat", json={"session": "uk", "button": "l:uk"})
    await client.post("/api/chat", json={"session": "uk", "location": {"lat": 51.5366, "lon": 7.6897}})  # Unna
    data = await (await client.post("/api/chat", json={"session": "uk", "button": "t:language_course"})).json()
    heading = next(m["text"] for m in data["messages"] if m["places"])
    count = len(next(m["places"] for m in data["messages"] if m["places"]))
    assert f"{count} пропозиц" in heading


async def test_a_refused_language_is_skipped_and_the_page_varies_by_language(client: TestClient) -> None:
    resp = await client.get("/", headers={"Accept-Language": "ar;q=0, tr;q=0.5"})
    assert 'lang="tr" dir="ltr"' in await resp.text()
    assert "Accept-Language" in resp.headers["Vary"] and resp.headers["Content-Language"] == "tr"
