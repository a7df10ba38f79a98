"""PTB's network layer on aiohttp instead of httpx.

Why: aiohttp is already a dependency (the web server), and its client costs a fraction of httpx's CPU per
request; httpcore's connection pool scans every connection and every waiting request on each call, which made
the bot spend most of its time in the pool once dozens of replies were in flight (see `lotse bench telegram`).
The bodies are the same as PTB's own: form-encoded with JSON values, or multipart when files are sent.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 10.0
JSON_HEADERS = {"Content-Type": "application/json"}


def _seconds(value: Any, default: float | None) -> float | None:
    """A timeout argument: PTB passes DEFAULT_NONE when the caller did not choose one."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


class AiohttpRequest(BaseRequest):
    """A BaseRequest on one aiohttp ClientSession with a bounded connection pool."""

    def __init__(self, connection_pool_size: int = 16, read_timeout: float | None = DEFAULT_TIMEOUT,
                 connect_timeout: float | None = DEFAULT_TIMEOUT, media_write_timeout: float = 20.0) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._media_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = _seconds(read_timeout, self._read_timeout)
        files = request_data is not None and request_data.contains_files
        write = _seconds(write_timeout, self._media_timeout if files else self._read_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None, connect=_seconds(pool_timeout, 30.0),  # "connect" includes waiting for a pooled one
            sock_connect=_seconds(connect_timeout, self._connect_timeout),
            sock_read=max(t for t in (read, write, 1.0) if t is not None),
        )
        body: Any = None
        if request_data is not None:
            if files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, mimetype) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                body = form
            else:
                body = json.dumps(request_data.parameters).encode()  # one dump, instead of one per value
        try:
            headers = JSON_HEADERS if isinstance(body, bytes) else None
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
