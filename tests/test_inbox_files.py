"""Photos and documents during a handoff, over real HTTP: a person sends one from the web chat, staff open it in
the team inbox (signed in only, never run as a page) and send one back, which only the person's session opens;
wrong types and big files get a kind word in the person's language; /forget and the purge delete them."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from test_inbox import HELPLINE, Server, act, running, staff

from bot import i18n
from bot.bench.fakegraphapi import FakeGraphAPI
from bot.inbox.files import MAX_BYTES
from bot.web.keys import INBOX

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<html><script>alert(document.cookie)</script></html>"
ARABIC_HANDOFF = ("أريد التحدث مع شخص في لونن", "عندي رسالة من مكتب الأجانب")


def tr(lang: str, message: str) -> str:
    with i18n.use(lang):
        return i18n.gettext(message)


TOO_BIG = "This file is too big: at most {size} MB. Please send a smaller photo or a PDF."
WRONG_TYPE = "Lotse can pass on photos (JPEG, PNG, WebP, HEIC) and PDF documents only."
NO_HANDOFF = "You can send photos and documents only while you are writing with the team."


@pytest.fixture
async def api() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI() as fake:
        yield fake


@pytest.fixture
async def server(tmp_path: Path, api: FakeGraphAPI) -> AsyncIterator[Server]:
    async with running(tmp_path, api) as srv:
        yield srv


async def hand_over_on_the_web(server: Server, http: aiohttp.ClientSession, session: str = "s-1") -> int:
    for text in ARABIC_HANDOFF:
        async with http.post(server.url + "/api/chat", json={"session": session, "text": text}) as resp:
            assert resp.status == 200
    [conversation] = server.app[INBOX].store.open_conversations()
    return conversation.number


async def upload(server: Server, http: aiohttp.ClientSession, name: str, data: bytes,
                 session: str = "s-1") -> tuple[int, dict[str, object]]:
    form = aiohttp.FormData()
    form.add_field("session", session)
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    async with http.post(server.url + "/api/upload", data=form) as resp:
        return resp.status, await resp.json()


async def test_a_photo_from_the_web_chat_is_shown_to_signed_in_staff_only(server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_the_web(server, http)
        status, answer = await upload(server, http, "../../etc/رسالة.png", PNG)
        assert status == 200, answer
        said = i18n.strip_isolates(json.dumps(answer, ensure_ascii=False))
        gone = tr("ar", "Your file {name} has gone to the team.").split("{name}")[0].strip()
        assert gone in said and "رسالة.png" in said, said
        anonymous = await http.get(server.url + f"/admin/inbox/{number}", allow_redirects=False)
        assert anonymous.status in (302, 303)
    async with staff(server.url, "anna") as (anna, _csrf):
        page = await (await anna.get(f"/admin/inbox/{number}")).text()
        link = re.search(rf'href="(/admin/inbox/{number}/file/[^"]+)"[^>]*>📎 رسالة.png<', page)
        assert link, page
        assert '<img class="thumb"' in page
        async with anna.get(link.group(1)) as resp:
            assert resp.status == 200 and await resp.read() == PNG
            assert resp.headers["Content-Type"] == "image/png"
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
            assert "sandbox" in resp.headers["Content-Security-Policy"]
            assert resp.headers["Content-Disposition"].startswith("inline;")
    async with aiohttp.ClientSession() as stranger:
        resp = await stranger.get(server.url + link.group(1), allow_redirects=False)
        assert resp.status in (302, 303) and await resp.read() != PNG, "no file without signing in"


@pytest.mark.parametrize(("name", "data", "status", "message"), [
    ("brief.pdf", HTML, 415, WRONG_TYPE),  # the name says PDF, the bytes say HTML
    ("letter.exe", b"MZ\x90\x00" + b"\x00" * 100, 415, WRONG_TYPE),
    ("scan.pdf", PDF + b"\x00" * MAX_BYTES, 413, TOO_BIG),
])
async def test_a_wrong_or_big_file_gets_a_kind_word_in_the_persons_language(
        server: Server, name: str, data: bytes, status: int, message: str) -> None:
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_the_web(server, http)
        got, answer = await upload(server, http, name, data)
    assert got == status
    expected = tr("ar", message).format(size=i18n.format_number(10, 0))
    assert answer["error"] == expected and expected != message
    assert server.app[INBOX].store.files.count(number) == 0


async def test_no_file_is_taken_without_an_open_handoff(server: Server) -> None:
    async with aiohttp.ClientSession(headers={"Accept-Language": "uk"}) as http:
        status, answer = await upload(server, http, "photo.png", PNG, session="nobody")
    assert status == 409 and answer["error"] == tr("uk", NO_HANDOFF) != NO_HANDOFF


async def test_staff_send_a_pdf_that_only_the_persons_session_opens(server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_the_web(server, http)
        async with staff(server.url, "anna") as (anna, csrf):
            assert (await act(anna, csrf, number, "reply", f"Rufen Sie {HELPLINE} an."))[0] == 200
            form = aiohttp.FormData()
            form.add_field("csrf", csrf)
            form.add_field("file", PDF, filename="Termin <Montag>.pdf", content_type="application/pdf")
            async with anna.post(f"/admin/inbox/{number}/file", data=form) as resp:
                page = await resp.text()
                assert resp.status == 200 and "Gesendet." in page, page
        events = await staff_events(server, http, "s-1", 2)
        assert events[0]["text"] == f"Rufen Sie {HELPLINE} an."
        file = events[1]["file"]
        assert isinstance(file, dict) and file["name"] == "Termin <Montag>.pdf"
        mine = await http.get(server.url + f"/api/file/{file['token']}?session=s-1")
        assert mine.status == 200 and await mine.read() == PDF
        assert mine.headers["Content-Type"] == "application/pdf"
        assert mine.headers["Content-Disposition"].startswith("attachment;")
        assert mine.headers["X-Content-Type-Options"] == "nosniff"
        other = await http.get(server.url + f"/api/file/{file['token']}?session=s-2")
        assert other.status == 404, "another session never gets it"


async def staff_events(server: Server, http: aiohttp.ClientSession, session: str, n: int) -> list[dict[str, object]]:
    """The first n replies of the team as the web chat page reads them (server-sent events)."""
    found: list[dict[str, object]] = []
    async with http.get(server.url + f"/api/staff?session={session}") as stream:
        async for line in stream.content:
            if line.startswith(b"data: {\"kind\""):
                found.append(json.loads(line[6:]))
                if len(found) == n:
                    break
    return found


async def test_forget_and_the_purge_delete_the_files(server: Server) -> None:
    inbox = server.app[INBOX]
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_the_web(server, http)
        assert (await upload(server, http, "a.png", PNG))[0] == 200
        for button in ("forget", "forget:yes"):
            await http.post(server.url + "/api/chat", json={"session": "s-1", "button": button})
        assert inbox.store.files.count(number) == 0, "/forget deletes them"

        again = await hand_over_on_the_web(server, http, "s-2")
        assert (await upload(server, http, "b.pdf", PDF, session="s-2"))[0] == 200
    async with staff(server.url, "anna") as (anna, csrf):
        await act(anna, csrf, again, "claim")
        await anna.post(f"/admin/inbox/{again}", data={"csrf": csrf, "action": "close"}, allow_redirects=False)
    assert inbox.store.files.count(again) == 1, "kept for the retention period after the handoff closed"
    handoffs = inbox.handoffs
    handoffs.store.purge(handoffs.config.retention_days, inbox.clock() + timedelta(days=365))
    assert inbox.store.files.count(again) == 0, "the purge of the closed handoff takes its files"
