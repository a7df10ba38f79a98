"""Strict JSON for request bodies: what Python's json module accepts but the rest of Lotse cannot use.

`json.loads` happily returns strings with lone surrogates ("\\ud800", which no UTF-8 encoder can write back),
NaN and Infinity, floats beyond range (1e400 becomes inf), integers of thousands of digits (which raise
ValueError only when converted later) and nests until the interpreter's recursion limit. Each of these used to
end in a 500 and a traceback somewhere further down. `loads` refuses all of them up front with a message the
client can act on.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 16  # a chat request is two levels deep; a Telegram update about six
MAX_INT_DIGITS = 20  # a Telegram id has at most 16
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadJSON(ValueError):
    """The body is not JSON this server accepts; the message says why."""


def _constant(name: str) -> Any:
    raise BadJSON(f"{name} is not a JSON number")


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise BadJSON("a number in the body is too large")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJSON("a number in the body is too large")
    return value


def _check(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise BadJSON("the body is nested too deeply")
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise BadJSON("the body contains an invalid character (a lone surrogate)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


def loads(data: bytes | str) -> Any:
    """Parse a request body strictly (UTF-8, finite numbers, bounded integers and depth, no lone surrogates)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise BadJSON("the body is not UTF-8 text") from None
    try:
        value = json.loads(text, parse_constant=_constant, parse_int=_int, parse_float=_float)
    except RecursionError:
        raise BadJSON("the body is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise BadJSON(f"the body is not valid JSON ({exc.msg} at position {exc.pos})") from None
    _check(value, 0)
    return value
