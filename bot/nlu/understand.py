"""First cut of understanding: fuzzy match against intent examples, script-based language, town names.

(The walking skeleton; issue 3 replaces the matcher, the language detection and the place extraction.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process

from bot.geo.gazetteer import Gazetteer, Place, default_gazetteer, fold
from bot.nlu.intents import Intent, load_intents
from bot.nlu.normalise import normalise

MAX_CHARS = 500  # people write short messages; longer ones are cut so matching stays within milliseconds
THRESHOLD = 72.0
MARGIN = 4.0
_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")


@dataclass(frozen=True)
class Understanding:
    """What one message means: intent with confidence, reply language, place, runner-up intents."""

    intent: str
    score: float
    lang: str
    place: Place | None = None
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    #: True when the text itself decides the language (its script, or clear words); the engine then answers in
    #: it even when the browser or Telegram suggests another language.
    lang_confident: bool = False

    @property
    def ambiguous(self) -> bool:
        """Two intents are too close to choose between: ask the person."""
        return bool(self.alternatives) and self.intent != "none" and (
            self.score - self.alternatives[0][1] < MARGIN and self.alternatives[0][0] != "none"
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object of `lotse ask --json` (DESIGN.md)."""
        place = None
        if self.place is not None:
            place = {"name": self.place.name, "postcode": self.place.postcode,
                     "lat": round(self.place.point.lat, 5), "lon": round(self.place.point.lon, 5)}
        return {
            "intent": self.intent, "score": round(self.score / 100, 3), "lang": self.lang, "place": place,
            "alternatives": [{"intent": i, "score": round(s / 100, 3)} for i, s in self.alternatives],
        }


def detect_script_lang(text: str) -> str | None:
    """A language from the script alone, where the script decides it."""
    if re.search("[\u1200-\u137f]", text):
        return "ti"
    if re.search("[\u0600-\u06ff]", text):
        if re.search("[ټډړښږګڼۍې]", text):
            return "ps"
        return "fa" if re.search("[پچژگی]", text) else "ar"
    if re.search("[\u0400-\u04ff]", text):
        return "uk" if re.search("[іїєґ]", text.lower()) else "ru"
    return None


class NLU:
    """Intent, language and place for a message."""

    def __init__(self, intents: dict[str, Intent], gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.phrases: list[str] = []
        self.owner: list[str] = []
        self.lang_of: list[str] = []
        for intent in intents.values():
            for lang, examples in intent.examples.items():
                for example in examples:
                    self.phrases.append(normalise(example))
                    self.owner.append(intent.id)
                    self.lang_of.append(lang)

    def understand(self, text: str, lang_hint: str | None = None) -> Understanding:
        """Understand one message; never raises on odd input."""
        text = (text or "")[:MAX_CHARS]
        query = normalise(text)
        best: dict[str, float] = {}
        votes: dict[str, int] = {}
        if query:
            for phrase, score, index in process.extract(query, self.phrases, scorer=fuzz.WRatio, limit=15):
                intent = self.owner[index]
                best[intent] = max(best.get(intent, 0.0), float(score))
                if phrase:
                    votes[self.lang_of[index]] = votes.get(self.lang_of[index], 0) + 1
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        script_lang = detect_script_lang(text)
        lang = script_lang or lang_hint or (max(votes, key=lambda k: votes[k]) if votes else "de")
        place = self.extract_place(text)
        confident = script_lang is not None
        if not ranked or ranked[0][1] < THRESHOLD:
            return Understanding("none", ranked[0][1] if ranked else 0.0, lang, place, ranked[:3], confident)
        return Understanding(ranked[0][0], ranked[0][1], lang, place, ranked[1:4], confident)

    def extract_place(self, text: str) -> Place | None:
        """A German postcode or a town name (up to three words) in the text."""
        match = _POSTCODE.search(text)
        if match and (place := self.gazetteer.postcode(match.group(1))):
            return place
        words = re.findall(r"[\w-]+", text)
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                candidate = " ".join(words[start:start + size])
                if len(candidate) >= 4 and (place := self.gazetteer.by_name.get(fold(candidate))):
                    return place
        return None


@cache
def default_nlu() -> NLU:
    """The NLU over the shipped intents and gazetteer, built once per process."""
    return NLU(load_intents(strict=False), default_gazetteer())
