"""WhatsApp end to end: the real server on 127.0.0.1 gets signed webhook deliveries (as Meta posts them) and
answers through pywa against the fake Graph API (bot/bench/fakegraphapi.py), over real HTTP."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import aiohttp
import pytest
from aiohttp import web
from demodb import demo_db
from serving import free_port

from bot.bench import fakegraphapi as meta
from bot.bench.fakegraphapi import FakeGraphAPI, Sent
from bot.config import Settings, WhatsAppConfig
from bot.engine.actions import More, Topic
from bot.engine.models import Button, Message, Reply
from bot.server import create_server
from bot.whatsapp import links, render
from bot.whatsapp.webhook import CHANNEL

ARABIC = re.compile(r"[\u0600-\u06FF]")
AHMAD = "963944123456"  # a Syrian number: the first guess at the language is Arabic
LENA = "4915112345678"
LUENEN = (51.6163, 7.5271)


@dataclass
class Lotse:
    url: str
    app: web.Application
    api: FakeGraphAPI
    http: aiohttp.ClientSession

    async def post(self, update: dict[str, Any], signature: str | None = None) -> int:
        raw = meta.raw(update)
        headers = {"Content-Type": "application/json",
                   "X-Hub-Signature-256": self.api.sign(raw) if signature is None else signature}
        async with self.http.post(self.url + "/whatsapp/webhook", data=raw, headers=headers) as response:
            return response.status

    async def say(self, update: dict[str, Any], number: str) -> list[Sent]:
        """Deliver one message; every message Lotse sent for it, once the queues are empty."""
        before = len(self.api.to(number))
        assert await self.post(update) == 200
        await self.app[CHANNEL].idle()  # the webhook queued it before its 200: wait for the answer, not the clock
        return self.api.to(number)[before:]


def settings_for(tmp_path: Path, api: FakeGraphAPI, **overrides: Any) -> Settings:
    db_path = tmp_path / "lotse.db"
    if not db_path.exists():
        demo_db(db_path)
    config = WhatsAppConfig(token="EAAG-test", phone_id=meta.PHONE_ID, app_secret=api.app_secret,
                            verify_token="lotse-verify", api_base_url=api.base_url)
    return Settings(db_path=db_path, whatsapp=config, **overrides)


@pytest.fixture
async def lotse(tmp_path: Path) -> AsyncIterator[Lotse]:
    async with FakeGraphAPI() as api, aiohttp.ClientSession() as http:
        settings = settings_for(tmp_path, api, rate_burst=5, rate_per_minute=5)
        app = create_server(settings)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield Lotse(f"http://127.0.0.1:{port}", app, api, http)
        finally:
            await runner.cleanup()


def all_text(sent: list[Sent]) -> str:
    return "\n".join(s.text for s in sent)


def choices(sent: list[Sent]) -> list[str]:
    return [data for s in sent for data, _title in s.buttons]


async def test_an_arabic_user_finds_a_kita_taps_more_shares_a_location_and_asks_for_a_person(lotse: Lotse) -> None:
    first = await lotse.say(meta.text(AHMAD, "أبحث عن روضة أطفال في لونن"), AHMAD)
    assert ARABIC.search(all_text(first)), "the answer is in Arabic"
    assert "Lünen" in all_text(first)
    more = [data for data in choices(first) if data.startswith("more:kita")]
    assert more, "a button for more results"
    assert any(s.type == "interactive" for s in first)

    second = await lotse.say(meta.list_reply(AHMAD, more[0]), AHMAD)
    assert ARABIC.search(all_text(second))

    third = await lotse.say(meta.location(AHMAD, *LUENEN), AHMAD)
    assert third

    fourth = await lotse.say(meta.text(AHMAD, "أريد التحدث مع شخص"), AHMAD)
    assert ARABIC.search(all_text(fourth))


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "sha1=abc"])
async def test_a_bad_signature_is_refused_with_401_and_changes_nothing(lotse: Lotse, signature: str) -> None:
    assert await lotse.post(meta.text(LENA, "Kita in Unna"), signature=signature) == 401
    await lotse.app[CHANNEL].idle()
    assert lotse.api.sent == []
    assert lotse.app[CHANNEL].seen == {}, "the message id is not even remembered"


async def test_meta_verifies_the_webhook_with_the_verify_token(lotse: Lotse) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "lotse-verify", "hub.challenge": "1158201444"}
    async with lotse.http.get(lotse.url + "/whatsapp/webhook", params=query) as response:
        assert (response.status, await response.text()) == (200, "1158201444")
    async with lotse.http.get(lotse.url + "/whatsapp/webhook",
                              params={**query, "hub.verify_token": "guess"}) as response:
        assert response.status == 403


async def test_status_updates_are_ignored_and_repeats_answered_once(lotse: Lotse) -> None:
    assert await lotse.post(meta.status(LENA)) == 200
    update = meta.text(LENA, "Hallo")
    first = await lotse.say(update, LENA)
    again = await lotse.say(update, LENA)  # Meta delivers again when our 200 was late
    assert first and again == []


async def test_a_voice_note_gets_a_kind_please_write_in_the_persons_language(lotse: Lotse) -> None:
    sent = await lotse.say(meta.voice(AHMAD), AHMAD)
    assert "لا أستطيع الاستماع إلى الرسائل الصوتية" in all_text(sent)
    assert sent[-1].body["interactive"]["type"] == "location_request_message"


async def test_forget_in_words_asks_before_it_deletes(lotse: Lotse) -> None:
    await lotse.say(meta.text(LENA, "Deutschkurs in Unna"), LENA)
    sent = await lotse.say(meta.text(LENA, "/forget"), LENA)
    assert "forget:yes" in choices(sent)
    done = await lotse.say(meta.button_reply(LENA, "forget:yes"), LENA)
    assert done and "forget:yes" not in choices(done)


async def test_danger_comes_first_with_tappable_numbers(lotse: Lotse) -> None:
    sent = await lotse.say(meta.text(LENA, "Mein Mann schlägt mich, ich habe Angst"), LENA)
    first_lines = all_text(sent).splitlines()[:2]
    assert first_lines == ["📞 Polizei-Notruf 110", "📞 Hilfetelefon Gewalt gegen Frauen 116016"]


async def test_a_flood_from_one_number_does_not_hold_up_another(lotse: Lotse) -> None:
    """Lena's 40 messages and then Ahmad's one arrive in one delivery: Ahmad is answered beside Lena's queue, not
    after it, and the flood beyond the limit (burst 5) gets one kind notice instead of 35 answers."""
    flood = [meta.text(LENA, f"Kita in Unna {n}") for n in range(40)]
    # The webhook answers once all of the delivery is answered: Ahmad's answer is looked for while it runs.
    posting = asyncio.create_task(lotse.post(meta.batch(*flood, meta.text(AHMAD, "أبحث عن روضة أطفال في لونن"))))
    await lotse.api.wait_for(AHMAD, 1)
    lena_before_ahmad = len(lotse.api.to(LENA))
    assert await posting == 200
    await lotse.app[CHANNEL].idle()
    lena = lotse.api.to(LENA)
    assert sum("schneller" in s.text for s in lena) == 1, "one notice, in German, for the flood"
    answers = [s for s in lena if "schneller" not in s.text]
    assert 5 <= len(answers) <= 5 * 2, "five answers (a text and its buttons each); the rest is dropped"
    assert lena_before_ahmad < len(answers), "Ahmad was answered before Lena's queue was through"


@pytest.mark.parametrize(("written", "tappable"), [
    ("02361 / 50 20 12", "+492361502012"),
    ("+49 800 0116016", "+498000116016"),
    ("116117", "116117"),
    ("112", "112"),
])
def test_numbers_are_written_so_whatsapp_offers_to_call_them(written: str, tappable: str) -> None:
    assert render.tappable(written) == tappable


@pytest.mark.parametrize(("count", "kinds"), [
    (2, ["buttons"]),
    (3, ["buttons"]),
    (4, ["list"]),
    (10, ["list"]),
    (22, ["list", "list", "list"]),
])
def test_buttons_fit_whatsapps_limits(count: int, kinds: list[str]) -> None:
    buttons = [Button(f"Thema {n}", Topic(f"t{n}")) for n in range(count)]
    outs = render.render(Reply([Message("Wählen Sie:", buttons)], "de"))
    assert [o.kind for o in outs] == kinds
    assert all(len(o.choices) <= (3 if o.kind == "buttons" else 10) for o in outs)
    assert [data for o in outs for data, _t in o.choices] == [b.data for b in buttons]


def test_a_long_answer_keeps_its_buttons_under_a_body_whatsapp_accepts() -> None:
    outs = render.render(Reply([Message("Wort " * 400, [Button("Mehr", More("kita", 3))])], "de"))
    assert [o.kind for o in outs] == ["text", "buttons"]
    assert all(len(o.text) <= (4096 if o.kind == "text" else 1024) for o in outs)


async def test_a_volunteers_link_presets_language_topic_and_place(lotse: Lotse) -> None:
    url = links.whatsapp_link("+49 2303 1234567", "uk_language_course_Luenen")
    assert url == "https://wa.me/4923031234567?text=%F0%9F%91%8B%20%23uk_language_course_Luenen"
    first = unquote(url.partition("?text=")[2])  # what the person sends with one tap
    sent = await lotse.say(meta.text(LENA, first), LENA)
    text = all_text(sent)
    assert "Lünen" in text and re.search(r"[іїєґ]", text), "a German course near Lünen, in Ukrainian"


@pytest.mark.parametrize("number", ["02303 1234567", "123", "+49 (0) abc"])
def test_a_link_needs_an_international_number(number: str) -> None:
    with pytest.raises(ValueError):
        links.whatsapp_link(number, "ar_kita")


def test_lotse_link_prints_a_whatsapp_link_and_its_qr_code(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.telegram.linkcli import link as link_cmd

    qr = tmp_path / "kita-ar.svg"
    result = CliRunner().invoke(link_cmd, ["--whatsapp", "+49 2303 1234567", "--lang", "ar", "--topic", "kita",
                                           "--place", "Lünen", "--qr", str(qr)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "https://wa.me/4923031234567?text=%F0%9F%91%8B%20%23ar_kita_Luenen"
    assert qr.read_text().startswith("<?xml")
    both = CliRunner().invoke(link_cmd, ["--whatsapp", "+4923031234567", "--bot", "B", "--lang", "ar"])
    assert both.exit_code == 2 and "one of --bot" in both.output
