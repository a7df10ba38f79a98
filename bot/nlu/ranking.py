"""Ranking one message's intents by what its words name: examples matched, blended with the classifier.

Examples are short and people's messages are not, so the ranking looks at a message in several ways:
- a very short message must equal an example ("a", "no" say nothing fuzzily);
- a message of several parts (segment.py) is ranked without the parts that are only a frame (greeting, thanks),
  and a part that asks and names a topic weighs as much as the rest ("..., Wo gibt es einen Kurs?");
- a long message is also matched in windows of a few words, so the words of the need are not diluted;
- a frame ("hello", "help", "near me") or a language name ("a doctor who speaks Farsi") around a topic gives way
  to the topic, but only when the rest of the message names it with a word typical of that topic;
- a plausible emergency or violence is promoted next to a close leader;
- Kurmanji/Turkish endings glued to a known word are cut off ("kitayeke" -> "kita").
Of a long story, only the part that asks is ranked (`focus`). Scores are 0..100, best first.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cached_property

from bot.geo.gazetteer import fold
from bot.nlu.classifier import Classifier
from bot.nlu.examples import Prepared
from bot.nlu.intents import OUT_OF_SCOPE, Role
from bot.nlu.matcher import CANDIDATES, Example
from bot.nlu.normalise import normalise
from bot.nlu.segment import segments
from bot.nlu.understanding import MARGIN, THRESHOLD

Ranking = list[tuple[str, float]]
#: Each intent's best example, by its matching key: the words a frame's example takes out of a message.
Best = dict[str, str]

MAX_CHARS = 500  # people write short messages; longer ones are cut so matching stays within milliseconds
MAX_WORDS = 40
SHORT = 2  # letters up to which a message must equal an example to count
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
#: Besides frames and out of scope: the roles of intents that are no topic a language name could describe.
NOT_DESCRIBED = (Role.HANDOFF,)
#: Frames that may wrap a few words of another frame ("hallo, was kannst du alles").
SHORT_WRAPPING = (Role.GREETING, Role.THANKS)
#: Long messages are also matched in windows of WINDOW words (see Ranker._match).
LONG = 8
WINDOW = 5
WINDOW_STEP = 3
MAX_WINDOWS = 5
WINDOW_WEIGHT = 0.95
WINDOW_CANDIDATES = 8
CLEAR = 75.0  # a long message whose best intent scores this much as a whole is not cut into windows
TYPICAL_SHARE = 0.6  # a word is typical of an intent when this share of the examples with it are the intent's
NAMES_TOPIC = 0.5  # ... or a text names an intent when the classifier gives it this probability on the text alone

#: Kurmanji and Turkish endings on loanwords, longest first (normalised: ê -> e).
STEM_SUFFIXES = ("yeke", "yeki", "eke", "eki", "yek", "yen", "yan", "ye", "ya", "yi", "ek", "en", "an", "e", "a",
                 "i")


class Ranker:
    """Ranks intents for the words of one message at a time (what it matched is remembered until `forget`)."""

    def __init__(self, prepared: Prepared, words: set[str], classifier: Classifier, *, frames: frozenset[str],
                 priority: frozenset[str], not_topics: frozenset[str], attribute: str | None,
                 short_wrapping: frozenset[str]) -> None:
        """`words`: every word of the examples; the intents by what they are: `frames`, `priority` (never to be
        missed), `not_topics` (none a language name could describe: NOT_DESCRIBED, frames, out of scope),
        `attribute` (the one with the role ATTRIBUTE) and `short_wrapping` (those with a role of SHORT_WRAPPING)."""
        self.matcher = prepared.matcher
        self.words = words
        self.classifier = classifier
        self.frames = frames
        self.priority = priority
        self.not_topics = not_topics
        self.attribute = attribute
        self.short_wrapping = short_wrapping
        # Very short messages ("a", "no", "ok") are matched exactly or not at all: fuzzy scores on two letters
        # say nothing ("no" is not "NOK", nor a benefit).
        self.short: dict[str, str] = {e.text: e.intent for e in prepared.examples
                                      if len(e.text.replace(" ", "")) <= SHORT}
        self._matched: dict[tuple[str, int], tuple[Ranking, Best]] = {}

    def forget(self) -> None:
        """A new message: what was matched before is not reused (it is, within one message)."""
        self._matched.clear()

    @cached_property
    def typical(self) -> dict[str, frozenset[str]]:
        """Words typical of each intent; built on first use (60 ms that `lotse ask` mostly does not need)."""
        return _typical_words(self.matcher.examples)

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

    def rank_message(self, text: str, removed: Collection[str], query: str) -> Ranking:
        """The message `text` ranked; `query` is its normalised, stemmed words without those of its place
        (`removed`, folded)."""
        if len(query.replace(" ", "")) <= SHORT:
            exact = self.short.get(query)
            return [(exact, 100.0)] if exact else []
        return self._rank_parts(text, removed, query) if query else []

    def _rank_parts(self, text: str, removed: Collection[str], query: str) -> Ranking:
        """Rank a message by its parts: frames (greeting, thanks) left out, the asking part weighed like the rest.

        "Hallo, ich habe Bürgergeld und das Jobcenter sagt, ich muss einen Deutschkurs machen. Wo gibt es einen
        Kurs am Vormittag?" is language_course: the story names benefits, the question decides.
        """
        parts = segments(text)
        if len(parts) < 2:
            return self.rank(query)
        asked = [(" ".join(words[:MAX_WORDS]), part.asks) for part in parts
                 if (words := [self.stem(w) for w in normalise(part.text).split() if fold(w) not in removed])]
        # The parts matched and classified together: one pass each instead of one per part.
        self._match_texts([q for q, _asks in asked], CANDIDATES)
        self.classifier.probabilities_many([q for q, _asks in asked])
        # Parts are not cut into windows: the whole of them is (below), which finds the same needs in less time.
        ranked_parts = [(part_query, asks, self.rank(part_query, windows=False)) for part_query, asks in asked]
        content = [p for p in ranked_parts if not (p[2] and p[2][0][0] in self.frames and p[2][0][1] >= THRESHOLD)]
        if not content or len(content) == len(ranked_parts) == 1:
            return self.rank(query)
        whole = self.rank(" ".join(p[0] for p in content)) if len(content) > 1 else content[0][2]
        if len(content) < len(ranked_parts) and (not whole or whole[0][1] < THRESHOLD + FRAME_MARGIN
                                                 or not any(self.names_topic(q, whole[0][0]) for q, *_r in content)):
            # Without its frame nothing clear is left ("What is near me? I am in Selm"): the frame was the point.
            return self.rank(query)
        # The asking part decides between the contenders of the whole only when it names a topic itself ("Wo gibt
        # es einen Kurs?"), not when it only asks ("Was soll ich tun?", "Is that allowed?").
        contenders = {i for i, _s in whole[:3]}
        asking = [r for q, asks, r in content if asks and r and r[0][0] in contenders - self.not_topics
                  and r[0][1] >= CLEAR_PART and self.names_topic(q, r[0][0])]
        if not asking or len(content) == 1:
            return whole
        question = dict(asking[-1])
        scores = dict(whole)
        combined = {i: (1 - QUESTION_SHARE) * scores.get(i, 0.0) + QUESTION_SHARE * question.get(i, 0.0)
                    for i in scores.keys() | question.keys()}
        return sorted(combined.items(), key=lambda r: -r[1])

    def names_topic(self, text: str, intent: str) -> bool:
        """Does the text contain a word typical of the intent (or one with the same first five letters), or does the
        classifier read the intent in it clearly (a word shared with a few other topics: "з пошуком житла")?"""
        return self.typical_word(text, intent) or self.classifier.probabilities(text).get(intent, 0.0) >= NAMES_TOPIC

    def typical_word(self, text: str, intent: str) -> bool:
        """Does the text contain a word typical of the intent, or one with the same first five letters?"""
        typical = self.typical.get(intent, frozenset())
        return any(w in typical or (len(w) >= 5 and w[:5] in typical) for w in text.split())

    def rank(self, query: str, *, windows: bool = True) -> Ranking:
        """Intents with scores 0..100, best first.

        Two corrections after matching: a topic beats a frame around it ("Kita in meiner Nähe" is kita, not
        nearby; "Hallo, ich suche eine Wohnung" is housing), and emergency and violence_protection are promoted
        whenever they are plausible.
        """
        ranked, best = self._blend(query, windows=windows)
        # A frame only the classifier names ("DA0" read as thanks) has no example whose words could be taken out.
        if ranked and ranked[0][0] in self.frames and ranked[0][0] in best:
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

    def _blend(self, query: str, *, windows: bool = True) -> tuple[Ranking, Best]:
        """The matcher's scores blended with the classifier's probabilities (both 0..100)."""
        ranked, best = self._match(query, split=windows)
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

    def _match(self, query: str, *, split: bool = True) -> tuple[Ranking, Best]:
        """Intents by their best two examples, and the text of each intent's best example.

        Examples are short; in a long message ("mir geht's schlecht seit dem Krieg, gibt es Psychologen, die
        Farsi sprechen?") the words of the need are diluted by the rest. So a long message is also matched in
        overlapping windows of a few words, and each intent keeps its best score (a window counts a little less).
        """
        ranked, best = self._match_text(query)
        words = query.split()
        if not split or len(words) < LONG or (ranked and ranked[0][1] >= CLEAR):
            return ranked, best  # short, or clear enough already: windows would cost time for nothing
        scores = dict(ranked)
        windows = [" ".join(words[start:start + WINDOW])
                   for start in range(0, len(words) - WINDOW + WINDOW_STEP, WINDOW_STEP)[:MAX_WINDOWS]]
        for part, part_best in self._match_texts(windows, WINDOW_CANDIDATES):
            for intent, score in part:
                if score * WINDOW_WEIGHT > scores.get(intent, 0.0):
                    scores[intent] = score * WINDOW_WEIGHT
                    best[intent] = part_best[intent]
        return sorted(scores.items(), key=lambda r: -r[1]), best

    def _match_text(self, query: str, limit: int = CANDIDATES) -> tuple[Ranking, Best]:
        """_scored, remembered for the rest of the message (its parts and windows overlap)."""
        return self._match_texts([query], limit)[0]

    def _match_texts(self, queries: list[str], limit: int) -> list[tuple[Ranking, Best]]:
        """_match_text of several texts; the candidates of those not matched yet are found in one pass."""
        new = list(dict.fromkeys(q for q in queries if (q, limit) not in self._matched))
        for query, candidates in zip(new, self.matcher.candidates_many(new, limit) if new else [], strict=True):
            self._matched[(query, limit)] = self._scored(query, candidates)
        return [(list(ranked), dict(best)) for ranked, best in (self._matched[(q, limit)] for q in queries)]

    def _scored(self, query: str, candidates: list[tuple[int, float]]) -> tuple[Ranking, Best]:
        # Only an intent's best two examples count: a candidate that cannot beat the second of its intent's two
        # best so far is not scored (candidates come best cosine first, so much of the tail is skipped unscored).
        per_intent: dict[str, list[tuple[float, str]]] = {}
        examples, score, most = self.matcher.examples, self.matcher.score, self.matcher.most
        for index, cosine in candidates:
            example = examples[index]
            scored = per_intent.setdefault(example.intent, [])
            if len(scored) == 2 and most(query, example.text, cosine) < scored[1][0]:
                continue
            scored.append((score(query, example.text, cosine), example.text))
            if len(scored) > 1:
                scored.sort(reverse=True)
                del scored[2:]
        ranked: Ranking = []
        best: Best = {}
        for intent, scored in per_intent.items():  # each intent's best two, best first
            second = scored[1][0] if len(scored) > 1 else 0.0
            ranked.append((intent, (scored[0][0] + SECOND_WEIGHT * second) / (1 + SECOND_WEIGHT)))
            best[intent] = scored[0][1]
        ranked.sort(key=lambda r: -r[1])
        return ranked, best

    def _topic_inside_frame(self, query: str, ranked: Ranking, frame: str) -> Ranking:
        """Without the words of the frame's example, does a topic remain? Then the topic is the answer."""
        frame_words = set(frame.split())
        rest = " ".join(w for w in query.split() if w not in frame_words)
        if not rest or rest == query:
            return ranked
        inner, _best = self._blend(rest)
        if ranked[0][0] == self.attribute:
            # "gibt es Psychologen, die Farsi sprechen": the topic may be only a bit ahead of "nearby" or "help",
            # but it must be named by a word of its own ("can you", "i want" are no topic).
            inner = [r for r in inner if r[0] not in self.not_topics and self.names_topic(rest, r[0])][:1]
        elif inner and inner[0][0] not in self.frames and not self.names_topic(rest, inner[0][0]):
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
