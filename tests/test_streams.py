"""Caps on the staff reply streams: one handoff can no longer hold a thousand connections open."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db

from bot.config import Settings
from bot.web.app import create_app
from bot.web.keys import ENGINE
from bot.web.staff import STREAM_CAPS
from bot.web.streams import Refused, StreamCaps


@pytest.mark.parametrize(("session", "address", "status"), [
    ("s1", "a2", 429),  # the same session: its budget of 2 is spent
    ("s9", "a1", 429),  # the same address: its budget of 3 is spent
    ("s9", "a9", 503),  # somebody new, but the server holds its total of 4
])
def test_caps_refuse_with_the_right_status(session: str, address: str, status: int) -> None:
    caps = StreamCaps(per_session=2, per_address=3, total=4)
    with caps.hold("s1", "a1"), caps.hold("s1", "a1"), caps.hold("s2", "a1"), caps.hold("s3", "a3"):
        with pytest.raises(Refused) as refused, caps.hold(session, address):
            pass
        assert refused.value.status == status
    assert caps.open == 0
    with caps.hold(session, address):  # every place is given back
        assert caps.open == 1


def test_a_flood_of_refusals_logs_one_line_per_cause_and_minute(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    caps = StreamCaps(per_session=1, per_address=10, total=10, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="bot.web.streams"), caps.hold("s", "a"):
        for _attempt in range(1000):
            with pytest.raises(Refused), caps.hold("s", "a"):
                pass
        now[0] = 61.0
        with pytest.raises(Refused), caps.hold("s", "a"):
            pass
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert "1 refused" in lines[0] and "1000 refused" in lines[1] and "per session" in lines[1]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    db = demo_db(tmp_path / "lotse.db")
    db.close()
    app = create_app(Settings(db_path=tmp_path / "lotse.db"))
    app[STREAM_CAPS] = StreamCaps(per_session=2, per_address=3, total=4)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def _open_handoff(client: TestClient, session: str) -> int:
    handoffs = client.app[ENGINE].handoff
    return handoffs.store.open(handoffs.sessions.key("web:" + session), lang="de", place_name=None,
                               district=None, channel="web", staff_chat=-100, now=datetime.now(UTC)).number


async def _stream(client: TestClient, session: str, address: str) -> ClientResponse:
    """A stream from `address` (as a reverse proxy on this machine forwards it), read until it has begun."""
    resp = await client.get(f"/api/staff?session={session}", headers={"X-Forwarded-For": address})
    if resp.status == 200:
        assert await resp.content.readuntil(b"\n\n") == b'event: open\ndata: {"stop": "h:stop"}\n\n'
    return resp


async def test_streams_beyond_the_caps_get_429_or_503_and_end_with_their_handoff(client: TestClient) -> None:
    numbers = {s: _open_handoff(client, s) for s in ("s1", "s2", "s3", "s4")}
    held = [await _stream(client, "s1", "192.0.2.1"), await _stream(client, "s1", "192.0.2.1")]
    assert [r.status for r in held] == [200, 200]
    third = await _stream(client, "s1", "192.0.2.2")
    assert third.status == 429 and third.headers["Retry-After"] and "error" in await third.json()
    held.append(await _stream(client, "s2", "192.0.2.1"))
    by_address = await _stream(client, "s3", "192.0.2.1")
    assert by_address.status == 429
    held.append(await _stream(client, "s3", "192.0.2.3"))
    full = await _stream(client, "s4", "192.0.2.4")
    assert full.status == 503 and full.headers["Retry-After"]

    # The team ends the handoff of s1: both of its streams say so and close, and their places are free again.
    handoffs = client.app[ENGINE].handoff
    handoffs.store.close(numbers["s1"], datetime.now(UTC))
    handoffs.waiters.notify(handoffs.sessions.key("web:s1"))
    for resp in held[:2]:
        rest = await asyncio.wait_for(resp.content.read(), 10)
        assert rest.endswith(b"event: end\ndata: {}\n\n")
    assert (await _stream(client, "s4", "192.0.2.4")).status == 200
    for resp in held[2:]:
        resp.close()
