"""Photos and documents during a handoff, over real HTTP: a person sends one from the web chat, staff open it in
the team inbox (signed in only, never run as a page) and send one back, which only the person's session opens;
wrong types and big files get a kind word in the person's language; /forget and the purge delete them."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from inboxdesk import (
    AHMAD,
    ARABIC_HANDOFF,
    DESK,
    HELPLINE,
    STAFF_CHAT,
    Desk,
    Server,
    act,
    db_file,
    hand_over_on_the_web,
    hand_over_on_whatsapp,
    staff,
)
from serving import serving_app

from bot import i18n
from bot.bench import fakegraphapi as meta
from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakegraphapi import FakeGraphAPI
from bot.bench.fakeupdates import message_update, text_update
from bot.config import Settings, StaffConfig, StaffDesk
from bot.inbox.files import MAX_BYTES
from bot.web.keys import INBOX

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<html><script>alert(document.cookie)</script></html>"


def tr(lang: str, message: str) -> str:
    with i18n.use(lang):
        return i18n.gettext(message)


TOO_BIG = "This file is too big: at most {size} MB. Please send a smaller photo or a PDF."
WRONG_TYPE = "Lotse can pass on photos (JPEG, PNG, WebP, HEIC) and PDF documents only."
NO_HANDOFF = "You can send photos and documents only while you are writing with the team."


async def upload(server: Server, http: aiohttp.ClientSession, name: str, data: bytes,
                 session: str = "s-1") -> tuple[int, dict[str, object]]:
    form = aiohttp.FormData()
    form.add_field("session", session)
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    async with http.post(server.url + "/api/upload", data=form) as resp:
        return resp.status, await resp.json()


async def test_a_photo_from_the_web_chat_is_shown_to_signed_in_staff_only(inbox_server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_the_web(inbox_server, http)
        status, answer = await upload(inbox_server, http, "../../etc/رسالة.png", PNG)
        assert status == 200, answer
        said = i18n.strip_isolates(json.dumps(answer, ensure_ascii=False))
        gone = tr("ar", "Your file {name} has gone to the team.").split("{name}")[0].strip()
        assert gone in said and "رسالة.png" in said, said
        anonymous = await http.get(inbox_server.url + f"/admin/inbox/{number}", allow_redirects=False)
        assert anonymous.status in (302, 303)
    async with staff(inbox_server.url, "anna") as (anna, _csrf):
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
        resp = await stranger.get(inbox_server.url + link.group(1), allow_redirects=False)
        assert resp.status in (302, 303) and await resp.read() != PNG, "no file without signing in"


@pytest.mark.parametrize(("name", "data", "status", "message"), [
    ("brief.pdf", HTML, 415, WRONG_TYPE),  # the name says PDF, the bytes say HTML
    ("letter.exe", b"MZ\x90\x00" + b"\x00" * 100, 415, WRONG_TYPE),
    ("scan.pdf", PDF + b"\x00" * MAX_BYTES, 413, TOO_BIG),
])
async def test_a_wrong_or_big_file_gets_a_kind_word_in_the_persons_language(
        inbox_server: Server, name: str, data: bytes, status: int, message: str) -> None:
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_the_web(inbox_server, http)
        got, answer = await upload(inbox_server, http, name, data)
    assert got == status
    expected = tr("ar", message).format(size=i18n.format_number(10, 0))
    assert answer["error"] == expected and expected != message
    assert inbox_server.app[INBOX].store.files.count(number) == 0


async def test_no_file_is_taken_without_an_open_handoff(inbox_server: Server) -> None:
    async with aiohttp.ClientSession(headers={"Accept-Language": "uk"}) as http:
        status, answer = await upload(inbox_server, http, "photo.png", PNG, session="nobody")
    assert status == 409 and answer["error"] == tr("uk", NO_HANDOFF) != NO_HANDOFF


async def test_staff_send_a_pdf_that_only_the_persons_session_opens(inbox_server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_the_web(inbox_server, http)
        async with staff(inbox_server.url, "anna") as (anna, csrf):
            assert (await act(anna, csrf, number, "reply", f"Rufen Sie {HELPLINE} an."))[0] == 200
            form = aiohttp.FormData()
            form.add_field("csrf", csrf)
            form.add_field("file", PDF, filename="Termin <Montag>.pdf", content_type="application/pdf")
            async with anna.post(f"/admin/inbox/{number}/file", data=form) as resp:
                page = await resp.text()
                assert resp.status == 200 and "Gesendet." in page, page
        events = await staff_events(inbox_server, http, "s-1", 2)
        assert events[0]["text"] == f"Rufen Sie {HELPLINE} an."
        file = events[1]["file"]
        assert isinstance(file, dict) and file["name"] == "Termin <Montag>.pdf"
        mine = await http.get(inbox_server.url + f"/api/file/{file['token']}?session=s-1")
        assert mine.status == 200 and await mine.read() == PDF
        assert mine.headers["Content-Type"] == "application/pdf"
        assert mine.headers["Content-Disposition"].startswith("attachment;")
        assert mine.headers["X-Content-Type-Options"] == "nosniff"
        other = await http.get(inbox_server.url + f"/api/file/{file['token']}?session=s-2")
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


async def test_forget_and_the_purge_delete_the_files(inbox_server: Server) -> None:
    inbox = inbox_server.app[INBOX]
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_the_web(inbox_server, http)
        assert (await upload(inbox_server, http, "a.png", PNG))[0] == 200
        for button in ("forget", "forget:yes"):
            await http.post(inbox_server.url + "/api/chat", json={"session": "s-1", "button": button})
        assert inbox.store.files.count(number) == 0, "/forget deletes them"

        again = await hand_over_on_the_web(inbox_server, http, "s-2")
        assert (await upload(inbox_server, http, "b.pdf", PDF, session="s-2"))[0] == 200
    async with staff(inbox_server.url, "anna") as (anna, csrf):
        await act(anna, csrf, again, "claim")
        await anna.post(f"/admin/inbox/{again}", data={"csrf": csrf, "action": "close"}, allow_redirects=False)
    assert inbox.store.files.count(again) == 1, "kept for the retention period after the handoff closed"
    handoffs = inbox.handoffs
    handoffs.store.purge(handoffs.config.retention_days, inbox.clock() + timedelta(days=365))
    assert inbox.store.files.count(again) == 0, "the purge of the closed handoff takes its files"


# -- WhatsApp (fake Graph API) and Telegram (fake Bot API) ------------------------------------------------------
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64 + b"\xff\xd9"
PERSON = 777002  # a Telegram user


async def send_pdf(url: str, number: int) -> str:
    async with staff(url, "anna") as (anna, csrf):
        form = aiohttp.FormData()
        form.add_field("csrf", csrf)
        form.add_field("file", PDF, filename="Termin.pdf", content_type="application/pdf")
        async with anna.post(f"/admin/inbox/{number}/file", data=form) as resp:
            assert resp.status == 200
            return await resp.text()


async def test_a_whatsapp_photo_reaches_the_inbox_and_a_pdf_goes_back(handed_over: Desk) -> None:
    server, number = handed_over.server, handed_over.number
    server.api.files["m-1"] = ("image/jpeg", JPEG)
    async with aiohttp.ClientSession() as http:
        await server.whatsapp(http, meta.image(AHMAD, "m-1"))
    told = i18n.strip_isolates(server.api.to(AHMAD)[-1].text)
    assert tr("ar", "Your file {name} has gone to the team.").split("{name}")[0].strip() in told, told
    page = await (await handed_over.staff.get(f"/admin/inbox/{number}")).text()
    link = re.search(rf'href="(/admin/inbox/{number}/file/[^"]+)"[^>]*>📎 photo.jpg<', page)
    assert link, page
    assert await (await handed_over.staff.get(link.group(1))).read() == JPEG
    assert "Gesendet." in await send_pdf(server.url, number)
    sent = server.api.to(AHMAD)[-1]
    assert sent.type == "document" and sent.text == "Termin.pdf"
    assert server.api.uploads[sent.body["document"]["id"]]["data"] == PDF


async def test_a_whatsapp_file_that_is_no_photo_or_pdf_is_refused_in_arabic(inbox_server: Server) -> None:
    inbox_server.api.files["m-2"] = ("application/pdf", HTML)  # Meta passes on what the phone claims
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_whatsapp(inbox_server, http)
        await inbox_server.whatsapp(http, meta.document(AHMAD, "m-2", "letter.pdf"))
    assert inbox_server.api.to(AHMAD)[-1].text == tr("ar", WRONG_TYPE)
    assert inbox_server.app[INBOX].store.files.count(number) == 0


async def test_a_telegram_photo_reaches_the_inbox_and_a_pdf_goes_back(tmp_path: Path) -> None:
    async with FakeBotAPI() as bot_api:
        settings = Settings(db_path=db_file(tmp_path), telegram_token=bot_api.token,
                            telegram_api_base_url=bot_api.base_url, staff=StaffConfig((DESK,)))
        async with serving_app(settings) as (url, app):
            bot_api.push(text_update(PERSON, ARABIC_HANDOFF[0], lang="ar"))
            await bot_api.wait_for("sendMessage", 2, chat_id=PERSON)  # who answers, and the button to end it
            [conversation] = app[INBOX].store.open_conversations()
            bot_api.files["ph-1"] = ("image/jpeg", JPEG)
            photo = [{"file_id": "ph-1", "file_unique_id": "u1", "width": 90, "height": 90, "file_size": len(JPEG)}]
            bot_api.push(message_update(PERSON, lang="ar", photo=photo))
            [*_, told] = await bot_api.wait_for("sendMessage", 3, chat_id=PERSON)
            gone = tr("ar", "Your file {name} has gone to the team.").split("{name}")[0].strip()
            assert gone in i18n.strip_isolates(told.text)
            said = app[INBOX].store.messages(conversation.number)
            assert said[-1].file is not None and said[-1].file.mime == "image/jpeg"

            assert "Gesendet." in await send_pdf(url, conversation.number)
            [document] = await bot_api.wait_for("sendDocument", chat_id=PERSON)
            assert document.params["document"]["data"] == PDF
            assert document.params["document"]["filename"] == "Termin.pdf"
        bot_api.drain()


async def test_a_web_chat_photo_also_reaches_the_telegram_staff_topic(tmp_path: Path) -> None:
    """The team works in its Telegram group: the person's photo from the web chat arrives in their topic."""
    async with FakeBotAPI() as bot_api:
        desk = StaffDesk(STAFF_CHAT, None, "KI Kreis Unna", None, 24)
        settings = Settings(db_path=db_file(tmp_path), telegram_token=bot_api.token,
                            telegram_api_base_url=bot_api.base_url, staff=StaffConfig((desk,)))
        async with serving_app(settings) as (url, app), aiohttp.ClientSession() as http:
            server = Server(url, app, FakeGraphAPI())
            await hand_over_on_the_web(server, http)
            await bot_api.wait_for("sendMessage", 2, chat_id=STAFF_CHAT)  # the topic's head, the message
            assert (await upload(server, http, "brief.png", PNG))[0] == 200
            [photo] = await bot_api.wait_for("sendPhoto", chat_id=STAFF_CHAT)
            assert photo.params["photo"]["data"] == PNG
            assert photo.params["message_thread_id"] == next(t for (chat, t) in bot_api.topics if chat == STAFF_CHAT)
        bot_api.drain()


