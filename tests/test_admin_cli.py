"""`lotse admin ...`: accounts of the web admin made and changed on the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.offers.db import open_db
from bot.web.admin import accounts


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"LOTSE_DB": str(tmp_path / "lotse.db")}


def test_add_user_list_and_new_password(env: dict[str, str]) -> None:
    runner = CliRunner()
    made = runner.invoke(cli, ["admin", "add-user", "anna.schmidt", "--role", "editor"],
                         input="sonnenblume-42\nsonnenblume-42\n", env=env)
    assert made.exit_code == 0, made.output
    assert "account anna.schmidt (editor) created" in made.output and "sonnenblume-42" not in made.output
    listed = runner.invoke(cli, ["admin", "users"], env=env)
    assert "anna.schmidt" in listed.output and "editor" in listed.output and "1 accounts" in listed.output
    changed = runner.invoke(cli, ["admin", "passwd", "anna.schmidt"], input="kornblume-4242\nkornblume-4242\n",
                            env=env)
    assert changed.exit_code == 0, changed.output
    db = open_db(Path(env["LOTSE_DB"]))
    assert accounts.verify(db, "anna.schmidt", "kornblume-4242") is not None
    assert accounts.verify(db, "anna.schmidt", "sonnenblume-42") is None
    stored = db.execute("SELECT password_hash FROM admin_users").fetchone()[0]
    assert stored.startswith("$argon2id$") and "kornblume" not in stored


@pytest.mark.parametrize(("args", "typed", "message"), [
    (["add-user", "anna", "--role", "editor"], "kurz\nkurz\n", "at least 10 characters"),
    (["add-user", "a b", "--role", "editor"], "sonnenblume-42\nsonnenblume-42\n", "2 to 64 letters"),
    (["add-user", "anna", "--role", "chef"], "", "Invalid value for '--role'"),
    (["passwd", "nobody"], "sonnenblume-42\nsonnenblume-42\n", "no account with this name"),
])
def test_bad_input_gets_a_clear_answer(env: dict[str, str], args: list[str], typed: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["admin", *args], input=typed, env=env)
    assert result.exit_code != 0 and message in result.output


def test_a_second_account_with_the_same_name_is_refused(env: dict[str, str]) -> None:
    runner = CliRunner()
    for _attempt in range(2):
        result = runner.invoke(cli, ["admin", "add-user", "Anna", "--role", "admin"],
                               input="sonnenblume-42\nsonnenblume-42\n", env=env)
    assert result.exit_code != 0 and "already an account" in result.output


@pytest.mark.parametrize("command", ["add-user", "passwd", "users", "remove-user"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, ["admin", command, "--help"])
    assert result.exit_code == 0 and "Example: lotse admin" in result.output


@pytest.mark.parametrize("args", [
    ["admin", "add-user", "anna.schmidt", "--role", "admin"],
    ["intents", "export-learned", "-"],
    ["offers", "list"],
])
def test_db_option_wins_over_lotse_db(tmp_path: Path, args: list[str]) -> None:
    """`lotse --db FILE ...` works on FILE, never on LOTSE_DB's database, for every command."""
    chosen, other = tmp_path / "chosen.db", tmp_path / "other.db"
    result = CliRunner().invoke(cli, ["--db", str(chosen), *args], input="sonnenblume-42\nsonnenblume-42\n",
                                env={"LOTSE_DB": str(other)})
    assert result.exit_code == 0, result.output
    assert chosen.exists() and not other.exists()
    if args[0] == "admin":
        assert accounts.get(open_db(chosen), "anna.schmidt") is not None
        listed = CliRunner().invoke(cli, ["--db", str(chosen), "admin", "users"], env={"LOTSE_DB": str(other)})
        assert "anna.schmidt" in listed.output and not other.exists()
