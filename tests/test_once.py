"""A message sent again (a webhook retry, a page's retry) is answered once, on either engine, whichever instance
gets the repeat; a claim of an instance that died is taken over."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from demodb import demo_db
from serving import free_port, serving

from bot.bench import fakegraphapi as meta
from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakegraphapi import FakeGraphAPI
from bot.bench.fakeupdates import text_update
from bot.config import INBOX_CHAT, Settings, StaffConfig, StaffDesk, WhatsAppConfig
from bot.engine.actions import Menu
from bot.engine.models import Button, Incoming, Message, Reply
from bot.ratelimit import RateLimiter
from bot.store import open_store
from bot.store.once import Busy, Claimed, Done, Once, Recorded, web_key
from bot.telegram import journal
from bot.whatsapp.channel import Channel
from bot.whatsapp.parse import Inbound
from bot.whatsapp.render import Out

SECRET = "s3cret-Token_42"
ASK = "Ich möchte mit einem Menschen sprechen"


def test_a_message_is_claimed_once_and_its_answer_kept(database_url: str) -> None:
    with open_store(database_url) as store:
        once = Once(store)
        assert once.claim("web", "k1") == Claimed()
        assert once.claim("web", "k1") == Busy()  # this instance is at it
        once.done("web", "k1", '{"messages": []}')
        assert once.claim("web", "k1") == Done('{"messages": []}')
        assert once.claim("telegram", "k1") == Claimed()  # another channel's id of the same spelling
        once.release("telegram", "k1")
        assert once.claim("telegram", "k1") == Claimed()  # given up: the next delivery handles it
        once.close()


def test_claims_and_answers_expire(database_url: str) -> None:
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    with open_store(database_url) as store:
        once = Once(store, clock=lambda: now)
        once.claim("web", "k")
        once.done("web", "k", "{}")
        assert once.sweep(now + timedelta(minutes=20)) == 0
        assert once.claim("web", "k") == Done(None)  # the answer is forgotten first
        assert once.sweep(now + timedelta(days=1, minutes=1)) == 1
        once.close()


def test_the_claim_of_an_instance_that_died_is_taken_over(pg_url: str) -> None:
    with open_store(pg_url) as first_store, open_store(pg_url) as second_store:
        first, second = Once(first_store), Once(second_store)
        assert first.claim("whatsapp", "wamid.1") == Claimed()
        assert second.claim("whatsapp", "wamid.1") == Busy()  # the first is alive and at it
        first.close()  # its lock is given back, as when its process is killed
        assert second.claim("whatsapp", "wamid.1") == Claimed()
        second.done("whatsapp", "wamid.1")
        assert second.claim("whatsapp", "wamid.1") == Done()
        second.close()


def test_a_reply_recorded_by_an_instance_that_died_goes_to_the_one_that_takes_over(pg_url: str) -> None:
    with open_store(pg_url) as first_store, open_store(pg_url) as second_store:
        first, second = Once(first_store), Once(second_store)
        assert first.claim("whatsapp", "wamid.2") == Claimed()
        first.record("whatsapp", "wamid.2", ["112", "Wo bist du?"], 0)  # before the first message goes out
        first.record("whatsapp", "wamid.2", ["112", "Wo bist du?"], 1)  # the first went
        first.close()
        assert second.claim("whatsapp", "wamid.2") == Claimed(Recorded(["112", "Wo bist du?"], 1))
        second.done("whatsapp", "wamid.2")
        assert second.claim("whatsapp", "wamid.2") == Done()  # the record is gone with the claim's end
        second.close()


async def test_a_whatsapp_reply_is_recorded_before_it_goes_and_after_each_message() -> None:
    steps: list[tuple[str, object]] = []

    async def answer(incoming: Incoming) -> Reply:
        menu = [Button("Kita", Menu())]
        return Reply([Message("Eins", menu), Message("Zwei", menu)], "de")

    async def send(number: str, outs: list[Out]) -> None:
        steps.extend(("sent", out.text) for out in outs)

    channel = Channel(answer, send, RateLimiter(5, 5), lambda number: "de")
    channel.record = lambda message_id, values, sent: steps.append(("recorded", sent))
    handled = channel.accept(Inbound("4917000000001", "wamid.r1", text="hallo"))
    assert handled is not None and await handled
    assert steps == [("recorded", 0), ("sent", "Eins"), ("recorded", 1), ("sent", "Zwei")]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    demo_db(tmp_path / "lotse.db")
    return Settings(db_path=tmp_path / "lotse.db", database_url=database_url if "postgresql" in database_url
                    else None, staff=StaffConfig((StaffDesk(INBOX_CHAT, None, "KI Test"),), 90))


async def test_a_web_chat_retry_gets_the_same_answer_and_the_team_one_message(settings: Settings) -> None:
    async with serving(settings) as base, aiohttp.ClientSession(base) as http:
        async def say(text: str, message_id: str) -> tuple[int, str]:
            body = {"session": "s-once", "text": text, "lang": "de", "id": message_id}
            async with http.post("/api/chat", json=body) as resp:
                return resp.status, await resp.text()

        assert (await say(ASK, "m1"))[0] == 200
        first = await say("Ich habe einen Brief vom Amt", "m2")
        again = await say("Ich habe einen Brief vom Amt", "m2")  # the page's retry: the answer was lost
        assert first == again and first[0] == 200
        async with http.post("/api/chat", json={"session": "s-once", "text": "x", "id": "y" * 65}) as resp:
            assert resp.status == 400 and "64" in (await resp.json())["error"]
    with open_store(settings.database_url or f"sqlite:///{settings.db_path}") as store:
        said = store.query("SELECT text FROM inbox_messages WHERE who = 'person'")
    assert said == [("Ich habe einen Brief vom Amt",)]  # the team reads it once


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI() as api:
        yield api


async def test_a_whatsapp_delivery_sent_twice_is_answered_once(settings: Settings, graph: FakeGraphAPI) -> None:
    config = WhatsAppConfig(token="EAAG-test", phone_id=meta.PHONE_ID, app_secret=graph.app_secret,
                            verify_token="v", api_base_url=graph.base_url)
    settings = replace(settings, whatsapp=config)
    raw = meta.raw(meta.text("963944000001", "مرحبا"))
    async with serving(settings) as base, aiohttp.ClientSession(base) as http:
        sent = []
        for _ in range(2):  # Meta sends it again: the first 200 was lost on its way
            async with http.post("/whatsapp/webhook", data=raw, headers={"X-Hub-Signature-256": graph.sign(raw)}) as r:
                assert r.status == 200  # answered when the 200 comes: nothing to wait for
            sent.append(len(graph.to("963944000001")))
    assert sent[0] > 0 and sent[1] == sent[0]


async def test_a_whatsapp_retry_finishes_the_reply_an_instance_died_sending(settings: Settings,
                                                                             graph: FakeGraphAPI) -> None:
    """The instance that died had sent the first of two messages: the retry sends the second, as recorded, and
    does not ask the engine again (whose answer to a second "hello" would be another)."""
    if settings.database_url is None:
        pytest.skip("one instance on SQLite records nothing: no other instance could take over")
    config = WhatsAppConfig(token="EAAG-test", phone_id=meta.PHONE_ID, app_secret=graph.app_secret,
                            verify_token="v", api_base_url=graph.base_url)
    settings = replace(settings, whatsapp=config)
    update = meta.text("963944000002", "مرحبا")
    key = update["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    with open_store(settings.database_url) as store:
        dead = Once(store)
        dead.claim("whatsapp", key)
        dead.record("whatsapp", key, [asdict(Out("text", "Notruf 112")), asdict(Out("text", "Wo bist du?"))], 1)
        dead.close()  # as when its process is killed
    raw = meta.raw(update)
    async with serving(settings) as base, aiohttp.ClientSession(base) as http:
        async with http.post("/whatsapp/webhook", data=raw, headers={"X-Hub-Signature-256": graph.sign(raw)}) as r:
            assert r.status == 200
        async with http.post("/whatsapp/webhook", data=raw, headers={"X-Hub-Signature-256": graph.sign(raw)}) as r:
            assert r.status == 200  # and again: done now
    assert [s.text for s in graph.to("963944000002")] == ["Wo bist du?"]


async def test_a_telegram_update_sent_twice_is_answered_once(settings: Settings, api: FakeBotAPI) -> None:
    url = f"http://127.0.0.1:{free_port()}/telegram/webhook"
    settings = replace(settings, telegram_token=api.token, telegram_api_base_url=api.base_url, webhook_url=url,
                       webhook_secret=SECRET)
    update = json.dumps(text_update(401, "/menu", lang="en") | {"update_id": 7001})
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with serving(settings) as base, aiohttp.ClientSession(base) as http:
        for _ in range(2):
            async with http.post("/telegram/webhook", data=update, headers=headers) as resp:
                assert resp.status == 200  # processed before the 200
    assert [c.text for c in api.sent(401)] == ["What are you looking for?"]


async def test_a_telegram_retry_finishes_the_reply_an_instance_died_sending(settings: Settings,
                                                                             api: FakeBotAPI) -> None:
    if settings.database_url is None:
        pytest.skip("one instance on SQLite records nothing: no other instance could take over")
    url = f"http://127.0.0.1:{free_port()}/telegram/webhook"
    settings = replace(settings, telegram_token=api.token, telegram_api_base_url=api.base_url, webhook_url=url,
                       webhook_secret=SECRET)
    menu = [Button("Kita", Menu())]
    reply = Reply([Message("Notruf 112", menu), Message("Wo bist du?", menu)], "de")
    with open_store(settings.database_url) as store:
        dead = Once(store)
        dead.claim("telegram", "7002")
        dead.record("telegram", "7002", journal.values(reply, reply.messages), 1)
        dead.close()  # as when its process is killed
    update = json.dumps(text_update(402, "hallo", lang="de") | {"update_id": 7002})
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with serving(settings) as base, aiohttp.ClientSession(base) as http:
        for _ in range(2):
            async with http.post("/telegram/webhook", data=update, headers=headers) as resp:
                assert resp.status == 200
    assert [c.text for c in api.sent(402)] == ["Wo bist du?"]  # the rest, as recorded; not a greeting anew


def test_web_keys_name_no_session() -> None:
    assert "s-once" not in web_key("s-once", "m1") and web_key("s-once", "m1") != web_key("s-other", "m1")