async def test_forget_on_whatsapp_deletes_the_persons_files(inbox_server: Server) -> None:
    inbox_server.api.files["m-3"] = ("application/pdf", PDF)
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_whatsapp(inbox_server, http)
        await inbox_server.whatsapp(http, meta.document(AHMAD, "m-3", "Bescheid.pdf"))
        assert inbox_server.app[INBOX].store.files.count(number) == 1
        await inbox_server.whatsapp(http, meta.text(AHMAD, "/forget"))
        await inbox_server.whatsapp(http, meta.button_reply(AHMAD, "forget:yes"))
    assert inbox_server.app[INBOX].store.files.count(number) == 0


async def test_a_telegram_document_over_the_limit_is_refused_before_it_is_fetched(tmp_path: Path) -> None:
    async with FakeBotAPI() as bot_api:
        settings = Settings(db_path=db_file(tmp_path), telegram_token=bot_api.token,
                            telegram_api_base_url=bot_api.base_url, staff=StaffConfig((DESK,)))
        async with serving_app(settings):
            bot_api.push(text_update(PERSON, ARABIC_HANDOFF[0], lang="ar"))
            await bot_api.wait_for("sendMessage", 2, chat_id=PERSON)
            document = {"file_id": "big-1", "file_unique_id": "u2", "file_name": "scan.pdf",
                        "mime_type": "application/pdf", "file_size": MAX_BYTES + 1}
            bot_api.push(message_update(PERSON, lang="ar", document=document))
            [*_, told] = await bot_api.wait_for("sendMessage", 3, chat_id=PERSON)
        assert told.text == tr("ar", TOO_BIG).format(size=i18n.format_number(10, 0))
        assert not [c for c in bot_api.calls if c.method == "getFile"], "nothing fetched"
        bot_api.drain()
