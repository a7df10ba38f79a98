"""Settings: every bad value stops the command with one line naming the variable and what is allowed (exit 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import resources
from bot.cli import cli
from bot.config import Settings, SettingsError, data_dir

BAD = [
    ("LOTSE_RESULTS", "abc", "whole number from 1 to 10"),
    ("LOTSE_RESULTS", "0", "whole number from 1 to 10"),
    ("LOTSE_RESULTS", "11", "whole number from 1 to 10"),
    ("LOTSE_LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("LOTSE_DEFAULT_LANG", "xx", "de, en, ar, fa, uk, ru, tr, fr, ku, ti, ps, so"),
    ("LOTSE_PORT", "http", "a TCP port, a whole number from 1 to 65535"),
    ("LOTSE_PORT", "70000", "a TCP port, a whole number from 1 to 65535"),
    ("LOTSE_DISTRICT", "Unna", "five-digit key (AGS) of a Kreis in data/districts.yaml: 05"),
    ("LOTSE_DISTRICT", "09162", "05978 (Kreis Unna)"),
    ("LOTSE_WEBHOOK_URL", "http://bot.example.org/telegram/webhook", "https:// URL"),
    ("TELEGRAM_API_BASE_URL", "api.telegram.org", "http:// or https:// URL"),
]


@pytest.mark.parametrize("name, value, allowed", BAD)
def test_a_bad_setting_names_the_variable_and_what_is_allowed(name: str, value: str, allowed: str) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env({name: value})
    assert str(err.value).startswith(f"{name}={value!r} is not allowed: ")
    assert allowed in str(err.value)


@pytest.mark.parametrize("name, value, allowed", BAD)
def test_every_command_exits_2_with_one_line(name: str, value: str, allowed: str) -> None:
    result = CliRunner().invoke(cli, ["ask", "Kita in Lünen", "--json"], env={name: value})
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"lotse: {name}=") and allowed in lines[0]


def test_a_bad_webhook_secret_is_named_but_not_shown() -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"LOTSE_WEBHOOK_SECRET": "sécret with spaces"})
    assert "LOTSE_WEBHOOK_SECRET" in str(err.value) and "sécret" not in str(err.value)


def test_good_values_and_empty_ones_mean_what_they_say() -> None:
    settings = Settings.from_env({"LOTSE_RESULTS": " 5 ", "LOTSE_LOG_LEVEL": "debug", "LOTSE_DEFAULT_LANG": "ar",
                                  "LOTSE_PORT": "8081", "LOTSE_DISTRICT": "05978", "LOTSE_DB": "/srv/l/lotse.db",
                                  "LOTSE_HOST": ""})
    assert (settings.results, settings.log_level, settings.default_lang, settings.port) == (5, "DEBUG", "ar", 8081)
    assert settings.default_district == "05978" and settings.db_path == Path("/srv/l/lotse.db")
    assert settings.host == "127.0.0.1"


def test_the_default_database_is_in_the_checkouts_var_folder() -> None:
    root = resources.checkout()
    assert root is not None  # the tests run in a checkout
    assert data_dir() == root / "var"
    assert Settings.from_env({}).db_path == root / "var" / "lotse.db"


def test_db_option_wins_over_the_environment_and_setup_prints_it(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.db"
    result = CliRunner().invoke(cli, ["--db", str(target), "setup"], env={"LOTSE_DB": str(tmp_path / "env.db")})
    assert result.exit_code == 0, result.output
    assert str(target) in result.stdout
    assert target.exists() and not (tmp_path / "env.db").exists()


def test_logging_is_set_up_for_every_command(tmp_path: Path) -> None:
    # A fresh process: the level of LOTSE_LOG_LEVEL reaches the root logger before the command runs.
    code = ("import logging, sys; from bot.cli import cli\n"
            "@cli.command('level')\ndef level(): print(logging.getLevelName(logging.getLogger().level))\n"
            "cli(['level'], prog_name='lotse')")
    env = {"LOTSE_LOG_LEVEL": "warning", "LOTSE_DB": str(tmp_path / "x.db"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "WARNING", done.stderr


def test_the_real_command_stops_before_serving(tmp_path: Path) -> None:
    env = {"LOTSE_RESULTS": "0", "LOTSE_DB": str(tmp_path / "x.db"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "bot", "serve"], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "lotse: LOTSE_RESULTS='0' is not allowed: offers per answer, a whole number from 1 to 10\n"
    assert not (tmp_path / "x.db").exists()


WHATSAPP = {"WHATSAPP_TOKEN": "EAAG", "WHATSAPP_PHONE_ID": "1065", "WHATSAPP_APP_SECRET": "s",
            "WHATSAPP_VERIFY_TOKEN": "v"}


def test_whatsapp_needs_all_four_secrets_or_none() -> None:
    assert Settings.from_env({}).whatsapp is None
    config = Settings.from_env(WHATSAPP).whatsapp
    assert config is not None and config.api_base_url == "https://graph.facebook.com/v22.0"
    local = Settings.from_env({**WHATSAPP, "WHATSAPP_API_BASE_URL": "http://127.0.0.1:9/v22.0/"}).whatsapp
    assert local is not None and local.api_base_url == "http://127.0.0.1:9/v22.0"
    langs = Settings.from_env({**WHATSAPP, "WHATSAPP_TEMPLATE_LANG": "de, ar"}).whatsapp
    assert langs is not None and (langs.template_lang("ar"), langs.template_lang("ti")) == ("ar", "de")
    with pytest.raises(SettingsError, match="WHATSAPP_TEMPLATE_LANG"):
        Settings.from_env({**WHATSAPP, "WHATSAPP_TEMPLATE_LANG": "de,xx"})
    with pytest.raises(SettingsError, match="not set: WHATSAPP_APP_SECRET"):
        Settings.from_env({**WHATSAPP, "WHATSAPP_APP_SECRET": ""})
    with pytest.raises(SettingsError, match="WHATSAPP_API_BASE_URL"):
        Settings.from_env({**WHATSAPP, "WHATSAPP_API_BASE_URL": "graph.facebook.com"})


@pytest.mark.parametrize(("value", "inbox"), [("inbox", True), ("-1001234567890", False)])
def test_the_staff_desk_may_be_the_team_inbox(value: str, inbox: bool) -> None:
    staff = Settings.from_env({"LOTSE_STAFF_CHAT": value}).staff
    assert staff.inbox is inbox
    assert (staff.usable(telegram=False) is not None) is inbox, "a Telegram group needs the bot; the inbox not"


def test_chat_id_zero_is_not_a_telegram_group() -> None:
    with pytest.raises(SettingsError, match="'inbox' for the admin's team inbox"):
        Settings.from_env({"LOTSE_STAFF_CHAT": "0"})
