"""The team inbox's side of the handoff tests: `lotse serve` with the inbox as the staff desk and WhatsApp (fake
Graph API) on a free port, a staff member signed in over HTTP, and a person who hands their conversation over.
The fixtures that use them (`inbox_server`, `handed_over`) are in conftest.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web
from demodb import demo_db
from serving import serving_app

from bot.bench import fakegraphapi as meta
from bot.bench.fakegraphapi import FakeGraphAPI
from bot.config import INBOX_CHAT, Settings, StaffConfig, StaffDesk, WhatsAppConfig
from bot.web.admin import accounts
from bot.web.keys import INBOX
from bot.whatsapp.webhook import CHANNEL

AHMAD = "963944123456"  # a WhatsApp number
PASSWORD = "sonnenblume-42"  # of the editors "anna" and "ben"
DESK = StaffDesk(INBOX_CHAT, None, "KI Kreis Unna", None, 24)
STAFF_CHAT = -1001234567890  # the team's Telegram group, where a test has one
HELPLINE = "0800 111 0 111"  # TelefonSeelsorge (data/verified_numbers.yaml)
ARABIC_HANDOFF = ("أريد التحدث مع شخص في لونن", "عندي رسالة من مكتب الأجانب ولا أفهمها")


@dataclass
class Server:
    url: str
    app: web.Application
    api: FakeGraphAPI

    async def whatsapp(self, http: aiohttp.ClientSession, update: dict[str, object]) -> None:
        """Post a webhook delivery as Meta signs it, and wait until Lotse has answered it."""
        raw = meta.raw(update)
        async with http.post(self.url + "/whatsapp/webhook", data=raw,
                             headers={"X-Hub-Signature-256": self.api.sign(raw)}) as response:
            assert response.status == 200
        await self.app[CHANNEL].idle()


@dataclass
class Desk:
    """A conversation handed to the team (`number`) and a signed-in staff member's HTTP session with its token."""

    server: Server
    number: int
    staff: aiohttp.ClientSession
    csrf: str

    async def act(self, action: str, text: str = "") -> tuple[int, str]:
        return await act(self.staff, self.csrf, self.number, action, text)


def db_file(tmp_path: Path) -> Path:
    """The demo offers and two editors, "anna" and "ben" (made once per test folder)."""
    path = tmp_path / "lotse.db"
    if not path.exists():
        db = demo_db(path)
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
    async with serving_app(settings) as (url, app):
        yield Server(url, app, api)


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
    for text in ARABIC_HANDOFF:
        await server.whatsapp(http, meta.text(AHMAD, text))
    conversations = server.app[INBOX].store.open_conversations()
    assert len(conversations) == 1, "the request opened one handoff"
    return conversations[0].number


async def hand_over_on_the_web(server: Server, http: aiohttp.ClientSession, session: str = "s-1") -> int:
    """The same request from the web chat (session `session`); the number of the conversation."""
    for text in ARABIC_HANDOFF:
        async with http.post(server.url + "/api/chat", json={"session": session, "text": text}) as resp:
            assert resp.status == 200
    [conversation] = server.app[INBOX].store.open_conversations()
    return conversation.number


async def act(http: aiohttp.ClientSession, csrf: str, number: int, action: str, text: str = "") -> tuple[int, str]:
    """Claim, reply or close in the inbox; the status and the page it answers."""
    async with http.post(f"/admin/inbox/{number}", data={"csrf": csrf, "action": action, "text": text}) as resp:
        return resp.status, await resp.text()
