"""Deep-link payloads: a volunteer's link that opens Lotse preset to a language, a topic and a place.

Telegram's `/start` payload allows 64 characters of [A-Za-z0-9_-], so the format is compact and readable:
the parts `<language>_<topic>_<place>` joined by "_", each optional, in any order, e.g. `ar_kita_Luenen`,
`language_course_Unna`, `uk_59174` (a postcode) or `fa`. A place is written in ASCII (ü -> ue, spaces -> "-");
the gazetteer folds umlauts, so "Luenen" finds Lünen. Topic ids contain "_" themselves: the decoder takes the
longest run of parts that is a known topic.

Transport-independent (no telegram imports): the web chat can read the same payloads from `?start=`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from bot import i18n
from bot.engine.actions import Start
from bot.engine.actions import encode as encode_action
from bot.engine.conversation import Conversation
from bot.engine.models import Incoming, Reply
from bot.geo.gazetteer import Place

MAX_PAYLOAD = 64
ALLOWED = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_FOLD = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}


@dataclass(frozen=True)
class Preset:
    """What a deep link presets; any part may be missing."""

    lang: str | None = None
    topic: str | None = None
    place: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.lang or self.topic or self.place)


def ascii_place(name: str) -> str:
    """A place name in the payload alphabet: 'Lünen' -> 'Luenen', 'Bad Sassendorf' -> 'Bad-Sassendorf'."""
    text = "".join(_FOLD.get(ch, ch) for ch in name.strip())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\s_/.,]+", "-", text)
    return re.sub(r"[^A-Za-z0-9-]", "", text).strip("-")


def encode(lang: str | None = None, topic: str | None = None, place: str | None = None) -> str:
    """The payload for a preset; raises ValueError when it would not fit Telegram's 64 characters."""
    parts = [p for p in (lang, topic, ascii_place(place) if place else None) if p]
    payload = "_".join(parts)
    if not payload:
        raise ValueError("a deep link needs a language, a topic or a place")
    if not ALLOWED.match(payload):
        raise ValueError(f"payload {payload!r} is longer than {MAX_PAYLOAD} characters or has other characters")
    return payload


def decode(payload: str | None, topics: Collection[str]) -> Preset:
    """Read a payload; unknown or malformed payloads give an empty preset (the normal greeting)."""
    if not payload or not ALLOWED.match(payload):
        return Preset()
    parts = payload.split("_")
    lang = topic = None
    rest: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if lang is None and part in i18n.LANGUAGES:
            lang, i = part, i + 1
            continue
        if topic is None:
            # The longest run of parts that names a topic ("language_course" spans two parts).
            for j in range(len(parts), i, -1):
                candidate = "_".join(parts[i:j])
                if candidate in topics:
                    topic, i = candidate, j
                    break
            else:
                rest.append(part)
                i += 1
            continue
        rest.append(part)
        i += 1
    place = " ".join(p for p in rest if p) or None
    return Preset(lang, topic, place)


def link(bot_username: str, payload: str) -> str:
    """The t.me link that opens the bot with a payload."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={payload}"


def find_place(engine: Conversation, query: str) -> Place | None:
    """A preset place by postcode or town name ('Luenen', 'Castrop-Rauxel', 'Castrop Rauxel')."""
    query = query.strip()
    if query.isdigit():
        return engine.gazetteer.postcode(query)
    for candidate in (query, query.replace("-", " "), query.replace(" ", "-")):
        place = engine.gazetteer.town(candidate)
        if place is not None:
            return place
    return None


def apply_preset(engine: Conversation, user_id: str, preset: Preset, lang_hint: str | None = None) -> Reply:
    """Answer /start with this preset: the engine keeps its language and place and answers its topic."""
    payload = encode(preset.lang, preset.topic, preset.place)
    return engine.handle(Incoming(user_id, button=encode_action(Start(payload)), lang_hint=lang_hint))
