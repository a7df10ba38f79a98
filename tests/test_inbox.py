"""The team inbox in the admin, end to end over real HTTP: people on WhatsApp (fake Graph API) and the web chat
hand their conversation to the team; staff sign in, claim, read, reply and close; replies reach the person on
their channel, also after a restart of the server, and after WhatsApp's 24-hour window as the template.
The server, the person and the signed-in staff member are tests/inboxdesk.py's (fixtures in conftest.py)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from inboxdesk import (
    AHMAD,
    HELPLINE,
    STAFF_CHAT,
    Desk,
    Server,
    act,
    db_file,
    hand_over_on_whatsapp,
    running,
    staff,
)
from serving import serving_app

from bot.bench import fakegraphapi as meta
from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakegraphapi import FakeGraphAPI
from bot.bench.fakeupdates import text_update
from bot.config import Settings, StaffConfig, StaffDesk, WhatsAppConfig
from bot.web.keys import INBOX

CLOSED_AR = "💬 أنهى الفريق هذه المحادثة."


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


async def test_a_whatsapp_conversation_is_listed_claimed_answered_with_tappable_numbers_and_closed(
        handed_over: Desk) -> None:
    server, number, anna, csrf = handed_over.server, handed_over.number, handed_over.staff, handed_over.csrf
    listing = await (await anna.get("/admin/inbox?part=list")).text()
    row = re.search(rf'<tr class="conversation" data-number="{number}">(.*?)</tr>', listing, re.S)
    assert row, listing
    assert "العربية" in row.group(1) and "WhatsApp" in row.group(1) and '<strong class="unread">1<' in row.group(1)

    page = await (await anna.get(f"/admin/inbox/{number}")).text()
    assert "عندي رسالة من مكتب الأجانب" in page
    assert (await handed_over.act("claim"))[0] == 200
    status, page = await handed_over.act("reply", f"Bitte rufen Sie uns morgen an oder {HELPLINE}.")
    assert status == 200
    last = server.api.to(AHMAD)[-1]
    assert last.text == "💬 Bitte rufen Sie uns morgen an oder +498001110111."

    async with anna.post(f"/admin/inbox/{number}", data={"csrf": csrf, "action": "close"},
                         allow_redirects=False) as resp:
        assert resp.status == 303
    assert server.api.to(AHMAD)[-1].text.startswith(CLOSED_AR), "told in Arabic that Lotse answers again"
    assert server.app[INBOX].store.open_conversations() == []


async def test_two_staff_claiming_at_once_one_gets_it_and_the_other_is_told(handed_over: Desk) -> None:
    server, number = handed_over.server, handed_over.number
    async with staff(server.url, "ben") as (ben, ben_csrf):
        results = await asyncio.gather(handed_over.act("claim"), act(ben, ben_csrf, number, "claim"))
    statuses = sorted(status for status, _page in results)
    assert statuses == [200, 409]
    loser = next(page for status, page in results if status == 409)
    winner = server.app[INBOX].store.claimed_by(number)
    assert winner in ("anna", "ben")
    assert f"{winner} is already answering" in loser or f"{winner} beantwortet" in loser


async def test_a_team_reply_after_a_restart_reaches_the_person_on_whatsapp(tmp_path: Path,
                                                                            graph_api: FakeGraphAPI) -> None:
    async with running(tmp_path, graph_api) as first, aiohttp.ClientSession() as http:
        number = await hand_over_on_whatsapp(first, http)
    before = len(graph_api.to(AHMAD))
    async with running(tmp_path, graph_api) as second, staff(second.url, "anna") as (anna, csrf):
        status, _page = await act(anna, csrf, number, "reply", "Wir rufen Sie morgen an.")
        assert status == 200
    sent = graph_api.to(AHMAD)[before:]
    assert [s.text for s in sent] == ["💬 Wir rufen Sie morgen an."]


async def test_a_team_reply_after_a_restart_reaches_the_web_chat(tmp_path: Path, graph_api: FakeGraphAPI) -> None:
    async with running(tmp_path, graph_api) as first, aiohttp.ClientSession() as http:
        for text in ("Ich möchte mit einem Menschen sprechen, in Lünen", "Ich brauche Hilfe mit einem Brief"):
            async with http.post(first.url + "/api/chat", json={"session": "s-1", "text": text}) as resp:
                assert resp.status == 200
        number = first.app[INBOX].store.open_conversations()[0].number
    async with running(tmp_path, graph_api) as second, staff(second.url, "anna") as (anna, csrf):
        assert (await act(anna, csrf, number, "reply", f"Rufen Sie {HELPLINE} an."))[0] == 200
        async with aiohttp.ClientSession() as http, http.get(second.url + "/api/staff?session=s-1") as stream:
            data = None
            async for line in stream.content:
                if line.startswith(b"data: {\"kind\": \"staff\""):
                    data = json.loads(line[6:])
                    break
    assert data is not None and data["text"] == f"Rufen Sie {HELPLINE} an."
    assert data["phones"] == [{"text": HELPLINE, "tel": "tel:+498001110111"}]


async def test_after_the_24_hour_window_the_reply_goes_as_the_template_and_follows_when_they_write(
        handed_over: Desk) -> None:
    server, number = handed_over.server, handed_over.number
    inbox = server.app[INBOX]
    inbox.store.route(number, AHMAD, inbox.clock() - timedelta(hours=25))  # Ahmad wrote yesterday
    before = len(server.api.to(AHMAD))
    status, _page = await handed_over.act("reply", "Ihr Termin ist am Montag.")
    assert status == 200
    await handed_over.act("reply", "Bringen Sie den Brief mit.")
    sent = server.api.to(AHMAD)[before:]
    assert [(s.type, s.body["template"]) for s in sent] == [
        ("template", {"name": "team_answer", "language": {"code": "ar"}})], "one template, in Arabic"

    async with aiohttp.ClientSession() as http:
        await server.whatsapp(http, meta.button_reply(AHMAD, "team", "اقرأ"))  # Ahmad taps the template's button
    texts = [s.text for s in server.api.to(AHMAD)[before + 1:]]
    assert "💬 Ihr Termin ist am Montag." in texts and "💬 Bringen Sie den Brief mit." in texts
    assert texts.index("💬 Ihr Termin ist am Montag.") < texts.index("💬 Bringen Sie den Brief mit.")


async def test_the_graph_apis_window_error_also_switches_to_the_template(handed_over: Desk) -> None:
    api = handed_over.server.api
    api.fail_next = 1  # Meta counts the window from its own clock: trust its 131047 answer
    before = len(api.to(AHMAD))
    await handed_over.act("reply", "Ihr Termin ist am Montag.")
    assert [s.type for s in api.to(AHMAD)[before:]] == ["template"]


async def test_saved_replies_are_offered_in_the_persons_language(handed_over: Desk) -> None:
    anna, csrf = handed_over.staff, handed_over.csrf
    for lang, title, text in (("ar", "موعد", "موعدك يوم الاثنين."), ("uk", "Термін", "Ваш термін у понеділок.")):
        await anna.post("/admin/inbox/saved", data={"csrf": csrf, "lang": lang, "title": title, "text": text})
    page = await (await anna.get(f"/admin/inbox/{handed_over.number}")).text()
    assert "موعدك يوم الاثنين." in page and "Ваш термін" not in page


async def test_a_telegram_staff_topic_answers_a_whatsapp_user(tmp_path: Path, graph_api: FakeGraphAPI,
                                                                bot_api: FakeBotAPI) -> None:
    """Both desks on: the team works in its Telegram group; a person on WhatsApp gets their replies there."""
    config = WhatsAppConfig(token="EAAG-test", phone_id=meta.PHONE_ID, app_secret=graph_api.app_secret,
                            verify_token="v", api_base_url=graph_api.base_url)
    settings = Settings(db_path=db_file(tmp_path), whatsapp=config, telegram_token=bot_api.token,
                        telegram_api_base_url=bot_api.base_url,
                        staff=StaffConfig((StaffDesk(STAFF_CHAT, None, "KI Kreis Unna", None, 4),)))
    try:
        async with serving_app(settings) as (url, app), aiohttp.ClientSession() as http:
            await hand_over_on_whatsapp(Server(url, app, graph_api), http)
            [_opening, relayed] = await bot_api.wait_for("sendMessage", 2, chat_id=STAFF_CHAT)
            assert relayed.text == "عندي رسالة من مكتب الأجانب ولا أفهمها"
            thread = next(t for (chat, t) in bot_api.topics if chat == STAFF_CHAT)
            before = len(graph_api.to(AHMAD))
            bot_api.push(text_update(5550001, f"Rufen Sie {HELPLINE} an.", lang="de", chat_id=STAFF_CHAT,
                                     kind="supergroup", message_thread_id=thread, is_topic_message=True))
            await graph_api.wait_for(AHMAD, before + 1)
            assert [s.text for s in graph_api.to(AHMAD)[before:]] == ["💬 Rufen Sie +498001110111 an."]
    finally:
        bot_api.drain()


async def test_forget_deletes_what_the_inbox_kept_about_the_person(inbox_server: Server) -> None:
    inbox = inbox_server.app[INBOX]
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_whatsapp(inbox_server, http)
        assert inbox.store.address(number) is not None and inbox.store.messages(number)
        await inbox_server.whatsapp(http, meta.text(AHMAD, "/forget"))
        await inbox_server.whatsapp(http, meta.button_reply(AHMAD, "forget:yes"))
    assert inbox.store.address(number) is None, "the WhatsApp number is gone"
    assert inbox.store.messages(number) == [], "and what they wrote to the team"
    assert inbox.store.open_conversations() == []
