"""The trained classifier is a function of its examples: the same examples give the same model, byte for byte,
so a message on a knife's edge answers the same on the developer's machine, in CI and in production."""

from __future__ import annotations

import itertools
from pathlib import Path

from bot.nlu.classifier import Classifier
from bot.nlu.intents import load_intents
from bot.nlu.normalise import normalise


def _samples(per_intent: int) -> list[tuple[str, str]]:
    intents = load_intents()
    chosen = {(normalise(p), i.id) for i in intents.values()
              for p in itertools.islice((p for ps in i.examples.values() for p in ps), per_intent)}
    return sorted((t, i) for t, i in chosen if t)


def test_the_same_examples_train_the_same_model_byte_for_byte(tmp_path: Path) -> None:
    samples = _samples(15)
    first, second = Classifier.train(samples), Classifier.train(samples)
    first.save(tmp_path / "a.npz")
    second.save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_a_saved_model_answers_as_the_trained_one(tmp_path: Path) -> None:
    model = Classifier.train(_samples(10))
    model.save(tmp_path / "m.npz")
    loaded = Classifier.load(tmp_path / "m.npz")
    text = normalise("wo finde ich einen kitaplatz in unna")
    assert loaded.probabilities(text) == model.probabilities(text)
