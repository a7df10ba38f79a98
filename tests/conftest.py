"""Shared fixtures: a demo database in memory and an engine over it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlite_utils import Database

from bot.bench.fakebotapi import FakeBotAPI
from bot.config import Settings
from bot.engine import Engine
from bot.offers.db import open_db
from bot.offers.demo import build_demo
from bot.telegram.runner import TelegramBot


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


@pytest.fixture
async def bot(api: FakeBotAPI, engine: Engine) -> AsyncIterator[TelegramBot]:
    """The real PTB Application over the engine, polling the fake Bot API (no command registration)."""
    settings = Settings(telegram_token=api.token, telegram_api_base_url=api.base_url)
    async with TelegramBot(settings, engine, poll_timeout=5, commands=False) as running:
        yield running
        api.drain()
