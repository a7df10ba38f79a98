"""Understanding one message: intent with confidence, reply language, place, runner-up intents.

The pipeline: find the place (and take its words out of the question, so "Lünen" does not vote for an intent),
rank the rest (ranking.py: the intent examples matched and blended with the classifier, by the message's parts, in
windows over a long one, a topic winning over the frame around it), detect the language (language.py), let the
trained classifier have the last word on the ranking when it is sure or clearly leaning (arbiter.py), judge the
danger, let emergency and violence_protection win whenever they are plausible, and apply the confidence threshold.
Scores are 0..100 inside Python and 0..1 in JSON.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

from bot.geo.gazetteer import Gazetteer, default_gazetteer, fold
from bot.i18n import normalise_lang
from bot.nlu import arbiter
from bot.nlu.arbiter import WRAPPING, arbitrate
from bot.nlu.classifier import Classifier
from bot.nlu.danger import CALM_BELOW, FEW_WORDS, Alarm, DangerDetector, emoji_words
from bot.nlu.examples import prepare
from bot.nlu.intents import OUT_OF_SCOPE, Intent, by_role, ids_where, load_intents, validate
from bot.nlu.language import LanguageDetector
from bot.nlu.learned import Learned
from bot.nlu.normalise import mask_contacts, normalise
from bot.nlu.places import PlaceFinder
from bot.nlu.ranking import (
    ATTRIBUTE,
    MAX_CHARS,
    MAX_WORDS,
    NOT_DESCRIBED,
    PLAUSIBLE,
    SHORT_WRAPPING,
    SPLIT,
    Ranker,
    focus,
)
from bot.nlu.understanding import MARGIN, THRESHOLD, Understanding

__all__ = ["MAX_CHARS", "MAX_WORDS", "NLU", "SAFETY_CHARS", "THRESHOLD", "default_nlu", "focus"]

#: The safety check reads much further than the ranking (MAX_CHARS): "... and now my husband is beating me" at the
#: end of a long story counts.
SAFETY_CHARS = 5000
#: A leader below WEAK with CROWDED intents within MARGIN of it names no topic ("ich habe ein problem mit
#: dem brief": legal advice, asylum, counselling alike): the person gets the likeliest few to choose from, not two.
CROWDED = 3
#: Nothing named clearly, but the classifier gives a topic at least RESCUE and RESCUE_LEAN times its runner-up:
#: the topic is answered.
RESCUE = 0.2
RESCUE_LEAN = 2.0
WEAK = 45.0  # a leader below this names its topic only weakly


def _non_latin(text: str) -> bool:
    """Does the text have letters of another script than Latin (Arabic, Cyrillic, Ge'ez ...)?"""
    return any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in text)


