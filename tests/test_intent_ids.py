"""Everything about an intent is in intents/<id>.yaml: no Python module spells an intent id.

What an intent is (kind, role, menu and label, categories, source needed, ...) is read by the loader
(bot/nlu/intents.py, which keeps the catalogue of ids as the interface of DESIGN.md). A module that wrote
`if intent == "greeting"` would be a second place to keep in step: this test reads every module's string literals
(docstrings aside) and fails on one that is an intent id.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.nlu.intents import load_intents

ROOT = Path(__file__).resolve().parent.parent
LOADER = "bot/nlu/intents.py"
#: Packages whose strings are another vocabulary that shares words with intent ids: offer categories ("kita",
#: "housing") and the filters and source tags of the offers database. They never import the intents.
OTHER_VOCABULARY = ("bot/offers/", "bot/sources/")
#: The few literals that are not intents although they are spelled like one, each with why.
ALLOWED: dict[tuple[str, str], str] = {
    ("bot/telegram/app.py", "help"): "the /help command's name, Telegram's convention",
    ("bot/nlu/danger.py", "emergency"): "the English word an emoji (🚨) stands for, matched as a danger word",
    ("bot/nlu/language.py", "none"): "the name of 'no script' in the script detector",
    # The NLU's matcher is being reworked elsewhere at the same time; its tuning of a few frames is to become
    # flags in their files there.
    ("bot/nlu/understand.py", "none"): "the NLU's answer when nothing matches (to use OUT_OF_SCOPE)",
    ("bot/nlu/understand.py", "greeting"): "frame tuning of the matcher (to become a flag in the file)",
    ("bot/nlu/understand.py", "thanks"): "frame tuning of the matcher (to become a flag in the file)",
    ("bot/nlu/understand.py", "change_language"): "frame tuning of the matcher (to become a flag in the file)",
    ("bot/nlu/understand.py", "human_contact"): "frame tuning of the matcher (to become a flag in the file)",
}


def _docstrings(tree: ast.Module) -> set[int]:
    nodes = (n for n in ast.walk(tree) if isinstance(n, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef
                                                     | ast.ClassDef))
    return {id(n.body[0].value) for n in nodes
            if n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}


def ids_in(source: str, ids: set[str]) -> list[tuple[int, str]]:
    """(line, id) of every string literal of the source that is an intent id (docstrings aside)."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ids
            and id(node) not in docs]


def spelled_ids(ids: set[str]) -> list[tuple[str, int, str]]:
    """(module, line, id) of every string literal in bot/ that is an intent id, outside the loader."""
    found = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name != LOADER and not name.startswith(OTHER_VOCABULARY):
            found += [(name, line, i) for line, i in ids_in(path.read_text(encoding="utf-8"), ids)]
    return found


def test_no_module_outside_the_loader_spells_an_intent_id() -> None:
    spelled = [(m, line, i) for m, line, i in spelled_ids(set(load_intents())) if (m, i) not in ALLOWED]
    assert spelled == [], "read it from intents/<id>.yaml (a flag, a role) instead: " + ", ".join(
        f"{m}:{line} {i!r}" for m, line, i in spelled)


def test_every_allowed_literal_is_still_there() -> None:
    """An allowance nobody needs any more goes, so the list stays short."""
    used = {(m, i) for m, _line, i in spelled_ids(set(load_intents()))}
    assert set(ALLOWED) <= used, sorted(set(ALLOWED) - used)


@pytest.mark.parametrize(("source", "found"), [
    ('if intent == "greeting":\n    pass\n', [(1, "greeting")]),
    ('HUMAN = "human_contact"\n', [(1, "human_contact")]),
    ('x = f"t:{topic or \'greeting\'}"\n', [(1, "greeting")]),
    ('def f():\n    """Says "greeting" in words."""\n', []),
    ('x = "greetings"\n', []),
])
def test_the_check_finds_an_id_in_code(source: str, found: list[tuple[int, str]]) -> None:
    assert ids_in(source, set(load_intents())) == found
