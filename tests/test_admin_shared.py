"""The web admin's accounts, sign-in sessions and login throttling on the shared store, on both engines: a person
signed in on one instance is signed in on every instance, and guesses count across instances."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner
from demodb import demo_db
from test_store import at_once

from bot.cli import cli
from bot.config import Settings
from bot.store import Store, open_store
from bot.store.copy import copy
from bot.web.admin import accounts
from bot.web.app import create_app

PASSWORD = "sonnenblume-42"


def test_an_account_made_on_one_instance_signs_in_on_the_other(stores: tuple[Store, Store]) -> None:
    one, two = stores
    accounts.add_user(one, "Anna.Schmidt", PASSWORD, "editor")
    account = accounts.verify(two, "anna.schmidt", PASSWORD)  # names compare case-insensitively on both engines
    assert account is not None and (account.name, account.role) == ("Anna.Schmidt", "editor")
    with pytest.raises(accounts.AccountError, match="already an account"):
        accounts.add_user(two, "ANNA.SCHMIDT", PASSWORD, "admin")
    assert accounts.verify(two, "anna.schmidt", "falsch-falsch") is None
    assert [a.name for a in accounts.users(two)] == ["Anna.Schmidt"]


def test_a_session_started_on_one_instance_holds_on_the_other_until_the_password_changes(
        stores: tuple[Store, Store]) -> None:
    one, two = stores
    account = accounts.add_user(one, "ben", PASSWORD, "admin")
    cookie, started = accounts.start_session(one, account, now=1000.0)
    found = accounts.find_session(two, cookie, idle_seconds=1200, now=1100.0)
    assert isinstance(found, accounts.Session) and found.account.name == "ben" and found.csrf == started.csrf
    accounts.set_password(two, "BEN", "ein-neues-passwort")
    assert accounts.find_session(one, cookie, idle_seconds=1200, now=1200.0) is None


def test_an_idle_session_expires_on_every_instance(stores: tuple[Store, Store]) -> None:
    one, two = stores
    cookie, _ = accounts.start_session(one, accounts.add_user(one, "carla", PASSWORD, "editor"), now=1000.0)
    assert accounts.find_session(two, cookie, idle_seconds=600, now=1700.0) == "expired"
    assert accounts.find_session(one, cookie, idle_seconds=600, now=1701.0) is None


def test_the_admin_tokens_browser_session_is_shared_and_ends_with_a_new_token(stores: tuple[Store, Store]) -> None:
    one, two = stores
    cookie = accounts.start_token_session(one, "s3cret-token", now=1000.0)
    found = accounts.find_token_session(two, cookie, "s3cret-token", idle_seconds=600, now=1001.0)
    assert isinstance(found, accounts.Session) and found.account.name == "token"
    assert accounts.find_session(two, cookie, idle_seconds=600, now=1001.0) is None  # never a named account's
    assert accounts.find_token_session(two, cookie, "another-token", idle_seconds=600, now=1002.0) is None


def test_wrong_passwords_count_across_instances(stores: tuple[Store, Store]) -> None:
    one, two = stores
    now = [1000.0]
    first, second = (accounts.Throttle(free=5, base=1.0, cap=60.0, clock=lambda: now[0]) for _ in range(2))
    first.share(one, "account")
    second.share(two, "account")
    at_once([lambda: first.fail("name:anna") for _ in range(4)] + [lambda: second.fail("name:anna")
                                                                     for _ in range(3)])
    assert second.wait("name:anna") == pytest.approx(2.0)  # seven failures: the second beyond the five free
    assert first.wait("name:ben") == 0.0
    first.succeed("name:anna")
    assert second.wait("name:anna") == 0.0
    second.fail("name:anna")
    now[0] += 16 * 60  # forgotten a quarter of an hour after the last one
    assert first.wait("name:anna") == 0.0


def test_the_browsers_mark_key_is_the_same_on_every_instance(stores: tuple[Store, Store]) -> None:
    one, two = stores
    assert accounts.device_secret(one) == accounts.device_secret(two) != ""


def test_db_copy_moves_the_accounts(tmp_path: Path, pg_url: str) -> None:
    source = f"sqlite:///{tmp_path / 'lotse.db'}"
    with open_store(source) as store:
        accounts.add_user(store, "kim", PASSWORD, "admin")
        accounts.start_session(store, accounts.Account("kim", "admin"), now=1000.0)
    result = CliRunner().invoke(cli, ["db", "copy", source, pg_url])
    assert result.exit_code == 0, result.output
    assert re.search(r"admin_users\s+1\s+1\s+\w+ ok", result.output) and "admin_sessions" in result.output
    with open_store(pg_url) as store:
        assert accounts.verify(store, "KIM", PASSWORD) is not None


@pytest.fixture
async def two_admins(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[TestClient, TestClient]]:
    """Two web apps behind an imagined load balancer: one SQLite file (offers), the accounts in the shared
    database (the same file, or PostgreSQL)."""
    db_path = tmp_path / "lotse.db"
    demo_db(db_path)
    shared = None if database_url.startswith("sqlite") else database_url
    with open_store(database_url) as store:
        if shared:  # the offers move to PostgreSQL too
            with open_store(f"sqlite:///{db_path}") as source:
                copy(source, store)
        accounts.add_user(store, "anna", PASSWORD, "editor")
    settings = Settings(db_path=db_path, database_url=shared)
    async with TestClient(TestServer(create_app(settings))) as one, \
            TestClient(TestServer(create_app(settings))) as two:
        yield one, two


async def _sign_in(client: TestClient) -> dict[str, str]:
    page = await (await client.get("/admin/login")).text()
    login_csrf = re.search(r'name="login_csrf" value="([^"]+)"', page)
    assert login_csrf
    resp = await client.post("/admin/login", data={"name": "anna", "password": PASSWORD,
                                                   "login_csrf": login_csrf.group(1)}, allow_redirects=False)
    assert resp.status == 303
    return {c.key: c.value for c in client.session.cookie_jar}


async def test_signed_in_on_one_instance_is_signed_in_on_the_other(
        two_admins: tuple[TestClient, TestClient]) -> None:
    one, two = two_admins
    cookies = await _sign_in(one)
    other = await two.get("/admin", cookies=cookies, allow_redirects=False)
    assert other.status == 200 and "anna" in await other.text()


async def test_an_offer_added_on_one_instance_is_listed_and_audited_on_the_other(
        two_admins: tuple[TestClient, TestClient]) -> None:
    one, two = two_admins
    cookies = await _sign_in(one)
    page = await (await one.get("/admin/offers/new")).text()
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    form = {"csrf": token.group(1), "action": "save", "id": "t-kita", "name_de": "Kita Regenbogen (Beispiel)",
            "categories": "kita", "postcode": "59423", "city": "Unna", "opening_hours": "Mo-Fr 7-16 Uhr"}
    saved = await (await one.post("/admin/offers/new", data=form)).text()
    assert 'id="saved"' in saved
    listed = await (await two.get("/admin/offers?q=Regenbog", cookies=cookies)).text()
    assert 'id="count">1 ' in listed and "Kita Regenbogen" in listed
    changes = await (await two.get("/admin/changes", cookies=cookies)).text()
    assert "anna" in changes and "Kita Regenbogen" in changes
    shown = await (await two.get("/admin/offers/t-kita", cookies=cookies)).text()
    assert "Mo.–Fr. 07:00–16:00" in shown
