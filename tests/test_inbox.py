"""The team inbox in the admin, end to end over real HTTP: people on WhatsApp (fake Graph API) and the web chat
hand their conversation to the team; staff sign in, claim, read, reply and close; replies reach the person on
their channel, also after a restart of the server, and after WhatsApp's 24-hour window as the template."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from serving import free_port

from bot.bench import fakegraphapi as meta
from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakegraphapi import FakeGraphAPI
from bot.bench.fakeupdates import text_update
from bot.config import INBOX_CHAT, Settings, StaffConfig, StaffDesk, WhatsAppConfig
from bot.offers.db import open_db
from bot.offers.demo import build_demo
from bot.server import create_server
from bot.web.admin import accounts
from bot.web.keys import INBOX
from bot.whatsapp.webhook import CHANNEL

AHMAD = "963944123456"
PASSWORD = "sonnenblume-42"
DESK = StaffDesk(INBOX_CHAT, None, "KI Kreis Unna", None, 24)
CLOSED_AR = "💬 أنهى الفريق هذه المحادثة."
STAFF_CHAT = -1001234567890
HELPLINE = "0800 111 0 111"  # TelefonSeelsorge (data/verified_numbers.yaml)


@dataclass
class Server:
    url: str
    app: web.Application
    api: FakeGraphAPI

    async def whatsapp(self, http: aiohttp.ClientSession, update: dict[str, object]) -> None:
        raw = meta.raw(update)
        async with http.post(self.url + "/whatsapp/webhook", data=raw,
                             headers={"X-Hub-Signature-256": self.api.sign(raw)}) as response:
            assert response.status == 200
        await self.app[CHANNEL].idle()


def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "lotse.db"
    if not path.exists():
        db = open_db(path)
        build_demo(db)
        for name in ("anna", "ben"):
            accounts.add_user(db, name, PASSWORD, "editor")
        db.close()
    return path


@asynccontextmanager
async def running(tmp_path: Path, api: FakeGraphAPI) -> AsyncIterator[Server]:
    """`lotse serve` with the team inbox as the staff desk and WhatsApp, on a free port."""
    config = WhatsAppConfig(token="EAAG-test", phone_id=meta.PHONE_ID, app_secret=api.app_secret,
                            verify_token="v", api_base_url=api.base_url, template="team_answer",
                            template_langs=("de", "ar"))
    settings = Settings(db_path=db_file(tmp_path), whatsapp=config, staff=StaffConfig((DESK,)))
    app = create_server(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield Server(f"http://127.0.0.1:{port}", app, api)
    finally:
        await runner.cleanup()


@pytest.fixture
async def api() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI() as fake:
        yield fake


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
async def server(tmp_path: Path, api: FakeGraphAPI) -> AsyncIterator[Server]:
    async with running(tmp_path, api) as srv:
        yield srv


@asynccontextmanager
async def staff(url: str, name: str) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    """A signed-in staff member's browser session and its CSRF token."""
    async with aiohttp.ClientSession(url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        page = await (await http.get("/admin/login")).text()
        token = re.search(r'name="login_csrf" value="([^"]+)"', page)
        assert token
        await http.post("/admin/login", data={"name": name, "password": PASSWORD, "login_csrf": token.group(1)})
        inbox = await (await http.get("/admin/inbox")).text()
        csrf = re.search(r'name="csrf" value="([^"]+)"', inbox)
        assert csrf, inbox[:300]
        yield http, csrf.group(1)


async def hand_over_on_whatsapp(server: Server, http: aiohttp.ClientSession) -> int:
    """Ahmad asks for a person in Lünen and writes to the team; the number of the conversation."""
    await server.whatsapp(http, meta.text(AHMAD, "أريد التحدث مع شخص في لونن"))
    await server.whatsapp(http, meta.text(AHMAD, "عندي رسالة من مكتب الأجانب ولا أفهمها"))
    conversations = server.app[INBOX].store.open_conversations()
    assert len(conversations) == 1, "the request opened one handoff"
    return conversations[0].number


async def act(http: aiohttp.ClientSession, csrf: str, number: int, action: str, text: str = "") -> tuple[int, str]:
    async with http.post(f"/admin/inbox/{number}", data={"csrf": csrf, "action": action, "text": text}) as resp:
        return resp.status, await resp.text()


async def test_a_whatsapp_conversation_is_listed_claimed_answered_with_tappable_numbers_and_closed(
        server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_whatsapp(server, http)
    async with staff(server.url, "anna") as (anna, csrf):
        listing = await (await anna.get("/admin/inbox?part=list")).text()
        row = re.search(rf'<tr class="conversation" data-number="{number}">(.*?)</tr>', listing, re.S)
        assert row, listing
        assert "العربية" in row.group(1) and "WhatsApp" in row.group(1) and '<strong class="unread">1<' in row.group(1)

        page = await (await anna.get(f"/admin/inbox/{number}")).text()
        assert "عندي رسالة من مكتب الأجانب" in page
        assert (await act(anna, csrf, number, "claim"))[0] == 200
        status, page = await act(anna, csrf, number, "reply", f"Bitte rufen Sie uns morgen an oder {HELPLINE}.")
        assert status == 200
        last = server.api.to(AHMAD)[-1]
        assert last.text == "💬 Bitte rufen Sie uns morgen an oder +498001110111."

        async with anna.post(f"/admin/inbox/{number}", data={"csrf": csrf, "action": "close"},
                             allow_redirects=False) as resp:
            assert resp.status == 303
    assert server.api.to(AHMAD)[-1].text.startswith(CLOSED_AR), "told in Arabic that Lotse answers again"
    assert server.app[INBOX].store.open_conversations() == []


async def test_two_staff_claiming_at_once_one_gets_it_and_the_other_is_told(server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_whatsapp(server, http)
    async with staff(server.url, "anna") as (anna, anna_csrf), staff(server.url, "ben") as (ben, ben_csrf):
        results = await asyncio.gather(act(anna, anna_csrf, number, "claim"), act(ben, ben_csrf, number, "claim"))
    statuses = sorted(status for status, _page in results)
    assert statuses == [200, 409]
    loser = next(page for status, page in results if status == 409)
    winner = server.app[INBOX].store.claimed_by(number)
    assert winner in ("anna", "ben")
    assert f"{winner} is already answering" in loser or f"{winner} beantwortet" in loser


async def test_a_team_reply_after_a_restart_reaches_the_person_on_whatsapp(tmp_path: Path, api: FakeGraphAPI) -> None:
    async with running(tmp_path, api) as first, aiohttp.ClientSession() as http:
        number = await hand_over_on_whatsapp(first, http)
    before = len(api.to(AHMAD))
    async with running(tmp_path, api) as second, staff(second.url, "anna") as (anna, csrf):
        status, _page = await act(anna, csrf, number, "reply", "Wir rufen Sie morgen an.")
        assert status == 200
    sent = api.to(AHMAD)[before:]
    assert [s.text for s in sent] == ["💬 Wir rufen Sie morgen an."]


async def test_a_team_reply_after_a_restart_reaches_the_web_chat(tmp_path: Path, api: FakeGraphAPI) -> None:
    async with running(tmp_path, api) as first, aiohttp.ClientSession() as http:
        for text in ("Ich möchte mit einem Menschen sprechen, in Lünen", "Ich brauche Hilfe mit einem Brief"):
            async with http.post(first.url + "/api/chat", json={"session": "s-1", "text": text}) as resp:
                assert resp.status == 200
        number = first.app[INBOX].store.open_conversations()[0].number
    async with running(tmp_path, api) as second, staff(second.url, "anna") as (anna, csrf):
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
        server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_whatsapp(server, http)
        inbox = server.app[INBOX]
        inbox.store.route(number, AHMAD, inbox.clock() - timedelta(hours=25))  # Ahmad wrote yesterday
        before = len(server.api.to(AHMAD))
        async with staff(server.url, "anna") as (anna, csrf):
            status, _page = await act(anna, csrf, number, "reply", "Ihr Termin ist am Montag.")
            assert status == 200
            await act(anna, csrf, number, "reply", "Bringen Sie den Brief mit.")
        sent = server.api.to(AHMAD)[before:]
        assert [(s.type, s.body["template"]) for s in sent] == [
            ("template", {"name": "team_answer", "language": {"code": "ar"}})], "one template, in Arabic"

        await server.whatsapp(http, meta.button_reply(AHMAD, "team", "اقرأ"))  # Ahmad taps the template's button
        texts = [s.text for s in server.api.to(AHMAD)[before + 1:]]
        assert "💬 Ihr Termin ist am Montag." in texts and "💬 Bringen Sie den Brief mit." in texts
        assert texts.index("💬 Ihr Termin ist am Montag.") < texts.index("💬 Bringen Sie den Brief mit.")


async def test_the_graph_apis_window_error_also_switches_to_the_template(server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_whatsapp(server, http)
    server.api.fail_next = 1  # Meta counts the window from its own clock: trust its 131047 answer
    before = len(server.api.to(AHMAD))
    async with staff(server.url, "anna") as (anna, csrf):
        await act(anna, csrf, number, "reply", "Ihr Termin ist am Montag.")
    assert [s.type for s in server.api.to(AHMAD)[before:]] == ["template"]


async def test_saved_replies_are_offered_in_the_persons_language(server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_whatsapp(server, http)
    async with staff(server.url, "anna") as (anna, csrf):
        for lang, title, text in (("ar", "موعد", "موعدك يوم الاثنين."), ("uk", "Термін", "Ваш термін у понеділок.")):
            await anna.post("/admin/inbox/saved", data={"csrf": csrf, "lang": lang, "title": title, "text": text})
        page = await (await anna.get(f"/admin/inbox/{number}")).text()
    assert "موعدك يوم الاثنين." in page and "Ваш термін" not in page


async def test_a_telegram_staff_topic_answers_a_whatsapp_user(tmp_path: Path, api: FakeGraphAPI,
                                                                bot_api: FakeBotAPI) -> None:
    """Both desks on: the team works in its Telegram group; a person on WhatsApp gets their replies there."""
    config = WhatsAppConfig(token="EAAG-test", phone_id=meta.PHONE_ID, app_secret=api.app_secret,
                            verify_token="v", api_base_url=api.base_url)
    settings = Settings(db_path=db_file(tmp_path), whatsapp=config, telegram_token=bot_api.token,
                        telegram_api_base_url=bot_api.base_url,
                        staff=StaffConfig((StaffDesk(STAFF_CHAT, None, "KI Kreis Unna", None, 4),)))
    app = create_server(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    server = Server(f"http://127.0.0.1:{port}", app, api)
    try:
        async with aiohttp.ClientSession() as http:
            await hand_over_on_whatsapp(server, http)
        [_opening, relayed] = await bot_api.wait_for("sendMessage", 2, chat_id=STAFF_CHAT)
        assert relayed.text == "عندي رسالة من مكتب الأجانب ولا أفهمها"
        thread = next(t for (chat, t) in bot_api.topics if chat == STAFF_CHAT)
        before = len(api.to(AHMAD))
        bot_api.push(text_update(5550001, f"Rufen Sie {HELPLINE} an.", lang="de", chat_id=STAFF_CHAT,
                                 kind="supergroup", message_thread_id=thread, is_topic_message=True))
        await api.wait_for(AHMAD, before + 1)
        assert [s.text for s in api.to(AHMAD)[before:]] == ["💬 Rufen Sie +498001110111 an."]
    finally:
        await runner.cleanup()
        bot_api.drain()


async def test_forget_deletes_what_the_inbox_kept_about_the_person(server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_whatsapp(server, http)
        inbox = server.app[INBOX]
        assert inbox.store.address(number) is not None and inbox.store.messages(number)
        await server.whatsapp(http, meta.text(AHMAD, "/forget"))
        await server.whatsapp(http, meta.button_reply(AHMAD, "forget:yes"))
    assert inbox.store.address(number) is None, "the WhatsApp number is gone"
    assert inbox.store.messages(number) == [], "and what they wrote to the team"
    assert inbox.store.open_conversations() == []
