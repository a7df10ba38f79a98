"""PostgreSQL restarting under a running Lotse: the person is asked kindly to write again, nothing is lost."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pgcluster
from demodb import demo_db
from serving import serving

from bot.config import Settings
from bot.store import open_store
from bot.store.copy import seed_offers


async def test_a_restarting_postgresql_gets_a_kind_answer_and_the_conversation_goes_on(tmp_path: Path) -> None:
    with pgcluster.running() as pg:  # its own cluster: stopping it must not touch the other tests' one
        settings = Settings(db_path=tmp_path / "lotse.db", database_url=pg.url)
        demo_db(settings.db_path)
        with open_store(f"sqlite:///{settings.db_path}") as own, open_store(pg.url) as shared:
            assert seed_offers(own, shared) == 765  # what `lotse setup` does: the offers move to PostgreSQL
        async with serving(settings) as base, aiohttp.ClientSession() as http:
            async def say(words: str) -> tuple[int, dict[str, object]]:
                async with http.post(f"{base}/api/chat", json={"session": "s-9", "text": words, "lang": "de"}) as r:
                    answer: dict[str, object] = await r.json()
                    return r.status, answer

            asked, _ = await say("Ich suche eine Kita")
            pg.stop()
            down, apology = await say("Unna")
            pg.start()
            back, answered = await say("Unna")
    assert asked == 200
    assert down == 503 and "in einer Minute" in str(apology["error"])  # a kind word, in the person's language
    messages = answered["messages"]
    assert back == 200 and isinstance(messages, list) and any(m["places"] for m in messages)  # still awaited
