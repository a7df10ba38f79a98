"""The real server (`lotse serve`'s app, with the Telegram bot when the settings have a token) on a free port of
127.0.0.1, for the tests that talk to it over HTTP or drive it in headless Chromium."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.config import Settings
from bot.server import create_server


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[str]:
    """Run the server until the block ends; yields its base URL."""
    runner = web.AppRunner(create_server(settings))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def wait_until_listening(proc: subprocess.Popen[str]) -> str:
    """Read `lotse serve`'s output until it says it listens; fail with all it said when it ends before that.

    The line is the event to wait for: no deadline, which a busy machine would miss without anything wrong."""
    assert proc.stdout is not None
    said: list[str] = []
    for line in proc.stdout:
        said.append(line)
        if line.startswith("listening on "):
            return "".join(said)
    raise AssertionError("lotse serve ended before it listened:\n" + "".join(said))
