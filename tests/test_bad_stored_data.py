"""One offer with a source URL that does not parse (`https://[::1`) must not break any answer that lists it:
not in Telegram (real Application against the fake Bot API), not in the web chat (real Chromium)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from demodb import demo_db
from serving import serving
from sqlite_utils import Database
from test_browser import Page, page  # noqa: F401  (page is a fixture)

from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakeupdates import text_update
from bot.config import Settings
from bot.engine import Engine
from bot.telegram.runner import TelegramBot

BAD = "https://[::1"


def spoil(db: Database) -> int:
    """Give every Kita a source that no URL parser accepts; real (non-example) data shows its source."""
    with db.conn:
        cur = db.execute("UPDATE offers SET source = ?, example = 0 WHERE id IN "
                         "(SELECT offer_id FROM offer_categories WHERE category = 'kita')", [BAD])
    return cur.rowcount


async def test_telegram_lists_an_offer_whose_source_is_not_a_url(api: FakeBotAPI, db: Database) -> None:
    assert spoil(db) > 0
    settings = Settings(telegram_token=api.token, telegram_api_base_url=api.base_url)
    async with TelegramBot(settings, Engine(db), poll_timeout=5, commands=False):
        api.push(text_update(301, "Kita in Lünen", lang="en"))
        await api.wait_for("sendVenue", chat_id=301)
        api.drain()
    listing = api.sent(301, ["sendMessage"])[-1].text
    assert "Lünen" in listing and "[::1" in listing and "Sorry" not in listing


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    db_path = tmp_path / "lotse.db"
    db = demo_db(db_path)
    assert spoil(db) > 0
    async with serving(Settings(db_path=db_path)) as url:
        yield url


@pytest.mark.browser
async def test_web_chat_lists_an_offer_whose_source_is_not_a_url(server: str, page: Page) -> None:  # noqa: F811
    await page.open(server + "/", accept_language="de")
    seen = await page.ask("Kita in Lünen")
    assert seen["places"] > 0, seen["text"]
    assert "[::1" in seen["text"] and "schiefgelaufen" not in seen["text"], seen["text"]
