"""Intents as data: one YAML file per intent under intents/, validated when loaded.

A file looks like this (intents/answers/ holds the answer texts and is not read here):

    id: kita
    kind: topic          # topic | frame (greeting, help, thanks, ...: the wrapping of a question) | out_of_scope
    needs_place: true    # the answer lists nearby offers, so Lotse asks where the person is
    priority: false      # true: must never be missed (danger to life); its hotlines come first
    label: "Kita (daycare)"  # a topic's button text (an English msgid of the chat catalogs); a frame's admin name
    menu: main           # main | more: the menu the topic's button is in, at `order` (smaller first)
    order: 10
    role: greeting       # optional: what the conversation does with it (see Role)
    source_needed: true  # false: the answer states no facts (small talk), so it needs no source
    action: forget       # optional: a button its answer carries besides 👍/👎
    categories: [kita]
    examples:
      de: [Kita, Kitaplatz, ...]
      ar: [روضة أطفال, ...]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from bot import resources
from bot.i18n import LANGUAGES
from bot.nlu.normalise import normalise

INTENTS_DIR = resources.intents_dir()

#: The intent catalogue of DESIGN.md; ids are an interface.
CATALOGUE = (
    "greeting", "help", "change_language", "thanks", "human_contact", "kita", "school", "language_course",
    "migration_counselling", "residence_permit", "asylum_advice", "work", "recognition", "housing", "health",
    "emergency", "violence_protection", "mental_health", "benefits", "interpreter", "volunteering",
    "sports_leisure", "youth", "registration_office", "transport", "nearby", "food_goods", "debt_counselling",
    "legal_advice", "family_reunification", "pregnancy_birth", "disability_care", "bank_account", "privacy", "none",
)

#: The intent the NLU answers when nothing in scope matches (a class of its own, with examples).
OUT_OF_SCOPE = "none"
MENUS = ("main", "more")
ACTIONS = ("forget",)


class Role(StrEnum):
    """What the conversation does with an intent besides answering it (`role:` in its file); at most one each."""

    GREETING = "greeting"  # the answer to /start and to a chosen language
    HELP = "help"  # /help
    THANKS = "thanks"  # a short answer without the menu
    CHANGE_LANGUAGE = "change_language"  # answered with the language picker
    HANDOFF = "handoff"  # "talk to a person": the team may take the conversation over (bot/engine/handoff.py)


#: Offer categories of the offers database (bot/offers/fields.py CATEGORIES, kept equal by a test: the NLU does not
#: import the offers package); an intent may name only these.
OFFER_CATEGORIES = frozenset({
    "kita", "school_enrolment", "language_course", "counselling", "foreigners_office", "asylum_advice", "work",
    "recognition", "housing", "health", "emergency", "violence_protection", "mental_health", "benefits",
    "interpreter", "volunteering", "sports_leisure", "youth", "registration_office", "transport",
    "integration_centre", "food_goods", "debt_counselling", "legal_advice", "pregnancy", "disability_care",
})

#: Fewest examples per language the data should have (issue 3): many in the eight big languages, fewer in the others.
MIN_EXAMPLES = {"de": 25, "en": 25, "ar": 25, "fa": 25, "uk": 25, "ru": 25, "tr": 25, "fr": 25,
                "ku": 8, "ti": 8, "ps": 8, "so": 8}


class IntentDataError(ValueError):
    """The intent files are inconsistent; the message lists every problem found."""


KINDS = ("topic", "frame", "out_of_scope")


@dataclass(frozen=True)
class Intent:
    """An intent as declared in its file: what kind it is, its offer categories and example phrases per language."""

    id: str
    categories: tuple[str, ...]
    examples: dict[str, tuple[str, ...]]
    kind: str = "topic"
    needs_place: bool = True
    priority: bool = False
    #: Words that make this (priority) intent plausible in any message, per language (bot/nlu/safety.py).
    danger: dict[str, tuple[str, ...]] = field(default_factory=dict)
    label: str = ""  # a topic's button text (English msgid), a frame's name in the admin
    menu: str | None = None  # "main" or "more": the menu its button is in
    order: int = 0  # its place in that menu, smaller first
    role: Role | None = None
    source_needed: bool = True  # its answer states facts, each with a source
    action: str | None = None  # a button its answer carries ("forget")

    @property
    def is_topic(self) -> bool:
        """A need the person has (kita, housing, emergency ...), as opposed to a frame or out of scope."""
        return self.kind == "topic"

    @property
    def small_talk(self) -> bool:
        """Greeting, help, thanks, language, out of scope: no offers, and no topic to come back to."""
        return not self.is_topic and not self.needs_place


def by_role(intents: Mapping[str, Intent], role: Role) -> str | None:
    """The id of the intent with this role, if one has it."""
    return next((i.id for i in intents.values() if i.role == role), None)


def ids_where(intents: Mapping[str, Intent], test: Callable[[Intent], bool]) -> frozenset[str]:
    """The ids of the intents that pass `test` (e.g. `lambda i: i.priority`)."""
    return frozenset(i.id for i in intents.values() if test(i))


def load_intents(directory: Path = INTENTS_DIR, *, strict: bool = True) -> dict[str, Intent]:
    """Load intents/<id>.yaml; with strict, raise IntentDataError unless the data is complete and consistent."""
    intents: dict[str, Intent] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            intent = _read(path)
        except _Problem as problem:
            problems.append(f"{path.name}: {problem}")
            continue
        intents[intent.id] = intent
    if strict:
        problems += validate(intents)
    if problems:
        raise IntentDataError("intent data is invalid:\n  " + "\n  ".join(problems))
    return intents


class _Problem(ValueError):
    """One intent file cannot be used (the loader names the file)."""


def _read(path: Path) -> Intent:
    """One intent file, checked; raises _Problem."""
    try:
        data = resources.read_yaml(path) or {}
    except yaml.YAMLError as exc:
        raise _Problem(f"not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise _Problem("not a mapping")
    if data.get("id") != path.stem:
        raise _Problem(f"id {data.get('id')!r} does not match the file name")
    kind = data.get("kind", "topic")
    if kind not in KINDS:
        raise _Problem(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    flags = {name: data.get(name, default) for name, default in (("needs_place", kind != "out_of_scope"),
                                                                 ("priority", False))}
    bad = [name for name, value in flags.items() if not isinstance(value, bool)]
    if bad:
        raise _Problem(f"{', '.join(bad)} must be true or false")
    return Intent(path.stem, tuple(data.get("categories") or ()), _per_language(data, "examples"), kind=kind,
                  needs_place=flags["needs_place"], priority=flags["priority"],
                  danger=_per_language(data, "danger"), **_presentation(data))


def _presentation(data: dict[str, Any]) -> dict[str, Any]:
    """Label, menu and order, role, source_needed and action of an intent file, checked; raises _Problem."""
    label, menu, order = data.get("label", ""), data.get("menu"), data.get("order", 0)
    role, action, source_needed = data.get("role"), data.get("action"), data.get("source_needed", True)
    if not isinstance(label, str):
        raise _Problem("label must be a text")
    if menu is not None and menu not in MENUS:
        raise _Problem(f"menu {menu!r} is not one of {', '.join(MENUS)}")
    if not isinstance(order, int) or isinstance(order, bool):
        raise _Problem("order must be a whole number")
    if role is not None and role not in set(Role):
        raise _Problem(f"role {role!r} is not one of {', '.join(Role)}")
    if action is not None and action not in ACTIONS:
        raise _Problem(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    if not isinstance(source_needed, bool):
        raise _Problem("source_needed must be true or false")
    return {"label": label, "menu": menu, "order": order, "role": Role(role) if role else None,
            "source_needed": source_needed, "action": action}


def _per_language(data: dict[str, Any], key: str) -> dict[str, tuple[str, ...]]:
    """A mapping of language to phrases (examples, danger words), blanks dropped; raises _Problem."""
    raw = data.get(key) or {}
    if not isinstance(raw, dict):
        raise _Problem(f"{key} must map a language to a list of phrases")
    return {str(lang): tuple(str(p).strip() for p in phrases or [] if p is not None and str(p).strip())
            for lang, phrases in raw.items()}


def validate(intents: dict[str, Intent], *, minimum: dict[str, int] | None = None,
             keys: Mapping[str, str] | None = None) -> list[str]:
    """Every catalogue id present, examples in every language, no phrase under two intents, known categories.

    With `minimum` (e.g. MIN_EXAMPLES), also every language has at least that many examples per intent
    ("none" excepted: out-of-scope examples only need to exist). `keys` may hold phrase -> normalised phrase
    already computed (the NLU passes its own, so start-up normalises every phrase once).
    """
    problems = [f"unknown intent id {i!r}" for i in intents if i not in CATALOGUE]
    roles = [i.role for i in intents.values() if i.role is not None]
    problems += [f"role {r!r} is given to more than one intent" for r in sorted(set(roles)) if roles.count(r) > 1]
    problems += [f"{i.id}: a topic needs a label (its button text)" for i in intents.values()
                 if i.is_topic and not i.label]
    problems += [f"missing intent {i!r}" for i in CATALOGUE if i not in intents]
    owner: dict[str, str] = {}
    for intent in intents.values():
        problems += [f"{intent.id}: unknown offer category {c!r}" for c in intent.categories
                     if c not in OFFER_CATEGORIES]
        for lang in LANGUAGES:
            count = len(intent.examples.get(lang, ()))
            if not count:
                problems.append(f"{intent.id}: no examples in {lang}")
            elif minimum and intent.id != "none" and count < minimum.get(lang, 0):
                problems.append(f"{intent.id}: only {count} examples in {lang} (want {minimum[lang]})")
        for lang in intent.examples:
            if lang not in LANGUAGES:
                problems.append(f"{intent.id}: unsupported language {lang!r}")
        for phrases in intent.examples.values():
            for phrase in phrases:
                key = keys[phrase] if keys is not None and phrase in keys else normalise(phrase)
                if not key:
                    problems.append(f"{intent.id}: phrase {phrase!r} is empty once normalised")
                    continue
                other = owner.setdefault(key, intent.id)
                if other != intent.id:
                    problems.append(f"phrase {phrase!r} is under both {other} and {intent.id}")
    return problems
