"""Answer texts per intent and language: intents/answers/<id>.yaml, each fact with its sources."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot import ROOT

ANSWERS_DIR = ROOT / "intents" / "answers"


@dataclass(frozen=True)
class Answer:
    """The vetted answer text of one intent, in every language it is written in."""

    id: str
    text: dict[str, str]
    sources: tuple[dict[str, str], ...] = ()
    link: str | None = None

    def in_lang(self, lang: str) -> str:
        """The answer in a language, falling back to English, then German."""
        return self.text.get(lang) or self.text.get("en") or self.text.get("de") or ""


def load_answers(directory: Path = ANSWERS_DIR) -> dict[str, Answer]:
    """All answers, by intent id."""
    answers: dict[str, Answer] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        text = {lang: " ".join(str(v).split()) for lang, v in (data.get("answer") or {}).items()}
        answers[path.stem] = Answer(path.stem, text, tuple(data.get("sources") or ()), data.get("link"))
    return answers


@cache
def default_answers() -> dict[str, Answer]:
    """The shipped answers, loaded once."""
    return load_answers()