class NLU:
    """Intent, language and place for a message."""

    def __init__(self, intents: dict[str, Intent], gazetteer: Gazetteer, cache_dir: Path | None = None, *,
                 danger: DangerDetector | None = None, staff: bool = False,
                 classifier: Classifier | None = None, start: Classifier | None = None) -> None:
        """`staff`: the intents include staff topics (bot/knowledge/), whose cache files have names of their own, so
        that those of intents/ alone stay cached too. `classifier`: the one to use instead of training one;
        `start`: the one a training starts from (Classifier.train)."""
        self.intents = intents
        self.gazetteer = gazetteer
        self.cache_dir = cache_dir
        self.frames = ids_where(intents, lambda i: i.kind == "frame")
        self.priority = ids_where(intents, lambda i: i.priority)
        self.wrapping = frozenset(i for role in WRAPPING if (i := by_role(intents, role)) is not None)
        self.not_topics = ids_where(intents, lambda i: not i.is_topic or i.role in NOT_DESCRIBED)
        # Topics a fallback may offer as a guess: never an emergency (the menu has it, and danger is found apart).
        self.choices = ids_where(intents, lambda i: i.is_topic and not i.priority)
        # Each phrase's matching key and the matcher's index: prepared once per change of intents/ (cached).
        prepared = prepare(intents, cache_dir, "staff-examples" if staff else "examples")
        self.keys = prepared.keys  # phrase -> normalised, for validate()
        self.words = prepared.words  # every normalised word of the examples
        self.matcher = prepared.matcher
        examples = prepared.examples
        self.classifier = classifier or Classifier.cached(sorted({(e.text, e.intent) for e in examples}), cache_dir,
                                                          name="staff-classifier" if staff else "classifier",
                                                          start=start)
        self.ranker = Ranker(prepared, self.words, self.classifier, frames=self.frames, priority=self.priority,
                             not_topics=self.not_topics, attribute=by_role(intents, ATTRIBUTE),
                             short_wrapping=frozenset(i for role in SHORT_WRAPPING
                                                      if (i := by_role(intents, role)) is not None))
        self.detector = LanguageDetector((lang, p) for i in intents.values() for lang, ps in i.examples.items()
                                         for p in ps)
        self.places = PlaceFinder(gazetteer, frozenset(fold(w) for w in self.words))
        self.learned = Learned()
        self.danger = danger or DangerDetector(intents, cache_dir, keys=self.keys)

    def extended(self, extra: dict[str, Intent], *, retrain: bool = True) -> NLU:
        """A new NLU that also knows `extra` (topics staff added at run time); the danger detector is shared, as
        staff topics never change what counts as danger. Without `retrain` it keeps this classifier: ready in
        seconds, the new topics found by the example matcher alone until the retrained one takes over."""
        extended = NLU({**self.intents, **extra}, self.gazetteer, self.cache_dir, danger=self.danger,
                       staff=True, classifier=None if retrain else self.classifier, start=self.classifier)
        extended.learned = self.learned
        return extended

    def set_learned(self, examples: Iterable[tuple[str, str]]) -> None:
        """Replace the examples staff taught at run time ((text, intent) pairs); used from the next message on."""
        self.learned = Learned.build((text, intent) for text, intent in examples if intent in self.intents)

    def warm_up(self) -> None:
        """Train the lazily built language models and load lingua now (servers and benchmarks call this)."""
        for text in ("Deutschkurs in Lünen", "ابحث عن روضة", "шукаю роботу", "ሓገዝ"):
            self.understand(text)
        len(self.ranker.typical)  # built now, not on the first message that needs it

    def understand(self, text: str, lang_hint: str | None = None) -> Understanding:
        """Understand one message; never raises on odd input."""
        text = text if isinstance(text, str) else ""
        # A new message: what was matched and classified before is not reused (it is, within one message).
        self.classifier.forget_texts()
        self.danger.forget_texts()
        self.ranker.forget()
        whole = mask_contacts(text[:SAFETY_CHARS])
        text = focus(whole)
        lang_hint = normalise_lang(lang_hint)  # "de-DE" -> "de"; an unsupported language is no hint
        found = self.places.find_current(text)
        words = normalise(text).split()
        sample = text
        removed: set[str] = set()
        if found is not None:
            # The town's name is no evidence of the intent nor of the language ("Recklinghausen" is German).
            removed = {fold(w) for w in words[found.start:found.end]}
            words = words[:found.start] + words[found.end:]
            sample = " ".join(w for w in text.split() if not removed & {fold(p) for p in normalise(w).split()})
            if not any(ch.isalpha() for ch in sample) and _non_latin(text):
                # Only a town, but in its own script ("في لونن", "в Унні"): the script tells the language.
                sample = text
        query = " ".join(self.ranker.stem(w) for w in words[:MAX_WORDS])
        detected, confident = self.detector.detect(sample, lang_hint)
        lang = detected if confident and detected else (lang_hint or detected or "de")
        place = found.place if found else None
        ranked = self.ranker.rank_message(text, removed, query)
        probabilities = self.classifier.probabilities(query) if query else {}
        ranked = arbitrate(probabilities, ranked, len(query.split()), threshold=THRESHOLD, frames=self.frames,
                           priority=self.priority, wrapping=self.wrapping)
        danger_text = " ".join([normalise(whole) if len(whole) > MAX_CHARS else " ".join(words),
                                emoji_words(whole)]).strip()
        chitchat = probabilities.get(OUT_OF_SCOPE, 0.0) if _first(probabilities) == OUT_OF_SCOPE else 0.0
        alarm, probability = self.danger.assess(danger_text, ranked, self.priority, chitchat)
        alarm = alarm or self.danger.emoji_alarm(whole, topicless=not ranked or ranked[0][0] in self.not_topics)
        if alarm is None and probability < CALM_BELOW and len(danger_text.split()) > FEW_WORDS:
            ranked = self._calm(ranked)
        ranked, danger = self._safety_first(alarm, ranked)
        crisis = alarm is not None and alarm.crisis
        kind = alarm.kind if alarm is not None else None
        taught = self.learned.lookup(query)
        if taught is not None and danger is None:  # what staff teach never moves a message away from danger
            ranked = [taught, *[r for r in ranked if r[0] != taught[0]]]
        # A message without a word of the examples ("asdfgh") gives a fallback nothing to guess from.
        unknown = bool(query) and not any(w in self.words for w in query.split())
        likely = [] if unknown else arbiter.likely(probabilities, ranked, self.choices)
        if ranked and danger is None and (_crowded(ranked, probabilities) or self._unsure_none(ranked)):
            ranked = [(ranked[0][0], min(ranked[0][1], THRESHOLD - 0.1)), *ranked[1:]]
        if danger is None and taught is None:
            ranked = self._rescue(ranked, probabilities)
        if not ranked or ranked[0][1] < THRESHOLD:
            return Understanding(OUT_OF_SCOPE, ranked[0][1] if ranked else 0.0, lang, place,
                                 [r for r in ranked[:3] if r[0] != OUT_OF_SCOPE], bool(confident), danger, crisis, kind,
                                 likely, unknown)
        return Understanding(ranked[0][0], ranked[0][1], lang, place, ranked[1:4], bool(confident), danger, crisis,
                             kind, likely, unknown)

    def alarm(self, text: str) -> Alarm | None:
        """The danger detector alone, for a message the engine answers without understanding it ("more")."""
        text = mask_contacts(text[:SAFETY_CHARS])
        words = " ".join([normalise(text), emoji_words(text)]).strip()
        return self.danger.check(words) or self.danger.emoji_alarm(text)

    def _rescue(self, ranked: list[tuple[str, float]], probabilities: Mapping[str, float]) -> list[tuple[str, float]]:
        """A topic the classifier clearly prefers, where the ranking found nothing it could name: matching words were
        too few or too odd ("korsi mota7arek la abi", "cheap furniture??") for the examples, not for the model."""
        if ranked and ranked[0][1] >= THRESHOLD:
            return ranked
        order = sorted(probabilities.items(), key=lambda r: -r[1])[:2]
        if not order or order[0][0] not in self.choices:
            return ranked
        (best, p), second = order[0], (order[1][1] if len(order) > 1 else 0.0)
        if p < RESCUE or p < RESCUE_LEAN * second:
            return ranked
        return [(best, THRESHOLD), *[r for r in ranked if r[0] != best]]

    def _unsure_none(self, ranked: list[tuple[str, float]]) -> bool:
        """Out of scope only when sure: a topic right behind it ("my boy is bored every afternoon any clubs") makes
        it a message to choose a topic for, and one for staff to look at."""
        return (len(ranked) > 1 and ranked[0][0] == OUT_OF_SCOPE and ranked[1][0] not in self.not_topics
                and ranked[0][1] - ranked[1][1] < MARGIN)

    def _calm(self, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """A message the danger classifier finds calm though the ranking put a priority intent first (on words such
        as "police" or "fire": "how do I report my stolen bike to the police?"): the other topics come first."""
        if not ranked or ranked[0][0] not in self.priority:
            return ranked
        others = [r for r in ranked if r[0] not in self.priority]
        if not others:
            return ranked
        top = max(others[0][1], THRESHOLD) if others[0][1] >= PLAUSIBLE else others[0][1]
        return [(others[0][0], top), *[r for r in ranked if r[0] != others[0][0]]]

    def _safety_first(self, hit: Alarm | None,
                      ranked: list[tuple[str, float]]) -> tuple[list[tuple[str, float]], str | None]:
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


@cache
def default_nlu() -> NLU:
    """The NLU over the shipped intents and gazetteer, built once per process.

    The intent data is validated here too; problems are logged (the bot still starts with what is usable) and
    tests/test_intents_data.py fails on them.
    """
    import logging

    intents = load_intents(strict=False)
    from bot.config import Settings, SettingsError, data_dir

    # The trained classifiers are cached in LOTSE_CACHE or beside the database (var/ in a checkout, the user data
    # directory, or LOTSE_DB's folder), where Lotse may write.
    try:
        cache = Settings.from_env().cache_dir
    except SettingsError:  # the command line reports bad settings itself
        cache = data_dir() / "cache"
    nlu = NLU(intents, default_gazetteer(), cache_dir=cache)
    problems = validate(intents, keys=nlu.keys)
    if problems:
        logging.getLogger(__name__).warning("intent data: %d problems, e.g. %s", len(problems), problems[0])
    return nlu


def _first(probabilities: Mapping[str, float]) -> str | None:
    """The classifier's first choice, or None when it knows no word of the text."""
    return max(probabilities, key=probabilities.__getitem__) if probabilities else None


def _right_behind(intent: str, ranked: Sequence[tuple[str, float]]) -> bool:
    """The ranking has the alarm's intent within MARGIN of its leader: the words and the detector agree, so the
    danger decides ("my husband hit me again, what do I do" is not a letter from a debt collector)."""
    return any(i == intent and ranked[0][1] - score < MARGIN for i, score in ranked[1:3])


def _crowded(ranked: list[tuple[str, float]], probabilities: Mapping[str, float]) -> bool:
    """A weak leader among as weak others, or tied with a second the classifier hardly sees (two topics named side by
    side are both seen): no intent is clear."""
    top = ranked[0][1]
    if len(ranked) < 2 or top >= WEAK:
        return False
    if len(ranked) >= CROWDED and ranked[CROWDED - 1][1] > top - MARGIN:
        return True
    tied = ranked[1][1] > top - MARGIN
    return tied and min(probabilities.get(ranked[0][0], 0.0), probabilities.get(ranked[1][0], 0.0)) < SPLIT
