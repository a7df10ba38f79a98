"""Staff topics as files: one YAML per topic, the fields of intents/<id>.yaml plus `answer:` and `sources:` as in
intents/answers/<id>.yaml, and the topic's own `name:` (German), `menu:`, `district:` (AGS) and `link:`.

A good topic can so be contributed back: split the file into intents/<id>.yaml and intents/answers/<id>.yaml.
Reading checks everything an editor could get wrong and reports every problem at once, each on its own line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.engine.answers import unverified_numbers
from bot.i18n import LANGUAGES
from bot.knowledge.store import MENUS, StaffTopic, valid_id
from bot.offers.categories import CATEGORIES

MAX_TEXT = 4000  # an answer longer than a Telegram message cannot be shown in one
MAX_EXAMPLES = 500


def N_(message: str) -> str:
    """Mark a message for extraction into the admin's catalogs; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a topic: an English template with `{fields}` from `params`. `str()` fills it in (the
    command line); the admin shows it in German or English."""

    message: str
    params: dict[str, str]

    def __init__(self, message: str, **params: str) -> None:
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "params", params)

    def __str__(self) -> str:
        return self.message.format(**self.params)

    def shown(self, translate: Callable[[str], str]) -> str:
        """The problem in the language of `translate`."""
        return translate(self.message).format(**self.params)


class TopicFileError(ValueError):
    """A topic file that cannot be imported; `problems` lists each problem (one readable line each)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def read_topic_file(path: Path, builtin: Iterable[str] = ()) -> StaffTopic:
    """A staff topic from its file; raises TopicFileError with every problem found."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TopicFileError([Problem(N_("cannot read the file: {error}"), error=str(exc))]) from None
    except yaml.YAMLError as exc:
        raise TopicFileError([Problem(N_("not valid YAML: {error}"), error=str(exc))]) from None
    return parse_topic(data, builtin)


def parse_topic(data: object, builtin: Iterable[str] = ()) -> StaffTopic:
    """A staff topic from a parsed file (a mapping); raises TopicFileError with every problem found."""
    if not isinstance(data, dict):
        raise TopicFileError([Problem(N_("the file must be a mapping (id: ..., answer: ..., examples: ...)"))])
    problems: list[Problem] = []
    intent = str(data.get("id") or "")
    if not valid_id(intent):
        problems.append(Problem(N_("id: “{id}” must be lower-case letters, digits and _ (e.g. reparaturcafe)"),
                                id=intent))
    elif intent in set(builtin):
        problems.append(Problem(N_("id: {id} is a built-in topic; write its answer for a district instead"), id=intent))
    if data.get("kind", "topic") != "topic":
        problems.append(Problem(N_("kind: a staff topic is always a topic")))
    if data.get("priority"):
        problems.append(Problem(N_("priority: only the built-in emergency topics may have priority")))
    answer = _texts(data.get("answer"), "answer", problems)
    if "de" not in answer:
        problems.append(Problem(N_("answer: the German answer (de:) is required")))
    examples = _examples(data.get("examples"), problems)
    if not examples:
        problems.append(Problem(N_("examples: at least one example is required (e.g. de: [reparaturcafé])")))
    categories = tuple(str(c) for c in (data.get("categories") or ()))
    problems += [Problem(N_("categories: unknown category “{category}”"), category=c) for c in categories
                 if c not in CATEGORIES]
    needs_place = data.get("needs_place", True)
    if not isinstance(needs_place, bool):
        problems.append(Problem(N_("needs_place: must be true or false")))
    menu = str(data.get("menu", "more") or "")
    if menu not in MENUS:
        problems.append(Problem(N_("menu: must be main, more or empty")))
    district = str(data.get("district") or "") or None
    if district is not None and not (district.isdigit() and len(district) in (5, 8)):
        problems.append(Problem(N_("district: “{district}” is not an AGS (five digits in quotes, e.g. "
                                   "district: \"05978\")"), district=district))
    link = str(data.get("link") or "") or None
    if link is not None and not link.startswith("https://"):
        problems.append(Problem(N_("link: must start with https://")))
    sources = _sources(data.get("sources"), problems)
    if problems:
        raise TopicFileError(problems)
    return StaffTopic(intent, str(data.get("name") or intent), answer, examples, categories, bool(needs_place), menu,
                      district, link, sources)


def _texts(raw: object, key: str, problems: list[Problem]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(N_("{key}: must map a language to a text (de: ..., ar: ...)"), key=key))
        return {}
    texts: dict[str, str] = {}
    for lang, value in raw.items():
        text = " ".join(str(value or "").split())
        if str(lang) not in LANGUAGES:
            problems.append(Problem(N_("{key}: unknown language “{lang}” (use: {languages})"), key=key, lang=str(lang),
                                    languages=", ".join(LANGUAGES)))
        elif len(text) > MAX_TEXT:
            problems.append(Problem(N_("{key}.{lang}: longer than {limit} characters"), key=key, lang=str(lang),
                                    limit=str(MAX_TEXT)))
        elif text:
            problems += [Problem(N_("{key}.{lang}: the phone number {number} is not on the verified list"), key=key,
                                 lang=str(lang), number=n)
                         for n in unverified_numbers(text)]
            texts[str(lang)] = text
    return texts


def _examples(raw: object, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        if raw is not None:
            problems.append(Problem(N_("examples: must map a language to a list of phrases")))
        return {}
    examples: dict[str, tuple[str, ...]] = {}
    for lang, phrases in raw.items():
        if str(lang) not in LANGUAGES:
            problems.append(Problem(N_("examples: unknown language “{lang}”"), lang=str(lang)))
            continue
        if not isinstance(phrases, list):
            problems.append(Problem(N_("examples.{lang}: must be a list of phrases"), lang=str(lang)))
            continue
        kept = tuple(str(p).strip() for p in phrases if p is not None and str(p).strip())
        if kept:
            examples[str(lang)] = kept
    if sum(len(p) for p in examples.values()) > MAX_EXAMPLES:
        problems.append(Problem(N_("examples: more than {limit}"), limit=str(MAX_EXAMPLES)))
    return examples


def _sources(raw: object, problems: list[Problem]) -> tuple[dict[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        problems.append(Problem(N_("sources: must be a list of title, url and facts")))
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
