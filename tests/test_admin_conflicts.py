"""Two editors save the same offer: the second is shown the conflict, and the first one's change stays."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db

from bot.config import Settings
from bot.offers.store import get_offer
from bot.web.admin import accounts
from bot.web.app import create_app
from bot.web.keys import DB

PASSWORD = "sonnenblume-42"
OFFER = "/admin/offers/{id}/edit"


class _Fields(HTMLParser):
    """The fields a browser would send for the offer form (inputs, checked boxes, selected options, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self.fields.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields.append((self._textarea or "", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.fields and self.fields[-1][0] == self._textarea:
            self.fields[-1] = (self._textarea, self.fields[-1][1] + data)


def form_of(page: str, **changes: str) -> list[tuple[str, str]]:
    parser = _Fields()
    parser.feed(page[page.index('id="offer-form"'):])
    fields = [(k, changes.get(k, v)) for k, v in parser.fields if k != "action"]
    return [*fields, ("action", "save")]


async def signed_in(base: str, name: str) -> aiohttp.ClientSession:
    session = aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True))
    page = await (await session.get("/admin/login")).text()
    token = re.search(r'name="login_csrf" value="([^"]+)"', page)
    assert token
    resp = await session.post("/admin/login", data={"name": name, "password": PASSWORD,
                                                     "login_csrf": token.group(1)})
    assert resp.status == 200
    return session


@pytest.fixture
async def editors(tmp_path: Path) -> AsyncIterator[tuple[TestClient, aiohttp.ClientSession, aiohttp.ClientSession]]:
    db = demo_db(tmp_path / "lotse.db")
    for name in ("anna", "ben"):
        accounts.add_user(db, name, PASSWORD, "editor")
    db.close()
    async with TestClient(TestServer(create_app(Settings(db_path=tmp_path / "lotse.db")))) as client:
        base = str(client.make_url(""))
        anna, ben = await signed_in(base, "anna"), await signed_in(base, "ben")
        yield client, anna, ben
        await anna.close()
        await ben.close()


async def test_the_second_save_sees_the_conflict_and_reverts_nothing(
        editors: tuple[TestClient, aiohttp.ClientSession, aiohttp.ClientSession]) -> None:
    client, anna, ben = editors
    offer_id = client.app[DB].execute("SELECT min(id) FROM offers WHERE national = 0 AND id LIKE 'demo-%'"
                                      ).fetchone()[0]
    url = OFFER.format(id=offer_id)
    anna_page, ben_page = await (await anna.get(url)).text(), await (await ben.get(url)).text()

    saved = await anna.post(url, data=form_of(anna_page, phone="02303 123456"))
    assert saved.status == 200 and 'id="saved"' in await saved.text()
    second = await ben.post(url, data=form_of(ben_page, website="https://example.org/neu"))
    page = await second.text()
    assert second.status == 409 and 'id="conflict"' in page and "https://example.org/neu" in page
    stored = get_offer(client.app[DB], offer_id)
    assert stored is not None and stored.phone == "02303 123456" and stored.website != "https://example.org/neu"

    # Ben's form now holds what is stored: saving his change again keeps anna's phone number.
    again = await ben.post(url, data=form_of(page, website="https://example.org/neu"))
    assert again.status == 200 and 'id="saved"' in await again.text()
    stored = get_offer(client.app[DB], offer_id)
    assert stored is not None and stored.phone == "02303 123456" and stored.website == "https://example.org/neu"


async def test_a_role_change_from_a_stale_users_page_changes_nothing(tmp_path: Path) -> None:
    db = demo_db(tmp_path / "lotse.db")
    accounts.add_user(db, "kim", PASSWORD, "admin")
    accounts.add_user(db, "anna", PASSWORD, "editor")
    db.close()
    async with TestClient(TestServer(create_app(Settings(db_path=tmp_path / "lotse.db")))) as client:
        admin = await signed_in(str(client.make_url("")), "kim")
        page = await (await admin.get("/admin/users")).text()
        seen = re.search(r'name="name" value="anna"><input type="hidden" name="action" value="role">\s*'
                         r'<input type="hidden" name="changed" value="([^"]*)"', page)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert seen and csrf
        accounts.set_role(client.app[DB], "anna", "admin")  # someone else, meanwhile
        client.app[DB].execute("UPDATE admin_users SET changed_at = '2099-01-01T00:00:00Z' WHERE name = 'anna'")
        resp = await admin.post("/admin/users", data={"csrf": csrf.group(1), "action": "role", "name": "anna",
                                                      "role": "editor", "changed": seen.group(1)})
        assert resp.status == 409 and "anna" in await resp.text()
        found = accounts.get(client.app[DB], "anna")
        assert found is not None and found.role == "admin"
        await admin.close()
