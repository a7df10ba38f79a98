"""Webhook mode through the real aiohttp route, and `lotse serve` as a subprocess against the fake Bot API."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import ClientSession, FormData, web
from serving import free_port

from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakeupdates import text_update
from bot.config import Settings
from bot.server import create_server

SECRET = "s3cret-Token_42"


def webhook_settings(api: FakeBotAPI, tmp_path: Path) -> tuple[str, Settings]:
    """Webhook mode on a free port of this machine, against the fake Bot API: the webhook's URL and the settings."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    return url, Settings(db_path=tmp_path / "lotse.db", port=port, telegram_token=api.token,
                         telegram_api_base_url=api.base_url, webhook_url=url, webhook_secret=SECRET)


async def serve(settings: Settings) -> web.AppRunner:
    runner = web.AppRunner(create_server(settings), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    return runner


async def test_webhook_checks_the_secret_and_processes_updates(api: FakeBotAPI, tmp_path: Path) -> None:
    url, settings = webhook_settings(api, tmp_path)
    runner = await serve(settings)
    try:
        assert api.webhook == {"url": url, "secret_token": SECRET}
        update = json.dumps(text_update(401, "/menu", lang="en") | {"update_id": 9001})
        async with ClientSession() as http:
            for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
                async with http.post(url, data=update, headers=headers) as resp:
                    assert resp.status == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
            async with http.post(url, data="not json", headers=headers) as resp:
                assert resp.status == 400
            async with http.post(url, data=update, headers=headers) as resp:
                assert resp.status == 200
        await api.wait_for("sendMessage", chat_id=401)
        await api.settle()
        [menu] = api.sent(401)  # the refused posts were not processed: one update, one answer
        assert menu.text == "What are you looking for?"
        # And the way Telegram does it: the (fake) server posts the update to the webhook with the secret.
        api.push(text_update(402, "/language", lang="en"))
        [picker] = await api.wait_for("sendMessage", chat_id=402)
        assert "l:ar" in picker.button_data()
        assert not [c for c in api.calls if c.method == "getUpdates"]  # no polling in webhook mode
    finally:
        await runner.cleanup()


async def test_webhook_route_is_closed_without_webhook_mode(tmp_path: Path) -> None:
    port = free_port()
    runner = await serve(Settings(db_path=tmp_path / "lotse.db", port=port))
    try:
        async with ClientSession() as http, http.post(f"http://127.0.0.1:{port}/telegram/webhook", data="{}",
                                                      headers={"X-Telegram-Bot-Api-Secret-Token": ""}) as resp:
            assert resp.status == 404
    finally:
        await runner.cleanup()


@pytest.mark.slow
async def test_lotse_serve_runs_the_bot_against_a_bot_api_server(api: FakeBotAPI, tmp_path: Path) -> None:
    env = {**os.environ, "LOTSE_DB": str(tmp_path / "lotse.db"), "LOTSE_PORT": str(free_port()),
           "TELEGRAM_BOT_TOKEN": "123:ABC", "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api.port}/bot"}
    for name in ("LOTSE_WEBHOOK_URL", "LOTSE_WEBHOOK_SECRET"):
        env.pop(name, None)
    # As an operator does (and tests/test_serve.py): `lotse setup` first; the classifiers come from the run's
    # shared cache (LOTSE_CACHE, tests/conftest.py), not trained again for this fresh data directory.
    await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot", "setup"], env=env, check=True,
                            capture_output=True)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "serve", env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        try:
            await api.wait_for("getUpdates")
        except AssertionError:
            proc.kill()
            output = (await proc.communicate())[0].decode(errors="replace")
            raise AssertionError("lotse serve did not poll: " + output[-2000:]) from None
        api.push(text_update(403, "/start", lang="en"))
        [greeting] = await api.wait_for("sendMessage", chat_id=403)
        assert "t:kita" in greeting.button_data()
        assert api.commands.get("ar")  # commands registered per language on start
    finally:
        api.drain()
        if proc.returncode is None:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 60)


@pytest.mark.parametrize("kind", ["form", "multipart", "json"])
async def test_fake_server_reads_bodies_as_telegram_does(api: FakeBotAPI, kind: str) -> None:
    """Form-encoded with JSON values (PTB's default), multipart (with files) and JSON bodies all parse alike."""
    markup = {"inline_keyboard": [[{"text": "Kita", "callback_data": "t:kita"}]]}
    fields = {"chat_id": "77", "text": "123", "parse_mode": "HTML", "reply_markup": json.dumps(markup)}
    url = f"{api.base_url}{api.token}/sendMessage"
    async with ClientSession() as http:
        if kind == "json":
            request = http.post(url, json={**fields, "chat_id": 77, "reply_markup": markup})
        elif kind == "multipart":
            form = FormData()
            for name, value in fields.items():
                form.add_field(name, value)
            form.add_field("photo", b"\x89PNG", filename="x.png", content_type="image/png")
            request = http.post(url, data=form)
        else:
            request = http.post(url, data=fields)
        async with request as resp:
            body = await resp.json()
    assert body["ok"] is True and body["result"]["chat"]["id"] == 77
    [call] = api.sent(77)
    assert call.params["chat_id"] == 77 and call.params["text"] == "123"  # text stays a string
    assert call.button_data() == ["t:kita"]


@pytest.mark.parametrize("body", [
    '{"update_id": 1, "message": 5}', '{"update_id": 1, "message": {}}', '{"update_id": "1"}',
    '{"update_id": 1, "callback_query": {"id": 1}}', '{"update_id": 1, "message": {"text": "\\ud800"}}',
    '{"update_id": 1e400}', '{"update_id": ' + "9" * 5000 + "}", "[" * 20000 + "]" * 20000, "[]",
    '{"update_id": 2, "message": {"message_id": 1, "date": 0, "chat": {"id": 5}}}',
])
async def test_malformed_updates_with_the_right_secret_answer_400(api: FakeBotAPI, tmp_path: Path,
                                                                 body: str) -> None:
    url, settings = webhook_settings(api, tmp_path)
    runner = await serve(settings)
    try:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        async with ClientSession() as http, http.post(url, data=body.encode(), headers=headers) as resp:
            assert resp.status == 400, await resp.text()
            assert await resp.text()  # a reason, not an empty page
    finally:
        await runner.cleanup()
