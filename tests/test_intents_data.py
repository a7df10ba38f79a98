"""The intent files are complete and consistent, and the loader says so when they are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.intents import CATALOGUE, MIN_EXAMPLES, IntentDataError, load_intents, validate


def test_shipped_intents_are_valid() -> None:
    intents = load_intents(strict=True)
    assert set(intents) == set(CATALOGUE)
    assert validate(intents, minimum=MIN_EXAMPLES) == []


def write(directory: Path, intent: str, body: str) -> None:
    (directory / f"{intent}.yaml").write_text(body, encoding="utf-8")


def all_languages(phrase: str) -> str:
    langs = ["de", "en", "ar", "fa", "uk", "ru", "tr", "fr", "ku", "ti", "ps", "so"]
    return "examples:\n" + "".join(f"  {lang}: ['{phrase} {lang}']\n" for lang in langs)


def test_problems_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "kita", "id: kita\ncategories: [kita]\n" + all_languages("Kita"))
    write(tmp_path, "school", "id: school\ncategories: [school_enrolment]\n" + all_languages("Kita"))
    write(tmp_path, "housing", "id: wohnen\n")
    write(tmp_path, "work", "id: work\ncategories: [jobs]\nexamples:\n  de: [Arbeit]\n  xx: [foo]\n")
    write(tmp_path, "broken", "id: [unclosed\n")
    with pytest.raises(IntentDataError) as error:
        load_intents(tmp_path)
    message = str(error.value)
    assert "housing.yaml: id 'wohnen' does not match the file name" in message
    assert "broken.yaml: not valid YAML" in message
    assert "phrase 'Kita de' is under both kita and school" in message
    assert "work: no examples in en" in message
    assert "work: unsupported language 'xx'" in message
    assert "work: unknown offer category 'jobs'" in message
    assert "missing intent 'greeting'" in message


def test_minimum_counts(tmp_path: Path) -> None:
    write(tmp_path, "kita", "id: kita\ncategories: [kita]\n" + all_languages("Kita"))
    intents = load_intents(tmp_path, strict=False)
    problems = validate(intents, minimum=MIN_EXAMPLES)
    assert "kita: only 1 examples in de (want 25)" in problems
    assert "kita: only 1 examples in so (want 8)" in problems
