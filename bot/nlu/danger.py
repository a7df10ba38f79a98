"""The danger detector: is someone in danger, whatever else the message asks? Recall first, judged on its own.

Word lists find what their authors foresaw; people in danger write symptoms, half sentences, dialect and other
scripts ("у тата перекосило обличчя", "mera shohar mujhe roz marta hai"). So two looks, and either may raise the
alarm:
- the danger words (bot/nlu/safety.py): phrases that mean danger on their own, from the `danger:` sections of the
  priority intents and the `words:` of each situation;
- a classifier over situations (logistic regression on words and character n-grams, as bot/nlu/classifier.py),
  trained on the `examples:` of intents/danger/<kind>.yaml against every other intent's examples and the near
  misses of intents/danger/safe.yaml ("how do I report my stolen bike to the police?"). A situation's examples
  weigh more than everyday ones, so a rare situation is not outvoted, and it fires at a low probability: a false
  alarm costs one line with 112 above a normal answer, a miss can cost a life.

Words that tell of a danger as past or as none ("last year", "not an emergency": `calm:` and `no_danger:` in
safe.yaml) make the two looks agree more before the alarm: "my friend took his life last year" asks for a grief
group; a short message that only says there is none ("nee, kein Notfall") raises no alarm but by strong words.

A long message is also read in windows of a few words, so danger at the end of a story about a German course
counts as much as a message about nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import resources
from bot.nlu.classifier import Classifier
from bot.nlu.intents import INTENTS_DIR, Intent
from bot.nlu.normalise import normalise
from bot.nlu.safety import Danger, SafetyCheck

DANGER_DIR = INTENTS_DIR / "danger"
SAFE = "safe"  # the classifier's label for "no danger"
#: ... and for the near misses of safe.yaml: a class of their own, so their few examples weigh as much as a
#: situation's and teach the line between "my husband beats me" and "my husband beats me at chess".
NEAR = "near"
CALM = (SAFE, NEAR)
#: How much an example of a situation and of a near miss weighs against an everyday example: situations are
#: rare in the data but must not be outvoted; near misses teach where the line is.
SITUATION_WEIGHT = 12.0
NEAR_WEIGHT = 9.0
#: The danger model is fit tightly: at scikit-learn's default tolerance the fit stopped early, on a path that one
#: added everyday example changes, and that moved 29 of 13,028 development messages across the alarm bar; fit to
#: this tolerance, 2 (so a new example in intents/ moves the alarms it should, not others by chance).
FIT_TOL = 1e-6
#: The classifier raises the alarm when the situations together have at least this probability. Recall first:
#: each near miss it learns pulls some messages in danger under the bar too, so the bar sits low enough that the
#: development sets keep the alarms they had before the near misses, at the price of a few everyday ones. (Fit to
#: FIT_TOL the model is a little more sure that everyday messages are calm: 0.16 keeps the alarms 0.18 gave before.)
ALARM = 0.16
#: ... or a weak danger word (`~` in the lists) is in the message and the classifier gives at least this much
WEAK_ALARM = 0.15
#: ... or a message of a few words has this much (the danger words catch "er atmet nicht", "SOS")
SHORT_ALARM = 0.6
#: ... or one window of a long message has this much (a few words read alone are easily alarming).
WINDOW_ALARM = 0.7
#: Words that tell of a danger as past or say there is none (the `calm:` words of safe.yaml: "last year", "not an
#: emergency") weaken what stands near them: a danger word within MARKED_SPAN words needs CONTEXT_ALARM, a window
#: with one needs MARKED_WINDOW, and the classifier alone MARKED_ALARM on a message that has one. "My friend took
#: his life last year, is there a grief group?" is calm; "we came a year ago ... now he beats me, I am bleeding" and
#: "last year he broke her arm, today he came with a knife" are not.
MARKED_SPAN = 8
#: A danger word beside such words, or a weak one in a message about a danger as a subject (a film, a book, an essay:
#: `about:` in safe.yaml), raises the alarm when the classifier finds at least this much danger.
CONTEXT_ALARM = 0.3
MARKED_ALARM = 0.3
MARKED_WINDOW = 0.8
#: ... and decides the topic (the person's own words named no clearer one) from this probability on.
DECIDES = 0.6
#: The classifier names a situation this surely: it wins over the situation of a danger word of the same intent.
SURE_KIND = 0.9
#: A situation the classifier alone finds with less than this probability is outvoted by a topic ranking whose
#: leader scores OUTVOTED_BY and whose first OUTVOTED_AMONG intents hold no priority intent.
OUTVOTED_BELOW = 0.3
OUTVOTED_BY = 60.0
OUTVOTED_AMONG = 3
#: ... or whose leader is a greeting, thanks or help with this score, whatever follows it.
FRAME_CLEAR = 80.0
#: ... and any alarm of the classifier alone that does not decide is outvoted by a topic classifier whose first
#: choice is "out of scope" with at least this probability: two models agree that "tell me a joke, I'm bored in the
#: waiting room" is chit-chat. It must be clear: a person in crisis often names no topic either ("life has no
#: meaning any more, I bought the rope" reads as out of scope with 0.4 to 0.5).
CHITCHAT = 0.6
#: Below this probability (and without danger words) a message of more than a few words is calm: an intent
#: ranking that puts emergency first ("how do I report my stolen bike to the police?") does not raise the alarm.
CALM_BELOW = 0.2
#: A message of at most this many words that says there is no danger ("nee, kein Notfall") raises no alarm by weak
#: words or the classifier (none of the 18,800 danger messages of the development sets says so).
NONE_WORDS = 12
FEW_WORDS = 3  # "Polizei", "ruf die Polizei": too short for the classifier to say it is calm
TOO_FEW = 2  # ... or to say it is danger ("no", "oh no", "na ja" read as danger to it)
SHORT_WORD = 4  # ... as are a few words none of which has this many letters ("no no no")
WINDOW = 10  # words per window of a long message
#: Up to this many words the whole message is read as one: its windows would only repeat it with less context
#: ("a summons from the police as a witness of an accident" alarms as "the police ... an accident").
WINDOWS_FROM = 20
STEP = 5
MAX_WINDOWS = 60  # 300 words: beyond that only the danger words read on

#: Emoji that call for help, as the words they stand for ("🆘" alone is a cry for help, in any language).
EMOJI = {"🆘": "sos", "🚑": "ambulance", "🚒": "fire brigade", "🔥": "fire", "🚨": "emergency", "☠": "poison",
         "🩸": "blood"}


#: The situation a message of nothing but emoji calls for ("🔥", "🚑🚑"): no words tell otherwise.
EMOJI_KINDS = {"🆘": "medical", "🚑": "medical", "🚨": "medical", "🩸": "medical", "🚒": "fire", "🔥": "fire",
               "☠": "poison"}


#: Up to this many words may stand beside a danger emoji that still calls for help ("🔥🔥🔥🏠 hilfe").
EMOJI_WITH_WORDS = 3


def emoji_words(text: str) -> str:
    """The words of the danger emoji in a text (normalising drops emoji), or ""."""
    return " ".join(word for emoji, word in EMOJI.items() if emoji in text)


@dataclass(frozen=True)
class Situation:
    """A kind of danger as declared in intents/danger/<kind>.yaml."""

    kind: str
    intent: str  # the priority intent it belongs to (emergency, violence_protection)
    topic: str  # whose answer follows the numbers when the message asks nothing else
    numbers: tuple[str, ...]  # national numbers to show first, in this order
    related: frozenset[str]  # topics a follow-up may ask about without leaving the danger
    primary: bool  # the situation of its intent's own danger words and examples
    say: dict[str, str]  # the first line, per language
    words: dict[str, tuple[str, ...]]
    examples: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Alarm:
    """What the detector found: the situation, its intent, and whether it decides the topic."""

    kind: str
    intent: str
    decides: bool
    probability: float
    crisis: bool = False
    by_words: bool = False  # a danger word (not only the classifier) found it


def _per_language(raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        return {}
    return {str(lang): tuple(str(p).strip() for p in phrases or [] if p is not None and str(p).strip())
            for lang, phrases in raw.items()}


@dataclass(frozen=True)
class Calm:
    """What safe.yaml declares: its near misses, the words that tell of a danger as past or as none, and those that
    show a message talks about a danger as a subject (a film, an essay)."""

    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    about: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Words that say there is no danger ("kein Notfall", "not urgent"): calm words, and after a danger reply the
    #: end of it ("nee, kein Notfall" after a false alarm).
    no_danger: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def calm_words(self) -> dict[str, tuple[str, ...]]:
        """The words of a danger told as past and those of none, per language."""
        return {lang: self.words.get(lang, ()) + self.no_danger.get(lang, ())
                for lang in {*self.words, *self.no_danger}}


def load_situations(directory: Path = DANGER_DIR) -> tuple[dict[str, Situation], Calm]:
    """The danger situations, and the near misses and calm words of safe.yaml (per language)."""
    situations: dict[str, Situation] = {}
    calm = Calm()
    for path in sorted(directory.glob("*.yaml")):
        data = resources.read_yaml(path) or {}
        if data.get("kind") == SAFE:
            calm = Calm(_per_language(data.get("examples")), _per_language(data.get("calm")),
                        _per_language(data.get("about")), _per_language(data.get("no_danger")))
            continue
        situations[str(data["kind"])] = Situation(
            kind=str(data["kind"]), intent=str(data["intent"]), topic=str(data.get("topic") or data["intent"]),
            numbers=tuple(str(n) for n in data.get("numbers") or ()),
            related=frozenset(str(i) for i in data.get("related") or ()), primary=bool(data.get("primary")),
            say={str(k): str(v).strip() for k, v in (data.get("say") or {}).items()},
            words=_per_language(data.get("words")), examples=_per_language(data.get("examples")))
    return situations, calm


def primary_kinds(situations: Mapping[str, Situation]) -> dict[str, str]:
    """Intent -> the situation its own danger words and examples stand for."""
    return {s.intent: s.kind for s in situations.values() if s.primary}


def training_samples(situations: Mapping[str, Situation], safe: Mapping[str, Iterable[str]],
                     intents: Mapping[str, Intent], keys: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(normalised text, label): the situations' examples, the priority intents' examples as their primary
    situation, the near misses as "near", and everything else as "safe". `keys` are intent phrases already
    normalised (bot/nlu/examples.py)."""
    known = keys or {}

    def key_of(phrase: str) -> str:
        key = known.get(phrase)
        return normalise(phrase) if key is None else key

    first_kind = primary_kinds(situations)
    labelled: dict[str, str] = {}
    for intent in intents.values():
        label = first_kind.get(intent.id, SAFE) if intent.priority else SAFE
        for phrases in intent.examples.values():
            for phrase in phrases:
                labelled.setdefault(key_of(phrase), label)
    for near_misses in safe.values():
        for phrase in near_misses:
            labelled[key_of(phrase)] = NEAR
    for situation in situations.values():  # a situation's own examples win over the same text elsewhere
        for phrases in situation.examples.values():
            for phrase in phrases:
                labelled[key_of(phrase)] = situation.kind
    return sorted((t, label) for t, label in labelled.items() if t)


