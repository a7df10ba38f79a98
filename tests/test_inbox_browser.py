"""The whole way in headless Chromium: an Arabic user on WhatsApp (fake Graph API) looks for a Kita in Lünen,
taps "more", shares a location, asks for a person; a staff member has the team inbox open, sees the conversation
appear without reloading, claims it, answers, and the answer arrives on WhatsApp with a tappable number. And a
person in the web chat sends a photo with 📎, which staff see in the inbox."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest
from inboxdesk import AHMAD, HELPLINE, PASSWORD, Server
from serving import sign_in_browser
from test_admin_browser import fill, goto, submit
from test_browser import Page
from test_browser import page as page  # the Chromium fixture
from test_inbox_files import PNG, tr

from bot.bench import fakegraphapi as meta
from bot.web.keys import INBOX

pytestmark = pytest.mark.browser
LUENEN = (51.6163, 7.5271)


async def test_a_staff_reply_in_the_inbox_reaches_an_arabic_user_on_whatsapp(inbox_server: Server, page: Page) -> None:
    api = inbox_server.api
    async with aiohttp.ClientSession() as http:
        await inbox_server.whatsapp(http, meta.text(AHMAD, "أبحث عن روضة أطفال في لونن"))
        more = [data for s in api.to(AHMAD) for data, _t in s.buttons if data.startswith("more:kita")]
        assert more, "the answer has a button for more Kitas"
        await inbox_server.whatsapp(http, meta.list_reply(AHMAD, more[0]))
        await inbox_server.whatsapp(http, meta.location(AHMAD, *LUENEN))
        assert "Kita" in api.to(AHMAD)[-1].text

        assert "anna" in await sign_in_browser(page, inbox_server.url, "anna", PASSWORD, lang="de")
        await goto(page, inbox_server.url + "/admin/inbox", "!!document.getElementById('inbox-list')")
        assert await page.js("document.querySelectorAll('tr.conversation').length") == 0

        await inbox_server.whatsapp(http, meta.text(AHMAD, "أريد التحدث مع شخص"))
        await inbox_server.whatsapp(http, meta.text(AHMAD, "عندي رسالة من مكتب الأجانب ولا أفهمها"))
        # The list updates itself (inbox_server-sent events): the conversation appears, unread, without a reload.
        await page.wait_for("!!document.querySelector('tr.conversation .unread')")
        row = await page.js("document.querySelector('tr.conversation').innerText")
        assert "العربية" in row and "WhatsApp" in row

        link = await page.js("document.querySelector('tr.conversation a').href")
        await goto(page, link, "!!document.getElementById('claim')")
        assert "عندي رسالة من مكتب الأجانب" in await page.js("document.body.innerText")
        await submit(page, "claim", "!!document.querySelector('.claimed-by')")
        await fill(page, {"reply-text": f"Bitte rufen Sie {HELPLINE} an, oder kommen Sie Montag vorbei."})
        await submit(page, "send", "!!document.querySelector('.ok')")

    assert api.to(AHMAD)[-1].text == "💬 Bitte rufen Sie +498001110111 an, oder kommen Sie Montag vorbei."
    said = await page.js("[...document.querySelectorAll('ol.said li')].map((li) => li.className)")
    assert json.dumps(said) == json.dumps(["person", "staff"])


async def choose_file(page: Page, input_id: str, path: Path) -> None:
    """Pick a file in an <input type=file>, as the person's file dialog would (it fires "change")."""
    found = await page.send("Runtime.evaluate", expression=f"document.getElementById({json.dumps(input_id)})")
    await page.send("DOM.setFileInputFiles", files=[str(path)], objectId=found["result"]["objectId"])


async def test_the_attach_button_sends_a_photo_that_staff_see_in_the_inbox(inbox_server: Server, page: Page,
                                                                            tmp_path: Path) -> None:
    photo = tmp_path / "رسالة.png"
    photo.write_bytes(PNG)
    await page.open(inbox_server.url + "/", accept_language="ar")
    assert await page.js("document.getElementById('attach').hidden"), "no 📎 before the team has the chat"
    await page.ask("أريد التحدث مع شخص في لونن")
    await page.wait_for("!document.getElementById('attach').hidden")  # shown while the team answers
    label = await page.js("document.getElementById('attach').getAttribute('aria-label')")
    assert label == tr("ar", "Send a photo or document to the team")
    await choose_file(page, "attach-file", photo)
    gone = tr("ar", "Your file {name} has gone to the team.").split("{name}")[0].strip()
    await page.wait_for(f"document.getElementById('log').innerText.includes({json.dumps(gone)})")

    assert "anna" in await sign_in_browser(page, inbox_server.url, "anna", PASSWORD, lang="de")
    number = inbox_server.app[INBOX].store.open_conversations()[0].number
    await goto(page, f"{inbox_server.url}/admin/inbox/{number}", "!!document.querySelector('img.thumb')")
    await page.wait_for("document.querySelector('img.thumb').complete")
    assert await page.js("document.querySelector('img.thumb').naturalWidth") == 1, "the photo itself is shown"
    assert "📎 رسالة.png" in await page.js("document.querySelector('a.file-link').innerText")
