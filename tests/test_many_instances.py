"""Three `lotse serve` instances on one PostgreSQL behind a round-robin proxy; one is killed with SIGKILL in the
middle of the traffic. Every message is answered exactly once and in order per chat, and every handoff to the team
is intact with each of its messages once.

The chats write on all three channels: Telegram in webhook mode (the test posts the updates as Telegram does and
the fake Bot API records the answers), WhatsApp (signed deliveries; the fake Graph API records the answers) and
the web chat (the HTTP response is the answer). Each chat sends its messages one after another, as Telegram and
Meta deliver one chat's updates, and sends a message again until it gets a 200, as they do (and as the web chat's
page does, with the same message id). Each ordinary message asks for a German course in another town of Kreis
Unna, so every answer names the town it answers: a message answered twice shows its town twice, one answered
late shows it out of order. Every tenth chat talks to the team instead; its messages must be in the inbox once
each, in order. The size is a parameter (LOTSE_TEST_CHATS, LOTSE_TEST_MESSAGES): the default run is smaller than
the issue's 300 chats x 10 messages, which takes a few minutes on two shared cores (the README has its result).
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import os
import re
import signal
import string
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from demodb import demo_db
from serving import free_port, listening

from bot.bench import fakegraphapi as meta
from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakegraphapi import FakeGraphAPI
from bot.bench.fakeupdates import text_update
from bot.bench.lbproxy import round_robin
from bot.store import open_store

pytestmark = pytest.mark.slow

CHATS = int(os.environ.get("LOTSE_TEST_CHATS", "60"))
MESSAGES = int(os.environ.get("LOTSE_TEST_MESSAGES", "10"))
TOWNS = ("Unna", "Lünen", "Kamen", "Bergkamen", "Schwerte", "Werne", "Selm", "Fröndenberg", "Holzwickede", "Bönen")
ASK = "Ich möchte mit einem Menschen sprechen in Lünen"
SECRET = "many-instances-secret"
JSON = {"Content-Type": "application/json"}
NAMED_TOWN = re.compile(r"in der Nähe von ([^\s:<]+)")
TAGS = re.compile(r"<[^>]+>|[\u2066-\u2069]")
_update_ids = itertools.count(500_000)


def letters(n: int) -> str:
    """A number as letters (the redaction of the team's messages leaves words alone, not digits)."""
    word = ""
    while True:
        n, rest = divmod(n, 26)
        word = string.ascii_lowercase[rest] + word
        if not n:
            return word


@dataclass
class Chat:
    channel: str  # "telegram", "whatsapp" or "web"
    index: int
    handoff: bool
    texts: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # the web chat's answers, as the page got them
    cut: set[int] = field(default_factory=set)  # messages whose delivery the kill broke (sent again)

    @property
    def telegram_id(self) -> int:
        return 910_000 + self.index

    @property
    def number(self) -> str:
        return f"49151{self.index:08d}"

    def towns(self) -> list[str]:
        return [TOWNS[(self.index + 3 * j) % len(TOWNS)] for j in range(MESSAGES)]


def chats() -> list[Chat]:
    made = []
    for index in range(CHATS):
        chat = Chat(("telegram", "whatsapp", "web")[index % 3], index, handoff=index % 10 == 9)
        if chat.handoff:
            chat.texts = [ASK, *(f"Frage zum Brief {letters(index)} {letters(j)}" for j in range(1, MESSAGES))]
        else:
            chat.texts = [f"Deutschkurs in {town}" for town in chat.towns()]
        made.append(chat)
    return made


def named_towns(texts: list[str]) -> list[str]:
    return [town for text in texts for town in NAMED_TOWN.findall(TAGS.sub("", text))]


@dataclass
class Instance:
    proc: asyncio.subprocess.Process
    url: str
    said: list[str]
    drain: asyncio.Task[None]


async def start(env: dict[str, str]) -> Instance:
    """`lotse serve` in a process group of its own (its engine worker in it too), once it listens."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "serve",
                                                env={**env, "LOTSE_PORT": str(port)}, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT,
                                                start_new_session=True)
    said = await listening(proc)

    async def drain() -> None:  # the log must not fill the pipe and stop the server
        assert proc.stdout is not None
        while line := await proc.stdout.readline():
            said.append(line.decode())

    return Instance(proc, f"http://127.0.0.1:{port}", said, asyncio.create_task(drain()))


async def until_ok(send: Callable[[], Awaitable[tuple[int, str]]], cut: Callable[[], None]) -> str:
    """Send until the answer is 200, as Telegram, Meta and the web chat's page do; the answer's body."""
    for attempt in itertools.count():
        try:
            status, body = await send()
            if status == 200:
                return body
        except (aiohttp.ClientError, ConnectionError):
            pass  # the instance died with the request: send it again
        cut()
        await asyncio.sleep(min(0.05 * 2 ** attempt, 1.0))  # their retry interval, not a wait for a result
    raise AssertionError("unreachable")


@pytest.fixture
def environment(tmp_path: Path, pg_url: str) -> dict[str, str]:
    path = tmp_path / "lotse.db"
    demo_db(path)
    env = {**os.environ, "LOTSE_DB": str(path), "LOTSE_DATABASE_URL": pg_url, "LOTSE_STAFF_CHAT": "inbox",
           "LOTSE_RATE_BURST": "1000", "LOTSE_RATE_PER_MINUTE": "100000", "LOTSE_ADDRESS_PER_MINUTE": "100000",
           "LOTSE_WEB_PER_MINUTE": "100000", "LOTSE_NEW_SESSIONS_PER_MINUTE": "100000"}
    for name in ("TELEGRAM_BOT_TOKEN", "WHATSAPP_TOKEN", "LOTSE_WEBHOOK_URL", "LOTSE_SYNC"):
        env.pop(name, None)
    return env


async def test_three_instances_answer_every_message_once_when_one_is_killed(environment: dict[str, str],
                                                                            pg_url: str) -> None:
    people = chats()
    total = sum(len(c.texts) for c in people)
    async with FakeBotAPI() as telegram, FakeGraphAPI() as whatsapp:
        env = {**environment, "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_BASE_URL": telegram.base_url,
               "LOTSE_WEBHOOK_URL": "https://lotse.example/telegram/webhook", "LOTSE_WEBHOOK_SECRET": SECRET,
               "WHATSAPP_TOKEN": "EAAG-test", "WHATSAPP_PHONE_ID": meta.PHONE_ID,
               "WHATSAPP_APP_SECRET": whatsapp.app_secret, "WHATSAPP_VERIFY_TOKEN": "v",
               "WHATSAPP_API_BASE_URL": whatsapp.base_url}
        instances = list(await asyncio.gather(*(start(env) for _ in range(3))))
        answered = 0
        halfway = asyncio.Event()
        try:
            port = free_port()
            async with (round_robin([i.url for i in instances], port) as proxy,
                        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http):
                base = f"http://127.0.0.1:{port}"

                async def post(path: str, data: bytes, headers: dict[str, str]) -> tuple[int, str]:
                    async with http.post(base + path, data=data, headers=headers) as resp:
                        return resp.status, await resp.text()

                async def write(chat: Chat) -> None:
                    nonlocal answered
                    for j, text in enumerate(chat.texts):
                        cut = functools.partial(chat.cut.add, j)
                        if chat.channel == "telegram":
                            update = json.dumps(text_update(chat.telegram_id, text, lang="de")
                                                | {"update_id": next(_update_ids)}).encode()
                            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
                            await until_ok(lambda u=update, h=headers: post("/telegram/webhook", u, h), cut)
                        elif chat.channel == "whatsapp":
                            raw = meta.raw(meta.text(chat.number, text))
                            headers = {"X-Hub-Signature-256": whatsapp.sign(raw), "Content-Type": "application/json"}
                            await until_ok(lambda r=raw, h=headers: post("/whatsapp/webhook", r, h), cut)
                        else:
                            body = json.dumps({"session": f"s-{chat.index}", "text": text, "lang": "de",
                                               "id": f"m-{j}"}).encode()
                            answer = await until_ok(lambda b=body: post("/api/chat", b, JSON), cut)
                            chat.answers.extend(m["text"] for m in json.loads(answer)["messages"])
                        answered += 1
                        if answered == total // 2:
                            halfway.set()

                async def kill_one() -> None:
                    await halfway.wait()
                    os.killpg(instances[1].proc.pid, signal.SIGKILL)

                killer = asyncio.create_task(kill_one())
                await asyncio.gather(*(write(chat) for chat in people))
                await killer
                assert await instances[1].proc.wait() == -signal.SIGKILL
                print(f"{total} messages of {len(people)} chats; served per instance {dict(proxy.served)}; "
                      f"{proxy.failed} broken by the kill")
        finally:
            for instance in instances:
                if instance.proc.returncode is None:
                    instance.proc.terminate()
                await instance.proc.wait()
                await instance.drain
            telegram.drain()

        twice = 0
        for chat in people:
            if chat.handoff:
                continue
            if chat.channel == "telegram":
                sent = [c.text for c in telegram.sent(chat.telegram_id)]
            elif chat.channel == "whatsapp":
                sent = [s.text for s in whatsapp.to(chat.number)]
            else:
                sent = chat.answers
            towns, again = once_each(named_towns(sent), chat.cut if chat.channel != "web" else set())
            assert towns == chat.towns(), f"{chat.channel} chat {chat.index}: {named_towns(sent)}, cut {chat.cut}"
            twice += again

    with open_store(pg_url) as store:
        handoffs = store.query("SELECT number, closed_at FROM handoffs ORDER BY number")
        said = store.query("SELECT number, text FROM inbox_messages WHERE who = 'person' ORDER BY id")
    team = [c for c in people if c.handoff]
    assert len(handoffs) == len(team) and all(closed is None for _n, closed in handoffs)  # each open, once
    by_number: dict[int, list[str]] = {}
    for number, text in said:
        by_number.setdefault(number, []).append(text)
    texts = {c.texts[1]: c for c in team}
    for written in by_number.values():
        chat = texts[written[0]]
        kept, again = once_each(written, {j - 1 for j in chat.cut})
        assert kept == chat.texts[1:], f"handoff of {chat.channel} chat {chat.index}: {written}, cut {chat.cut}"
        twice += again
    assert len(by_number) == len(team)
    print(f"{twice} answers sent twice, each of a message whose reply was on its way when the instance was killed")


def once_each(seen: list[str], cut: set[int]) -> tuple[list[str], int]:
    """What a chat got with the repeats taken out that the kill may cause (and how many): a message whose delivery
    the kill broke may be answered twice in a row when the instance died after its answer went out and before it
    recorded that (Telegram and Meta take no id that would let a second instance know). Any other repeat stays in,
    and fails the comparison."""
    kept: list[str] = []
    again = 0
    for item in seen:
        if kept and item == kept[-1] and len(kept) - 1 in cut:
            again += 1
            continue
        kept.append(item)
    return kept, again
