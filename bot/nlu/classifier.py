"""A trained discriminative model over the intent examples: logistic regression on word and character n-grams.

The example matcher (matcher.py) is good at phrases close to an example; it is weak when a message says the same
thing in other words around it, because every word of the message counts alike. A logistic regression learns
which words and word parts *separate* the intents ("jobcenter" + "zahlt nicht" is benefits, "jobcenter" +
"ausbildung" is work) and lets the rest of a long message weigh little. ranking.py blends both.

scikit-learn trains it (a few seconds, once per change of the examples); the learnt weights are saved as a
NumPy archive in the cache directory, keyed by a hash of the examples, and loaded in milliseconds. Prediction is
plain NumPy, so answering a message never imports scikit-learn.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.nlu import cachefiles

log = logging.getLogger(__name__)

#: Bump when features() or the training change, so old caches are not used.
VERSION = "3"  # 2: trained on one BLAS thread (the same model everywhere); 3: Urdu letters unified
C = 8.0  # inverse regularisation: examples are clean and many, but messages are not like them
MIN_COUNT = 2  # character n-grams seen in fewer examples are noise (a typo in one example)
WORDS = 50_000  # words whose features are remembered (then forgotten all at once: a few MB at most)
RECENT = 64  # texts of one message whose probabilities are remembered
#: The solver stops when its steps change the loss less than this (scikit-learn's default). A model on whose
#: exact boundary much depends is fit tighter (`tol`): the danger detector's.
TOL = 1e-4
MAX_ITER = 20_000  # a bound only: a tight fit needs more steps than the default


def features(text: str) -> list[str]:
    """Words, word pairs and character 3..5-grams of a normalised text (with word boundaries marked)."""
    words = text.split()
    feats = [f for word in words for f in word_features(word)]
    feats += ["b" + a + "_" + b for a, b in itertools.pairwise(words)]
    return feats


def word_features(word: str) -> list[str]:
    """The features of one word: itself and its character 3..5-grams."""
    padded = f"<{word}>"
    feats = ["w" + word]
    for n in (3, 4, 5):
        feats += ["c" + padded[i:i + n] for i in range(max(1, len(padded) - n + 1))]
    return feats


class Classifier:
    """Intent probabilities for a normalised text."""

    def __init__(self, labels: Sequence[str], vocabulary: dict[str, int], idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray) -> None:
        self.labels = list(labels)
        self.vocabulary = vocabulary
        self.idf = idf
        self.coef_t = np.ascontiguousarray(coef.T)  # (features, labels): one row per feature of a message
        self.intercept = intercept
        # Answering is what costs time, not training: the known features of each word seen, and the probabilities
        # of the texts of one message (it asks for the same text more than once: whole, parts, arbitration);
        # forget_texts() starts a new message.
        self._words: dict[str, tuple[int, ...]] = {}
        self._recent: dict[tuple[str, float], dict[str, float]] = {}

    def probabilities(self, text: str, temperature: float = 1.0) -> dict[str, float]:
        """Each intent's probability for the text (they add up to 1); empty when no feature is known.

        A temperature above 1 flattens them: two topics named side by side then stay close.
        """
        return self.probabilities_many([text], temperature)[0]

    def probabilities_many(self, texts: Sequence[str], temperature: float = 1.0) -> list[dict[str, float]]:
        """probabilities() of several texts (the windows of a long message), those not seen yet in one pass."""
        new = [t for t in dict.fromkeys(texts) if (t, temperature) not in self._recent]
        if len(self._recent) + len(new) > RECENT:
            self._recent.clear()
            new = list(dict.fromkeys(texts))
        for text, result in zip(new, self._probabilities(new, temperature) if new else [], strict=True):
            self._recent[(text, temperature)] = result
        return [dict(self._recent[(t, temperature)]) for t in texts]

    def forget_texts(self) -> None:
        """A new message: the probabilities of earlier texts are not reused (the word features are)."""
        self._recent.clear()

    def _indices(self, text: str) -> list[int]:
        """The vocabulary indices of the text's features (as many times as they occur)."""
        vocabulary, cache = self.vocabulary, self._words
        if len(cache) >= WORDS:
            cache.clear()
        words = text.split()
        found: list[int] = []
        for word in words:
            indices = cache.get(word)
            if indices is None:
                indices = cache[word] = tuple(vocabulary[f] for f in word_features(word) if f in vocabulary)
            found += indices
        found += [vocabulary[f] for a, b in itertools.pairwise(words) if (f := "b" + a + "_" + b) in vocabulary]
        return found

    def _probabilities(self, texts: Sequence[str], temperature: float) -> list[dict[str, float]]:
        """Softmax of the linear model over each text's sublinear, L2-normed TF-IDF vector; several texts in one
        pass (NumPy's fixed cost per call is most of the time of a short text)."""
        found = [self._indices(text) for text in texts]
        if len(found) == 1:  # most calls: one text, for which a plain vector product costs less
            return [self._one(found[0], temperature)]
        rows = [row for row, indices in enumerate(found) if indices]
        results: list[dict[str, float]] = [{} for _t in texts]
        if not rows:
            return results
        size = len(self.idf)
        keys = np.concatenate([np.asarray(found[row], dtype=np.int64) + position * size
                               for position, row in enumerate(rows)])
        unique, counts = np.unique(keys, return_counts=True)
        row_of, index = np.divmod(unique, size)
        weights = (1.0 + np.log(counts)) * self.idf[index]
        norms = np.sqrt(np.bincount(row_of, weights * weights, minlength=len(rows)))
        # Each row's weights in a row of its own, so that one matrix product gives every text's logits.
        spread = np.zeros((len(rows), len(unique)))
        spread[row_of, np.arange(len(unique))] = weights / np.where(norms > 0, norms, 1.0)[row_of]
        logits = (spread @ self.coef_t[index] + self.intercept) / temperature
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        exp /= exp.sum(axis=1, keepdims=True)
        for row, values in zip(rows, exp.tolist(), strict=True):
            results[row] = dict(zip(self.labels, values, strict=True))
        return results

    def _one(self, found: list[int], temperature: float) -> dict[str, float]:
        """_probabilities of one text, from its feature indices."""
        if not found:
            return {}
        index, counts = np.unique(np.array(found, dtype=np.int64), return_counts=True)
        weights = (1.0 + np.log(counts)) * self.idf[index]
        weights /= np.linalg.norm(weights) or 1.0
        logits = (weights @ self.coef_t[index] + self.intercept) / temperature
        exp = np.exp(logits - logits.max())
        exp /= exp.sum()
        return dict(zip(self.labels, exp.tolist(), strict=True))

    # -- training and the cache --------------------------------------------------------------------------
    @classmethod
    def train(cls, samples: Sequence[tuple[str, str]], weights: Mapping[str, float] | None = None,
              start: Classifier | None = None, tol: float = TOL) -> Classifier:
        """Fit on (normalised text, label) pairs with scikit-learn (imported only here); `weights` weigh the
        examples of a label (the danger detector: a rare situation must not be outvoted by everyday examples).

        `start`: a model of nearly the same examples (the one of intents/, when staff add a topic) that the fit
        starts from instead of from nothing. The loss is the same strictly convex one with a single minimum, so it
        ends at the same model within the solver's tolerance, in a few steps instead of a hundred (seconds
        instead of a minute). `tol`: the solver's tolerance (TOL)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        texts = [t for t, _i in samples]
        vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=MIN_COUNT, dtype=np.float32)
        matrix = vectorizer.fit_transform(texts)
        labels = {label for _t, label in samples}
        class_weight = {label: float(weights.get(label, 1.0)) for label in labels} if weights else None
        model = LogisticRegression(C=C, max_iter=MAX_ITER, tol=tol, class_weight=class_weight,
                                   warm_start=start is not None)
        if start is not None:
            model.coef_, model.intercept_ = start.initial(vectorizer.get_feature_names_out().tolist(),
                                                          sorted(labels))
        # One BLAS thread: sums in a fixed order, so the same examples give the same model on every machine (a
        # threaded sum differs in the last bits, and a message on a knife's edge would flip between two trainings).
        with threadpool_limits(limits=1):
            model.fit(matrix, [i for _t, i in samples])
        vocabulary = {str(f): int(j) for f, j in vectorizer.vocabulary_.items()}
        return cls([str(label) for label in model.classes_], vocabulary, vectorizer.idf_.astype(np.float64),
                   model.coef_.astype(np.float32), model.intercept_.astype(np.float64))

    def initial(self, names: Sequence[str], labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """This model's weights laid out for other features and labels (coefficients, intercepts), as the start of
        a fit: zero for a feature or a label it does not know."""
        coef = np.zeros((len(labels), len(names)), dtype=np.float64)
        intercept = np.zeros(len(labels), dtype=np.float64)
        columns = np.array([self.vocabulary.get(name, -1) for name in names], dtype=np.int64)
        known = np.flatnonzero(columns >= 0)
        rows = {label: row for row, label in enumerate(self.labels)}
        for index, label in enumerate(labels):
            if (row := rows.get(label)) is not None:
                coef[index, known] = self.coef_t[columns[known], row]
                intercept[index] = self.intercept[row]
        return coef, intercept

    def digest(self) -> str:
        """A short hash of the weights (a model trained from this one is cached under it too)."""
        return hashlib.sha256(self.coef_t.tobytes() + self.intercept.tobytes() + "\n".join(self.labels).encode()
                              ).hexdigest()[:16]

    def save(self, path: Path) -> None:
        """Write the model atomically (a half-written cache is never read)."""
        names = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        cachefiles.write_arrays(path, {"labels": np.array(self.labels), "names": np.array(names), "idf": self.idf,
                                       "coef": self.coef_t.T, "intercept": self.intercept})

    @classmethod
    def load(cls, path: Path) -> Classifier:
        """Read a model written by save()."""
        with np.load(path, allow_pickle=False) as data:
            names = data["names"].tolist()
            return cls(data["labels"].tolist(), {str(n): i for i, n in enumerate(names)}, data["idf"],
                       data["coef"], data["intercept"])

    @classmethod
    def cached(cls, samples: Sequence[tuple[str, str]], cache_dir: Path | None, name: str = "classifier",
               weights: Mapping[str, float] | None = None, start: Classifier | None = None,
               tol: float = TOL) -> Classifier:
        """The model for these samples: from the cache when it was trained on exactly them, else trained now.

        Processes that share the cache train a model once between them: the first takes the lock of the name and
        trains, the others wait and load what it wrote (several `lotse serve` starting at once, a test run)."""
        if cache_dir is None:
            return cls.train(samples, weights, start, tol)
        variant = (repr(sorted(weights.items())) if weights else "") + (start.digest() if start else "") + (
            f"tol={tol}" if tol != TOL else "")

        def train() -> Classifier:
            log.info("training the %s on %d examples (once per change of intents/)", name, len(samples))
            return cls.train(samples, weights, start, tol)

        return cachefiles.load_or_build(cache_dir, name, fingerprint(samples, variant), _load, train,
                                        Classifier.save)


def _load(path: Path) -> Classifier | None:
    """The cached model; None when there is none, or it is damaged (trained again)."""
    if not path.exists():
        return None
    try:
        return Classifier.load(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:  # a damaged cache is rebuilt, never fatal
        log.warning("classifier cache unreadable, training again: %s", exc)
        return None


def fingerprint(samples: Iterable[tuple[str, str]], variant: str = "") -> str:
    """A short hash of the training data, the feature code version and the variant of training."""
    digest = hashlib.sha256((VERSION + variant).encode())
    for text, intent in samples:
        digest.update(f"{intent}\t{text}\n".encode())
    return digest.hexdigest()[:16]


def describe(model: Classifier) -> dict[str, Any]:
    """Sizes, for the benchmark."""
    return {"labels": len(model.labels), "features": len(model.vocabulary)}
