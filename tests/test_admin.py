"""The web admin as the staff of an integration centre use it: sign-in, roles, CSRF, throttling, the offer list
and form, import with dry run, export, delete and restore, recent changes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner
from demodb import demo_db
from serving import first_admin

from bot.cli import cli
from bot.config import Settings
from bot.offers.db import open_db
from bot.web.admin import accounts
from bot.web.admin.auth import ADDRESS_THROTTLE, CLOCK, THROTTLE
from bot.web.app import create_app
from bot.web.keys import DB

GOOD_CSV = (
    "ID;Name;Kategorie;Straße;PLZ;Ort\r\n"
    "t-1;Testkita Sonnenschein (Beispiel);kita;;59423;Unna\r\n"
).encode("cp1252")
BAD_CSV = (
    b"ID;Name;Kategorie;PLZ;Ort\r\n"
    b"t-2;Gute Zeile;kita;59423;Unna\r\n"
    b"t-3;;kita;59423;Unna\r\n"
    b"t-4;Falsche Kategorie;Zauberei;59423;Unna\r\n"
)
PASSWORD = "sonnenblume-42"


def _db_path(tmp_path: Path, users: dict[str, str] | None = None) -> Path:
    db_path = tmp_path / "lotse.db"
    db = demo_db(db_path)
    for name, role in (users or {}).items():
        accounts.add_user(db, name, PASSWORD, role)
    db.close()
    return db_path


async def _client(tmp_path: Path, token: str | None = None, users: dict[str, str] | None = None) -> TestClient:
    settings = Settings(db_path=_db_path(tmp_path, users), admin_token=token)
    return TestClient(TestServer(create_app(settings)))


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    """The first admin "kim", made through the one-time set-up link and signed in."""
    async with await _client(tmp_path) as test_client:
        await first_admin(test_client, "kim")
        yield test_client


@pytest.fixture
async def staff(tmp_path: Path) -> AsyncIterator[TestClient]:
    """Two named accounts: anna (editor) and ben (admin)."""
    async with await _client(tmp_path, users={"anna": "editor", "ben": "admin"}) as test_client:
        yield test_client


async def csrf(client: TestClient, path: str = "/admin") -> str:
    html = await (await client.get(path)).text()
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


async def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> tuple[int, str]:
    page = await (await client.get("/admin/login")).text()
    token = re.search(r'name="login_csrf" value="([^"]+)"', page)
    assert token
    resp = await client.post("/admin/login", data={"name": name, "password": password,
                                                   "login_csrf": token.group(1)})
    return resp.status, await resp.text()


def _upload(data: bytes, name: str, dry_run: bool, token: str) -> FormData:
    form = FormData()
    form.add_field("csrf", token)
    form.add_field("file", data, filename=name, content_type="text/csv")
    if dry_run:
        form.add_field("dry_run", "1")
    return form


async def test_review_queue_shows_unanswered_questions_without_user_ids(client: TestClient) -> None:
    await client.post("/api/chat", json={"session": "secret-session-42",
                                         "text": "Unser Kleiner ist den ganzen Vormittag allein, wohin mit ihm"})
    resp = await client.get("/admin/review")
    html = await resp.text()
    assert resp.status == 200
    assert "Unser Kleiner ist den ganzen Vormittag allein, wohin mit ihm" in html
    assert "secret-session-42" not in html
    assert "<h1>Fragen zur Durchsicht</h1>" in html and "Das ist das Thema" in html  # German first
    assert "Fragen, die Lotse nicht beantworten konnte" in await (await client.get("/admin")).text()


async def test_english_is_one_click_away(client: TestClient) -> None:
    html = await (await client.get("/admin/lang?to=en")).text()
    assert "Questions Lotse could not answer" in html and "Kita" in html


async def test_import_dry_run_then_real_import(client: TestClient) -> None:
    token = await csrf(client)
    resp = await client.post("/admin/import", data=_upload(GOOD_CSV, "kitas.csv", True, token))
    html = await resp.text()
    assert resp.status == 200 and "Probelauf" in html and "1 neu" in html
    assert "Testkita" not in await (await client.get("/admin/offers?q=Sonnenschein")).text()

    resp = await client.post("/admin/import", data=_upload(GOOD_CSV, "kitas.csv", False, token))
    assert resp.status == 200 and "Importiert" in await resp.text()
    assert "Testkita Sonnenschein" in await (await client.get("/admin/offers?q=Sonnensch")).text()
    changes = await (await client.get("/admin/changes")).text()
    assert "kim" in changes and "Testkita Sonnenschein" in changes


async def test_bad_rows_are_listed_by_line_and_nothing_is_written(client: TestClient) -> None:
    resp = await client.post("/admin/import", data=_upload(BAD_CSV, "bad.csv", False, await csrf(client)))
    html = await resp.text()
    assert resp.status == 422
    assert "Zeile 3: der deutsche Name fehlt" in html and "Zeile 4: unbekannte Kategorie „Zauberei“" in html
    assert "Nichts wurde geschrieben" in html
    assert "Gute Zeile" not in await (await client.get("/admin/offers?q=Gute")).text()


async def test_an_upload_without_csrf_token_is_refused(client: TestClient) -> None:
    form = FormData()
    form.add_field("file", GOOD_CSV, filename="kitas.csv", content_type="text/csv")
    resp = await client.post("/admin/import", data=form)
    assert resp.status == 403 and "Seite neu" in await resp.text()


async def test_wrong_file_type_is_refused(client: TestClient) -> None:
    resp = await client.post("/admin/import", data=_upload(b"%PDF-1.4", "offers.pdf", True, await csrf(client)))
    assert resp.status == 400 and ".csv" in await resp.text()


async def test_export_csv_is_a_download_with_the_offers(client: TestClient) -> None:
    resp = await client.get("/admin/export.csv")
    body = (await resp.read()).decode("utf-8-sig")
    assert resp.status == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    assert body.splitlines()[0].startswith("id;")
    assert "Kommunales Integrationszentrum" in body


async def test_delete_and_restore_are_in_the_history(client: TestClient) -> None:
    listing = await (await client.get("/admin/offers?category=kita")).text()
    offer_id = re.findall(r'<td><a href="/admin/offers/([^"]+)"', listing)[0]
    token = await csrf(client)
    resp = await client.post(f"/admin/offers/{offer_id}/delete", data={"csrf": token})
    assert resp.status == 200  # followed the redirect to the offer page
    page = await resp.text()
    assert 'id="deleted"' in page and "Wiederherstellen" in page
    assert offer_id in await (await client.get("/admin/offers?state=deleted&category=kita")).text()
    page = await (await client.post(f"/admin/offers/{offer_id}/restore", data={"csrf": token})).text()
    history = page.split('id="history"')[1]
    assert "Löschen" in page and "wiederhergestellt" in history and "gelöscht" in history


async def test_a_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    resp = await client.post("/admin/offers/nat-112/delete", data={})
    assert resp.status == 403
    resp = await client.post("/admin/offers/nat-112/delete", data={"csrf": "guessed"})
    assert resp.status == 403
    offer = await (await client.get("/admin/offers/nat-112")).text()
    assert 'id="deleted"' not in offer


async def test_a_multipart_post_without_csrf_token_is_refused_too(client: TestClient) -> None:
    form = FormData()
    form.add_field("note", b"x", filename="x.txt")
    resp = await client.post("/admin/offers/nat-112/delete", data=form)
    assert resp.status == 403
    assert 'id="deleted"' not in await (await client.get("/admin/offers/nat-112")).text()


async def test_cross_site_post_is_refused(client: TestClient) -> None:
    token = await csrf(client)
    resp = await client.post("/admin/offers/x/delete", data={"csrf": token}, headers={"Origin": "https://evil.example"})
    assert resp.status == 403


async def test_the_token_still_works_for_set_up_and_scripts(tmp_path: Path) -> None:
    async with await _client(tmp_path, token="s3cret-token") as client:
        resp = await client.get("/admin", allow_redirects=False)
        assert resp.status == 302 and resp.headers["Location"] == "/admin/login"
        resp = await client.get("/admin/export.json", headers={"Authorization": "Bearer s3cret-token"})
        assert resp.status == 200 and "nat-112" in await resp.text()
        resp = await client.get("/admin/export.json", headers={"Authorization": "Bearer wrong"},
                                allow_redirects=False)
        assert resp.status == 302
        status, _html = await sign_in(client, "", "s3cret-token")
        assert status == 200
        assert "Benutzer" in await (await client.get("/admin/users")).text()


async def test_an_editor_signs_in_edits_and_is_named_in_the_audit(staff: TestClient) -> None:
    resp = await staff.get("/admin", allow_redirects=False)
    assert resp.status == 302
    status, html = await sign_in(staff, "anna")
    assert status == 200 and "anna (Bearbeitung)" in html
    token = await csrf(staff, "/admin/offers/new")
    form = {"csrf": token, "action": "save", "id": "t-kita", "name_de": "Kita Regenbogen (Beispiel)",
            "categories": "kita", "postcode": "59423", "city": "Unna", "opening_hours": "Mo-Fr 7-16 Uhr"}
    page = await (await staff.post("/admin/offers/new", data=form)).text()
    assert 'id="saved"' in page and "Mo.–Fr. 07:00–16:00" in page
    assert "Ungefähr" in page or "ungefähr" in page  # placed at the postcode, marked approximate
    changes = await (await staff.get("/admin/changes")).text()
    assert "anna" in changes and "Kita Regenbogen" in changes


async def test_form_errors_stand_next_to_their_field_and_nothing_is_saved(staff: TestClient) -> None:
    await sign_in(staff, "anna")
    token = await csrf(staff, "/admin/offers/new")
    form = {"csrf": token, "action": "save", "name_de": "Kita Fehler", "categories": "kita", "postcode": "99999",
            "phone": "ruf an", "opening_hours": "meistens vormittags"}
    resp = await staff.post("/admin/offers/new", data=form)
    html = await resp.text()
    assert resp.status == 422
    assert re.search(r'id="f-phone".*?class="error" id="e-phone">„ruf an“ ist keine Telefonnummer', html, re.S)
    assert 'id="e-opening_hours">Öffnungszeiten „meistens vormittags“ wurden nicht verstanden' in html
    assert 'id="count">0 ' in await (await staff.get("/admin/offers?q=Kita+Fehler")).text()


async def test_check_shows_how_the_opening_hours_were_understood(staff: TestClient) -> None:
    await sign_in(staff, "anna")
    token = await csrf(staff, "/admin/offers/new")
    form = {"csrf": token, "action": "check", "name_de": "Beratung X", "categories": "counselling",
            "postcode": "59423", "opening_hours": "Montag bis Freitag 9-12 Uhr, Di 14-18 Uhr"}
    html = await (await staff.post("/admin/offers/new", data=form)).text()
    assert 'id="checked"' in html
    # Tuesday keeps its morning: offices mean the afternoon in addition.
    assert "Mo., Mi.–Fr. 09:00–12:00; Di. 09:00–12:00, 14:00–18:00" in html
    assert "Mo,We-Fr 09:00-12:00; Tu 09:00-12:00,14:00-18:00" in html
    assert 'id="count">0 ' in await (await staff.get("/admin/offers?q=Beratung+X")).text()


async def test_an_editor_cannot_open_the_users_page_an_admin_can(staff: TestClient) -> None:
    await sign_in(staff, "anna")
    resp = await staff.get("/admin/users")
    assert resp.status == 403 and "Nur Admins" in await resp.text()
    token = await csrf(staff)
    resp = await staff.post("/admin/users", data={"csrf": token, "action": "add", "name": "eve",
                                                  "password": PASSWORD, "role": "admin"})
    assert resp.status == 403
    await staff.post("/admin/logout", data={"csrf": token})
    await sign_in(staff, "ben")
    token = await csrf(staff, "/admin/users")
    html = await (await staff.post("/admin/users", data={"csrf": token, "action": "add", "name": "carla",
                                                         "password": PASSWORD, "role": "editor"})).text()
    assert "carla" in html and "angelegt" in html


def _slow_clock(client: TestClient) -> list[float]:
    """Give both login throttles a clock the test moves by hand."""
    now = [1000.0]
    client.app[THROTTLE].clock = client.app[ADDRESS_THROTTLE].clock = lambda: now[0]
    return now


async def guess(client: TestClient, address: str, name: str, password: str) -> int:
    page = await (await client.get("/admin/login")).text()
    token = re.search(r'name="login_csrf" value="([^"]+)"', page)
    assert token
    resp = await client.post("/admin/login", headers={"X-Forwarded-For": address},
                             data={"name": name, "password": password, "login_csrf": token.group(1)})
    return resp.status


async def test_wrong_passwords_make_the_next_try_wait_longer_never_a_lock(staff: TestClient) -> None:
    now = _slow_clock(staff)
    for _attempt in range(5):
        status, html = await sign_in(staff, "anna", "falsch-falsch")
        assert status == 401 and "nicht richtig" in html
    status, html = await sign_in(staff, "anna", "falsch-falsch")
    assert status == 429 and "Zu viele falsche Passwörter" in html and "Sekunden" in html
    assert (await sign_in(staff, "anna"))[0] == 429  # a new browser waits too, for now
    assert (await sign_in(staff, "ben"))[0] == 200  # another account does not
    now[0] += 61  # the longest wait is a minute
    assert (await sign_in(staff, "anna"))[0] == 200


async def test_guesses_from_many_addresses_cannot_keep_the_rightful_user_out(staff: TestClient) -> None:
    _slow_clock(staff)
    assert (await sign_in(staff, "anna"))[0] == 200  # anna's browser has signed in before
    device = next(c.value for c in staff.session.cookie_jar if c.key == "lotse_admin_device")
    staff.session.cookie_jar.clear()  # the guesser's browser
    for n in range(50):
        await guess(staff, f"203.0.113.{n}", "anna", "falsch-falsch")
    assert await guess(staff, "203.0.113.250", "anna", PASSWORD) == 429  # a new browser must wait
    staff.session.cookie_jar.update_cookies({"lotse_admin_device": device})  # anna's own browser again
    assert (await sign_in(staff, "anna"))[0] == 200  # gets in at once


async def test_a_successful_sign_in_does_not_clear_the_address_count(staff: TestClient) -> None:
    _slow_clock(staff)
    refused = 0
    for n in range(120):  # wrong passwords spread over accounts, with a sign-in to one's own account between
        if n % 10 == 0:
            await guess(staff, "203.0.113.9", "ben", PASSWORD)
        refused += await guess(staff, "203.0.113.9", f"user{n % 7}", "falsch-falsch") == 429
    assert refused >= 90
    assert await guess(staff, "198.51.100.7", "anna", PASSWORD) == 200  # a colleague elsewhere still gets in


async def test_behind_a_proxy_one_address_cannot_lock_out_the_others(staff: TestClient) -> None:
    _slow_clock(staff)
    for n in range(21):  # more than twenty made-up names from one address: that address must wait
        await guess(staff, "203.0.113.9", f"user{n}", "falsch-falsch")
    assert await guess(staff, "203.0.113.9", "anna", PASSWORD) == 429
    assert await guess(staff, "198.51.100.7", "anna", PASSWORD) == 200  # a colleague elsewhere still gets in


async def test_sign_out_ends_the_session(staff: TestClient) -> None:
    await sign_in(staff, "anna")
    token = await csrf(staff)
    resp = await staff.post("/admin/logout", data={"csrf": token})
    assert "abgemeldet" in await resp.text()
    resp = await staff.get("/admin", allow_redirects=False)
    assert resp.status == 302


async def test_an_idle_session_expires(tmp_path: Path) -> None:
    settings = Settings(db_path=_db_path(tmp_path, {"anna": "editor"}), admin_idle_minutes=20)
    app = create_app(settings)
    now = [1_000_000.0]
    app[CLOCK] = lambda: now[0]
    async with TestClient(TestServer(app)) as client:
        await sign_in(client, "anna")
        now[0] += 19 * 60
        assert (await client.get("/admin", allow_redirects=False)).status == 200  # in use: the clock restarts
        now[0] += 19 * 60
        assert (await client.get("/admin", allow_redirects=False)).status == 200
        now[0] += 21 * 60
        resp = await client.get("/admin", allow_redirects=False)
        assert resp.status == 302 and "expired" in resp.headers["Location"]
        html = await (await client.get(resp.headers["Location"])).text()
        assert "ohne Aktivität" in html


async def test_offer_list_pages_through_every_offer(client: TestClient) -> None:
    first = await (await client.get("/admin/offers?state=all")).text()
    total = int(re.search(r'id="count">(\d+)', first).group(1))  # type: ignore[union-attr]
    assert total > 500
    seen = set(re.findall(r'href="/admin/offers/([^"/]+)"', first))
    page = 2
    while 'id="next"' in first:
        first = await (await client.get(f"/admin/offers?state=all&page={page}")).text()
        seen |= set(re.findall(r'href="/admin/offers/([^"/]+)"', first))
        page += 1
    assert len(seen - {"new"}) == total


@pytest.mark.parametrize(("query", "expected"), [
    ("nat-116016", "nat-116016"),
    ("116 016", "nat-116016"),
    ("Deutschk", "demo-language_course-59423-unna"),
    ("59423", "demo-kita-59423-unna"),
])
async def test_search_finds_ids_phones_postcodes_and_word_beginnings(client: TestClient, query: str,
                                                                     expected: str) -> None:
    html = await (await client.get("/admin/offers", params={"q": query, "state": "all"})).text()
    pages = [html]
    while 'id="next"' in pages[-1] and len(pages) < 20:
        pages.append(await (await client.get("/admin/offers", params={"q": query, "state": "all",
                                                                       "page": len(pages) + 1})).text())
    assert any(expected in p for p in pages)


@pytest.mark.parametrize("headers", [{}, {"Host": "127.0.0.1:8080"}, {"Host": "localhost"},
                                     {"Host": "evil.example:8080"}, {"X-Forwarded-For": "203.0.113.5"}])
async def test_without_accounts_the_admin_answers_only_the_set_up_link(tmp_path: Path,
                                                                        headers: dict[str, str]) -> None:
    async with await _client(tmp_path) as client:
        for path in ("/admin", "/admin/users", "/admin/export.csv"):
            resp = await client.get(path, headers=headers)
            assert resp.status == 403 and "lotse serve" in await resp.text(), path
        assert (await client.get("/admin/setup?token=guess", headers=headers)).status == 403


async def test_the_set_up_link_makes_the_first_admin_once(tmp_path: Path) -> None:
    async with await _client(tmp_path) as client:
        token = accounts.new_setup_token(client.app[DB])
        form = {"token": token, "name": "kim", "password": PASSWORD, "password2": PASSWORD}
        made = await client.post("/admin/setup", data=form)
        assert made.status == 200 and "Benutzer" in await (await client.get("/admin/users")).text()
        assert [a.name for a in accounts.users(client.app[DB])] == ["kim"]
        client.session.cookie_jar.clear()
        again = await client.post("/admin/setup", data={**form, "name": "mallory"}, allow_redirects=False)
        assert again.status == 303 and again.headers["Location"] == "/admin/login"  # accounts exist now
        assert [a.name for a in accounts.users(client.app[DB])] == ["kim"]


def test_lotse_setup_prints_a_set_up_link_until_there_is_an_account(tmp_path: Path) -> None:
    env = {"LOTSE_DB": str(tmp_path / "lotse.db")}
    first = CliRunner().invoke(cli, ["setup", "--no-demo"], env=env)
    assert first.exit_code == 0 and "/admin/setup?token=" in first.output, first.output
    token = first.output.split("/admin/setup?token=")[1].split()[0]
    db = open_db(tmp_path / "lotse.db")
    assert accounts.setup_token_matches(db, token)
    accounts.add_user(db, "kim", PASSWORD, "admin")
    assert "/admin/setup" not in CliRunner().invoke(cli, ["setup", "--no-demo"], env=env).output


async def test_a_token_session_ends_on_sign_out_and_restart(tmp_path: Path) -> None:
    async with await _client(tmp_path, token="s3cret-token") as client:
        assert (await sign_in(client, "", "s3cret-token"))[0] == 200
        cookie = next(c.value for c in client.session.cookie_jar if c.key == "lotse_admin")
        resp = await client.post("/admin/logout", data={"csrf": await csrf(client)})
        assert resp.status == 200
        replay = await client.get("/admin/users", cookies={"lotse_admin": cookie}, allow_redirects=False)
        assert replay.status == 302
    async with await _client(tmp_path / "again", token="s3cret-token") as restarted:
        (tmp_path / "again").mkdir(exist_ok=True)
        replay = await restarted.get("/admin/users", cookies={"lotse_admin": cookie}, allow_redirects=False)
        assert replay.status == 302


@pytest.mark.parametrize(("headers", "secure"), [({}, False), ({"X-Forwarded-Proto": "https"}, True)])
async def test_cookies_are_secure_behind_a_tls_proxy(staff: TestClient, headers: dict[str, str],
                                                     secure: bool) -> None:
    page = await staff.get("/admin/login", headers=headers)
    assert ("Secure" in page.headers["Set-Cookie"]) is secure
    token = re.search(r'name="login_csrf" value="([^"]+)"', await page.text())
    assert token
    resp = await staff.post("/admin/login", headers=headers, allow_redirects=False,
                            data={"name": "anna", "password": PASSWORD, "login_csrf": token.group(1)})
    cookies = resp.headers.getall("Set-Cookie")
    assert cookies and all(("Secure" in c) is secure for c in cookies)


async def test_deleting_an_unknown_offer_is_a_404(client: TestClient) -> None:
    resp = await client.post("/admin/offers/no-such-offer/delete", data={"csrf": await csrf(client)})
    assert resp.status == 404


def test_the_admin_catalogs_are_complete_in_german_and_english() -> None:
    from babel.messages.pofile import read_po

    from bot.i18n import LOCALES_DIR

    with (LOCALES_DIR / "admin.pot").open("rb") as fh:
        wanted = {str(m.id) for m in read_po(fh) if m.id}
    for lang in ("de", "en"):
        with (LOCALES_DIR / lang / "LC_MESSAGES" / "admin.po").open("rb") as fh:
            catalog = {str(m.id): m for m in read_po(fh, locale=lang) if m.id}
        assert wanted <= set(catalog), (lang, sorted(wanted - set(catalog))[:5])
        for key in wanted:
            message = catalog[key]
            assert message.string and not message.fuzzy, (lang, key)
            assert set(re.findall(r"\{\w*\}", key)) == set(re.findall(r"\{\w*\}", str(message.string))), key


async def test_hsds_export_is_a_zip_of_tables(client: TestClient) -> None:
    import io
    import zipfile

    resp = await client.get("/admin/export.zip")
    assert resp.status == 200 and resp.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(await resp.read())) as archive:
        assert "service.csv" in archive.namelist()
        assert "Kommunales Integrationszentrum" in archive.read("service.csv").decode("utf-8")


async def test_the_hours_preview_says_how_they_are_understood(client: TestClient) -> None:
    good = await (await client.get("/admin/hours", params={"text": "Montag bis Freitag 9-12 Uhr"})).json()
    assert {k: v for k, v in good.items() if k != "week"} == {
        "ok": True, "normal": "Mo-Fr 09:00-12:00", "message": "Verstanden als: Mo.–Fr. 09:00–12:00 (Mo-Fr 09:00-12:00)"}
    assert good["week"][0] == ["Montag", "09:00–12:00"] and good["week"][6] == ["Sonntag", "geschlossen"]
    bad = await (await client.get("/admin/hours", params={"text": "meistens vormittags"})).json()
    assert not bad["ok"] and "wurden nicht verstanden" in bad["message"]


async def test_the_import_dry_run_shows_the_understood_opening_hours(client: TestClient) -> None:
    data = (Path(__file__).parent / "data" / "angebote_deutsch.csv").read_bytes()
    form = _upload(data, "angebote.csv", True, await csrf(client))
    html = await (await client.post("/admin/import", data=form)).text()
    assert "5 neu" in html
    assert "<code>Mo-Fr 09:00-12:00</code>" in html and "<code>Tu,Th 14:00-17:00</code>" in html
    assert "<code>&#34;nach Vereinbarung&#34;</code>" in html


async def test_the_chat_keeps_answering_while_a_password_is_checked(staff: TestClient) -> None:
    import asyncio

    page = await (await staff.get("/admin/login")).text()
    token = re.search(r'name="login_csrf" value="([^"]+)"', page)
    assert token
    login = asyncio.create_task(staff.post("/admin/login", data={"name": "anna", "password": PASSWORD,
                                                                 "login_csrf": token.group(1)}))
    await asyncio.sleep(0.05)  # the server is now inside the argon2 check (about 0.2 s)
    health = await staff.get("/healthz")
    answered_first = not login.done()
    assert health.status == 200 and (await login).status == 200
    assert answered_first, "the password check blocked the server"
