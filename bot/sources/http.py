"""Small JSON over HTTP for the sources: a User-Agent naming Lotse, a timeout, a size limit, one error type."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

USER_AGENT = "Lotse/0.1 (multilingual help bot of German integration centres; python-urllib)"
TIMEOUT = 120.0
MAX_BYTES = 64 * 1024 * 1024  # a district's Overpass answer is a few MB; this stops a runaway response


class SourceError(RuntimeError):
    """A source could not be read; the message says which URL and why, for the admin and the log."""


def get_json(url: str, params: dict[str, str] | None = None, *, data: dict[str, str] | None = None,
             timeout: float = TIMEOUT) -> Any:
    """GET (or, with `data`, POST a form) and parse JSON; SourceError on any failure."""
    if params:
        url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"User-Agent": USER_AGENT,
                                                              "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError(f"{url}: cannot be reached ({reason})") from None
    if len(raw) > MAX_BYTES:
        raise SourceError(f"{url}: the answer is larger than {MAX_BYTES // 1024 // 1024} MB")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{url}: the answer is not JSON ({exc})") from None
