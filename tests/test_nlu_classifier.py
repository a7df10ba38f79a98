"""The trained classifier is a function of its examples: the same examples give the same model, byte for byte,
so a message on a knife's edge answers the same on the developer's machine, in CI and in production. The cache
trains each model once for everyone who shares it."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest

from bot.nlu import classifier
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


def test_texts_read_together_get_what_each_gets_alone() -> None:
    model = Classifier.train(_samples(10))
    texts = [normalise(t) for t in ("wo finde ich einen kitaplatz", "qqqq zzzz", "jobcenter zahlt nicht",
                                    "wo finde ich einen kitaplatz", "")]
    together = model.probabilities_many(texts)
    model.forget_texts()
    alone = [model.probabilities(t) for t in texts]
    assert together[1] == together[4] == {}
    assert max(together[0], key=together[0].__getitem__) == "kita"
    for got, want in zip(together, alone, strict=True):
        assert got.keys() == want.keys()
        assert all(got[k] == pytest.approx(want[k], abs=1e-12) for k in want)


def test_who_finds_the_model_in_training_waits_for_it_instead_of_training_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    samples, model = _samples(5), Classifier.train(_samples(5))
    training, second_missed = threading.Event(), threading.Event()
    trained_by: list[str] = []
    load = classifier._load

    def looked_up(path: Path) -> Classifier | None:
        found = load(path)
        if found is None and threading.current_thread().name == "second":
            second_missed.set()  # the second looked while the first was still training
        return found

    def train(_cls: type[Classifier], _samples: object, _weights: object = None, _start: object = None,
              _tol: float = classifier.TOL) -> Classifier:
        trained_by.append(threading.current_thread().name)
        training.set()
        assert second_missed.wait(60)
        return model

    monkeypatch.setattr(classifier, "_load", looked_up)
    monkeypatch.setattr(Classifier, "train", classmethod(train))
    got: dict[str, Classifier] = {}
    first = threading.Thread(target=lambda: got.update(first=Classifier.cached(samples, tmp_path)), name="first")
    second = threading.Thread(target=lambda: got.update(second=Classifier.cached(samples, tmp_path)), name="second")
    first.start()
    assert training.wait(60)
    second.start()
    first.join(60)
    second.join(60)
    assert trained_by == ["first"]
    text = normalise("kitaplatz in unna")
    assert got["second"].probabilities(text) == got["first"].probabilities(text)


def test_the_cache_keeps_the_models_used_last(tmp_path: Path) -> None:
    sets = [_samples(n) for n in (2, 3, 4, 5)]
    for samples in sets[:3]:
        Classifier.cached(samples, tmp_path, name="staff-classifier")
    Classifier.cached(sets[0], tmp_path, name="staff-classifier")  # used again: the oldest is now the second
    Classifier.cached(sets[3], tmp_path, name="staff-classifier")
    kept = {path.name for path in tmp_path.glob("staff-classifier-*.npz")}
    assert kept == {f"staff-classifier-{classifier.fingerprint(s)}.npz" for s in (sets[0], sets[2], sets[3])}


def test_a_model_trained_from_another_ends_as_one_trained_from_nothing() -> None:
    """Staff add a topic: the fit starts from the model of intents/ and learns the topic as a fit from nothing would
    (the same minimum, within the solver's tolerance), and does so the same way each time."""
    base = _samples(15)
    said = ("Reparaturcafé", "wo kann ich etwas reparieren lassen", "fahrrad reparieren lassen",
            "kaputten toaster reparieren")
    repair = [(normalise(text), "reparaturcafe") for text in said]
    samples = sorted(base + repair)
    start = Classifier.train(base)
    warm, fresh = Classifier.train(samples, start=start), Classifier.train(samples)
    texts = [text for text, _i in samples] + [normalise("mein Handy ist kaputt, wer repariert es?")]
    for text in texts:
        ours, theirs = warm.probabilities(text), fresh.probabilities(text)
        assert ours.keys() == theirs.keys(), text  # empty for a text of features seen once only (min_df)
        assert max((abs(ours[label] - theirs[label]) for label in theirs), default=0.0) < 0.05, text
    for text in ("wo kann ich etwas reparieren lassen", "mein handy ist kaputt wer repariert es"):
        probabilities = warm.probabilities(text)
        assert max(probabilities, key=probabilities.__getitem__) == "reparaturcafe", text
    assert Classifier.train(samples, start=start).digest() == warm.digest()
