"""Exports and imports run beside the event loop: while one is in the middle of its work, the chat answers.

The export (or import) is held at its start by an event; if it ran on the event loop, the chat request below could
never be answered and the test would time out.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db

from bot.config import Settings
from bot.offers import importer
from bot.web.admin import files
from bot.web.app import create_app
from bot.web.keys import DB

TOKEN = "s" * 32
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    db = demo_db(tmp_path / "lotse.db")
    db.close()
    async with TestClient(TestServer(create_app(Settings(db_path=tmp_path / "lotse.db",
                                                         admin_token=TOKEN)))) as test_client:
        yield test_client


def _held(real: Callable[..., Any], started: threading.Event, go_on: threading.Event) -> Callable[..., Any]:
    def held(*args: Any, **kwargs: Any) -> Any:
        started.set()
        if not go_on.wait(10):  # on the event loop nothing else could run to let it go on
            raise RuntimeError("the export or import held the event loop")
        return real(*args, **kwargs)
    return held


async def _chat_meanwhile(client: TestClient, started: threading.Event, go_on: threading.Event) -> None:
    await asyncio.to_thread(started.wait, 30)
    try:
        resp = await client.post("/api/chat", json={"session": "meanwhile", "text": "Kita in Unna"})
        assert resp.status == 200 and (await resp.json())["messages"]
        assert (await client.get("/healthz")).status == 200
    finally:
        go_on.set()


async def test_the_chat_answers_during_an_export(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    started, go_on = threading.Event(), threading.Event()
    monkeypatch.setattr(files, "export_file", _held(files.export_file, started, go_on))
    download = asyncio.ensure_future(client.get("/admin/export.csv", headers=BEARER))
    await _chat_meanwhile(client, started, go_on)
    resp = await download
    assert resp.status == 200 and "demo-" in await resp.text()


async def test_the_chat_answers_during_an_import(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    started, go_on = threading.Event(), threading.Event()
    monkeypatch.setattr(files, "import_path", _held(files.import_path, started, go_on))
    form = FormData()
    form.add_field("csrf", "")
    form.add_field("dry_run", "1")
    form.add_field("file", b"ID;Name;Kategorie;PLZ;Ort\r\nt-1;Testkita (Beispiel);kita;59423;Unna\r\n",
                   filename="offers.csv", content_type="text/csv")
    upload = asyncio.ensure_future(client.post("/admin/import", data=form, headers=BEARER))
    await _chat_meanwhile(client, started, go_on)
    resp = await upload
    assert resp.status == 200 and "Testkita" in await resp.text()


async def test_the_chat_writes_between_the_batches_of_an_import(client: TestClient,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """An import writes in batches: between two, the write lock is free and a chat message saves its session."""
    started, go_on = threading.Event(), threading.Event()

    def held_pause() -> None:
        started.set()
        if not go_on.wait(10):
            raise RuntimeError("nobody wrote between the batches")

    monkeypatch.setattr(importer, "BATCH", 1)
    monkeypatch.setattr(importer, "_pause", held_pause)
    rows = "".join(f"t-{n};Testkita {n} (Beispiel);kita;59423;Unna\r\n" for n in range(3))
    form = FormData()
    form.add_field("csrf", "")
    form.add_field("file", ("ID;Name;Kategorie;PLZ;Ort\r\n" + rows).encode(), filename="offers.csv",
                   content_type="text/csv")
    upload = asyncio.ensure_future(client.post("/admin/import", data=form, headers=BEARER))
    await asyncio.to_thread(started.wait, 30)
    try:
        resp = await client.post("/api/chat", json={"session": "between-batches", "text": "Kita in Unna"})
        assert resp.status == 200 and (await resp.json())["messages"]
        saved = client.app[DB].execute("SELECT count(*) FROM sessions").fetchone()[0]
        assert saved >= 1  # the session row was written while the import was under way
    finally:
        go_on.set()
    resp = await upload
    assert resp.status == 200 and "Importiert" in await resp.text()
