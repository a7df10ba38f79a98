"""In headless Chromium: an editor adds the topic "Reparaturcafé" in the admin and the running web chat answers
with it without a restart; then the editor changes the Arabic answer of kita for Kreis Unna only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from demodb import demo_db
from serving import serving, sign_in_browser
from test_admin_browser import PASSWORD, fill, goto, submit
from test_browser import Page
from test_browser import page as page  # the Chromium fixture

from bot.config import Settings
from bot.web.admin import accounts

pytestmark = pytest.mark.browser
ANSWER = "Im Reparaturcafé reparieren Ehrenamtliche mit Ihnen kaputte Geräte."
KITA_AR_UNNA = "روضات كرايس أونا: سجّل طفلك في بوابة الروضات."
ATTEMPTS = 200  # questions to the chat while the model is retrained: a bound, not a clock


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    db_path = tmp_path / "lotse.db"
    db = demo_db(db_path)
    accounts.add_user(db, "anna", PASSWORD, "editor")
    db.close()
    # The chat is asked again and again while the model is retrained: on a busy machine that outlasts the rate
    # limits of one chat (test_web_security's subject), which would answer "too fast" to the question after it.
    settings = Settings(db_path=db_path, rate_per_minute=10**7, address_per_minute=10**7, web_per_minute=10**7,
                        new_sessions_per_minute=10**7)
    async with serving(settings) as url:
        yield url


async def test_an_editor_adds_a_topic_and_a_district_answer_and_the_chat_uses_them(server: str,
                                                                                    page: Page) -> None:
    await sign_in_browser(page, server, "anna", PASSWORD, lang="de")
    await goto(page, server + "/admin/topics/new", "!!document.getElementById('save')")
    await fill(page, {"name": "Reparaturcafé", "answer_de": ANSWER,
                      "examples": "reparaturcafé\nwo kann ich etwas reparieren lassen"})
    await page.js("document.getElementById('needs_place').checked = false")
    await submit(page, "save", "document.body.innerText.includes('Gespeichert')")

    await page.open(server + "/", accept_language="de-DE,de")
    seen = ""
    for _attempt in range(ATTEMPTS):
        seen = (await page.ask("Gibt es in Bergkamen ein Reparaturcafé?"))["text"]
        if ANSWER in seen:
            break
    assert ANSWER in seen

    await goto(page, server + "/admin/topics/kita", "!!document.getElementById('save_answer')")
    await fill(page, {"a_district": "05978", "a_text": KITA_AR_UNNA})
    await page.js("document.getElementById('a_lang').value = 'ar'")
    await submit(page, "save_answer", "document.body.innerText.includes('Gespeichert')")

    await page.open(server + "/?lang=ar", accept_language="ar")
    assert KITA_AR_UNNA in (await page.ask("روضة أطفال في لونن"))["text"]
    in_heinsberg = (await page.ask("روضة أطفال في هاينسبرغ"))["text"]
    assert KITA_AR_UNNA not in in_heinsberg and "روضة" in in_heinsberg
