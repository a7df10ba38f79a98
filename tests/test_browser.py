"""The web chat in a real browser: headless Chromium driven over the DevTools protocol (CDP).

The app is served with aiohttp on a free port; Chromium (Debian's package, `make browser` installs it) opens it at
phone size (360 x 740) with the browser language set to Arabic, then Ukrainian. A question is typed and sent like a
person would; the test then measures where the reply bubble is drawn (getBoundingClientRect) and saves a screenshot
of each language to var/screenshots/ (`make screenshots`). No Playwright, no browser download: a small CDP client
over aiohttp's websocket is enough.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from demodb import demo_db
from serving import serving

from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent  # the checkout: these tests read its files

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
SHOTS = ROOT / "var" / "screenshots"
WIDTH, HEIGHT = 360, 740
#: How long a step in the browser may take before the test gives up: a safety net against a hang, far above what
#: any step needs even on a machine whose cores are busy with other work (the waits end on the event itself).
WAIT = 120.0


class Page:
    """A CDP session with one page: send a command, wait for its answer (events are ignored)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self.ids)
        await self.ws.send_str(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = await asyncio.wait_for(self.ws.receive(), timeout=WAIT)
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"DevTools connection closed: {msg}")
            data = json.loads(msg.data)
            if data.get("id") == msg_id:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return dict(data.get("result", {}))

    async def js(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its (JSON) value."""
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = WAIT) -> Any:
        """Poll a JavaScript expression until it is truthy."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                value = await self.js(expression)
            except (AssertionError, RuntimeError) as error:
                # Between two pages the document is briefly gone ("documentElement is null", "Inspected target
                # navigated"): that is the wait, not a failure, until the deadline says otherwise.
                if "connection closed" in str(error):
                    raise
                value, last = None, error
            else:
                last = None
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {expression}" + (f" ({last})" if last else ""))
            await asyncio.sleep(0.1)

    async def laid_out(self) -> None:
        """Wait until the browser has drawn what the page just changed (two animation frames: the one that lays
        out the change and the one after it), instead of sleeping for a guess."""
        await self.js("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))")

    async def open(self, url: str, accept_language: str) -> None:
        """Load a page as a phone whose browser language is `accept_language`."""
        await self.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1,
                        mobile=True)
        await self.send("Emulation.setUserAgentOverride", userAgent="Mozilla/5.0 (Linux; Android 14) LotseTest",
                        acceptLanguage=accept_language)
        await self.send("Page.navigate", url=url)
        await self.wait_for("document.readyState === 'complete' && !!document.getElementById('form')")

    async def ask(self, text: str) -> dict[str, Any]:
        """Type a question, send it, wait for the reply; the geometry of what a person sees."""
        before = await self.js("document.querySelectorAll('.bubble.bot:not(.writing)').length")
        await self.js("document.getElementById('text').focus()")
        await self.send("Input.insertText", text=text)
        await self.js("document.getElementById('send').click()")
        await self.wait_for(f"document.querySelectorAll('.bubble.bot:not(.writing)').length > {before}"
                            " && !document.querySelector('.writing')")
        await self.laid_out()
        return dict(await self.js("""(() => {
            const box = (el) => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right}; };
            const bots = [...document.querySelectorAll('.bubble.bot:not(.writing)')];
            const reply = bots[bots.length - 1];
            return {
              dir: document.documentElement.dir, lang: document.documentElement.lang,
              width: document.documentElement.clientWidth, scrollWidth: document.documentElement.scrollWidth,
              bot: box(reply), me: box([...document.querySelectorAll('.bubble.me')].pop()),
              botDirection: getComputedStyle(reply.querySelector('p')).direction,
              text: bots.slice(-3).map((b) => b.innerText).join('\\n'),
              places: document.querySelectorAll('.place').length,
            };
        })()"""))

    async def click(self, data: str) -> None:
        """Press the last button that sends `data` (a topic, the menu) and wait for the reply."""
        before = await self.js("document.querySelectorAll('.bubble.bot:not(.writing)').length")
        await self.js(f"[...document.querySelectorAll('button[data-data=\"{data}\"]')].pop().click()")
        await self.wait_for(f"document.querySelectorAll('.bubble.bot:not(.writing)').length > {before}"
                            " && !document.querySelector('.writing')")
        await self.laid_out()

    async def where(self, needles: list[str]) -> dict[str, dict[str, float]]:
        """Where each string is drawn (left edge, top) in the last bot paragraph that holds all of them (its text
        may run through several nodes: phone numbers are links)."""
        return dict(await self.js("""((needles) => {
            const paras = [...document.querySelectorAll('.bubble.bot:not(.writing) p')]
              .filter((p) => needles.every((needle) => p.textContent.includes(needle)));
            if (!paras.length) return {};
            const para = paras[paras.length - 1];
            const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
            const nodes = [];
            let total = 0;
            while (walker.nextNode()) { nodes.push([walker.currentNode, total]); total += walker.currentNode.length; }
            const locate = (at) => {
              const [node, start] = nodes.filter(([n, s]) => s <= at).pop();
              return [node, at - start];
            };
            const out = {};
            for (const needle of needles) {
              const at = para.textContent.indexOf(needle);
              if (at < 0) continue;
              const range = document.createRange();
              range.setStart(...locate(at)); range.setEnd(...locate(at + needle.length - 1));
              range.setEnd(range.endContainer, range.endOffset + 1);
              const box = range.getBoundingClientRect();
              out[needle] = {left: box.left, top: box.top};
            }
            return out;
        })(""" + json.dumps(needles) + ")"))

    async def screenshot(self, path: Path, top: bool = False) -> None:
        """Save what the phone shows; `top=True` first scrolls the chat back to its start."""
        if top:
            await self.js("document.getElementById('log').scrollTop = 0")
            await self.laid_out()
        data = await self.send("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    """The real app (demo database) on a free port."""
    db_path = tmp_path / "lotse.db"
    demo_db(db_path)
    async with serving(Settings(db_path=db_path)) as url:
        yield url


async def devtools_port(proc: asyncio.subprocess.Process) -> int:
    """The port Chromium chose for DevTools (it was given port 0), from the line it prints when it listens: the
    event to wait for, where polling a port chosen in advance would need a deadline and could race another test."""
    assert proc.stderr is not None
    said: list[bytes] = []
    async for line in proc.stderr:
        said.append(line)
        if line.startswith(b"DevTools listening on ws://"):
            return int(line.decode().split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    raise AssertionError("Chromium ended before DevTools listened:\n" + b"".join(said).decode(errors="replace"))


async def drain(stream: asyncio.StreamReader | None) -> None:
    """Read and drop what Chromium still says, so a full pipe never blocks it."""
    while stream is not None and await stream.read(65536):
        pass


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    """Headless Chromium with one page, connected over CDP."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run `make browser` (installs Debian's chromium)")
    draining: asyncio.Task[None] | None = None
    proc = await asyncio.create_subprocess_exec(
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={WIDTH},{HEIGHT}",
        "--remote-debugging-port=0", "about:blank",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    try:
        port = await devtools_port(proc)
        draining = asyncio.create_task(drain(proc.stderr))  # ends with Chromium
        async with aiohttp.ClientSession() as http:
            targets: list[dict[str, Any]] = []
            for _ in range(int(WAIT / 0.1)):  # the first page is opened right after DevTools listens
                async with http.get(f"http://127.0.0.1:{port}/json/list") as resp:
                    targets = [t for t in await resp.json() if t.get("type") == "page"]
                if targets:
                    break
                await asyncio.sleep(0.1)
            assert targets, "Chromium did not open a page"
            async with http.ws_connect(targets[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                yield Page(ws)
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), timeout=WAIT)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        if draining is not None:
            await draining


async def test_arabic_chat_is_right_to_left(server: str, page: Page) -> None:
    await page.open(server + "/", accept_language="ar-SY,ar;q=0.9,en;q=0.5")
    assert await page.js("document.documentElement.dir") == "rtl"
    seen = await page.ask("أبحث عن دورة لغة ألمانية في 59423")
    await page.screenshot(SHOTS / "chat-ar.png")
    await page.screenshot(SHOTS / "chat-ar-top.png", top=True)
    assert seen["dir"] == "rtl" and seen["lang"] == "ar"
    assert seen["botDirection"] == "rtl"
    # A bot bubble starts at the right edge in Arabic (12 px padding of the chat log), the person's own at the left.
    assert seen["width"] - seen["bot"]["right"] < 20, seen
    assert seen["me"]["left"] < 20, seen
    assert seen["scrollWidth"] <= seen["width"], "the page scrolls sideways on a 360 px phone"
    assert "Unna" in seen["text"] or seen["places"] > 0, seen["text"]


async def test_numbers_keep_their_order_inside_arabic_text(server: str, page: Page) -> None:
    """"116 117" must not be drawn as "117 116", and 112 (said first) stands right of 110 (said later)."""
    await page.open(server + "/", accept_language="ar")
    await page.ask("مرحبا")
    await page.click("t:emergency")
    await page.screenshot(SHOTS / "chat-ar-emergency.png")
    at = await page.where(["116", "117", "112", "110"])
    assert set(at) == {"116", "117", "112", "110"}, at
    assert at["116"]["top"] == at["117"]["top"] and at["116"]["left"] < at["117"]["left"], f"drawn reversed: {at}"
    # 112 is said before 110: on an earlier line, or on the same line further right.
    first, then = at["112"], at["110"]
    assert first["top"] < then["top"] or (first["top"] == then["top"] and first["left"] > then["left"]), at
    # The nationwide hotlines under the answer: the phone icon opens each line on the right, as Arabic does.
    hotline = await page.where(["📞", "110"])
    assert hotline and hotline["📞"]["left"] > hotline["110"]["left"], hotline


async def test_ukrainian_chat_is_left_to_right(server: str, page: Page) -> None:
    await page.open(server + "/", accept_language="uk-UA,uk;q=0.9,ru;q=0.6")
    seen = await page.ask("курс німецької мови 59423")
    await page.screenshot(SHOTS / "chat-uk.png")
    await page.screenshot(SHOTS / "chat-uk-top.png", top=True)
    assert seen["dir"] == "ltr" and seen["lang"] == "uk"
    assert seen["botDirection"] == "ltr"
    assert seen["bot"]["left"] < 20, seen
    assert seen["width"] - seen["me"]["right"] < 20, seen
    assert seen["scrollWidth"] <= seen["width"], "the page scrolls sideways on a 360 px phone"


async def test_kita_with_a_shared_location_lists_the_nearest_kitas(server: str, page: Page) -> None:
    """Issue 2's walk-through: "Kita", then the page asks the browser for the location (granted here, set to
    Lünen), and the nearest Kitas appear with their distances."""
    await page.send("Browser.grantPermissions", origin=server, permissions=["geolocation"])
    await page.send("Emulation.setGeolocationOverride", latitude=51.6164, longitude=7.5228, accuracy=20)
    await page.open(server + "/", accept_language="de-DE,de;q=0.9")
    first = await page.ask("Kita")
    assert first["places"] == 0
    await page.click("location")
    shown = await page.js("""[...document.querySelectorAll('.place')].map((li) => li.innerText)""")
    assert shown and "Kita" in shown[0] and "Lünen" in shown[0], shown
    assert "km" in shown[0] or " m" in shown[0], shown


@pytest.mark.parametrize("lang", ["de", "ar", "fr"])
async def test_a_conversation_with_follow_ups_in_the_web_chat(server: str, page: Page, lang: str) -> None:
    """Greeting and need, a sentence answering "Where are you?", typed "more", another town, a far place."""
    from test_conversation import LINES

    lines = LINES[lang]
    await page.open(server + "/", accept_language=lang)
    names = "[...document.querySelectorAll('.place .name')].map((n) => n.innerText)"
    hello = await page.ask(lines.hello_kita)
    assert hello["places"] == 0 and await page.js("!!document.querySelector('button[data-data=\"location\"]')")
    assert not await page.js("[...document.querySelectorAll('button')].some((b) => b.dataset.data === 't:greeting')")
    await page.ask(lines.we_live_in_kamen)
    first = await page.js(names)
    assert first and "Kamen" in first[0], first
    await page.ask(lines.more)
    after_more = (await page.js(names))[len(first):]
    assert len(after_more) == 3 and not set(after_more) & set(first), after_more
    await page.ask(lines.and_in_unna)
    unna = (await page.js(names))[len(first) + 3:]
    assert unna and "Unna" in unna[0], unna
    far = await page.ask(lines.kita_far)
    await page.screenshot(SHOTS / f"chat-{lang}-far.png")
    for district in ("Kreis Unna", "Kreis Recklinghausen", "Kreis Heinsberg", "Köln"):
        assert district in far["text"], far["text"]


@pytest.mark.parametrize("lang", ["de", "ar"])
async def test_every_phone_number_is_a_tap_to_call_link(server: str, page: Page, lang: str) -> None:
    """National numbers in the text and offers' numbers alike: each is an <a href="tel:...">, first in the reply
    when an emergency is plausible."""
    from test_conversation import LINES

    await page.open(server + "/", accept_language=lang)
    await page.ask(LINES[lang].course_but_emergency)
    links = await page.js("""[...document.querySelectorAll('.bubble.bot a[href^="tel:"]')]
        .map((a) => [a.getAttribute('href'), a.textContent])""")
    hrefs = [href for href, _text in links]
    assert "tel:112" in hrefs and "tel:110" in hrefs, links
    # The very first thing of the reply is the line with 112: its first link dials it.
    first = await page.js("""(() => {
        const mine = [...document.querySelectorAll('.bubble.me')].pop();
        const node = mine.nextElementSibling;
        return node.querySelector('p').textContent.trim().slice(0, 12) + '|' +
               node.querySelector('a[href^="tel:"]').getAttribute('href');
    })()""")
    assert first.split("|")[1] == "tel:112" and "📞" in first.split("|")[0], first
    # No digits of a phone number outside a link: every 11x number of the reply is tappable.
    loose = await page.js("""(() => {
        const out = [];
        document.querySelectorAll('.bubble.bot p').forEach((p) => {
          const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const n = walker.currentNode;
            if (!n.parentElement.closest('a') && /\\b11[0-9]\\b/.test(n.textContent)) out.push(n.textContent);
          }
        });
        return out;
    })()""")
    assert loose == [], loose
    await page.ask("Migrationsberatung in Heinsberg")
    offer = await page.js("[...document.querySelectorAll('.place a.phone')].map((a) => a.getAttribute('href'))")
    assert "tel:+492452134222" in offer, offer
