"""The server's shape: engine calls off the event loop, and transports that do not import each other."""

from __future__ import annotations

import ast
import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db

from bot.config import Settings
from bot.engine import Engine, Incoming, Reply
from bot.server import create_server
from bot.web.keys import WORKER

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def slow_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    """The server over a database file, whose engine holds the text "langsam" until the test lets it go.

    The patch is in place before the server starts, so the forked worker process has it too; it says that it
    started and waits to be let go through two files (the worker is another process).
    """
    handle = Engine.handle
    started, go = tmp_path / "started", tmp_path / "go"

    def slow(self: Engine, incoming: Incoming) -> Reply:
        if incoming.text == "langsam":  # stands in for a question that takes long to understand
            started.touch()
            while not go.exists():
                time.sleep(0.01)
        return handle(self, incoming)

    monkeypatch.setattr(Engine, "handle", slow)
    db_path = tmp_path / "lotse.db"
    demo_db(db_path)
    async with TestClient(TestServer(create_server(Settings(db_path=db_path)))) as client:
        yield client


async def test_a_slow_question_does_not_hold_up_the_server(slow_client: TestClient, tmp_path: Path) -> None:
    assert slow_client.app is not None and slow_client.app.get(WORKER) is not None
    slow = asyncio.create_task(slow_client.post("/api/chat", json={"session": "a", "text": "langsam"}))
    while not (tmp_path / "started").exists():  # the slow question is in the worker now
        await asyncio.sleep(0.01)
    health = await slow_client.get("/healthz")
    page = await slow_client.get("/?lang=uk")
    assert health.status == 200 and page.status == 200
    assert not slow.done()  # answered while the worker still held the slow question
    (tmp_path / "go").touch()
    resp = await slow
    assert resp.status == 200 and (await resp.json())["messages"]


async def test_the_web_chat_answers_through_the_worker(slow_client: TestClient) -> None:
    resp = await slow_client.post("/api/chat", json={"session": "b", "text": "шукаю роботу в Унні"})
    data = await resp.json()
    assert resp.status == 200 and data["lang"] == "uk"
    again = await slow_client.post("/api/chat", json={"session": "b", "text": "Kita"})
    assert (await again.json())["lang"] == "uk"  # the session the worker saved is the one it reads next


def imports_of(folder: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "bot" / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("folder, forbidden", [("web", "bot.telegram"), ("telegram", "bot.web")])
def test_web_and_telegram_do_not_import_each_other(folder: str, forbidden: str) -> None:
    assert not {m for m in imports_of(folder) if m == forbidden or m.startswith(forbidden + ".")}


def test_no_part_of_the_engine_imports_the_engine_back() -> None:
    """The parts of a conversation see the engine as a `Conversation` (bot/engine/conversation.py): the imports
    go one way, from engine.py to them; only the package's __init__ imports engine.py."""
    importers = [path.name for path in (ROOT / "bot" / "engine").glob("*.py") if path.name != "__init__.py"
                 and any(isinstance(node, ast.ImportFrom) and node.module == "bot.engine.engine"
                         for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))]
    assert importers == []
