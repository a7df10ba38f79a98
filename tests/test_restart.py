"""A restart of `lotse serve` (the real command, as a subprocess) in the middle of a handoff loses nothing: the
person's message to the team is in the inbox afterwards, and the team's reply reaches the person at once on the
web chat, Telegram (fake Bot API) and WhatsApp (fake Graph API). Every wait is on an event: the server's
"listening" line, the inbox's live stream, the fakes' recorded calls, the web chat's reply stream."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from inboxdesk import PASSWORD, staff
from serving import free_port, listening

from bot.bench import fakegraphapi as meta
from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakegraphapi import FakeGraphAPI
from bot.bench.fakeupdates import text_update
from bot.offers.db import open_db
from bot.web.admin import accounts

pytestmark = pytest.mark.slow

PERSON = 777001  # a Telegram user
AHMAD = "963944123456"  # a WhatsApp number
ASK = "أريد التحدث مع شخص في لونن"
LETTER = "عندي رسالة من مكتب الأجانب ولا أفهمها"
ANSWER = "Bitte bringen Sie den Brief am Montag mit."


@pytest.fixture(scope="module")
def set_up(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`lotse setup` once, with one staff account; each test works on its own copy."""
    path = tmp_path_factory.mktemp("setup") / "lotse.db"
    env = {**os.environ, "LOTSE_DB": str(path)}
    subprocess.run([sys.executable, "-m", "bot", "setup"], env=env, check=True, capture_output=True)
    db = open_db(path)
    accounts.add_user(db, "anna", PASSWORD, "editor")
    db.close()
    return path


def environment(set_up: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    """A copy of the set-up database, the team inbox as the desk, a free port, and the channel's settings."""
    shutil.copyfile(set_up, tmp_path / "lotse.db")
    env = {**os.environ, "LOTSE_DB": str(tmp_path / "lotse.db"), "LOTSE_PORT": str(free_port()),
           "LOTSE_STAFF_CHAT": "inbox", **extra}
    for name in ("TELEGRAM_BOT_TOKEN", "WHATSAPP_TOKEN", "LOTSE_WEBHOOK_URL"):
        if name not in extra:
            env.pop(name, None)
    return env


@asynccontextmanager
async def lotse_serve(env: dict[str, str]) -> AsyncIterator[str]:
    """`lotse serve` until the block ends (SIGTERM, as systemd stops it); yields its base URL once it listens."""
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "serve", env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    await listening(proc)

    async def drain() -> None:  # the log must not fill the pipe and stop the server
        assert proc.stdout is not None
        while await proc.stdout.readline():
            pass

    draining = asyncio.create_task(drain())
    try:
        yield f"http://127.0.0.1:{env['LOTSE_PORT']}"
    finally:
        proc.terminate()
        await proc.wait()
        await draining


async def listed(http: aiohttp.ClientSession, text: str) -> int:
    """Follow the inbox's live stream until a conversation shows `text`; its number."""
    async with http.get("/admin/inbox/events") as events:
        async for line in events.content:
            if not line.startswith(b"data:"):
                continue
            listing = await (await http.get("/admin/inbox?part=list")).text()
            for number in re.findall(r'data-number="(\d+)"', listing):
                if text in await (await http.get(f"/admin/inbox/{number}")).text():
                    return int(number)
    raise AssertionError(f"the inbox never showed {text!r}")


@asynccontextmanager
async def reply_after_restart(env: dict[str, str], hand_over: Callable[[str], Awaitable[None]]) -> AsyncIterator[str]:
    """The person asks for the team and writes; the server restarts; staff find the message and answer (the
    restarted server runs until the block ends)."""
    async with lotse_serve(env) as url:
        await hand_over(url)
        async with staff(url, "anna") as (anna, _csrf):
            await listed(anna, LETTER)
    async with lotse_serve(env) as url:
        async with staff(url, "anna") as (anna, csrf):
            number = await listed(anna, LETTER)  # what the person wrote before the restart is there
            async with anna.post(f"/admin/inbox/{number}",
                                 data={"csrf": csrf, "action": "reply", "text": ANSWER}) as resp:
                assert resp.status == 200 and "Gesendet." in await resp.text()
        yield url


async def test_the_web_chat_gets_the_teams_reply_after_a_restart(set_up: Path, tmp_path: Path) -> None:
    env = environment(set_up, tmp_path)

    async def hand_over(url: str) -> None:
        async with aiohttp.ClientSession(url) as http:
            for text in (ASK, LETTER):
                async with http.post("/api/chat", json={"session": "s-1", "text": text}) as resp:
                    assert resp.status == 200

    async with (reply_after_restart(env, hand_over) as url, aiohttp.ClientSession(url) as http,
                http.get("/api/staff?session=s-1") as stream):  # the page, opened again after the restart
        async for line in stream.content:
            if line.startswith(b"data: {\"kind\": \"staff\""):
                assert json.loads(line[6:])["text"] == ANSWER
                break
        else:
            raise AssertionError("the reply never reached the web chat")


async def test_telegram_gets_the_teams_reply_after_a_restart(set_up: Path, tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        env = environment(set_up, tmp_path, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_BASE_URL=api.base_url)

        async def hand_over(_url: str) -> None:
            api.push(text_update(PERSON, ASK, lang="ar"))
            await api.wait_for("sendMessage", chat_id=PERSON)  # "the team answers in this chat"
            api.push(text_update(PERSON, LETTER, lang="ar"))

        async with reply_after_restart(env, hand_over):
            pass
        [*_, answer] = await api.wait_for("sendMessage", 2, chat_id=PERSON)
        assert ANSWER in answer.text
        api.drain()


async def test_whatsapp_gets_the_teams_reply_after_a_restart(set_up: Path, tmp_path: Path) -> None:
    async with FakeGraphAPI() as api:
        env = environment(set_up, tmp_path, WHATSAPP_TOKEN="EAAG-test", WHATSAPP_PHONE_ID=meta.PHONE_ID,
                          WHATSAPP_APP_SECRET=api.app_secret, WHATSAPP_VERIFY_TOKEN="v",
                          WHATSAPP_API_BASE_URL=api.base_url)

        async def hand_over(url: str) -> None:
            async with aiohttp.ClientSession(url) as http:
                for text in (ASK, LETTER):
                    raw = meta.raw(meta.text(AHMAD, text))
                    async with http.post("/whatsapp/webhook", data=raw,
                                         headers={"X-Hub-Signature-256": api.sign(raw)}) as resp:
                        assert resp.status == 200
                    if text == ASK:
                        await api.wait_for(AHMAD, 1)  # the answer to the first, before the second is sent

        async with reply_after_restart(env, hand_over):
            assert api.to(AHMAD)[-1].text == "💬 " + ANSWER
