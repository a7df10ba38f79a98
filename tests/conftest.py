"""Shared fixtures: a demo database in memory and an engine over it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlite_utils import Database

from bot.bench.fakebotapi import FakeBotAPI
from bot.engine import Engine
from bot.offers.db import open_db
from bot.offers.demo import build_demo


@pytest.fixture
def db() -> Database:
    """A fresh in-memory database with the demo offers."""
    database = open_db(memory=True)
    build_demo(database)
    return database


@pytest.fixture
def engine(db: Database) -> Engine:
    """The engine over the demo database, answering in German unless told otherwise."""
    return Engine(db, default_lang="de")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """The fake Telegram Bot API server (bot/bench/fakebotapi.py), on a free port of 127.0.0.1."""
    async with FakeBotAPI() as server:
        yield server
