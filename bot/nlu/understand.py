"""Understanding one message: intent with confidence, reply language, place, runner-up intents.

The pipeline: find the place (and take its words out of the question, so "Lünen" does not vote for an intent),
match the rest against the intent examples (matcher.py), apply the confidence threshold, let emergency and
violence_protection win whenever they are plausible, and detect the language (language.py).
Three things help with messages unlike the examples: Kurmanji/Turkish endings glued to a known word are cut off
("kitayeke" -> "kita"); a long message is also matched in windows of a few words; a frame ("hello", "help",
"near me") or a language name ("a doctor who speaks Farsi") around a topic gives way to the topic, but only when
the rest of the message names it with a word typical of that topic. The trained classifier has the last word on
the ranking when it is sure or clearly leaning (arbiter.py), before danger is judged.
Scores are 0..100 inside Python and 0..1 in JSON.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path

from bot.geo.gazetteer import Gazetteer, default_gazetteer, fold
from bot.i18n import normalise_lang
from bot.nlu import arbiter
from bot.nlu.arbiter import WRAPPING, arbitrate
from bot.nlu.classifier import Classifier
from bot.nlu.danger import CALM_BELOW, FEW_WORDS, Alarm, DangerDetector, emoji_words
from bot.nlu.examples import prepare
from bot.nlu.intents import OUT_OF_SCOPE, Intent, Role, by_role, ids_where, load_intents, validate
from bot.nlu.language import LanguageDetector
from bot.nlu.learned import Learned
from bot.nlu.matcher import CANDIDATES, Example
from bot.nlu.normalise import mask_contacts, normalise
from bot.nlu.places import PlaceFinder
from bot.nlu.segment import segments
from bot.nlu.understanding import MARGIN, Understanding

MAX_CHARS = 500  # people write short messages; longer ones are cut so matching stays within milliseconds
#: The safety check reads much further: "... and now my husband is beating me" at the end of a long story counts.
SAFETY_CHARS = 5000
MAX_WORDS = 40
THRESHOLD = 40.0  # below: "none"
#: Share of the trained classifier in an intent's score; the rest is the example matcher's.
CLASSIFIER_SHARE = 0.3
#: Share of the asking part (a sentence ending in "?") in a message of several parts; the rest is the whole.
QUESTION_SHARE = 0.5
CLEAR_PART = 65.0  # the asking part must name its topic this clearly, and the whole must have it in its top 3
#: Two topics named side by side ("Arbeit und Wohnung"): the matcher has them within MARGIN and the classifier
#: gives the second at least this probability. They are then kept close, and the person is asked.
SPLIT = 0.15
#: Intents that must never be missed (`priority: true` in their file) win when they score at least PLAUSIBLE and
#: are within PRIORITY_MARGIN of the best intent.
PLAUSIBLE = 48.0
PRIORITY_MARGIN = 6.0
SECOND_WEIGHT = 0.3  # an intent whose second-best example also matches is more likely than a lucky single hit
#: Frames (`kind: frame`) are often only the wrapping of a question ("Hallo, ...", "... near me", "thanks, and
#: ...", "help with ..."): when the rest of the message clearly names a topic (THRESHOLD + FRAME_MARGIN), the
#: topic wins.
FRAME_MARGIN = 15.0
#: A language name is often an attribute of the topic ("a doctor who speaks Farsi", "Arabic school"), not a
#: request to switch the bot's language: next to a topic, the intent with this role never wins nor competes.
ATTRIBUTE = Role.CHANGE_LANGUAGE
ATTRIBUTE_MARGIN = 0.0
#: A leader below WEAK with CROWDED intents within MARGIN of it names no topic ("ich habe ein problem mit
#: dem brief": legal advice, asylum, counselling alike): the person gets the likeliest few to choose from, not two.
CROWDED = 3
#: Nothing named clearly, but the classifier gives a topic at least RESCUE and RESCUE_LEAN times its runner-up:
#: the topic is answered.
RESCUE = 0.2
RESCUE_LEAN = 2.0
WEAK = 45.0  # a leader below this names its topic only weakly
#: Long messages are also matched in windows of WINDOW words (see NLU._match).
LONG = 8
WINDOW = 5
WINDOW_STEP = 3
MAX_WINDOWS = 5
WINDOW_WEIGHT = 0.95
WINDOW_CANDIDATES = 20
CLEAR = 75.0  # a long message whose best intent scores this much as a whole is not cut into windows
#: Besides frames and out of scope: the roles of intents that are no topic a language name could describe.
NOT_DESCRIBED = (Role.HANDOFF,)
#: Frames that may wrap a few words of another frame ("hallo, was kannst du alles").
SHORT_WRAPPING = (Role.GREETING, Role.THANKS)
TYPICAL_SHARE = 0.6  # a word is typical of an intent when this share of the examples with it are the intent's
NAMES_TOPIC = 0.5  # ... or a text names an intent when the classifier gives it this probability on the text alone

#: Kurmanji and Turkish endings on loanwords, longest first (normalised: ê -> e).
STEM_SUFFIXES = ("yeke", "yeki", "eke", "eki", "yek", "yen", "yan", "ye", "ya", "yi", "ek", "en", "an", "e", "a",
                 "i")


def _non_latin(text: str) -> bool:
    """Does the text have letters of another script than Latin (Arabic, Cyrillic, Ge'ez ...)?"""
    return any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in text)


