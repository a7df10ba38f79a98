"""The web admin as an admin at the integration centre uses it: overview, import with dry run, export,
delete and restore, and who may get in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.offers.db import open_db
from bot.offers.demo import build_demo
from bot.web.app import create_app

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


async def _client(tmp_path: Path, token: str | None = None) -> TestClient:
    db_path = tmp_path / "lotse.db"
    build_demo(open_db(db_path))
    return TestClient(TestServer(create_app(Settings(db_path=db_path, admin_token=token))))


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    async with await _client(tmp_path) as test_client:
        yield test_client


def _upload(data: bytes, name: str, dry_run: bool) -> FormData:
    form = FormData()
    form.add_field("file", data, filename=name, content_type="text/csv")
    if dry_run:
        form.add_field("dry_run", "1")
    return form


async def test_review_queue_shows_unanswered_questions_without_user_ids(client: TestClient) -> None:
    await client.post("/api/chat", json={"session": "secret-session-42",
                                         "text": "Meine Zeugnisse aus Syrien sollen hier gelten"})
    resp = await client.get("/admin/review")
    html = await resp.text()
    assert resp.status == 200
    assert "Meine Zeugnisse aus Syrien sollen hier gelten" in html
    assert "secret-session-42" not in html


async def test_import_dry_run_then_real_import(client: TestClient) -> None:
    resp = await client.post("/admin/import", data=_upload(GOOD_CSV, "kitas.csv", dry_run=True))
    html = await resp.text()
    assert resp.status == 200 and "Dry run" in html and "1 new" in html
    assert "Testkita" not in await (await client.get("/admin/offers?q=Sonnenschein")).text()

    resp = await client.post("/admin/import", data=_upload(GOOD_CSV, "kitas.csv", dry_run=False))
    assert resp.status == 200 and "Imported" in await resp.text()
    listing = await (await client.get("/admin/offers?q=Sonnenschein")).text()
    assert "Testkita Sonnenschein" in listing


async def test_bad_rows_are_listed_by_line_and_nothing_is_written(client: TestClient) -> None:
    resp = await client.post("/admin/import", data=_upload(BAD_CSV, "bad.csv", dry_run=False))
    html = await resp.text()
    assert resp.status == 422
    assert "line 3" in html and "line 4" in html
    assert "Nothing was written" in html
    assert "Gute Zeile" not in await (await client.get("/admin/offers?q=Gute")).text()


async def test_wrong_file_type_is_refused(client: TestClient) -> None:
    resp = await client.post("/admin/import", data=_upload(b"%PDF-1.4", "offers.pdf", dry_run=True))
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
    offer_id = listing.split('href="/admin/offers/')[1].split('"')[0]
    resp = await client.post(f"/admin/offers/{offer_id}/delete")
    assert resp.status == 200  # followed the redirect to the offer page
    page = await resp.text()
    assert "deleted" in page and "Restore" in page
    page = await (await client.post(f"/admin/offers/{offer_id}/restore")).text()
    assert "Delete" in page and "restore" in page and "delete" in page  # both actions in the history


async def test_cross_site_post_is_refused(client: TestClient) -> None:
    resp = await client.post("/admin/offers/x/delete", headers={"Origin": "https://evil.example"})
    assert resp.status == 403


async def test_token_protects_the_admin(tmp_path: Path) -> None:
    async with await _client(tmp_path, token="s3cret-token") as client:
        resp = await client.get("/admin", allow_redirects=False)
        assert resp.status == 302 and resp.headers["Location"] == "/admin/login"
        resp = await client.post("/admin/login", data={"token": "wrong"}, allow_redirects=False)
        assert resp.status == 401
        resp = await client.post("/admin/login", data={"token": "s3cret-token"}, allow_redirects=False)
        assert resp.status == 302
        resp = await client.get("/admin")
        assert resp.status == 200 and "active offers" in await resp.text()


async def test_a_foreign_host_name_cannot_reach_the_admin_without_token(client: TestClient) -> None:
    # A page on evil.example that makes its name resolve to 127.0.0.1 sends "Host: evil.example".
    resp = await client.get("/admin/export.csv", headers={"Host": "evil.example:8080"})
    assert resp.status == 403


async def test_behind_a_webhook_proxy_the_admin_needs_a_token(tmp_path: Path) -> None:
    db_path = tmp_path / "lotse.db"
    build_demo(open_db(db_path))
    settings = Settings(db_path=db_path, webhook_url="https://bot.example.org/telegram/webhook")
    async with TestClient(TestServer(create_app(settings))) as client:
        resp = await client.get("/admin")
        assert resp.status == 403 and "LOTSE_ADMIN_TOKEN" in await resp.text()


async def test_deleting_an_unknown_offer_is_a_404(client: TestClient) -> None:
    resp = await client.post("/admin/offers/no-such-offer/delete")
    assert resp.status == 404 and "No offer" in await resp.text()
