"""The steps after ranking (bot/nlu/decision.py): a weak leader is a choice of topics unless the classifier agrees."""

from __future__ import annotations

import pytest

from bot.nlu.decision import Decider
from bot.nlu.understanding import THRESHOLD

DECIDER = Decider(priority=frozenset({"emergency", "violence_protection"}),
                  not_topics=frozenset({"none", "greeting"}),
                  choices=frozenset({"food_goods", "housing", "legal_advice", "mental_health", "disability_care"}))

# (ranking, classifier probabilities, the intent answered or None for a choice of topics)
WEAK_LEADERS = [
    # three topics within a few points and the classifier sure of the first: answered
    ([("food_goods", 42.0), ("housing", 40.0), ("legal_advice", 39.0)],
     {"food_goods": 0.45, "housing": 0.1, "legal_advice": 0.05}, "food_goods"),
    # a leader below the threshold that the classifier clearly prefers too: answered
    ([("disability_care", 33.0), ("food_goods", 30.0)], {"disability_care": 0.3, "food_goods": 0.1},
     "disability_care"),
    # the classifier prefers another topic: a choice
    ([("legal_advice", 42.0), ("housing", 40.0), ("mental_health", 39.0)],
     {"mental_health": 0.36, "legal_advice": 0.1}, None),
    # the classifier agrees, but not clearly (less than twice its runner-up): a choice
    ([("food_goods", 42.0), ("housing", 40.0), ("legal_advice", 39.0)], {"food_goods": 0.3, "housing": 0.2}, None),
    # the classifier agrees, but the leader is tied with its runner-up: a choice
    ([("mental_health", 42.0), ("legal_advice", 42.0), ("housing", 39.0)],
     {"mental_health": 0.4, "legal_advice": 0.1}, None),
    # "out of scope" with a topic right behind it is never answered as that topic by this rule
    ([("none", 42.0), ("housing", 40.0)], {"housing": 0.5, "none": 0.2}, None),
]


@pytest.mark.parametrize(("ranked", "probabilities", "answered"), WEAK_LEADERS)
def test_a_weak_leader_is_answered_only_when_the_classifier_agrees(
        ranked: list[tuple[str, float]], probabilities: dict[str, float], answered: str | None) -> None:
    decision = DECIDER.decide(ranked, probabilities, None, calm=True, taught=None, unknown=False)
    intent, score, _rest = decision.outcome()
    if answered is None:
        assert intent == "none" and score < THRESHOLD and decision.likely
    else:
        assert intent == answered and score >= THRESHOLD


def test_what_staff_taught_is_not_overruled_by_the_classifier() -> None:
    ranked = [("food_goods", 42.0), ("housing", 40.0), ("legal_advice", 39.0)]
    decision = DECIDER.decide(ranked, {"food_goods": 0.6}, None, calm=True, taught=("housing", 90.0), unknown=False)
    assert decision.outcome()[0] == "housing"
