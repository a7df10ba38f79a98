"""The web admin in real headless Chromium, as an editor of an integration centre uses it: sign in, add an offer,
change its opening hours, find the change in the web chat's answer and in "recent changes", delete and restore;
and what must not work (the users page for an editor, a sixth password guess, a form post without CSRF token).

Chromium is driven over DevTools with the small client of tests/test_browser.py.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from demodb import demo_db
from serving import serving, sign_in_browser
from test_browser import SHOTS, Page
from test_browser import page as page  # the Chromium fixture

from bot.config import Settings
from bot.web.admin import accounts

pytestmark = pytest.mark.browser
PASSWORD = "sonnenblume-42"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    """The real app on a free port, with the demo offers and an editor account "anna"."""
    db_path = tmp_path / "lotse.db"
    db = demo_db(db_path)
    accounts.add_user(db, "anna", PASSWORD, "editor")
    db.close()
    async with serving(Settings(db_path=db_path)) as url:
        yield url


async def goto(page: Page, url: str, ready: str = "true") -> None:
    await page.send("Page.navigate", url=url)
    await page.wait_for(f"location.href === {json.dumps(url)} && document.readyState === 'complete' && ({ready})")


async def fill(page: Page, values: dict[str, str]) -> None:
    """Type into form fields by id, as a person would (focus, select all, insert text)."""
    for field_id, text in values.items():
        await page.js(f"document.getElementById({json.dumps(field_id)}).focus();"
                      f"document.getElementById({json.dumps(field_id)}).select()")
        await page.send("Input.insertText", text=text)


async def submit(page: Page, button_id: str, ready: str) -> None:
    """Press a button that sends a form, and wait until the page it leads to shows `ready`."""
    await page.js("window.__old = document.body; true")
    await page.js(f"document.getElementById({json.dumps(button_id)}).click()")
    await page.wait_for(f"document.body !== window.__old && document.readyState === 'complete' && ({ready})")


async def chat_places(page: Page, server: str, question: str) -> list[str]:
    """Ask the web chat and return the offers it lists, as shown."""
    await page.open(server + "/", accept_language="de-DE,de")
    await page.ask(question)
    return list(await page.js("[...document.querySelectorAll('.place')].map((li) => li.innerText)"))


async def test_an_editor_adds_and_edits_an_offer_and_the_chat_answers_with_it(server: str, page: Page) -> None:
    shown = await sign_in_browser(page, server, "anna", PASSWORD, lang="de")
    assert "anna (Bearbeitung)" in shown

    await goto(page, server + "/admin/offers/new", "!!document.getElementById('save')")
    await fill(page, {"f-id": "aaa-kita-regenbogen", "f-name_de": "Kita Regenbogen (Beispiel)",
                      "f-postcode": "59423", "f-city": "Unna", "f-opening_hours": "Mo-Fr 9-12 Uhr"})
    await page.js("document.querySelector('input[name=categories][value=kita]').click()")
    await submit(page, "save", "!!document.getElementById('saved')")
    assert await page.js("document.getElementById('hours').innerText") == "Mo.–Fr. 09:00–12:00"

    await submit(page, "edit", "!!document.getElementById('f-opening_hours')")
    await fill(page, {"f-opening_hours": "Di, Do 14:00-17:00"})
    # While typing, the form says how it reads the hours (before anything is sent).
    await page.wait_for("document.getElementById('hours-live').innerText.includes('Di., Do. 14:00–17:00')")
    await submit(page, "check", "!!document.getElementById('hours-preview')")
    assert "Di., Do. 14:00–17:00" in await page.js("document.getElementById('hours-preview').innerText")
    await page.js("document.getElementById('f-opening_hours').scrollIntoView()")
    await page.screenshot(SHOTS / "admin-form.png")
    await submit(page, "save", "!!document.getElementById('saved')")
    await page.screenshot(SHOTS / "admin-offer.png")

    places = await chat_places(page, server, "Kita in 59423")
    ours = [p for p in places if "Kita Regenbogen" in p]
    assert ours and "Di., Do. 14:00–17:00" in ours[0], places

    await goto(page, server + "/admin/changes", "!!document.getElementById('changes')")
    rows = await page.js("[...document.querySelectorAll('#changes tbody tr')].map((tr) => tr.innerText)")
    ours = [r for r in rows if "Kita Regenbogen" in r]
    assert len(ours) == 2 and all("anna" in r for r in ours), rows
    assert "bearbeitet" in ours[0] and "opening_hours" in ours[0] and "angelegt" in ours[1]
    await page.screenshot(SHOTS / "admin-changes.png")

    await goto(page, server + "/admin/offers/aaa-kita-regenbogen", "!!document.getElementById('delete')")
    await submit(page, "delete", "!!document.getElementById('deleted')")
    assert not [p for p in await chat_places(page, server, "Kita in 59423") if "Kita Regenbogen" in p]
    await goto(page, server + "/admin/offers/aaa-kita-regenbogen", "!!document.getElementById('restore')")
    await submit(page, "restore", "!!document.getElementById('delete')")
    assert [p for p in await chat_places(page, server, "Kita in 59423") if "Kita Regenbogen" in p]


async def test_an_editor_cannot_open_the_users_page(server: str, page: Page) -> None:
    await sign_in_browser(page, server, "anna", PASSWORD, lang="de")
    await goto(page, server + "/admin/users", "!!document.getElementById('message')")
    assert "Nur Admins" in await page.js("document.getElementById('message').innerText")
    assert not await page.js("[...document.querySelectorAll('header a')].some((a) => a.href.endsWith('/users'))")


async def test_wrong_passwords_make_sign_in_wait_with_a_clear_message(server: str, page: Page) -> None:
    for _attempt in range(5):
        shown = await sign_in_browser(page, server, "anna", "falsches-passwort", lang="de")
        assert "Name oder Passwort ist nicht richtig" in shown
    shown = await sign_in_browser(page, server, "anna", "falsches-passwort", lang="de")
    assert "Zu viele falsche Passwörter" in shown and "Sekunden" in shown
    # This browser never signed in: it waits a moment too.
    shown = await sign_in_browser(page, server, "anna", PASSWORD, lang="de")
    assert "Sekunden" in shown and "anna (Bearbeitung)" not in shown
    await page.screenshot(SHOTS / "admin-locked.png")


async def test_a_post_without_csrf_token_is_refused(server: str, page: Page) -> None:
    await sign_in_browser(page, server, "anna", PASSWORD, lang="de")
    answer = await page.js("""fetch('/admin/offers/nat-112/delete', {method: 'POST',
        body: new URLSearchParams({})}).then(async (r) => [r.status, await r.text()])""")
    assert answer[0] == 403 and "neu laden" in answer[1]
    await goto(page, server + "/admin/offers/nat-112", "!!document.getElementById('delete')")
    assert not await page.js("!!document.getElementById('deleted')")


async def test_the_week_table_shows_while_typing_how_office_hours_add_up(server: str, page: Page) -> None:
    """Typed as offices write them, Thursday keeps its morning: the week table says so before anything is saved."""
    await sign_in_browser(page, server, "anna", PASSWORD, lang="de")
    await goto(page, server + "/admin/offers/nrw-05978-2/edit", "!!document.getElementById('f-opening_hours')")
    await fill(page, {"f-opening_hours": "Mo-Fr 9-12 Uhr, Do 14-18 Uhr"})
    await page.wait_for("[...document.querySelectorAll('#hours-week tr')].some((tr) => "
                        "tr.innerText.includes('Donnerstag') && tr.innerText.includes('14:00–18:00'))")
    rows = await page.js("[...document.querySelectorAll('#hours-week tr')].map((tr) => tr.innerText)")
    assert rows[3].split() == ["Donnerstag", "09:00–12:00,", "14:00–18:00"], rows
    assert rows[0].split() == ["Montag", "09:00–12:00"] and rows[5].split() == ["Samstag", "geschlossen"], rows
    assert await page.js("!document.getElementById('hours-week').hidden")
    await page.screenshot(SHOTS / "admin-hours-week.png")


async def test_a_click_on_the_map_moves_the_point_and_fills_in_the_coordinates(server: str, page: Page) -> None:
    await sign_in_browser(page, server, "anna", PASSWORD, lang="de")
    await goto(page, server + "/admin/offers/nrw-05978-2/edit", "!!document.getElementById('map')")
    assert await page.js("document.getElementById('f-lat').value") == ""  # approximate: not shown as exact
    box = await page.js("(() => { const r = document.getElementById('map').getBoundingClientRect(); "
                        "window.scrollTo(0, r.top + window.scrollY - 100); "
                        "const s = document.getElementById('map').getBoundingClientRect(); "
                        "return [s.left, s.top]; })()")
    # 80 px right of and 40 px above the centre: about 600 m east and 300 m north of the postcode's centre.
    for kind in ("mousePressed", "mouseReleased"):
        await page.send("Input.dispatchMouseEvent", type=kind, x=box[0] + 240, y=box[1] + 70, button="left",
                        clickCount=1)
    await page.wait_for("document.getElementById('f-lat').value !== ''")
    lat = float(await page.js("document.getElementById('f-lat').value"))
    lon = float(await page.js("document.getElementById('f-lon').value"))
    centre_lat = float(await page.js("document.getElementById('map').dataset.lat"))
    centre_lon = float(await page.js("document.getElementById('map').dataset.lon"))
    assert 0.25 < (lat - centre_lat) * 111.2 < 0.35 and 0.55 < (lon - centre_lon) * 111.2 * 0.62 < 0.65
    assert abs(float(await page.js("document.getElementById('map-point').getAttribute('cx')")) - 240) < 2
    await page.screenshot(SHOTS / "admin-map.png")


async def test_the_web_chat_credits_openstreetmap_under_its_offers(tmp_path: Path, page: Page) -> None:
    """Kitas synced from OpenStreetMap, asked for in the web chat: each carries the credit its licence asks for."""
    from fakesources import fake_sources

    from bot.offers.demo import remove_examples
    from bot.sources.run import sync_osm

    db_path = tmp_path / "osm.db"
    db = demo_db(db_path)
    remove_examples(db, "test")
    with fake_sources() as fake:
        sync_osm(db, f"{fake.url}/api/interpreter", "05978")
    db.close()
    async with serving(Settings(db_path=db_path)) as url:
        places = await chat_places(page, url, "Kita in Lünen")
        assert places and all("© OpenStreetMap contributors (ODbL)" in place for place in places), places
        assert not any("Beispiel" in place for place in places)
        await page.screenshot(SHOTS / "chat-osm-credit.png")
