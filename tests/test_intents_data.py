"""The intent files are complete and consistent, and the loader says so when they are not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.geo.gazetteer import default_gazetteer
from bot.nlu.intents import CATALOGUE, MIN_EXAMPLES, IntentDataError, load_intents, validate
from bot.nlu.normalise import normalise
from bot.nlu.place_names import SPELLINGS
from bot.nlu.places import PlaceFinder


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



# -- no town names in the examples ------------------------------------------------------------------------------
# Every word of an example becomes a "common word" for the place finder, and a common word is never read as a
# town: an example "v Unne" or "Unnayê" would stop Lotse from finding Unna in those forms. And the town of a
# message is taken out before its intent is matched, so a town in an example only adds noise. The finder below
# runs without common words, on the well-known towns (districts and big cities) that it matches in every form.

#: Ordinary words the finder alone reads as a well-known town (the real NLU knows them as words).
NOT_TOWNS = {
    "کلن": "Pashto 'years old' (زوی مې ۱۵ کلن دی), not Köln",
    "bonne": "French 'good' (bonne nuit), not Bonn",
    "colonie": "French 'colonie de vacances' (holiday camp), not Cologne",
    "دبیرستان": "Persian 'high school', whose consonants are those of Dorsten",
    "وصرلنا": "Arabic 'and it has been (a month) for us', whose consonants are close to Iserlohn",
    "essen": "German 'food' (Lieferdienst Essen); the town needs a cue",
}


@pytest.fixture(scope="module")
def town_of() -> Callable[[str], str | None]:
    """The well-known town a phrase names, as the place finder without common words sees it, or None."""
    gazetteer = default_gazetteer()
    finder = PlaceFinder(gazetteer)
    towns = frozenset(place.name for town in SPELLINGS if (place := gazetteer.town(town)) is not None)

    def named(phrase: str) -> str | None:
        found = finder.find(phrase)
        if found is None or found.place.name not in towns:
            return None
        if any(word in NOT_TOWNS for word in normalise(phrase).split()[found.start:found.end]):
            return None
        return found.place.name

    return named


def test_no_example_names_a_well_known_town(town_of: Callable[[str], str | None]) -> None:
    named = [f"{intent.id}/{lang}: {phrase!r} names {town}"
             for intent in load_intents().values() for lang, phrases in intent.examples.items()
             for phrase in phrases if (town := town_of(phrase))]
    assert named == []


@pytest.mark.parametrize(("phrase", "town"), [
    ("Mietwohnung in Unna", "Unna"),
    ("shukaiu robotu v Unne", "Unna"),
    ("kar li Lünenê", "Lünen"),
    ("Deutschkurs bi Dortmundê", "Dortmund"),
    ("روضة في لونن", "Lünen"),
    ("квартира в Даттельні", "Datteln"),
    ("bonne nuit", None),
    ("زوی مې ۱۵ کلن دی", None),
])
def test_the_town_check_finds_towns_in_every_form(town_of: Callable[[str], str | None], phrase: str,
                                                  town: str | None) -> None:
    assert town_of(phrase) == town
