"""Who may import whom: the engine is the one owner of a turn, and no helper of it (nor its worker) imports it
back, so a change of the engine never ripples into the modules it calls."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE_PACKAGE = ROOT / "bot" / "engine"


def imports_the_engine(source: str) -> list[int]:
    """Lines of `source` that import bot/engine/engine.py: the module itself, or Engine from the package."""
    return [node.lineno for node in ast.walk(ast.parse(source)) if _names_the_engine(node)]


def _names_the_engine(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name == "bot.engine.engine" for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        names = {alias.name for alias in node.names}
        from_package = node.module == "bot.engine" and not names.isdisjoint({"Engine", "engine"})
        return node.module == "bot.engine.engine" or from_package
    return False


def test_no_module_of_the_engine_package_imports_the_engine_but_its_init() -> None:
    found = [f"{path.name}:{line}" for path in sorted(ENGINE_PACKAGE.glob("*.py")) if path.name != "__init__.py"
             for line in imports_the_engine(path.read_text(encoding="utf-8"))]
    assert found == [], "pass what it needs (a function, a factory) instead: " + ", ".join(found)


@pytest.mark.parametrize(("source", "found"), [
    ("from bot.engine import Engine, Incoming\n", [1]),
    ("from bot.engine.engine import Engine\n", [1]),
    ("import bot.engine.engine\n", [1]),
    ("from bot.engine import engine\n", [1]),
    ("from bot.engine.models import Incoming, Reply\n", []),
    ("from bot.engine import buttons, safety\n", []),
])
def test_the_check_finds_an_import_of_the_engine(source: str, found: list[int]) -> None:
    assert imports_the_engine(source) == found
