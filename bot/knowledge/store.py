"""Topics staff own and answers per district, in the shared store (bot/store): the SQLite file by default, or
PostgreSQL shared by every instance, so a topic an editor adds on one instance exists on all of them.

- `staff_topics`: a topic an editor added: its id, German name, answer per language, examples in any language,
  offer categories, whether it needs a place, the menu it appears in ("main", "more" or "" for none), optionally
  the district (AGS) it belongs to and a link to that district's own page, and the sources of its facts.
- `topic_answers`: (intent, district AGS, language) -> the text that district shows instead of the answer of any
  topic, built-in or staff-owned.
`meta.knowledge_version` changes with every row (triggers on both engines, so any writer bumps it), so every
process notices a change with one lookup (`knowledge_version`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from bot.store import Store, as_store

#: A sqlite-utils Database (its own file's store) or a Store (SQLite or PostgreSQL).
Db = Database | Store

MENUS = ("main", "more", "")
_ID = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "à": "a"})


@dataclass(frozen=True)
class StaffTopic:
    """A topic staff own (see the module docstring for the fields)."""

    id: str
    name: str
    answer: dict[str, str]
    examples: dict[str, tuple[str, ...]]
    categories: tuple[str, ...] = ()
    needs_place: bool = True
    menu: str = "more"
    district: str | None = None
    link: str | None = None
    sources: tuple[dict[str, str], ...] = field(default=())


def slug(name: str) -> str:
    """An id made from a German name: "Reparaturcafé" -> "reparaturcafe"."""
    text = re.sub(r"[^a-z0-9]+", "_", name.lower().translate(_FOLD)).strip("_")
    return text[:48] or "topic"


def valid_id(intent: str) -> bool:
    """Lower-case letters, digits and underscores, starting with a letter (as the files of intents/)."""
    return bool(_ID.match(intent))


def knowledge_version(db: Db) -> str:
    """A counter that changes whenever a staff topic or a district's answer changes (in any process, on any
    instance): one primary-key lookup, cheap enough to ask before every message."""
    row = as_store(db).one("SELECT value FROM meta WHERE key = 'knowledge_version'")
    return str(row[0]) if row else "0"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def save_topic(db: Db, topic: StaffTopic, who: str) -> None:
    """Add or replace a staff topic."""
    as_store(db).run(
            "INSERT INTO staff_topics(id, name, answer, examples, categories, needs_place, menu, district, link, "
        "sources, who, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
        "name = excluded.name, answer = excluded.answer, examples = excluded.examples, "
        "categories = excluded.categories, needs_place = excluded.needs_place, menu = excluded.menu, "
        "district = excluded.district, link = excluded.link, sources = excluded.sources, who = excluded.who, "
        "changed_at = excluded.changed_at",
        [topic.id, topic.name, _json(topic.answer), _json({k: list(v) for k, v in topic.examples.items()}),
         _json(list(topic.categories)), int(topic.needs_place), topic.menu, topic.district or None,
         topic.link or None, _json(list(topic.sources)), who, _now()])


def delete_topic(db: Db, intent: str) -> bool:
    """Remove a staff topic and its districts' answers; True when there was one."""
    with as_store(db).transaction() as tx:
        gone = tx.run("DELETE FROM staff_topics WHERE id = ?", [intent]) > 0
        if gone:
            tx.run("DELETE FROM topic_answers WHERE intent = ?", [intent])
    return gone


def staff_topics(db: Db) -> dict[str, StaffTopic]:
    """Every staff topic, by id."""
    rows = as_store(db).query("SELECT id, name, answer, examples, categories, needs_place, menu, district, link, "
                              "sources FROM staff_topics ORDER BY id")
    return {row[0]: _topic(row) for row in rows}


def _topic(row: tuple[object, ...]) -> StaffTopic:
    examples = _mapping(row[3])
    return StaffTopic(
        str(row[0]), str(row[1]), {str(k): str(v) for k, v in _mapping(row[2]).items() if v},
        {str(lang): tuple(str(p) for p in phrases) for lang, phrases in examples.items()
         if isinstance(phrases, list)},
        tuple(str(c) for c in _list(row[4])), bool(row[5]), str(row[6] or ""),
        str(row[7]) if row[7] else None, str(row[8]) if row[8] else None,
        tuple(dict(s) for s in _list(row[9]) if isinstance(s, dict)))


def set_answer(db: Db, intent: str, district: str, lang: str, text: str, who: str) -> None:
    """Write a district's answer of a topic in one language; an empty text removes it."""
    clean = text.strip()
    if not clean:
        as_store(db).run("DELETE FROM topic_answers WHERE intent = ? AND district = ? AND lang = ?",
                         [intent, district, lang])
        return
    as_store(db).run("INSERT INTO topic_answers(intent, district, lang, text, who, changed_at) VALUES "
                     "(?, ?, ?, ?, ?, ?) ON CONFLICT(intent, district, lang) DO UPDATE SET text = excluded.text, "
                     "who = excluded.who, changed_at = excluded.changed_at",
                     [intent, district, lang, clean, who, _now()])


def district_answers(db: Db) -> dict[tuple[str, str, str], str]:
    """(intent, district, language) -> the district's text, for every answer a district wrote."""
    rows = as_store(db).query("SELECT intent, district, lang, text FROM topic_answers")
    return {(str(r[0]), str(r[1]), str(r[2])): str(r[3]) for r in rows}


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _parsed(raw: object) -> object:
    """A JSON column; a damaged value reads as None, so one bad row never stops the bot."""
    try:
        return json.loads(str(raw)) if raw else None
    except ValueError:
        return None


def _mapping(raw: object) -> dict[str, Any]:
    value = _parsed(raw)
    return value if isinstance(value, dict) else {}


def _list(raw: object) -> list[Any]:
    value = _parsed(raw)
    return value if isinstance(value, list) else []
