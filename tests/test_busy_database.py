"""Writes never fail a chat: while another connection holds the database's write lock (an admin import on a busy
machine), sessions and the review queue are kept in memory and written once the lock is free."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from demodb import demo_db
from sqlite_utils import Database

from bot.engine import Engine, Incoming
from bot.engine.sessions import Session, SessionStore, database_path
from bot.offers import db as offers_db
from bot.offers.db import open_db, retrying


@pytest.fixture
def database(tmp_path: Path) -> Database:
    path = tmp_path / "lotse.db"
    demo_db(path)
    db = open_db(path)
    db.execute("PRAGMA busy_timeout = 0")  # a held lock is seen at once, not after five seconds
    return db


@pytest.fixture
def held_lock(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[sqlite3.Connection]:
    """A second connection in the middle of a write transaction, as an import's batch is; no pauses between
    the tries, so the test does not wait."""
    monkeypatch.setattr(offers_db, "WRITE_RETRY_PAUSES", ())
    other = sqlite3.connect(str(database_path(database)), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO meta(key, value) VALUES ('import', 'running')")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


@pytest.fixture
def started(database: Database) -> Engine:
    """The engine, started (its tables made) before the import begins."""
    return Engine(database, default_lang="de")


@pytest.fixture
def held_lock_after_start(started: Engine, held_lock: sqlite3.Connection) -> sqlite3.Connection:
    return held_lock


def stored_places(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT place_name FROM sessions ORDER BY place_name")]


def test_a_busy_write_is_tried_again_and_raised_when_it_stays_busy(database: Database,
                                                                   held_lock: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        retrying(lambda: database.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')"), pauses=(0.0, 0.0))
    database.conn.rollback()
    with pytest.raises(sqlite3.OperationalError, match="no such table"):  # other errors are not tried again
        retrying(lambda: database.execute("SELECT * FROM nowhere"), pauses=(0.0,))


def test_a_session_is_kept_while_the_database_is_busy_and_written_after(database: Database,
                                                                        held_lock: sqlite3.Connection) -> None:
    store = SessionStore(database)
    store.save("anna", Session(lang="uk", place_name="Unna"))
    assert store.load("anna").place_name == "Unna"  # the conversation goes on from memory
    assert stored_places(database) == []
    held_lock.execute("COMMIT")
    store.save("omid", Session(lang="fa", place_name="Kamen"))
    assert stored_places(database) == ["Kamen", "Unna"]  # the kept one written with the next


def test_the_engine_answers_while_the_database_is_busy(database: Database, held_lock_after_start: sqlite3.Connection,
                                                      started: Engine) -> None:
    engine, held_lock = started, held_lock_after_start
    first = engine.handle(Incoming(user_id="u1", text="Kita in Unna"))
    follow = engine.handle(Incoming(user_id="u1", text="und in Kamen?"))
    assert "Kita" in first.messages[0].text and follow.messages
    unsure = engine.handle(Incoming(user_id="u2", text="qqq zzz kkk"))  # queued for review, later
    assert unsure.messages
    held_lock.execute("COMMIT")
    engine.handle(Incoming(user_id="u3", text="Deutschkurs in Lünen"))
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 3
