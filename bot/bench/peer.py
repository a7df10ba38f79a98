"""The peer of `lotse bench nlu`: the standard scikit-learn text classifier, trained on the same intent examples.

What a competent engineer would build in an afternoon instead of Lotse's NLU: a FeatureUnion of word 1-2-gram and
character 2-5-gram TF-IDF (sublinear tf) into a logistic regression, fitted on the raw example phrases of every
language, "none" a class like any other. No normalisation, no place finder, no safety check, no segmentation.
If Lotse does not beat it on realistic messages, its extra machinery is not paying for itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.nlu.intents import Intent


class Peer:
    """A TF-IDF + logistic-regression intent classifier (scikit-learn, imported only when one is built)."""

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline

    @classmethod
    def train(cls, samples: Iterable[tuple[str, str]]) -> Peer:
        """Fit on (raw text, intent) pairs."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        texts, labels = zip(*samples, strict=True)
        pipeline = make_pipeline(
            FeatureUnion([
                ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
            ]),
            LogisticRegression(C=10, max_iter=2000),
        )
        pipeline.fit(list(texts), list(labels))
        return cls(pipeline)

    @classmethod
    def from_intents(cls, intents: Mapping[str, Intent]) -> Peer:
        """Fit on every example phrase of every intent and language."""
        return cls.train((phrase, intent.id) for intent in intents.values()
                         for phrases in intent.examples.values() for phrase in phrases)

    def predict(self, text: str) -> str:
        """The most probable intent of one message."""
        return str(self.pipeline.predict([text])[0])
