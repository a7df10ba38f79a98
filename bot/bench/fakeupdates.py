"""Telegram update objects as the Bot API sends them, for tests and the fake server (bot/bench/fakebotapi.py)."""

from __future__ import annotations

import itertools
import time
from typing import Any

BOT_ID = 4242

# -- update builders --------------------------------------------------------------------------------------
_ids = itertools.count(1)


def user(user_id: int, lang: str | None = "de", first_name: str = "Amal") -> dict[str, Any]:
    """A Telegram user object."""
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if lang:
        data["language_code"] = lang
    return data


def chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    """A chat object: private (id = the user's id) or a group (negative id)."""
    data: dict[str, Any] = {"id": chat_id, "type": kind}
    if kind == "private":
        data["first_name"] = "Amal"
    else:
        data["title"] = "Helferkreis"
    return data


def message_update(user_id: int, *, lang: str | None = "de", chat_id: int | None = None, kind: str = "private",
                   edited: bool = False, **content: Any) -> dict[str, Any]:
    """An update with a message (text, location, sticker ...) from a user."""
    message = {"message_id": next(_ids), "date": int(time.time()), "chat": chat(chat_id or user_id, kind),
               "from": user(user_id, lang), **content}
    if edited:
        message["edit_date"] = int(time.time())
    return {"edited_message" if edited else "message": message}


def text_update(user_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
    """A text message; a leading /command gets its bot_command entity, as Telegram sends it."""
    content: dict[str, Any] = {"text": text}
    entities = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
    at = text.find("@")
    if at >= 0 and not text.startswith("/"):
        end = at + len(text[at:].split()[0])
        entities.append({"type": "mention", "offset": at, "length": end - at})
    if entities:
        content["entities"] = entities
    return message_update(user_id, **kwargs, **content)


def location_update(user_id: int, lat: float, lon: float, *, live: int | None = None, **kwargs: Any) -> dict[str, Any]:
    """A shared location (a live one when `live` seconds are given)."""
    location: dict[str, Any] = {"latitude": lat, "longitude": lon}
    if live:
        location["live_period"] = live
    return message_update(user_id, location=location, **kwargs)


def callback_update(user_id: int, data: str, message_id: int, text: str = "…",
                    lang: str | None = "de") -> dict[str, Any]:
    """A pressed inline button on a message the bot sent."""
    message = {"message_id": message_id, "date": int(time.time()), "chat": chat(user_id),
               "from": {"id": BOT_ID, "is_bot": True, "first_name": "Lotse"}, "text": text}
    return {"callback_query": {"id": str(next(_ids)), "from": user(user_id, lang), "chat_instance": "ci",
                               "data": data, "message": message}}


def inline_update(user_id: int, query: str, lang: str | None = "de") -> dict[str, Any]:
    """An inline query: '@bot kita lünen' typed in any chat."""
    return {"inline_query": {"id": str(next(_ids)), "from": user(user_id, lang), "query": query, "offset": ""}}


