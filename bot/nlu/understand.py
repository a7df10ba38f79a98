"""Understanding one message: intent with confidence, reply language, place, runner-up intents.

The pipeline, one path per message and each step run once: find the place (and take its words out of the
question, so "Lünen" does not vote for an intent), detect the language (language.py), rank the intents by what the
rest names (ranking.py: the examples matched and blended with the classifier, by the message's parts, in windows
over a long one, a topic winning over the frame around it), let the trained classifier have the last word on the
ranking when it is sure or clearly leaning (arbiter.py), judge the danger (danger.py), and decide (decision.py):
danger first, what staff taught, unsure leaders offered as a choice, "none" below the confidence threshold.
Scores are 0..100 inside Python and 0..1 in JSON.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path

from bot.geo.gazetteer import Gazetteer, default_gazetteer, fold
from bot.i18n import normalise_lang
from bot.nlu.arbiter import WRAPPING, arbitrate
from bot.nlu.classifier import Classifier
from bot.nlu.danger import Alarm, DangerDetector, emoji_words
from bot.nlu.decision import Decider
from bot.nlu.examples import prepare
from bot.nlu.intents import OUT_OF_SCOPE, Intent, by_role, ids_where, load_intents, validate
from bot.nlu.language import LanguageDetector
from bot.nlu.learned import Learned
from bot.nlu.normalise import mask_contacts, normalise
from bot.nlu.places import Found, PlaceFinder
from bot.nlu.ranking import ATTRIBUTE, MAX_CHARS, MAX_WORDS, NOT_DESCRIBED, SHORT_WRAPPING, Ranker, Ranking, focus
from bot.nlu.understanding import THRESHOLD, Understanding

__all__ = ["MAX_CHARS", "MAX_WORDS", "NLU", "SAFETY_CHARS", "THRESHOLD", "default_nlu", "focus"]

#: A runner-up this sure, named by a word typical of it, is a second need of the message (Understanding.also).
ALSO = 50.0

#: The safety check reads much further than the ranking (MAX_CHARS): "... and now my husband is beating me" at the
#: end of a long story counts.
SAFETY_CHARS = 5000


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
        self.not_second = self.not_topics | self.frames | self.priority  # never offered as a second need
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
        # Topics a fallback may offer as a guess: never an emergency (the menu has it, and danger is found apart).
        self.decider = Decider(self.priority, self.not_topics,
                               choices=ids_where(intents, lambda i: i.is_topic and not i.priority))
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
        normalise.cache_clear()
        whole = mask_contacts(text[:SAFETY_CHARS])
        text = focus(whole)
        lang_hint = normalise_lang(lang_hint)  # "de-DE" -> "de"; an unsupported language is no hint
        found = self.places.find_current(text)
        words, removed, sample = _without_place(text, found)
        query = " ".join(self.ranker.stem(w) for w in words[:MAX_WORDS])
        detected, confident = self.detector.detect(sample, lang_hint)
        lang = detected if confident and detected else (lang_hint or detected or "de")
        ranked = self.ranker.rank_message(text, removed, query)
        probabilities = self.classifier.probabilities(query) if query else {}
        ranked = arbitrate(probabilities, ranked, len(query.split()), threshold=THRESHOLD, frames=self.frames,
                           priority=self.priority, wrapping=self.wrapping)
        alarm, calm = self._danger(whole, words, ranked, probabilities)
        # A message without a word of the examples ("asdfgh") gives a fallback nothing to guess from.
        unknown = bool(query) and not any(w in self.words for w in query.split())
        decision = self.decider.decide(ranked, probabilities, alarm, calm=calm, taught=self.learned.lookup(query),
                                       unknown=unknown)
        intent, score, alternatives = decision.outcome()
        # "nee, kein Notfall": no alarm, and the emergency the word "Notfall" ranks first is not the topic either.
        no_danger = alarm is None and self.danger.says_none(" ".join(words))
        if no_danger and intent in self.priority:
            intent, score, alternatives = self._not_priority(alternatives)
        understanding = Understanding(intent, score, lang, found.place if found else None, alternatives,
                                      lang_confident=bool(confident), danger=None if no_danger else decision.danger,
                                      crisis=alarm is not None and alarm.crisis,
                                      danger_kind=alarm.kind if alarm is not None else None, likely=decision.likely,
                                      unknown=unknown, no_danger=no_danger)
        return replace(understanding, also=self._also(understanding, query))

    def _not_priority(self, alternatives: list[tuple[str, float]]) -> tuple[str, float, list[tuple[str, float]]]:
        """The outcome of a message that says there is no danger, where a priority intent led on a word of it
        ("nee, kein Notfall": the emergency by "Notfall"): the next topic, or out of scope when there is none."""
        rest = [(intent, score) for intent, score in alternatives if intent not in self.priority]
        if not rest or rest[0][1] < THRESHOLD:
            return OUT_OF_SCOPE, 0.0, rest
        (intent, score), *others = rest
        return intent, score, others

    def _also(self, understanding: Understanding, query: str) -> str | None:
        """A second topic the message names besides the one it is answered with, if any: among the next two, one
        scoring ALSO or more whose own words are in the message ("Deutschkurs" beside "Kitaplatz"). Two close
        topics that are both named are two needs ("Arbeit und eine Wohnung"), not a doubt between them."""
        skip = self.not_second
        if understanding.intent in skip or understanding.danger is not None:
            return None
        if understanding.ambiguous and not self.ranker.typical_word(query, understanding.intent):
            return None  # two close topics, not both named: which one is meant is a question to ask
        return next((i for i, score in understanding.alternatives[:2]
                     if i not in skip and score >= ALSO and self.ranker.typical_word(query, i)), None)

    def alarm(self, text: str) -> Alarm | None:
        """The danger detector alone, for a message the engine answers without understanding it ("more")."""
        text = mask_contacts(text[:SAFETY_CHARS])
        words = " ".join([normalise(text), emoji_words(text)]).strip()
        return self.danger.check(words) or self.danger.emoji_alarm(text)

    def _danger(self, whole: str, words: list[str], ranked: Ranking,
                probabilities: Mapping[str, float]) -> tuple[Alarm | None, bool]:
        """The danger in the whole message (its words without the place, or all of a long story, and its emoji),
        and whether the danger classifier finds it calm (too few words are never calm: "ruf die Polizei")."""
        danger_text = " ".join([normalise(whole) if len(whole) > MAX_CHARS else " ".join(words),
                                emoji_words(whole)]).strip()
        chitchat = probabilities.get(OUT_OF_SCOPE, 0.0) if _first(probabilities) == OUT_OF_SCOPE else 0.0
        alarm, calm = self.danger.assess(danger_text, ranked, self.priority, chitchat, self.wrapping)
        alarm = alarm or self.danger.emoji_alarm(whole)
        return alarm, calm


def _without_place(text: str, found: Found | None) -> tuple[list[str], set[str], str]:
    """The message's normalised words without those of its place, the place's words (folded), and the text to tell
    the language by: the town's name is no evidence of the intent nor of the language ("Recklinghausen" is German)."""
    words = normalise(text).split()
    if found is None:
        return words, set(), text
    removed = {fold(w) for w in words[found.start:found.end]}
    sample = " ".join(w for w in text.split() if not removed & {fold(p) for p in normalise(w).split()})
    if not any(ch.isalpha() for ch in sample) and _non_latin(text):
        # Only a town, but in its own script ("في لونن", "в Унні"): the script tells the language.
        sample = text
    return words[:found.start] + words[found.end:], removed, sample


def _non_latin(text: str) -> bool:
    """Does the text have letters of another script than Latin (Arabic, Cyrillic, Ge'ez ...)?"""
    return any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in text)


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
