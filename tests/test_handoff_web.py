"""Talk to a person from the web chat, in headless Chromium: the team answers on Telegram (the fake Bot API), and
their reply appears in the open page without reloading, and in a page opened later.

The real app runs with its Telegram bot polling the fake Bot API; the staff's messages are updates pushed there.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from demodb import demo_db
from serving import serving
from test_browser import SHOTS, Page, page  # noqa: F401 - the page fixture

from bot import i18n
from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakeupdates import text_update
from bot.config import Settings, StaffConfig, StaffDesk

pytestmark = pytest.mark.browser

STAFF_CHAT = -1009876543210
TEAM = "KI Kreis Unna"


@pytest.fixture
async def server(tmp_path: Path, api: FakeBotAPI) -> AsyncIterator[str]:
    """The real app with the Telegram bot (and a staff desk) against the fake Bot API."""
    db_path = tmp_path / "lotse.db"
    demo_db(db_path)
    settings = Settings(db_path=db_path, telegram_token=api.token, telegram_api_base_url=api.base_url,
                        staff=StaffConfig((StaffDesk(STAFF_CHAT, None, TEAM, None, 2),)))
    async with serving(settings) as url:
        try:
            yield url
        finally:
            api.drain()


async def write(tab: Page, text: str) -> None:
    """Type and send a message like a person, and wait until the page has its answer (maybe none)."""
    before = await tab.js("document.querySelectorAll('.bubble.me').length")
    await tab.js("document.getElementById('text').focus()")
    await tab.send("Input.insertText", text=text)
    await tab.js("document.getElementById('send').click()")
    await tab.wait_for(f"document.querySelectorAll('.bubble.me').length > {before}"
                        " && !document.querySelector('.writing')")


def staff_says(text: str, thread: int) -> dict[str, object]:
    return text_update(5550002, text, lang="de", chat_id=STAFF_CHAT, kind="supergroup", message_thread_id=thread,
                       is_topic_message=True)


async def staff_bubbles(tab: Page) -> list[str]:
    return list(await tab.js("[...document.querySelectorAll('.bubble.staff')].map((b) => b.innerText)"))


async def test_web_chat_person_gets_the_teams_reply_in_the_open_page(
        server: str, page: Page, api: FakeBotAPI) -> None:  # noqa: F811 - the fixture from test_browser
    await page.open(server + "/", accept_language="ar")
    seen = await page.ask("أريد التحدث مع شخص")
    assert TEAM in seen["text"], seen["text"]
    session = await page.js("localStorage.getItem('lotse-session')")

    await write(page, "عندي سؤال عن تصريح الإقامة")
    await write(page, "متى يمكنني أن آتي؟")
    [topic] = await api.wait_for("createForumTopic", chat_id=STAFF_CHAT)
    assert topic.params["name"] == "#1 · ar"
    thread = next(t for (chat, t) in api.topics if chat == STAFF_CHAT)
    texts = [c.text for c in await api.wait_for("sendMessage", 3, chat_id=STAFF_CHAT)]
    assert "عندي سؤال عن تصريح الإقامة" in texts and "متى يمكنني أن آتي؟" in texts
    assert "web" in texts[0].lower() or "ويب" in texts[0]

    api.push(staff_says("مرحبا! تعال يوم الخميس الساعة العاشرة.", thread))
    await page.wait_for("[...document.querySelectorAll('.bubble.staff')].some((b) => b.innerText.includes('الخميس'))")
    with i18n.use("ar"):
        label = i18n.strip_isolates(i18n.gettext("The team"))
    assert label in (await staff_bubbles(page))[0]
    await page.screenshot(SHOTS / "chat-ar-team.png")

    # The page is closed; the team answers again; the person comes back and finds the answer.
    await page.send("Page.navigate", url="about:blank")
    await page.wait_for("location.href === 'about:blank' && document.readyState === 'complete'")
    api.push(staff_says("أحضر معك جواز السفر من فضلك.", thread))
    await asyncio.sleep(0.5)  # the staff message reaches the outbox while no page is open
    await page.open(server + "/", accept_language="ar")
    await page.wait_for("[...document.querySelectorAll('.bubble.staff')].some((b) => b.innerText.includes('جواز'))")
    assert not any("الخميس" in b for b in await staff_bubbles(page)), "what was seen already is not repeated"
    with i18n.use("ar"):
        writing = i18n.strip_isolates(i18n.gettext("You are writing with the team. They answer here in this chat."))
    shown = await page.js("document.getElementById('log').innerText")
    assert writing in i18n.strip_isolates(shown) and await page.js("!!document.querySelector('[data-data=\"h:stop\"]')")

    api.push(staff_says("/close", thread))
    await api.wait_for("closeForumTopic", chat_id=STAFF_CHAT)
    with i18n.use("ar"):
        notice = i18n.gettext("The team has ended this conversation. Lotse answers your questions again.")
    await page.wait_for(f"[...document.querySelectorAll('.bubble.staff.closed')].some((b) => "
                        f"b.innerText.includes({json.dumps(notice[:20])}))")

    after = await page.ask("أبحث عن روضة أطفال في لونن")
    assert after["places"] > 0, after["text"]
    assert len(api.sent(STAFF_CHAT, ["sendMessage"])) == 3 + 1, "after /close only the confirmation goes there"
    for call in api.calls:
        if call.chat_id == STAFF_CHAT:
            assert session not in json.dumps(call.params), "staff must not see the web chat's session id"
