"""Examples staff taught Lotse at run time (the review queue): an overlay over the intent files.

Learned examples live in the database, not in intents/; the running NLU gets them through `NLU.set_learned`
and uses them at once. A message equal to a learned example (after normalisation) takes its intent; a close
variant ("kindergeld nicht bekommen" after "kindergeld nicht erhalten") takes it when the small matcher over
the learned examples alone is sure enough. The overlay is tiny compared with the intent files, so rebuilding
it on every change costs well under a millisecond per example.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.nlu.matcher import Example, Matcher
from bot.nlu.normalise import normalise

#: A learned example scoring this much against a message decides it (a near copy, not a shared word).
CLOSE = 82.0


@dataclass
class Learned:
    """The learned examples: exact lookup plus a matcher for close variants."""

    exact: dict[str, str] = field(default_factory=dict)
    matcher: Matcher | None = None

    @classmethod
    def build(cls, examples: Iterable[tuple[str, str]]) -> Learned:
        """From (text, intent) pairs; later pairs win over earlier ones with the same normalised text."""
        exact: dict[str, str] = {}
        for text, intent in examples:
            key = normalise(text)
            if key:
                exact[key] = intent
        indexed = [Example(text, intent, "") for text, intent in exact.items()]
        return cls(exact, Matcher(indexed) if indexed else None)

    def lookup(self, query: str) -> tuple[str, float] | None:
        """The learned intent for a normalised query with its score 0..100, or None."""
        if not query:
            return None
        if query in self.exact:
            return self.exact[query], 100.0
        if self.matcher is None:
            return None
        best: tuple[str, float] | None = None
        for index, cosine in self.matcher.candidates(query, 5):
            example = self.matcher.examples[index]
            score = self.matcher.score(query, example.text, cosine)
            if score >= CLOSE and (best is None or score > best[1]):
                best = (example.intent, score)
        return best
