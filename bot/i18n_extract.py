"""Babel extractors for the labels in intents/<id>.yaml, so `make i18n` finds them as it finds `_()` in the code.

A topic's `label:` is its button text in the chat (the chat's catalogs, babel.cfg); a frame's or out of scope's is
the name staff read in the admin (the admin's catalogs, babel-admin.cfg).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, Any

import yaml

Extracted = tuple[int, str | None, str, list[str]]


def _labels(fileobj: IO[bytes], topics: bool) -> Iterator[Extracted]:
    data = yaml.safe_load(fileobj.read().decode("utf-8")) or {}
    if not isinstance(data, dict) or not isinstance(data.get("label"), str) or not data["label"]:
        return
    if (data.get("kind", "topic") == "topic") == topics:
        yield 1, None, data["label"], [f"intent {data.get('id')}"]


def topic_labels(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                 options: Mapping[str, Any]) -> Iterator[Extracted]:
    """The button labels of topics (chat)."""
    yield from _labels(fileobj, topics=True)


def other_labels(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                 options: Mapping[str, Any]) -> Iterator[Extracted]:
    """The names of frames and out of scope (admin)."""
    yield from _labels(fileobj, topics=False)
