"""The trained classifier's word on a ranking, and the topics a fallback may offer.

ranking.py ranks intents by the example matcher (with windows over long messages and frames taken apart)
blended with the classifier. On messages unlike the examples, that machinery sometimes overrode a classifier that
was right: an example sharing a few words, a greeting at the start of a story, a language name read as a request to
switch ("переключи на немецкий"). So after ranking, the classifier has a last word on the whole message:
- sure (at least SURE, and LEAN times its runner-up's probability): its intent leads, whatever example happened
  to match; a frame ("help", "change language") needs SURE_FRAME to win over a topic the ranking found named;
- leaning (LEAN times the probability of the leader, the two within LEAN_MARGIN): the runner-up leads, and the two
  stay close, so the engine may ask; a frame never leans its way past a topic;
- greeting, thanks and help never win over a topic in a message of more than FRAME_WORDS words.
A ranking that puts emergency or violence first is left alone: danger is never argued away here. So is one led by
a topic the classifier does not know yet (staff added it, and the retrained classifier is not ready).
"""

from __future__ import annotations

from collections.abc import Collection

from bot.nlu.intents import OUT_OF_SCOPE, Role
from bot.nlu.understanding import MARGIN

SURE = 0.4
SURE_FRAME = 0.6
LEAN = 1.5
LEAN_MARGIN = 15.0
FRAME_WORDS = 4
#: The roles of the intents that wrap a message rather than ask ("Hello, ... thanks"): in a longer message, a topic
#: beside them is the point.
WRAPPING = (Role.GREETING, Role.THANKS, Role.HELP)
#: A fallback offers at most MAX_LIKELY topics: those the classifier gives at least LIKELY, then those the matcher
#: scores at least LIKELY_SCORE.
LIKELY = 0.1
LIKELY_SCORE = 30.0
MAX_LIKELY = 4

Ranking = list[tuple[str, float]]


def arbitrate(probabilities: dict[str, float], ranked: Ranking, words: int, *, threshold: float,
              frames: Collection[str], priority: Collection[str], wrapping: Collection[str] = ()) -> Ranking:
    """The ranking after the classifier's word; `words` is the length of the message, `threshold` the score below
    which an intent is out of scope, `wrapping` the ids of the intents with a WRAPPING role."""
    if not probabilities or not ranked or ranked[0][0] in priority or ranked[0][0] not in probabilities:
        return ranked  # nor does a classifier that does not know the leader yet (a topic staff just added)
    order = sorted(probabilities, key=probabilities.__getitem__, reverse=True)
    best, second = order[0], probabilities[order[1]] if len(order) > 1 else 0.0
    leader, lead = ranked[0]
    # A frame needs a clearer word to win over a topic the ranking found named ("help me find a flat").
    sure = SURE_FRAME if best in frames and leader not in frames else SURE
    if probabilities[best] >= sure and probabilities[best] >= LEAN * second:
        if leader == best:
            return ranked
        score = max(dict(ranked).get(best, 0.0), lead, threshold if best != OUT_OF_SCOPE else 0.0)
        return [(best, score), *[r for r in ranked if r[0] != best]]
    # Out of scope is said only when sure (above): a close second "none" never takes the leader's score.
    close = best != OUT_OF_SCOPE and any(i == best and lead - s <= LEAN_MARGIN for i, s in ranked[1:3])
    if close and (best not in frames or leader in frames) \
            and probabilities[best] >= LEAN * probabilities.get(leader, 0.0):
        return [(best, lead), *[r for r in ranked if r[0] != best]]
    if leader in wrapping and leader != best and words > FRAME_WORDS:
        inner = [(i, s) for i, s in ranked[1:] if i not in frames and (s >= threshold or i == best)]
        if inner:
            topic, score = inner[0]
            top = max(score, min(lead, threshold + MARGIN))
            rest = [r for r in ranked[1:] if r[0] != topic] + [(leader, min(lead, top - MARGIN))]
            return [(topic, top), *sorted(rest, key=lambda r: -r[1])]
    return ranked


def likely(probabilities: dict[str, float], ranked: Ranking, choices: Collection[str]) -> list[str]:
    """The topics (of `choices`) a fallback may offer, likeliest first: the classifier's ranking, then the
    matcher's."""
    offered = [i for i, p in sorted(probabilities.items(), key=lambda r: -r[1]) if p >= LIKELY]
    offered += [i for i, s in ranked if s >= LIKELY_SCORE]
    return [i for i in dict.fromkeys(offered) if i in choices][:MAX_LIKELY]
