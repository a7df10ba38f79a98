"""The real server (`lotse serve`'s app, with the Telegram bot when the settings have a token) on a free port of
127.0.0.1, for the tests that talk to it over HTTP or drive it in headless Chromium."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.bench.pgcluster import free_port as free_port  # one home; the tests import it from here
from bot.config import Settings
from bot.server import create_server
from bot.web.admin import accounts
from bot.web.keys import STORE


@asynccontextmanager
async def serving_app(settings: Settings) -> AsyncIterator[tuple[str, web.Application]]:
    """Run the server until the block ends; yields its base URL and its app (for what a test looks into)."""
    app = create_server(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        await runner.cleanup()


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[str]:
    """Run the server until the block ends; yields its base URL."""
    async with serving_app(settings) as (url, _app):
        yield url


async def first_admin(client: TestClient, name: str = "kim", password: str = "sonnenblume-42") -> None:
    """Make the first admin account through the one-time set-up link (as after `lotse serve`) and sign in."""
    token = accounts.new_setup_token(client.app[STORE])
    page = await client.get(f"/admin/setup?token={token}")
    assert page.status == 200, await page.text()
    made = await client.post("/admin/setup", data={"token": token, "name": name, "password": password,
                                                   "password2": password}, allow_redirects=False)
    assert made.status == 303, await made.text()


async def sign_in_browser(page: Any, base: str, name: str, password: str, lang: str | None = None) -> str:
    """Sign in on the admin's login form in headless Chromium (test_browser's Page), as a person would, with the
    browser set to `lang` when given; the text of the page it leads to (the admin, or the form saying why not).

    Each step waits for a new document (the old body gone), never for a URL: a failed sign-in shows the form at the
    same address, which an earlier attempt may still be showing."""
    if lang is not None:
        await page.send("Emulation.setUserAgentOverride", userAgent="LotseTest", acceptLanguage=lang)
    new_page = "document.body !== window.__old && document.readyState === 'complete'"
    await page.js("window.__old = document.body; true")
    await page.send("Page.navigate", url=base + "/admin/login")
    await page.wait_for(f"{new_page} && !!document.getElementById('signin')")
    await page.js(f"window.__old = document.body; document.getElementById('name').value = {json.dumps(name)};"
                  f"document.getElementById('password').value = {json.dumps(password)};"
                  "document.getElementById('signin').click()")
    await page.wait_for(new_page)
    return str(await page.js("document.body.innerText"))


def wait_until_listening(proc: subprocess.Popen[str]) -> str:
    """Read `lotse serve`'s output until it says it listens; fail with all it said when it ends before that.

    The line is the event to wait for: no deadline, which a busy machine would miss without anything wrong."""
    assert proc.stdout is not None
    said: list[str] = []
    for line in proc.stdout:
        said.append(line)
        if line.startswith("listening on "):
            return "".join(said)
    raise AssertionError("lotse serve ended before it listened:\n" + "".join(said))


async def listening(proc: asyncio.subprocess.Process) -> list[str]:
    """wait_until_listening for a process started with asyncio: the lines `lotse serve` said until it listens."""
    assert proc.stdout is not None
    said: list[str] = []
    while not (line := (await proc.stdout.readline()).decode()).startswith("listening on "):
        if not line:
            raise AssertionError("lotse serve ended before it listened:\n" + "".join(said))
        said.append(line)
    return said
