"""The staff side has its own queue: a person's web chat request never waits for the staff group (Telegram's
limit on messages into a group), and what piles up meanwhile reaches the team as one message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from demodb import demo_db
from serving import serving

from bot.bench.fakebotapi import FakeBotAPI
from bot.config import Settings, StaffConfig, StaffDesk

STAFF_CHAT = -1009876543210


@pytest.fixture
async def server(tmp_path: Path, api: FakeBotAPI) -> AsyncIterator[str]:
    demo_db(tmp_path / "lotse.db")
    settings = Settings(db_path=tmp_path / "lotse.db", telegram_token=api.token,
                        telegram_api_base_url=api.base_url,
                        staff=StaffConfig((StaffDesk(STAFF_CHAT, None, "KI Kreis Unna", None, 2),)))
    async with serving(settings) as url:
        try:
            yield url
        finally:
            api.drain()


async def test_a_person_never_waits_for_the_staff_group(server: str, api: FakeBotAPI) -> None:
    async with aiohttp.ClientSession(server) as http:
        async def say(text: str) -> dict[str, object]:
            resp = await http.post("/api/chat", json={"session": "queue-1", "text": text, "lang": "de"})
            assert resp.status == 200
            body: dict[str, object] = await resp.json()
            return body

        assert (await say("Ich möchte mit einer Person sprechen"))["handoff"]
        held = api.hold("createForumTopic", "sendMessage")  # the group's limit: Telegram makes the bot wait
        # Each POST returns while the staff group is still held: had it waited for the group, it never would.
        for text in ("Ich habe eine Frage zur Anmeldung", "Wann kann ich kommen?", "Danke!"):
            reply = await asyncio.wait_for(say(text), 20)
            assert reply["handoff"]
        assert not api.sent(STAFF_CHAT, ["sendMessage"])
        held.set()
        await api.wait_for("createForumTopic", chat_id=STAFF_CHAT)
        await api.settle()
        texts = [c.text for c in api.sent(STAFF_CHAT, ["sendMessage"])]
        joined = "\n".join(texts)
        for text in ("Ich habe eine Frage zur Anmeldung", "Wann kann ich kommen?", "Danke!"):
            assert joined.count(text) == 1, texts
        assert len(texts) <= 3, texts  # the opening, then the waiting messages batched
