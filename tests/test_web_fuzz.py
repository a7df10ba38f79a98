"""Whatever a client sends to /api/chat or the webhook, the answer is a 2xx or a 4xx with a reason, never a 5xx.

A real server on 127.0.0.1 (in a thread with its own event loop) and plain HTTP from hypothesis examples.
CI runs a few hundred; `lotse bench fuzz` sends 20,000 through the same generator.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from demodb import demo_db
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bench.fuzz import NASTY_BODIES
from bot.config import Settings
from bot.web import strictjson
from bot.web.app import create_app


class Server:
    """The web app served by a background thread; requests come from the test's thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from aiohttp import web

        asyncio.set_event_loop(self.loop)
        runner = web.AppRunner(create_app(self.settings), access_log=None, handle_signals=False)
        self.loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.runner = runner
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("POST", path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "lotse.db"
    demo_db(path)
    # Limits out of the way: this is about parsing, the limits have their own tests.
    running = Server(Settings(db_path=path, rate_burst=10**6, rate_per_minute=10**6, address_per_minute=10**7,
                        web_per_minute=10**7, new_sessions_per_minute=10**7))
    running.thread.start()
    assert running.ready.wait(30)
    yield running
    running.loop.call_soon_threadsafe(running.loop.stop)
    running.thread.join(10)


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40))
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(["session", "text", "location", "button", "lang", "lat", "lon", "x"]), inner, max_size=5),
    max_leaves=12)
buttons = st.one_of(st.text(max_size=70), st.from_regex(r"(more|t|l|forget):[a-z_²0-9]{0,12}(:[0-9²¹٣]{0,5})?",
                                                          fullmatch=True))
chat_bodies = st.fixed_dictionaries(
    {"session": st.one_of(st.text(min_size=1, max_size=130), json_value)},
    optional={"text": st.one_of(st.text(max_size=300), json_value), "button": st.one_of(buttons, json_value),
              "location": st.one_of(st.fixed_dictionaries({"lat": json_value, "lon": json_value}), json_value),
              "lang": st.one_of(st.sampled_from(["de", "ar", "xx", ""]), json_value)})
raw = st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))


def _as_json(body: object) -> bytes:
    return json.dumps(body).encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(body=st.one_of(chat_bodies.map(_as_json), json_value.map(_as_json), raw))
def test_fuzzed_chat_requests_never_answer_5xx(server: Server, body: bytes) -> None:
    status, answer = server.post("/api/chat", body)
    assert status < 500, (body[:200], answer[:200])
    assert status in (200, 400), (status, answer[:200])
    assert "error" in json.loads(answer) if status == 400 else "messages" in json.loads(answer)


@pytest.mark.parametrize("name", sorted(NASTY_BODIES))
def test_known_bad_bodies_get_400_with_a_reason(server: Server, name: str) -> None:
    status, answer = server.post("/api/chat", NASTY_BODIES[name])
    assert status in (200, 400, 413), (status, answer[:300])  # 413: a message longer than the chat takes
    if status != 200:
        assert json.loads(answer)["error"]


@pytest.mark.parametrize("data, expected", [
    ("more:kita:²", 200), ("more:emergency:3", 200), ("more:kita:99999999999999999999999", 200),
])
def test_odd_button_data_gets_a_real_reply(server: Server, data: str, expected: int) -> None:
    status, answer = server.post("/api/chat", _as_json({"session": "b1", "button": data}))
    assert status == expected
    messages = json.loads(answer)["messages"]
    assert messages and all(m["text"] for m in messages)


def test_emergency_more_without_a_place_repeats_the_numbers(server: Server) -> None:
    status, answer = server.post("/api/chat", _as_json({"session": "e1", "button": "more:emergency:3"}))
    text = " ".join(m["text"] for m in json.loads(answer)["messages"])
    assert status == 200 and "112" in text


@pytest.mark.parametrize("text, reason", [
    ('{"a": "\\ud800"}', "surrogate"), ("[" * 5000 + "]" * 5000, "deeply"), ('{"a": NaN}', "NaN"),
    ('{"a": 1e400}', "too large"), ('{"a": ' + "9" * 5000 + "}", "too large"), ("[" * 18 + "]" * 18, "deeply"),
])
def test_strict_json_refuses_what_python_accepts(text: str, reason: str) -> None:
    with pytest.raises(strictjson.BadJSON, match=reason):
        strictjson.loads(text)
