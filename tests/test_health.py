"""/healthz says ok only when the database can be written; `lotse serve` refuses an unusable database in one
line; a database error during a chat is a kind 500 in the person's language, without a traceback."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections import namedtuple
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db

from bot.config import Settings
from bot.engine.worker import EngineWorker
from bot.offers.db import open_db
from bot.web import health
from bot.web.app import create_app

Usage = namedtuple("Usage", "total used free")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    demo_db(tmp_path / "lotse.db")
    async with TestClient(TestServer(create_app(Settings(db_path=tmp_path / "lotse.db")))) as test_client:
        yield test_client


async def test_healthz_checks_the_database_can_be_written(client: TestClient, tmp_path: Path) -> None:
    resp = await client.get("/healthz")
    body = await resp.json()
    assert resp.status == 200 and body["status"] == "ok" and body["writable"] is True
    heartbeat = open_db(tmp_path / "lotse.db").execute("SELECT value FROM meta WHERE key = 'heartbeat'").fetchone()
    assert heartbeat is not None  # it really wrote


async def test_healthz_fails_when_the_disk_is_almost_full(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    real = shutil.disk_usage

    def nearly_full(path: object) -> Usage:
        usage = real(str(path))
        return Usage(usage.total, usage.total - 3 * 1024 * 1024, 3 * 1024 * 1024)

    monkeypatch.setattr(health.shutil, "disk_usage", nearly_full)
    resp = await client.get("/healthz")
    assert resp.status == 503
    assert (await resp.json()) == {"status": "error", "database": "the disk is almost full (3 MB free)"}


def test_a_database_sqlite_cannot_write_is_named(tmp_path: Path) -> None:
    path = tmp_path / "not-a.db"
    path.write_bytes(b"this is not a database file, it only looks like one" * 100)
    assert "damaged or not a database" in (health.database_problem(path) or "")


async def test_a_full_disk_during_a_chat_is_a_kind_500_in_the_persons_language(
        client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    async def full(self: object, incoming: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")  # as the worker process reports it

    monkeypatch.setattr(EngineWorker, "handle", full)
    caplog.set_level(logging.ERROR)
    resp = await client.post("/api/chat", json={"session": "d1", "text": "Kita"}, headers={"Accept-Language": "uk"})
    assert resp.status == 500
    assert (await resp.json())["error"] == "Вибачте, щось пішло не так. Спробуйте ще раз."
    assert "disk is full" in caplog.text and "Traceback" not in caplog.text


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv")
def test_serve_with_a_read_only_database_says_so_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = demo_db(folder / "lotse.db")
    db.execute("PRAGMA journal_mode=DELETE")  # no -wal/-shm files: the folder can be read-only too
    db.close()
    for path in folder.iterdir():
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(0o555)
    # root may write anywhere; without these capabilities it obeys the file modes like any other user
    command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", sys.executable, "-m", "bot",
               "serve"]
    env = {**os.environ, "LOTSE_DB": str(folder / "lotse.db"), "LOTSE_PORT": "59999"}  # refused before it listens
    env.pop("TELEGRAM_BOT_TOKEN", None)
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert "read-only" in done.stderr and "lotse.db" in done.stderr
