"""The prepared intent examples (bot/nlu/examples.py): what a process loads from the cache is what it would have
built, a damaged cache file is built again, and a change of the examples makes a new file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.examples import Prepared, fingerprint, prepare
from bot.nlu.intents import Intent, load_intents
from bot.nlu.normalise import normalise

QUERIES = ["Deutschkurs in der Nähe", "ابحث عن روضة أطفال", "шукаю роботу", "kitayeke li lunen", "xyzzy"]
#: A few intents in every language: what is cached is the same for all of them, preparing all takes seconds.
SOME = ("kita", "language_course", "work", "housing", "greeting")


@pytest.fixture(scope="module")
def intents() -> dict[str, Intent]:
    return {intent: found for intent, found in load_intents(strict=False).items() if intent in SOME}


@pytest.fixture(scope="module")
def built(intents: dict[str, Intent]) -> Prepared:
    return prepare(intents)


def same(one: Prepared, other: Prepared) -> None:
    assert one.keys == other.keys and one.examples == other.examples and one.words == other.words
    for query in QUERIES:
        assert one.matcher.candidates(normalise(query)) == other.matcher.candidates(normalise(query)), query


def test_the_cached_examples_are_the_built_ones(intents: dict[str, Intent], built: Prepared,
                                                tmp_path: Path) -> None:
    first = prepare(intents, tmp_path)  # prepared and written
    assert [p.name for p in tmp_path.glob("examples-*.npz")] == [f"examples-{fingerprint_of(intents)}.npz"]
    same(built, first)
    same(built, prepare(intents, tmp_path))  # loaded


def test_a_damaged_cache_file_is_prepared_again(intents: dict[str, Intent], built: Prepared,
                                               tmp_path: Path) -> None:
    prepare(intents, tmp_path)
    (cached,) = tmp_path.glob("examples-*.npz")
    cached.write_bytes(cached.read_bytes()[:1000])
    same(built, prepare(intents, tmp_path))


def test_other_examples_make_another_file(intents: dict[str, Intent], tmp_path: Path) -> None:
    prepare(intents, tmp_path)
    kita = intents["kita"]
    changed = {**intents, "kita": Intent(kita.id, kita.categories, {**kita.examples, "de": ("Krippenplatz gesucht",)})}
    prepared = prepare(changed, tmp_path)
    assert len(list(tmp_path.glob("examples-*.npz"))) == 2
    assert prepared.keys["Krippenplatz gesucht"] == "krippenplatz gesucht"
    same(prepare(changed), prepared)


def fingerprint_of(intents: dict[str, Intent]) -> str:
    return fingerprint([(i.id, lang, p) for i in intents.values() for lang, ps in i.examples.items() for p in ps])
