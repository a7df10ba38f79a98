"""Staff topics as files: one YAML per topic, the fields of intents/<id>.yaml plus `answer:` and `sources:` as in
intents/answers/<id>.yaml, and the topic's own `name:` (German), `menu:`, `district:` (AGS) and `link:`.

A good topic can so be contributed back: split the file into intents/<id>.yaml and intents/answers/<id>.yaml.
Reading checks everything an editor could get wrong and reports every problem at once, each on its own line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.engine.answers import unverified_numbers
from bot.i18n import LANGUAGES
from bot.knowledge.store import MENUS, StaffTopic, valid_id
from bot.offers.categories import CATEGORIES

MAX_TEXT = 4000  # an answer longer than a Telegram message cannot be shown in one
MAX_EXAMPLES = 500


class TopicFileError(ValueError):
    """A topic file that cannot be imported; `problems` lists each problem as one readable line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_topic_file(path: Path, builtin: Iterable[str] = ()) -> StaffTopic:
    """A staff topic from its file; raises TopicFileError with every problem found."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TopicFileError([f"cannot read the file: {exc}"]) from None
    except yaml.YAMLError as exc:
        raise TopicFileError([f"not valid YAML: {exc}"]) from None
    return parse_topic(data, builtin)


def parse_topic(data: object, builtin: Iterable[str] = ()) -> StaffTopic:
    """A staff topic from a parsed file (a mapping); raises TopicFileError with every problem found."""
    if not isinstance(data, dict):
        raise TopicFileError(["the file must be a mapping (id: ..., answer: ..., examples: ...)"])
    problems: list[str] = []
    intent = str(data.get("id") or "")
    if not valid_id(intent):
        problems.append(f"id: {intent!r} must be lower-case letters, digits and _ (e.g. reparaturcafe)")
    elif intent in set(builtin):
        problems.append(f"id: {intent} is a built-in topic; write its answer for a district in the admin instead")
    if data.get("kind", "topic") != "topic":
        problems.append("kind: a staff topic is always a topic")
    if data.get("priority"):
        problems.append("priority: only the built-in emergency topics may have priority")
    answer = _texts(data.get("answer"), "answer", problems)
    if "de" not in answer:
        problems.append("answer: the German answer (de:) is required")
    examples = _examples(data.get("examples"), problems)
    if not examples:
        problems.append("examples: at least one example is required (e.g. de: [reparaturcafé])")
    categories = tuple(str(c) for c in (data.get("categories") or ()))
    problems += [f"categories: unknown category {c!r}" for c in categories if c not in CATEGORIES]
    needs_place = data.get("needs_place", True)
    if not isinstance(needs_place, bool):
        problems.append("needs_place: must be true or false")
    menu = str(data.get("menu", "more") or "")
    if menu not in MENUS:
        problems.append("menu: must be main, more or empty")
    district = str(data.get("district") or "") or None
    if district is not None and not (district.isdigit() and len(district) in (5, 8)):
        problems.append(f"district: {district!r} is not an AGS (five digits in quotes, e.g. district: \"05978\")")
    link = str(data.get("link") or "") or None
    if link is not None and not link.startswith("https://"):
        problems.append("link: must start with https://")
    sources = _sources(data.get("sources"), problems)
    if problems:
        raise TopicFileError(problems)
    return StaffTopic(intent, str(data.get("name") or intent), answer, examples, categories, bool(needs_place), menu,
                      district, link, sources)


def _texts(raw: object, key: str, problems: list[str]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{key}: must map a language to a text (de: ..., ar: ...)")
        return {}
    texts: dict[str, str] = {}
    for lang, value in raw.items():
        text = " ".join(str(value or "").split())
        if str(lang) not in LANGUAGES:
            problems.append(f"{key}: unknown language {lang!r} (use: {', '.join(LANGUAGES)})")
        elif len(text) > MAX_TEXT:
            problems.append(f"{key}.{lang}: longer than {MAX_TEXT} characters")
        elif text:
            problems += [f"{key}.{lang}: the phone number {n} is not on data/verified_numbers.yaml"
                         for n in unverified_numbers(text)]
            texts[str(lang)] = text
    return texts


def _examples(raw: object, problems: list[str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        if raw is not None:
            problems.append("examples: must map a language to a list of phrases")
        return {}
    examples: dict[str, tuple[str, ...]] = {}
    for lang, phrases in raw.items():
        if str(lang) not in LANGUAGES:
            problems.append(f"examples: unknown language {lang!r}")
            continue
        if not isinstance(phrases, list):
            problems.append(f"examples.{lang}: must be a list of phrases")
            continue
        kept = tuple(str(p).strip() for p in phrases if p is not None and str(p).strip())
        if kept:
            examples[str(lang)] = kept
    if sum(len(p) for p in examples.values()) > MAX_EXAMPLES:
        problems.append(f"examples: more than {MAX_EXAMPLES}")
    return examples


def _sources(raw: object, problems: list[str]) -> tuple[dict[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        problems.append("sources: must be a list of {title, url, facts}")
        return ()
    return tuple({str(k): str(v) for k, v in s.items()} for s in raw)


def topic_document(topic: StaffTopic, answers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The file's content for a topic; `answers` (language -> text) replace the topic's own per language."""
    document: dict[str, Any] = {"id": topic.id, "name": topic.name, "kind": "topic",
                                "needs_place": topic.needs_place, "priority": False,
                                "categories": list(topic.categories),
                                "examples": {lang: list(p) for lang, p in topic.examples.items()},
                                "answer": {**topic.answer, **(answers or {})},
                                "sources": [dict(s) for s in topic.sources], "menu": topic.menu}
    if topic.district:
        document["district"] = topic.district
    if topic.link:
        document["link"] = topic.link
    return document


def topic_yaml(document: Mapping[str, Any]) -> str:
    """A topic file's text."""
    header = "# A topic staff own in Lotse (lotse intents import FILE reads it back).\n"
    return header + yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False, width=110)