SHORT = 2  # letters up to which a message must equal an example to count


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
        self.attribute = by_role(intents, ATTRIBUTE)
        self.short_wrapping = frozenset(i for role in SHORT_WRAPPING if (i := by_role(intents, role)) is not None)
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
        # Very short messages ("a", "no", "ok") are matched exactly or not at all: fuzzy scores on two letters
        # say nothing ("no" is not "NOK", nor a benefit).
        self.short: dict[str, str] = {e.text: e.intent for e in examples if len(e.text.replace(" ", "")) <= SHORT}
        self.detector = LanguageDetector((lang, p) for i in intents.values() for lang, ps in i.examples.items()
                                         for p in ps)
        self.places = PlaceFinder(gazetteer, frozenset(fold(w) for w in self.words))
        self.learned = Learned()
        self.danger = danger or DangerDetector(intents, cache_dir, keys=self.keys)
        self._matched: dict[tuple[str, int], tuple[list[tuple[str, float]], dict[str, str]]] = {}

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
        len(self.typical)  # built now, not on the first message that needs it

    def understand(self, text: str, lang_hint: str | None = None) -> Understanding:
        """Understand one message; never raises on odd input."""
        text = text if isinstance(text, str) else ""
        # A new message: what was matched and classified before is not reused (it is, within one message).
        self.classifier.forget_texts()
        self.danger.forget_texts()
        self._matched.clear()
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
        query = " ".join(self.stem(w) for w in words[:MAX_WORDS])
        detected, confident = self.detector.detect(sample, lang_hint)
        lang = detected if confident and detected else (lang_hint or detected or "de")
        place = found.place if found else None
        if len(query.replace(" ", "")) <= SHORT:
            exact = self.short.get(query)
            ranked = [(exact, 100.0)] if exact else []
        else:
            ranked = self._rank_parts(text, removed, query) if query else []
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

    def _rank_parts(self, text: str, removed: set[str], query: str) -> list[tuple[str, float]]:
        """Rank a message by its parts: frames (greeting, thanks) left out, the asking part weighed like the rest.

        "Hallo, ich habe Bürgergeld und das Jobcenter sagt, ich muss einen Deutschkurs machen. Wo gibt es einen
        Kurs am Vormittag?" is language_course: the story names benefits, the question decides.
        """
        parts = segments(text)
        if len(parts) < 2:
            return self.rank(query)
        ranked_parts: list[tuple[str, bool, list[tuple[str, float]]]] = []
        for part in parts:
            words = [self.stem(w) for w in normalise(part.text).split() if fold(w) not in removed]
            if words:
                part_query = " ".join(words[:MAX_WORDS])
                ranked_parts.append((part_query, part.asks, self.rank(part_query)))
        content = [p for p in ranked_parts if not (p[2] and p[2][0][0] in self.frames and p[2][0][1] >= THRESHOLD)]
        if not content or len(content) == len(ranked_parts) == 1:
            return self.rank(query)
        whole = self.rank(" ".join(p[0] for p in content)) if len(content) > 1 else content[0][2]
        if len(content) < len(ranked_parts) and (not whole or whole[0][1] < THRESHOLD + FRAME_MARGIN
                                                 or not any(self._names_topic(q, whole[0][0]) for q, *_r in content)):
            # Without its frame nothing clear is left ("What is near me? I am in Selm"): the frame was the point.
            return self.rank(query)
        # The asking part decides between the contenders of the whole only when it names a topic itself ("Wo gibt
        # es einen Kurs?"), not when it only asks ("Was soll ich tun?", "Is that allowed?").
        contenders = {i for i, _s in whole[:3]}
        asking = [r for q, asks, r in content if asks and r and r[0][0] in contenders - self.not_topics
                  and r[0][1] >= CLEAR_PART and self._names_topic(q, r[0][0])]
        if not asking or len(content) == 1:
            return whole
        question = dict(asking[-1])
        scores = dict(whole)
        combined = {i: (1 - QUESTION_SHARE) * scores.get(i, 0.0) + QUESTION_SHARE * question.get(i, 0.0)
                    for i in scores.keys() | question.keys()}
        return sorted(combined.items(), key=lambda r: -r[1])

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

    @cached_property
    def typical(self) -> dict[str, frozenset[str]]:
        """Words typical of each intent; built on first use (60 ms that `lotse ask` mostly does not need)."""
        return _typical_words(self.matcher.examples)

    def _names_topic(self, text: str, intent: str) -> bool:
        """Does the text contain a word typical of the intent (or one with the same first five letters), or does the
        classifier read the intent in it clearly (a word shared with a few other topics: "з пошуком житла")?"""
        typical = self.typical.get(intent, frozenset())
        return (any(w in typical or (len(w) >= 5 and w[:5] in typical) for w in text.split())
                or self.classifier.probabilities(text).get(intent, 0.0) >= NAMES_TOPIC)

    def stem(self, word: str) -> str:
        """An unknown Latin-script word whose stem is a known word, as that word: Kurmanji and Turkish glue
        articles and cases to loanwords ("kitayeke" -> "kita", "jobcentera" -> "jobcenter", "kursa" -> "kurs")."""
        if word in self.words or len(word) < 5 or not word.isascii() or not word.isalpha():
            return word
        for suffix in STEM_SUFFIXES:
            stem = word[:-len(suffix)]
            if word.endswith(suffix) and len(stem) >= 3 and stem in self.words:
                return stem
        return word

    def rank(self, query: str) -> list[tuple[str, float]]:
        """Intents with scores 0..100, best first.

        Two corrections after matching: a topic beats a frame around it ("Kita in meiner Nähe" is kita, not
        nearby; "Hallo, ich suche eine Wohnung" is housing), and emergency and violence_protection are promoted
        whenever they are plausible.
        """
        ranked, best = self._blend(query)
        if ranked and ranked[0][0] in self.frames:
            ranked = self._topic_inside_frame(query, ranked, best[ranked[0][0]])
        if len(ranked) > 1 and ranked[0][0] not in self.frames and ranked[1][0] in self.frames:
            # A topic with its frame around it ("Kita in meiner Nähe", "Farsi-speaking gynaecologist"): the topic
            # is clear, and a frame is never a choice to ask about ("kita or near me?").
            ranked[1] = (ranked[1][0], min(ranked[1][1], ranked[0][1] - MARGIN))
            ranked.sort(key=lambda r: -r[1])
        if ranked and ranked[0][0] in self.priority and PLAUSIBLE <= ranked[0][1] < THRESHOLD:
            ranked[0] = (ranked[0][0], THRESHOLD)  # a plausible emergency is never "none"
        elif ranked and ranked[0][0] not in self.priority:
            top = ranked[0][1]
            for position, (intent, score) in enumerate(ranked[1:4], start=1):
                if intent in self.priority and score >= PLAUSIBLE and top - score <= PRIORITY_MARGIN:
                    # Better to show the emergency numbers once too often than once too rarely.
                    ranked.insert(0, ranked.pop(position))
                    ranked[0] = (intent, max(score, THRESHOLD))
                    break
        return ranked

    def _blend(self, query: str) -> tuple[list[tuple[str, float]], dict[str, str]]:
        """The matcher's scores blended with the classifier's probabilities (both 0..100)."""
        ranked, best = self._match(query)
        probabilities = self.classifier.probabilities(query)
        if not probabilities:
            return ranked, best
        matched = dict(ranked)
        blended = {i: (1 - CLASSIFIER_SHARE) * matched.get(i, 0.0) + CLASSIFIER_SHARE * 100 * probabilities.get(i, 0.0)
                   for i in matched.keys() | probabilities.keys()}
        out = sorted(((i, s) for i, s in blended.items() if s > 1.0), key=lambda r: -r[1])
        if (len(ranked) > 1 and len(out) > 1 and {ranked[0][0], ranked[1][0]} == {out[0][0], out[1][0]}
                and ranked[0][1] - ranked[1][1] < MARGIN and probabilities.get(out[1][0], 0.0) >= SPLIT):
            out[1] = (out[1][0], max(out[1][1], out[0][1] - MARGIN / 2))
        return out, best

    def _match(self, query: str) -> tuple[list[tuple[str, float]], dict[str, str]]:
        """Intents by their best two examples, and the text of each intent's best example.

        Examples are short; in a long message ("mir geht's schlecht seit dem Krieg, gibt es Psychologen, die
        Farsi sprechen?") the words of the need are diluted by the rest. So a long message is also matched in
        overlapping windows of a few words, and each intent keeps its best score (a window counts a little less).
        """
        ranked, best = self._match_text(query)
        words = query.split()
        if len(words) < LONG or (ranked and ranked[0][1] >= CLEAR):
            return ranked, best  # short, or clear enough already: windows would cost time for nothing
        scores = dict(ranked)
        for start in range(0, len(words) - WINDOW + WINDOW_STEP, WINDOW_STEP)[:MAX_WINDOWS]:
            part, part_best = self._match_text(" ".join(words[start:start + WINDOW]), WINDOW_CANDIDATES)
            for intent, score in part:
                if score * WINDOW_WEIGHT > scores.get(intent, 0.0):
                    scores[intent] = score * WINDOW_WEIGHT
                    best[intent] = part_best[intent]
        return sorted(scores.items(), key=lambda r: -r[1]), best

    def _match_text(self, query: str, limit: int = CANDIDATES) -> tuple[list[tuple[str, float]], dict[str, str]]:
        """_scored, remembered for the rest of the message (its parts and windows overlap)."""
        key = (query, limit)
        if (known := self._matched.get(key)) is None:
            known = self._matched[key] = self._scored(query, limit)
        return list(known[0]), dict(known[1])

    def _scored(self, query: str, limit: int) -> tuple[list[tuple[str, float]], dict[str, str]]:
        per_intent: dict[str, list[tuple[float, str]]] = {}
        for index, cosine in self.matcher.candidates(query, limit):
            example = self.matcher.examples[index]
            score = self.matcher.score(query, example.text, cosine)
            per_intent.setdefault(example.intent, []).append((score, example.text))
        ranked: list[tuple[str, float]] = []
        best: dict[str, str] = {}
        for intent, scored in per_intent.items():
            scored.sort(reverse=True)
            second = scored[1][0] if len(scored) > 1 else 0.0
            ranked.append((intent, (scored[0][0] + SECOND_WEIGHT * second) / (1 + SECOND_WEIGHT)))
            best[intent] = scored[0][1]
        ranked.sort(key=lambda r: -r[1])
        return ranked, best

    def _topic_inside_frame(self, query: str, ranked: list[tuple[str, float]],
                            frame: str) -> list[tuple[str, float]]:
        """Without the words of the frame's example, does a topic remain? Then the topic is the answer."""
        frame_words = set(frame.split())
        rest = " ".join(w for w in query.split() if w not in frame_words)
        if not rest or rest == query:
            return ranked
        inner, _best = self._blend(rest)
        if ranked[0][0] == self.attribute:
            # "gibt es Psychologen, die Farsi sprechen": the topic may be only a bit ahead of "nearby" or "help",
            # but it must be named by a word of its own ("can you", "i want" are no topic).
            inner = [r for r in inner if r[0] not in self.not_topics and self._names_topic(rest, r[0])][:1]
        elif inner and inner[0][0] not in self.frames and not self._names_topic(rest, inner[0][0]):
            return ranked  # "what is this chatbot needed for" minus "what is this bot for": no topic is named
        # A topic inside a frame wins; another frame only when a greeting or thanks wraps it in a few words of
        # their own ("hallo, was kannst du alles"): "Spas ji bo alîkariyê" (thanks for the help) stays thanks.
        # Separate sentences ("Danke! Was kannst du?") are parts of their own already (segment.py).
        wrapped_ok = bool(inner) and (inner[0][0] not in self.frames
                                      or (ranked[0][0] in self.short_wrapping and len(rest.split()) > 3
                                          and inner[0][0] not in self.short_wrapping))
        # After a language name, any topic will do ("Farsi-speaking gynaecologist"); other frames need a clear one.
        margin = ATTRIBUTE_MARGIN if ranked[0][0] == self.attribute else FRAME_MARGIN
        if (not wrapped_ok or inner[0][0] in (OUT_OF_SCOPE, ranked[0][0])
                or inner[0][1] < THRESHOLD + margin):
            return ranked
        topic, frame_intent = inner[0][0], ranked[0][0]
        score = max(inner[0][1], ranked[0][1])
        # The frame was only the wrapping: it stays a runner-up, but not a close one (no clarifying question).
        rest_ranked = [r for r in ranked if r[0] not in (topic, frame_intent)]
        rest_ranked.append((frame_intent, min(ranked[0][1], score - MARGIN)))
        return [(topic, score), *sorted(rest_ranked, key=lambda r: -r[1])]


