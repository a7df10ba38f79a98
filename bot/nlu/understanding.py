"""What one message means: the result of understand.py, as the engine and `lotse ask --json` see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.geo.gazetteer import Place
from bot.nlu.intents import OUT_OF_SCOPE

THRESHOLD = 40.0  # an intent scoring below this (0..100) is not understood: "none"
MARGIN = 5.0  # top two intents closer than this: ask with two buttons


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
    #: A priority intent (emergency, violence_protection) that is plausible in this message, whatever else it
    #: asks: the reply then starts with its numbers.
    danger: str | None = None
    #: Someone may take their own life: the crisis lines come with the emergency numbers.
    crisis: bool = False
    #: The situation the danger detector found (medical, poison, fire, crisis, violence, missing), or None.
    danger_kind: str | None = None
    #: The topics a fallback may offer when Lotse is unsure, likeliest first (at most four; none for gibberish).
    likely: list[str] = field(default_factory=list)
    #: No word of the message is one Lotse knows from its examples ("asdfgh", "xxxx"): nothing to guess from.
    unknown: bool = False
    #: A second topic the message names by a word of its own ("a German course and a Kita place"): offered
    #: beside the answer, never answered instead of it.
    also: str | None = None
    #: The message says there is no danger ("kein Notfall") and none was found in it: a kept danger ends.
    no_danger: bool = False

    @property
    def ambiguous(self) -> bool:
        """Two intents are too close to choose between: ask the person (never when danger is plausible)."""
        if not self.alternatives or self.intent == OUT_OF_SCOPE or self.danger is not None:
            return False
        runner_up, score = self.alternatives[0]
        return runner_up != OUT_OF_SCOPE and self.score - score < MARGIN

    def to_json(self) -> dict[str, Any]:
        """The JSON object of `lotse ask --json` (DESIGN.md)."""
        place = None
        if self.place is not None:
            place = {"name": self.place.name, "postcode": self.place.postcode,
                     "lat": round(self.place.point.lat, 5), "lon": round(self.place.point.lon, 5)}
        return {
            "intent": self.intent, "score": round(self.score / 100, 3), "lang": self.lang, "place": place,
            "alternatives": [{"intent": i, "score": round(s / 100, 3)} for i, s in self.alternatives],
            "danger": self.danger_kind or self.danger,
        }
