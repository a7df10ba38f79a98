"""What Lotse keeps about a person, and that /forget really removes it: from the tables, the free pages and the
write-ahead log; the hash key lives outside the database; coordinates are stored rounded."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from demodb import demo_db

from bot.engine import Engine, Incoming
from bot.engine.sessions import SessionStore, key_file
from bot.geo.distance import Point
from bot.offers.db import open_db

QUESTION = "Papagei Kasimir frisieren"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    db = demo_db(tmp_path / "lotse.db")
    return Engine(db)


def raw_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.glob("lotse.db*") if p.suffix != ".key")


def test_forget_takes_the_persons_questions_out_of_the_review_queue_and_the_files(engine: Engine,
                                                                                    tmp_path: Path) -> None:
    engine.handle(Incoming("tg:7001", text=QUESTION))
    engine.handle(Incoming("tg:7002", text="blorp zzk wibble"))
    engine.handle(Incoming("tg:7002", text="Schnorchel Wumpe quietscht"))
    engine.handle(Incoming("tg:7001", text="Schnorchel Wumpe quietscht"))  # asked by both
    queued = dict(engine.db.execute("SELECT text, count FROM review_queue").fetchall())
    assert queued == {QUESTION: 1, "blorp zzk wibble": 1, "Schnorchel Wumpe quietscht": 2}
    key = engine.sessions.key("tg:7001")
    assert key.encode() in raw_bytes(tmp_path)
    assert key not in "".join(r[0] for r in engine.db.execute("SELECT marks FROM review_queue"))  # no link
    engine.handle(Incoming("tg:7001", button="forget:yes"))
    queued = dict(engine.db.execute("SELECT text, count FROM review_queue").fetchall())
    assert queued == {"blorp zzk wibble": 1, "Schnorchel Wumpe quietscht": 1}  # the other person's part stays
    data = raw_bytes(tmp_path)
    assert QUESTION.encode() not in data and key.encode() not in data
    assert (tmp_path / "lotse.db-wal").stat().st_size == 0  # checkpointed and emptied


def test_the_hash_key_is_a_private_file_beside_the_database(engine: Engine, tmp_path: Path) -> None:
    engine.handle(Incoming("tg:7003", text="Kita in Lünen"))
    path = key_file(tmp_path / "lotse.db")
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    key = bytes.fromhex(path.read_text())
    assert len(key) == 16 and key not in raw_bytes(tmp_path) and key.hex().encode() not in raw_bytes(tmp_path)
    assert engine.db.execute("SELECT count(*) FROM meta WHERE key = 'session_salt'").fetchone()[0] == 0
    # Another process (the engine worker, a restart) finds the same key: the session is still there.
    again = SessionStore(open_db(tmp_path / "lotse.db"))
    assert again.load("tg:7003").place_name == "Lünen"


def test_an_older_databases_salt_moves_out_and_its_sessions_stay(tmp_path: Path) -> None:
    db = open_db(tmp_path / "lotse.db")
    salt = "00112233445566778899aabbccddeeff"
    with db.conn:
        db.execute("INSERT INTO meta(key, value) VALUES ('session_salt', ?)", [salt])
    store = SessionStore(db)
    assert key_file(tmp_path / "lotse.db").read_text() == salt
    assert db.execute("SELECT count(*) FROM meta WHERE key = 'session_salt'").fetchone()[0] == 0
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert salt.encode() not in raw_bytes(tmp_path)
    assert store.key("tg:1") == SessionStore(db).key("tg:1")


def test_shared_locations_are_stored_rounded_to_about_100_m(engine: Engine) -> None:
    engine.handle(Incoming("tg:7004", location=Point(51.61643219, 7.52281234)))
    [(lat, lon)] = engine.db.execute("SELECT lat, lon FROM sessions").fetchall()
    assert (lat, lon) == (51.616, 7.523)
