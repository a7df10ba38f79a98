"""Security headers on every route, a refused cross-origin frame of /admin in real Chromium, and the web chat's
limits per session and per address (429 with Retry-After, in the person's language)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db
from serving import free_port, sign_in_browser
from test_browser import WAIT, Page, page  # noqa: F401  (page is a fixture)

from bot.config import Settings
from bot.web.admin import accounts
from bot.web.app import create_app
from bot.web.keys import ENGINE


async def client_for(tmp_path: Path, **settings: object) -> TestClient:
    db_path = tmp_path / "lotse.db"
    if not db_path.exists():
        demo_db(db_path)
    client = TestClient(TestServer(create_app(Settings(db_path=db_path, **settings))))  # type: ignore[arg-type]
    await client.start_server()
    return client


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    test_client = await client_for(tmp_path, rate_burst=3, rate_per_minute=6, address_per_minute=50)
    yield test_client
    await test_client.close()


@pytest.mark.parametrize("method, path", [
    ("GET", "/"), ("GET", "/healthz"), ("GET", "/static/chat.js"), ("GET", "/admin"), ("GET", "/admin/login"),
    ("GET", "/nowhere"), ("POST", "/api/chat"), ("POST", "/telegram/webhook"), ("GET", "/admin/offers/none"),
])
async def test_every_route_sends_the_security_headers(client: TestClient, method: str, path: str) -> None:
    resp = await client.request(method, path, data=b"{}", allow_redirects=False)
    csp = resp.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, (resp.status, csp)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert resp.headers["X-Frame-Options"] == "DENY"


async def test_one_session_is_limited_with_retry_after_and_others_go_on(client: TestClient) -> None:
    statuses = []
    for _ in range(4):
        resp = await client.post("/api/chat", json={"session": "fast", "text": "Kita", "lang": "ar"})
        statuses.append(resp.status)
    assert statuses == [200, 200, 200, 429]
    assert 1 <= int(resp.headers["Retry-After"]) <= 10
    error = (await resp.json())["error"]
    assert "دقيقة" in error  # "a minute", in Arabic: the language the page asked for
    other = await client.post("/api/chat", json={"session": "calm", "text": "Kita"})
    assert other.status == 200


async def test_one_address_is_limited_across_sessions(client: TestClient) -> None:
    statuses = [(await client.post("/api/chat", json={"session": f"s{i}", "text": "Hallo"})).status
                for i in range(19)]
    # 50 a minute from one address, in bursts of a third of that: many people share a shelter's Wi-Fi.
    assert statuses[:17] == [200] * 17 and statuses[-1] == 429
    # Behind a reverse proxy on this machine, the address it forwards counts, not the proxy's own.
    forwarded = await client.post("/api/chat", json={"session": "p1", "text": "Hallo"},
                                  headers={"X-Forwarded-For": "203.0.113.7"})
    assert forwarded.status == 200


@pytest.fixture
async def sites(tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    """The app, and a page of another origin (another port: same site, so Chromium keeps the frame in the page's own
    frame tree) that frames its admin."""
    db_path = tmp_path / "lotse.db"
    db = demo_db(db_path)
    accounts.add_user(db, "kim", "sonnenblume-42", "admin")
    db.close()
    lotse = web.AppRunner(create_app(Settings(db_path=db_path)))
    await lotse.setup()
    lotse_port, evil_port = free_port(), free_port()
    await web.TCPSite(lotse, "127.0.0.1", lotse_port).start()
    admin = f"http://127.0.0.1:{lotse_port}/admin"

    async def evil_page(request: web.Request) -> web.Response:
        return web.Response(text=f'<html><body><iframe id="f" src="{admin}" width="600" height="400"></iframe>'
                            "</body></html>", content_type="text/html")

    evil_app = web.Application()
    evil_app.router.add_get("/", evil_page)
    evil = web.AppRunner(evil_app)
    await evil.setup()
    await web.TCPSite(evil, "127.0.0.1", evil_port).start()
    try:
        yield admin, f"http://127.0.0.1:{evil_port}/"
    finally:
        await evil.cleanup()
        await lotse.cleanup()


def frames(tree: dict[str, object]) -> list[dict[str, object]]:
    children = tree.get("childFrames") or []
    assert isinstance(children, list)
    return [child["frame"] for child in children]


async def settled_frame(tab: Page) -> dict[str, object]:
    """The page's one frame once its navigation has committed: to the admin, or to Chromium's error page when the
    admin refused it (a frame that has not got that far is still about:blank, and proves nothing yet)."""
    for _ in range(int(WAIT / 0.1)):
        [frame] = frames((await tab.send("Page.getFrameTree"))["frameTree"])
        if frame.get("unreachableUrl") or str(frame.get("url", "")) not in ("", "about:blank"):
            return frame
        await asyncio.sleep(0.1)
    raise AssertionError(f"the frame never loaded nor was refused: {frame}")


@pytest.mark.browser
async def test_a_cross_origin_frame_of_the_admin_is_refused(sites: tuple[str, str], page: Page) -> None:  # noqa: F811
    admin, evil = sites
    await page.send("Page.enable")
    await sign_in_browser(page, admin.removesuffix("/admin"), "kim", "sonnenblume-42")  # the admin itself opens
    await page.wait_for("document.readyState === 'complete' && document.body.innerText.includes('Import')")
    await page.send("Page.navigate", url=evil)
    await page.wait_for("document.readyState === 'complete' && !!document.getElementById('f')")
    frame = await settled_frame(page)
    # A refused frame shows Chromium's error page instead of the admin: the admin's document never loads in it.
    assert frame.get("unreachableUrl") == admin or str(frame.get("url", "")).startswith("chrome-error:"), frame
    assert frame.get("url") != admin


@pytest.mark.parametrize(("lang", "word"), [("ar", "دقيقة"), ("uk", "хвилину"), ("de", "Minute")])
async def test_rotating_addresses_meet_the_budget_of_new_sessions(tmp_path: Path, lang: str, word: str) -> None:
    client = await client_for(tmp_path, new_sessions_per_minute=6, web_per_minute=600)
    try:
        statuses = []
        for n in range(5):  # a burst of a third of a minute's allowance: 2 new sessions, then "busy"
            resp = await client.post("/api/chat", json={"session": f"new{n}", "text": "Hallo", "lang": lang},
                                     headers={"X-Forwarded-For": f"198.51.100.{n}"})
            statuses.append(resp.status)
        assert statuses == [200, 200, 503, 503, 503]
        assert resp.headers["Retry-After"] and word in (await resp.json())["error"]
        rows = client.app[ENGINE].db.execute("SELECT count(*) FROM sessions").fetchone()[0]
        assert rows <= 2
        going_on = await client.post("/api/chat", json={"session": "new0", "text": "Kita"})
        assert going_on.status == 200  # a conversation already under way goes on
    finally:
        await client.close()


async def test_all_anonymous_traffic_has_a_budget(tmp_path: Path) -> None:
    client = await client_for(tmp_path, web_per_minute=9, new_sessions_per_minute=600)
    try:
        statuses = [(await client.post("/api/chat", json={"session": f"s{n % 2}", "text": "Hallo"},
                                       headers={"X-Forwarded-For": f"198.51.100.{n}"})).status for n in range(5)]
        assert statuses == [200, 200, 200, 503, 503]  # a third of the minute's 9 at once
    finally:
        await client.close()
