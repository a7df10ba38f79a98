"""Shared fixtures: a demo database in memory and an engine over it."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

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
