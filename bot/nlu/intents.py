"""Intents as data: one YAML file per intent under intents/, validated when loaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import ROOT
from bot.i18n import LANGUAGES
from bot.nlu.normalise import normalise

INTENTS_DIR = ROOT / "intents"

#: The intent catalogue of DESIGN.md; ids are an interface.
CATALOGUE = (
    "greeting", "help", "change_language", "thanks", "human_contact", "kita", "school", "language_course",
    "migration_counselling", "residence_permit", "asylum_advice", "work", "recognition", "housing", "health",
    "emergency", "violence_protection", "mental_health", "benefits", "interpreter", "volunteering",
    "sports_leisure", "youth", "registration_office", "transport", "nearby", "none",
)


class IntentDataError(ValueError):
    """The intent files are inconsistent; the message lists every problem found."""


@dataclass(frozen=True)
class Intent:
    """An intent with its offer categories and example phrases per language."""

    id: str
    categories: tuple[str, ...]
    examples: dict[str, tuple[str, ...]]


def load_intents(directory: Path = INTENTS_DIR, *, strict: bool = True) -> dict[str, Intent]:
    """Load intents/<id>.yaml; with strict, raise IntentDataError unless the data is complete and consistent."""
    intents: dict[str, Intent] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intent_id = data.get("id")
        if intent_id != path.stem:
            problems.append(f"{path.name}: id {intent_id!r} does not match the file name")
            continue
        examples = {
            lang: tuple(str(p).strip() for p in phrases or [] if str(p).strip())
            for lang, phrases in (data.get("examples") or {}).items()
        }
        intents[intent_id] = Intent(intent_id, tuple(data.get("categories") or ()), examples)
    if strict:
        problems += validate(intents)
    if problems:
        raise IntentDataError("intent data is invalid:\n  " + "\n  ".join(problems))
    return intents


def validate(intents: dict[str, Intent]) -> list[str]:
    """Every catalogue id present, examples in every language, no phrase under two intents."""
    problems = [f"unknown intent id {i!r}" for i in intents if i not in CATALOGUE]
    problems += [f"missing intent {i!r}" for i in CATALOGUE if i not in intents]
    owner: dict[str, str] = {}
    for intent in intents.values():
        for lang in LANGUAGES:
            if not intent.examples.get(lang):
                problems.append(f"{intent.id}: no examples in {lang}")
        for lang in intent.examples:
            if lang not in LANGUAGES:
                problems.append(f"{intent.id}: unsupported language {lang!r}")
        for phrases in intent.examples.values():
            for phrase in phrases:
                key = normalise(phrase)
                other = owner.setdefault(key, intent.id)
                if other != intent.id:
                    problems.append(f"phrase {phrase!r} is under both {other} and {intent.id}")
    return problems
