"""`lotse db migrate` and `lotse db copy`: the shared state moved from a district's SQLite file to PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.engine.handoff_store import HandoffStore
from bot.engine.sessions import Session, SessionStore
from bot.inbox.store import InboxStore
from bot.store import open_store
from bot.store.cli import shown
from bot.store.schema import newest

KEY = bytes(range(16))
NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def fill(url: str) -> int:
    """A district's state: 30 sessions, 3 handoffs (one closed) with messages and a claim; the open handoffs."""
    with open_store(url) as store:
        sessions, handoffs, inbox = SessionStore(store, key=KEY), HandoffStore(store), InboxStore(store)
        for i in range(30):
            sessions.save(f"tg:{i}", Session(lang="ar" if i % 2 else "uk", place_name="Kamen", lat=51.59, lon=7.66,
                                             last_intent="kita"))
        for i in range(3):
            number = handoffs.open(f"k{i}", lang="fa", place_name="Unna", district="05978", channel="telegram",
                                   staff_chat=-1001234567890, now=NOW).number
            inbox.add(number, "person", "سلام، به کمک نیاز دارم", NOW)
            handoffs.post(number, "staff", "Wir sind da.", NOW)
        inbox.claim(1, "amira", NOW)
        handoffs.close(3, NOW)
        inbox.save_reply("fa", "Termin", "فردا تماس می‌گیریم")
    return 2


def test_migrate_makes_the_schema_and_a_second_run_changes_nothing(pg_url: str) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["db", "migrate", "--url", pg_url])
    assert first.exit_code == 0, first.output
    assert "applied: conversations, handoffs and the team inbox" in first.output
    assert f"schema version {newest()} of {newest()}" in first.output
    again = runner.invoke(cli, ["db", "migrate"], env={"LOTSE_DATABASE_URL": pg_url})
    assert again.exit_code == 0 and "already current" in again.output and "applied" not in again.output


def test_copy_moves_a_district_to_postgresql_and_the_conversations_go_on(tmp_path: Path, pg_url: str) -> None:
    source = f"sqlite:///{tmp_path / 'lotse.db'}"
    fill(source)
    result = CliRunner().invoke(cli, ["db", "copy", source, pg_url])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[1:-1]}
    assert lines["sessions"][:2] == ["30", "30"] and lines["handoffs"][:2] == ["3", "3"]
    assert all(cols[-1] == "ok" for cols in lines.values())
    assert "counts and checksums agree" in result.output
    with open_store(pg_url) as store:
        assert SessionStore(store, key=KEY).load("tg:7").place_name == "Kamen"
        inbox, handoffs = InboxStore(store), HandoffStore(store)
        assert [c.number for c in inbox.open_conversations()] == [2, 1]
        assert inbox.claimed_by(1) == "amira"
        new = handoffs.open("k9", lang="ar", place_name=None, district=None, channel="web", staff_chat=-100, now=NOW)
        assert new.number == 4  # numbering goes on after the copied handoffs


def test_copy_back_from_postgresql_to_sqlite_agrees(tmp_path: Path, pg_url: str) -> None:
    fill(pg_url)
    result = CliRunner().invoke(cli, ["db", "copy", pg_url, f"sqlite:///{tmp_path / 'back.db'}"])
    assert result.exit_code == 0, result.output
    with open_store(f"sqlite:///{tmp_path / 'back.db'}") as store:
        assert len(InboxStore(store).open_conversations()) == 2


def test_copy_into_a_database_with_rows_refuses_until_told_to_replace(tmp_path: Path, pg_url: str) -> None:
    source = f"sqlite:///{tmp_path / 'lotse.db'}"
    fill(source)
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "copy", source, pg_url]).exit_code == 0
    twice = runner.invoke(cli, ["db", "copy", source, pg_url])
    assert twice.exit_code == 1
    assert "already has rows in: sessions, handoffs" in twice.output and "Nothing was copied" in twice.output
    replaced = runner.invoke(cli, ["db", "copy", "--replace", source, pg_url])
    assert replaced.exit_code == 0, replaced.output
    with open_store(pg_url) as store:
        assert store.one("SELECT count(*) FROM sessions") == (30,)


@pytest.mark.parametrize(("args", "message"), [
    (["copy", "sqlite:///nowhere/lotse.db", "sqlite:///x.db"], "no such SQLite file"),
    (["copy", "mysql://a/b", "sqlite:///x.db"], "sqlite:/// or postgresql://"),
    (["migrate", "--url", "postgresql://lotse:geheim@127.0.0.1:1/none"], "cannot open it"),
])
def test_bad_database_urls_are_named_kindly(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["db", *args])
    assert result.exit_code != 0 and message in result.output
    assert "geheim" not in result.output  # a password is never printed


def test_a_url_is_shown_without_its_password() -> None:
    assert shown("postgresql://lotse:s3cret@db/lotse") == "postgresql://lotse:***@db/lotse"