class DangerDetector:
    """Danger words and the situation classifier, over a normalised message."""

    def __init__(self, intents: Mapping[str, Intent], cache_dir: Path | None = None,
                 directory: Path = DANGER_DIR, keys: Mapping[str, str] | None = None) -> None:
        self.situations, calm = load_situations(directory)
        first_kind = self.primary = primary_kinds(self.situations)
        groups = [(i.id, first_kind.get(i.id, ""), i.danger) for i in intents.values() if i.priority and i.danger]
        groups += [(s.intent, s.kind, s.words) for s in self.situations.values()]
        self.words = SafetyCheck(groups)
        self.about_words = SafetyCheck([("", "", calm.about)])
        self.calm_words = SafetyCheck([("", "", calm.calm_words())])
        self.none_words = SafetyCheck([("", "", calm.no_danger)])
        samples = training_samples(self.situations, calm.examples, intents, keys)
        weights = {label: SITUATION_WEIGHT for label in self.situations} | {NEAR: NEAR_WEIGHT}
        self.classifier = Classifier.cached(samples, cache_dir, name="danger", weights=weights, tol=FIT_TOL) \
            if any(label not in CALM for _t, label in samples) else None

    def forget_texts(self) -> None:
        """A new message: the classifier's probabilities of earlier texts are not reused."""
        if self.classifier is not None:
            self.classifier.forget_texts()

    def check(self, text: str) -> Alarm | None:
        """The danger in a normalised text, or None (its words alone: no topic ranking to outvote it)."""
        return self._assess(text)[0]

    def assess(self, text: str, ranked: Sequence[tuple[str, float]] = (),
               priority: AbstractSet[str] = frozenset(), out_of_scope: float = 0.0,
               wrapping: AbstractSet[str] = frozenset()) -> tuple[Alarm | None, bool]:
        """The danger in a normalised text (or None), and whether the danger classifier finds the whole calm;
        `ranked` is the topic ranking of the same message, `priority` its priority intents, `out_of_scope` the
        topic classifier's probability of "out of scope" when that is its first choice, and `wrapping` the intents
        that only wrap a message (greeting, thanks, help)."""
        alarm, whole, marked = self._assess(text)
        # Below this the classifier finds the message calm, so that a ranking that puts emergency first on a word
        # ("police", "fire") does not raise the alarm; too few words are never calm ("ruf die Polizei").
        calm = whole < (MARKED_ALARM if marked else CALM_BELOW) and len(text.split()) > FEW_WORDS
        if alarm is not None and (_outvoted(alarm, ranked, priority, wrapping) or _chitchat(alarm, out_of_scope)):
            return None, calm
        return alarm, calm

    def _assess(self, text: str) -> tuple[Alarm | None, float, bool]:
        """The alarm, the classifier's probability of danger in the whole text, and whether the text tells of a
        danger as past or as none."""
        hit = self.words.check(text)
        # "nee, kein Notfall", "sorry, false alarm": the words that name the danger are there, negated. A classifier
        # of n-grams cannot read the negation; a short message that says so is calm, unless it names a danger in
        # strong words ("kein Notfall, aber er atmet nicht mehr").
        if (hit is None or not (hit.strong or hit.crisis)) and len(text.split()) <= NONE_WORDS \
                and self.says_none(text):
            return None, 0.0, True
        marks = self.calm_words.positions(text)
        kind, whole, part, part_at = self.likely(text)
        probability = max(whole, part)
        # A weak word ("Messer", "Krankenwagen", "угрожает") is danger only when the words around it are not
        # calm ("Messer" in a cooking class, the bill for an ambulance last month); a crisis word always is, but
        # for a weak one in a message about a film, a book or an essay on a danger. There a strong word of another
        # situation is weak too ("a film about a fire, now my daughter is afraid"), and beside words that tell of
        # the danger as past or as none, every word is.
        past = hit is not None and any(abs(at - hit.at) <= MARKED_SPAN for at in marks)
        about = hit is not None and self.about_words.check(text) is not None
        strong = hit is not None and hit.strong and not past and (hit.crisis or not about)
        needed = CONTEXT_ALARM if past or about else WEAK_ALARM
        if hit is not None and (strong or probability >= needed or (hit.crisis and not past and not about)):
            # A weak word names its situation less surely than a classifier that reads danger in the message ("he
            # came at her with a knife" is violence, though "knife" alone is an injury).
            if hit.kind in self.situations and (strong or hit.crisis or probability < ALARM) \
                    and not self._surer(hit, kind, text):
                kind = hit.kind
            return Alarm(kind, hit.intent, strong or whole >= DECIDES, max(probability, ALARM),
                         crisis=hit.crisis or kind == "crisis", by_words=True), whole, bool(marks)
        # A word or two tell the classifier little ("no", "sa"): the danger words and the topic ranking judge
        # them ("Feuer", "SOS", "kid missing"); a few more words need a clear probability.
        words = text.split()
        size = len(words)
        alarm = (MARKED_ALARM if marks else ALARM) if size > FEW_WORDS else SHORT_ALARM if size > TOO_FEW else 1.01
        if size <= FEW_WORDS and max(map(_letters, words), default=0) < SHORT_WORD:
            alarm = 1.01  # "no no no", "na na na": only letters the classifier has seen everywhere
        window = MARKED_WINDOW if any(part_at <= at < part_at + WINDOW for at in marks) else WINDOW_ALARM
        if (whole < alarm and part < window) or kind not in self.situations:
            return None, whole, bool(marks)
        return Alarm(kind, self.situations[kind].intent, whole >= DECIDES, probability,
                     crisis=kind == "crisis"), whole, bool(marks)

    def says_none(self, text: str) -> bool:
        """Does a normalised text say that there is no danger ("nee, kein Notfall", "not urgent")?"""
        return self.none_words.check(text) is not None

    def _surer(self, hit: Danger, kind: str, text: str) -> bool:
        """Does the classifier name another situation of the word's intent surely (SURE_KIND), where the word is one
        of the intent's general ones? "Tabletten geschluckt" is a word of an emergency (medical, the general kind);
        the classifier reads the poisoning in it, whose advice (the poison centre) fits better. A word of a
        particular situation (fire, poison, a crisis) keeps its own."""
        situation = self.situations.get(kind)
        if situation is None or kind in (hit.kind, "crisis") or hit.crisis or situation.intent != hit.intent \
                or hit.kind != self.primary.get(hit.intent) or self.classifier is None:
            return False
        return self.classifier.probabilities(text).get(kind, 0.0) >= SURE_KIND

    def emoji_alarm(self, text: str) -> Alarm | None:
        """A raw message of emoji with a danger emoji among them ("🔥", "😭🚑"), or of a few words beside them
        ("🔥🔥 hilfe", "🔥🔥 Wohnung nebenan", "🆘 bitte"): an alarm that decides. People in danger write this way;
        nobody asks for a course with "🔥"."""
        words = sum(1 for word in text.split() if any(ch.isalnum() for ch in word))
        if words > EMOJI_WITH_WORDS:
            return None
        kinds = [kind for emoji, kind in EMOJI_KINDS.items() if emoji in text and kind in self.situations]
        if not kinds:
            return None
        return Alarm(kinds[0], self.situations[kinds[0]].intent, True, 1.0, by_words=True)

    def likely(self, text: str) -> tuple[str, float, float, int]:
        """The likeliest situation, the probability of any danger in the whole text, the highest in one of its
        windows (a few words read alone are easily alarming, so a window must be clearer), and where that window
        starts."""
        if self.classifier is None:
            return SAFE, 0.0, 0.0, 0
        words = text.split()
        starts = _window_starts(len(words)) if len(words) > WINDOWS_FROM else []
        windows = [" ".join(words[start:start + WINDOW]) for start in starts]
        (whole, kind), *read = map(_danger, self.classifier.probabilities_many([text, *windows]))
        part, part_kind, part_at = 0.0, kind, 0
        for start, (p, k) in zip(starts, read, strict=True):
            if p > part:
                part, part_kind, part_at = p, k, start
        return (kind if whole >= part or part < WINDOW_ALARM else part_kind), whole, part, part_at