def focus(text: str, limit: int = MAX_CHARS) -> str:
    """The part of a message that asks: all of a short one; of a long story its last sentences, up to `limit`
    characters (people tell what happened first and ask at the end; a greeting at the start never decides)."""
    if len(text) <= limit:
        return text
    kept: list[str] = []
    size = 0
    for part in reversed(_SENTENCE_END.split(text)):
        if size + len(part) > limit:
            break
        kept.insert(0, part)
        size += len(part) + 1
    if kept and any(ch.isalnum() for ch in " ".join(kept)):
        return " ".join(kept).strip()
    tail = text[-limit:]  # one endless sentence: its last words
    return tail[tail.find(" ") + 1:] if " " in tail else tail


_SENTENCE_END = re.compile(r"(?<=[.!?؟۔።\n])\s+")


def _typical_words(examples: list[Example]) -> dict[str, frozenset[str]]:
    """Per intent, the words (and five-letter prefixes of longer words) found mostly in its examples."""
    counts: dict[str, dict[str, int]] = {}
    for example in examples:
        for word in set(example.text.split()):
            for form in {word, word[:5]} if len(word) >= 5 else {word}:
                if len(form) >= 3:
                    per = counts.setdefault(form, {})
                    per[example.intent] = per.get(example.intent, 0) + 1
    typical: dict[str, set[str]] = {}
    for form, per in counts.items():
        intent, count = max(per.items(), key=lambda kv: kv[1])
        if count >= TYPICAL_SHARE * sum(per.values()):
            typical.setdefault(intent, set()).add(form)
    return {intent: frozenset(forms) for intent, forms in typical.items()}


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
