"""Two Lotse instances on one shared state (SQLite file or PostgreSQL): a person's conversation and their handoff
go on whichever instance answers the next message."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
from demodb import demo_db

from bot import i18n
from bot.bench.fakebotapi import FakeBotAPI
from bot.config import StaffConfig, StaffDesk
from bot.engine import Engine, Incoming, Reply
from bot.nlu import default_nlu
from bot.offers.db import open_db
from bot.store import open_store
from bot.store.copy import seed_offers

ASK = "Ich möchte mit einem Menschen sprechen"


def text(reply: Reply) -> str:
    return i18n.strip_isolates("\n".join(m.text for m in reply.messages))


@pytest.fixture
def instances(tmp_path: Path, database_url: str) -> Iterator[tuple[Engine, Engine]]:
    """Two engines, each with its own connections: the key file beside the offers file is the same deployment's
    (every instance is given it), the conversations live in the shared database, and so do the offers on
    PostgreSQL (`lotse setup` copies the file's there)."""
    offers = tmp_path / "offers" / "lotse.db"
    demo_db(offers)
    if database_url.startswith("postgresql"):
        with open_store(f"sqlite:///{offers}") as own, open_store(database_url) as shared:
            seed_offers(own, shared)
    staff = StaffConfig((StaffDesk(-1001, None, "KI Test", None, 4),), 90)
    with open_store(database_url) as one, open_store(database_url) as two:
        # Each its own copy of the classifiers, as in two processes: what one is taught reaches the other only
        # through the database.
        yield (Engine(open_db(offers), nlu=copy.copy(default_nlu()), default_lang="de", staff=staff, store=one),
               Engine(open_db(offers), nlu=copy.copy(default_nlu()), default_lang="de", staff=staff, store=two))


def test_a_question_asked_on_one_instance_is_answered_on_the_other(instances: tuple[Engine, Engine]) -> None:
    one, two = instances
    asked = one.handle(Incoming("tg:501", text="Ich suche eine Kita", lang_hint="de"))
    assert asked.intent == "kita" and not any(m.places for m in asked.messages)  # Lotse asks where
    answered = two.handle(Incoming("tg:501", text="Unna", lang_hint="de"))
    assert answered.intent == "kita" and "Unna" in text(answered)
    assert any(m.places for m in answered.messages), text(answered)


def test_a_handoff_opened_on_one_instance_holds_on_the_other(instances: tuple[Engine, Engine]) -> None:
    one, two = instances
    opened = one.handle(Incoming("tg:502", text=ASK + " in Lünen", lang_hint="de"))
    assert opened.handoff is not None and "KI Test" in text(opened)
    relayed = two.handle(Incoming("tg:502", text="Ich brauche Hilfe beim Antrag", lang_hint="de"))
    assert relayed.handoff is not None and relayed.handoff.relay  # passed to the team, not answered by the bot
    handoff = two.handoff.store.open_for(two.sessions.key("tg:502"))
    assert handoff is not None and handoff.place_name == "Lünen" and handoff.relayed == 1


def test_forget_on_one_instance_leaves_nothing_on_the_other(instances: tuple[Engine, Engine]) -> None:
    one, two = instances
    one.handle(Incoming("tg:503", text="Deutschkurs in Kamen", lang_hint="de"))
    assert two.sessions.load("tg:503").place_name == "Kamen"
    two.handle(Incoming("tg:503", button="forget:yes"))
    assert one.sessions.load("tg:503").place_name is None


def test_an_example_taught_on_one_instance_is_understood_on_the_other(instances: tuple[Engine, Engine]) -> None:
    one, two = instances
    words = "Plimbo Quargel Wumms"  # words of no topic: first a miss, queued for review
    assert two.handle(Incoming("tg:504", text=words, lang_hint="de")).intent is None
    [queued] = [e for e in one.learning.queue() if e.text == words]  # the other instance's miss, reviewed here
    one.learning.resolve(queued.key, "interpreter", "amira")
    assert two.handle(Incoming("tg:505", text=words, lang_hint="de")).intent == "interpreter"
    assert one.learning.queue_size() == two.learning.queue_size() == 0


async def test_two_servers_on_one_postgresql_carry_a_web_chat_and_its_rate_limit(tmp_path: Path,
                                                                                  pg_url: str) -> None:
    """Two real `lotse serve` apps (each with its engine worker process): the person's first message reaches one,
    the answer to "Where?" the other, as a round-robin load balancer would send them; and a sender's allowance
    is one, not one per instance."""
    import aiohttp
    from serving import serving

    from bot.config import Settings

    settings = Settings(db_path=tmp_path / "lotse.db", database_url=pg_url, rate_burst=3, rate_per_minute=1)
    demo_db(settings.db_path)
    with open_store(f"sqlite:///{settings.db_path}") as own, open_store(pg_url) as shared:
        seed_offers(own, shared)
    async with serving(settings) as first, serving(settings) as second, aiohttp.ClientSession() as http:
        async def say(base: str, session: str, words: str) -> tuple[int, dict[str, object]]:
            async with http.post(f"{base}/api/chat", json={"session": session, "text": words, "lang": "uk"}) as r:
                answer: dict[str, object] = await r.json()
                return r.status, answer

        assert (await say(first, "s-7f3a", "Шукаю дитячий садок"))[0] == 200
        status, answered = await say(second, "s-7f3a", "Unna")
        limited = [(await say(base, "s-limit", "Привіт"))[0] for base in (first, second, first, second)]
        status_refused, refused = await say(first, "s-limit", "Привіт")
    messages = answered["messages"]
    assert status == 200 and isinstance(messages, list) and any(m["places"] for m in messages)
    with open_store(pg_url) as store:
        assert store.one("SELECT place_name FROM sessions WHERE last_intent = 'kita'") == ("Unna",)
    assert limited == [200, 200, 200, 429] and status_refused == 429
    assert "хвилин" in str(refused)  # the kind message, in the person's language


def test_a_lock_held_by_one_instance_is_refused_to_the_other_until_given_back(pg_url: str) -> None:
    with open_store(pg_url) as one, open_store(pg_url) as two:
        held = one.hold("telegram-poller:abc")
        assert held is not None and two.hold("telegram-poller:abc") is None
        held.close()
        again = two.hold("telegram-poller:abc")
        assert again is not None
        again.close()


async def test_a_second_telegram_poller_on_one_postgresql_is_refused(tmp_path: Path, pg_url: str,
                                                                    api: FakeBotAPI) -> None:
    from aiohttp import web
    from serving import serving

    from bot.config import Settings
    from bot.server import StartRefused, create_server

    settings = Settings(db_path=tmp_path / "lotse.db", database_url=pg_url, telegram_token=api.token,
                        telegram_api_base_url=api.base_url)
    demo_db(settings.db_path)
    async with serving(settings):
        second = web.AppRunner(create_server(settings))
        try:
            with pytest.raises(StartRefused, match="LOTSE_WEBHOOK_URL"):
                await second.setup()
        finally:
            await second.cleanup()  # what the refused start had opened (its engine worker) is closed again
        api.drain()