def _danger(probabilities: Mapping[str, float]) -> tuple[float, str]:
    """The probability of any danger, and the likeliest situation."""
    if not probabilities:
        return 0.0, SAFE
    danger = 1.0 - sum(probabilities.get(label, 0.0) for label in CALM)
    return danger, max((k for k in probabilities if k not in CALM), key=probabilities.__getitem__)


def _letters(word: str) -> int:
    """How many letters a word has, a Ge'ez character (a syllable: "ባተሪ" is ba-te-ri) counting as two."""
    return len(word) + sum(1 for ch in word if "\u1200" <= ch <= "\u137f")


def _window_starts(size: int) -> list[int]:
    """Where the windows of a message of `size` words start: every WINDOW words long, the last one ending with the
    message (a short tail read alone is easily alarming: "... change it myself we live")."""
    starts = list(range(0, size - WINDOW + 1, STEP))[:MAX_WINDOWS]
    if len(starts) < MAX_WINDOWS and starts[-1] + WINDOW < size:
        starts.append(size - WINDOW)
    return starts


def _chitchat(alarm: Alarm, out_of_scope: float) -> bool:
    """A doubtful alarm of the situation classifier alone, on a message the topic classifier reads as chit-chat."""
    return not alarm.by_words and not alarm.decides and out_of_scope >= CHITCHAT


def _outvoted(alarm: Alarm, ranked: Sequence[tuple[str, float]], priority: AbstractSet[str],
              wrapping: AbstractSet[str] = frozenset()) -> bool:
    """A doubtful alarm of the situation classifier alone, against a ranking that clearly names an everyday topic
    and has no priority intent among its first: "Kindergeld vor 4 Monaten beantragt und immer noch nix" reads a
    little like a threat to the classifier, and not at all to the topic ranking. A ranking led clearly by thanks, a
    greeting or help (`wrapping`) outvotes it whatever follows ("مرسی، خیلی کمک کرد 🌹"); a farewell in crisis is
    thanks to the ranking too, but not doubtful to the classifier ("danke für alles, tschüss, sagt meinen kindern
    dass ich sie liebe": 0.45)."""
    if alarm.by_words or alarm.probability >= OUTVOTED_BELOW or not ranked:
        return False
    leader, score = ranked[0]
    if leader in wrapping and score >= FRAME_CLEAR:
        return True
    first = {intent for intent, _score in ranked[:OUTVOTED_AMONG]}
    return score >= OUTVOTED_BY and not first & priority
