"""Deciding what a ranked message means: the steps after ranking, danger first, each in its order.

The ranking (ranking.py, with the classifier's last word in arbiter.py) says which intents the words name. The
decision weighs it with what else is known of the message:
- calm: a message the danger classifier finds calm is not put under emergency only because it says "police";
- danger first: a plausible danger leads when it decides the topic or nothing else is asked (its numbers come
  first either way, and nothing after this step moves the message away from it);
- the learned override: an example staff taught wins over the ranking;
- the topics a fallback may offer, taken before anything is demoted;
- unsure: a weak leader among as weak others, or "none" with a topic right behind it, names no topic: it is
  demoted below THRESHOLD, so the person gets a choice of topics;
- the rescue: a weak leader the classifier clearly prefers too is answered after all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.nlu import arbiter
from bot.nlu.danger import Alarm
from bot.nlu.intents import OUT_OF_SCOPE
from bot.nlu.ranking import PLAUSIBLE, SPLIT, Ranking
from bot.nlu.understanding import MARGIN, THRESHOLD

#: A leader below WEAK with CROWDED intents within MARGIN of it names no topic ("ich habe ein problem mit
#: dem brief": legal advice, asylum, counselling alike): the person gets the likeliest few to choose from, not two.
CROWDED = 3
#: A weak leader that the classifier gives at least RESCUE, and RESCUE_LEAN times its runner-up, is answered
#: after all: the two looks agree, only the words were too few or too odd for the examples.
RESCUE = 0.2
RESCUE_LEAN = 2.0
WEAK = 45.0  # a leader below this names its topic only weakly


@dataclass(frozen=True)
class Decision:
    """The ranking as decided, the danger plausible in the message, and the topics a fallback may offer."""

    ranked: Ranking
    danger: str | None
    likely: list[str]

    def outcome(self) -> tuple[str, float, Ranking]:
        """The intent, its score and the runner-ups: out of scope (with the topics next to it) below THRESHOLD."""
        ranked = self.ranked
        if not ranked or ranked[0][1] < THRESHOLD:
            return OUT_OF_SCOPE, ranked[0][1] if ranked else 0.0, [r for r in ranked[:3] if r[0] != OUT_OF_SCOPE]
        return ranked[0][0], ranked[0][1], ranked[1:4]


@dataclass(frozen=True)
class Decider:
    """Decides for the intents by what they are: `priority` (never to be missed), `not_topics` (frames, out of
    scope, handoff) and `choices` (the topics a fallback may offer)."""

    priority: frozenset[str]
    not_topics: frozenset[str]
    choices: frozenset[str]

    def decide(self, ranked: Ranking, probabilities: dict[str, float], alarm: Alarm | None, *, calm: bool,
               taught: tuple[str, float] | None, unknown: bool) -> Decision:
        """The decision on a ranking; `calm`: the danger classifier finds the message calm; `taught`: the intent
        of an example staff taught that the message equals or nearly does; `unknown`: no word of the message is
        one of the examples' (a fallback then has nothing to guess from)."""
        if alarm is None and calm:
            ranked = self._calm(ranked)
        ranked, danger = self._safety_first(alarm, ranked)
        if taught is not None and danger is None:  # what staff teach never moves a message away from danger
            ranked = [taught, *[r for r in ranked if r[0] != taught[0]]]
        likely = [] if unknown else arbiter.likely(probabilities, ranked, self.choices)
        if ranked and danger is None and taught is None and self._classifier_agrees(ranked, probabilities):
            ranked = [(ranked[0][0], max(ranked[0][1], THRESHOLD)), *ranked[1:]]
        elif ranked and danger is None and (_crowded(ranked, probabilities) or self._unsure_none(ranked)):
            ranked = [(ranked[0][0], min(ranked[0][1], THRESHOLD - 0.1)), *ranked[1:]]
        return Decision(ranked, danger, likely)

    def _calm(self, ranked: Ranking) -> Ranking:
        """A message the danger classifier finds calm though the ranking put a priority intent first (on words such
        as "police" or "fire": "how do I report my stolen bike to the police?"): the other topics come first."""
        if not ranked or ranked[0][0] not in self.priority:
            return ranked
        others = [r for r in ranked if r[0] not in self.priority]
        if not others:
            return ranked
        top = max(others[0][1], THRESHOLD) if others[0][1] >= PLAUSIBLE else others[0][1]
        return [(others[0][0], top), *[r for r in ranked if r[0] != others[0][0]]]

    def _safety_first(self, hit: Alarm | None, ranked: Ranking) -> tuple[Ranking, str | None]:
        """The danger plausible in the message (the detector, or the ranking), and the ranking with the danger on
        top when it decides the topic or nothing else is asked.

        A clear alarm decides the topic unless the other priority intent already leads ("er schlägt mich und
        blutet": violence stays violence); the numbers come first either way, and a question of its own ("where
        is the hospital?") is still answered after them.
        """
        if hit is None:
            leader = ranked[0][0] if ranked and ranked[0][1] >= THRESHOLD else None
            return ranked, leader if leader in self.priority else None
        asks_topic = bool(ranked) and ranked[0][1] >= THRESHOLD and ranked[0][0] not in self.not_topics
        if hit.decides or not asks_topic or _right_behind(hit.intent, ranked):
            top = ranked[0] if ranked else (hit.intent, 0.0)
            lead = top[0] if top[0] in self.priority and top[1] >= THRESHOLD else hit.intent
            score = max(top[1], THRESHOLD + MARGIN)
            ranked = [(lead, score), *[r for r in ranked if r[0] != lead]]
            return ranked, lead
        return ranked, hit.intent

    def _unsure_none(self, ranked: Ranking) -> bool:
        """Out of scope only when sure: a topic right behind it ("my boy is bored every afternoon any clubs") makes
        it a message to choose a topic for, and one for staff to look at."""
        return (len(ranked) > 1 and ranked[0][0] == OUT_OF_SCOPE and ranked[1][0] not in self.not_topics
                and ranked[0][1] - ranked[1][1] < MARGIN)

    def _classifier_agrees(self, ranked: Ranking, probabilities: Mapping[str, float]) -> bool:
        """A weak leader, ahead of the rest, that the classifier clearly prefers too ("kursi mota7arek la baba mn
        wen", "cheap sofa??"): the two looks agree, only the words were too few or too odd for the examples. A leader
        tied with its runner-up stays a choice ("ich habe ein problem mit dem brief": a letter to the examples,
        "problem" to the classifier)."""
        leader, score = ranked[0]
        if leader not in self.choices or (len(ranked) > 1 and ranked[1][1] >= score):
            return False
        order = sorted(probabilities.values(), reverse=True)[:2]
        p = probabilities.get(leader, 0.0)
        return p >= RESCUE and p >= order[0] and (len(order) < 2 or p >= RESCUE_LEAN * order[1])


def _right_behind(intent: str, ranked: Sequence[tuple[str, float]]) -> bool:
    """The ranking has the alarm's intent within MARGIN of its leader: the words and the detector agree, so the
    danger decides ("my husband hit me again, what do I do" is not a letter from a debt collector)."""
    return any(i == intent and ranked[0][1] - score < MARGIN for i, score in ranked[1:3])


def _crowded(ranked: Ranking, probabilities: Mapping[str, float]) -> bool:
    """A weak leader among as weak others, or tied with a second the classifier hardly sees (two topics named side by
    side are both seen): no intent is clear."""
    top = ranked[0][1]
    if len(ranked) < 2 or top >= WEAK:
        return False
    if len(ranked) >= CROWDED and ranked[CROWDED - 1][1] > top - MARGIN:
        return True
    tied = ranked[1][1] > top - MARGIN
    return tied and min(probabilities.get(ranked[0][0], 0.0), probabilities.get(ranked[1][0], 0.0)) < SPLIT
