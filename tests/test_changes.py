"""Changes made on one instance reach the others at once (LISTEN/NOTIFY): notices, taught examples, the team
inbox's live stream and the web chat's reply stream, whichever instance serves them."""

from __future__ import annotations

import asyncio
import copy
import json
import re
import threading
from pathlib import Path

import aiohttp
import pytest
from demodb import demo_db
from inboxdesk import DESK, PASSWORD, staff
from serving import serving

from bot.config import Settings, StaffConfig
from bot.engine import Engine, Incoming
from bot.nlu import default_nlu
from bot.offers.db import open_db
from bot.store import open_store
from bot.store.changes import Changes
from bot.web.admin import accounts

ASK = "Ich möchte mit einem Menschen sprechen in Lünen"
LETTER = "Ich verstehe den Brief vom Jobcenter nicht"
ANSWER = "Kommen Sie am Dienstag mit dem Brief vorbei."
SAFETY = 120.0  # seconds before a test that waits for an event gives up (a deadline for failing, not a measure)


def test_without_listening_every_look_is_due(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'lotse.db'}") as store:
        changes = Changes(store).start()
        assert not changes.live and all(changes.due("learned") for _ in range(3))
        changes.announce("learned")  # nobody to tell: nothing happens, nothing fails
        changes.close()


def test_a_notice_reaches_the_other_instance_and_not_its_sender(pg_url: str) -> None:
    with open_store(pg_url) as one_store, open_store(pg_url) as two_store:
        one, two = Changes(one_store, clock=lambda: 0.0).start(), Changes(two_store, clock=lambda: 0.0).start()
        heard: dict[str, list[str]] = {"one": [], "two": []}
        arrived, reached_two = threading.Event(), threading.Event()
        one.on("inbox", heard["one"].append)
        one.on("learned", lambda payload: (heard["one"].append(payload), arrived.set()))
        two.on("inbox", lambda payload: (heard["two"].append(payload), reached_two.set()))
        assert one.live and one.due("learned") and not one.due("learned")  # looked once: not again until told
        one.announce("inbox", "from one")
        two.announce("learned", "from two")
        # Each instance hears on its own connection, in its own thread: two's is waited for on its own event.
        assert arrived.wait(SAFETY) and reached_two.wait(SAFETY)
        # Notices arrive at one connection in the order they were sent: by the time one heard two's, its own
        # would have come (and must have been dropped).
        assert heard["one"] == ["from two"] and heard["two"] == ["from one"]
        assert one.due("learned") and not one.due("learned")  # two's notice made it due once
        one.close()
        two.close()


def test_a_taught_example_is_announced_to_the_other_instances_engine(tmp_path: Path, pg_url: str) -> None:
    offers = tmp_path / "lotse.db"
    demo_db(offers)
    with open_store(pg_url) as one_store, open_store(pg_url) as two_store:
        one = Engine(open_db(offers), nlu=copy.copy(default_nlu()), default_lang="de", store=one_store)
        two = Engine(open_db(offers), nlu=copy.copy(default_nlu()), default_lang="de", store=two_store)
        hear_one, hear_two = Changes(one_store).start(), Changes(two_store).start()
        one.listen(hear_one)
        two.listen(hear_two)
        words = "Plimbo Quargel Wumms"
        assert two.handle(Incoming("tg:601", text=words, lang_hint="de")).intent is None
        told = threading.Event()
        hear_two.on("learned", lambda _payload: told.set())
        one.learning.teach(words, "interpreter", "amira")
        assert told.wait(SAFETY)
        assert two.handle(Incoming("tg:602", text=words, lang_hint="de")).intent == "interpreter"
        hear_one.close()
        hear_two.close()


@pytest.fixture
def settings(tmp_path: Path, pg_url: str) -> Settings:
    path = tmp_path / "lotse.db"
    db = demo_db(path)
    db.close()
    with open_store(pg_url) as store:  # accounts are shared: on PostgreSQL when the instances use it
        accounts.add_user(store, "anna", PASSWORD, "editor")
    return Settings(db_path=path, database_url=pg_url, staff=StaffConfig((DESK,)))


async def next_event(stream: aiohttp.ClientResponse) -> bytes:
    async for line in stream.content:
        if line.startswith(b"data:"):
            return line
    raise AssertionError("the stream ended")


async def test_the_inbox_and_the_reply_stream_follow_changes_made_on_another_instance(settings: Settings) -> None:
    async with (serving(settings) as one, serving(settings) as two, staff(one, "anna") as (anna, csrf),
                aiohttp.ClientSession(two) as person, asyncio.timeout(SAFETY)):
        async def say(text: str) -> None:
            async with person.post("/api/chat", json={"session": "s-far", "text": text, "lang": "de"}) as resp:
                assert resp.status == 200

        async with anna.get("/admin/inbox/events") as events:  # served by the first instance
            await next_event(events)  # the first event comes at once
            await say(ASK)  # handled by the second instance
            await next_event(events)
            listing = await (await anna.get("/admin/inbox?part=list")).text()
            [number] = re.findall(r'data-number="(\d+)"', listing)
            await say(LETTER)
            await next_event(events)
            assert LETTER in await (await anna.get(f"/admin/inbox/{number}")).text()
        async with person.get("/api/staff?session=s-far") as page:  # the person's page, on the second instance
            async with anna.post(f"/admin/inbox/{number}", data={"csrf": csrf, "action": "reply", "text": ANSWER}):
                pass
            async for line in page.content:
                if line.startswith(b"data: {\"kind\": \"staff\""):
                    assert json.loads(line[6:])["text"] == ANSWER
                    break
            else:
                raise AssertionError("the reply never reached the page")
