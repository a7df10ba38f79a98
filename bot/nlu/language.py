"""Which language a message is written in: the script first, then letters and words, then lingua.

- Ge'ez script -> ti (the only supported language written in it).
- Arabic script -> ps when Pashto-only letters appear (ټ ډ ړ ښ ږ ګ ڼ ځ څ ۍ ې), else ar or fa by a small
  naive-Bayes model over letters and words learnt from the intent examples (Persian پ چ ژ گ and Arabic ة ي ك أ
  are part of what it learns).
- Cyrillic -> uk with і ї є ґ, ru with ы э ё ъ, else the naive-Bayes model decides.
- Latin -> the naive-Bayes model over all Latin-script examples (de en fr tr ku so, and Arabizi or transliterated
  Russian), combined with lingua-language-detector restricted to de en fr tr so (lingua has no Kurmanji). lingua
  is loaded lazily, in low-accuracy mode (25 MB, 0.1 s), only when a Latin-script message needs it.
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property
from typing import Any

import numpy as np

from bot.nlu.normalise import light

_GEEZ = re.compile("[\u1200-\u139f\u2d80-\u2ddf\uab00-\uab2f]")
# Letters only: Eastern Arabic digits in "Kita ٥٩٤٢٣" do not make a message Arabic.
_ARABIC = re.compile("[\u0620-\u065f\u066e-\u06d3\u06d5\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[a-zà-ɏ]")
_PASHTO = re.compile("[ټډړښږګڼځڅۍې]")
_UKRAINIAN = re.compile("[іїєґ]")
_RUSSIAN = re.compile("[ыэёъ]")
# Words with their digits: Arabizi writes ع as 3 and ح as 7 ("3ayez", "a7tag").
_WORD = re.compile(r"[^\W_]+")

#: Long German compounds of the offices ("Meldebescheinigung", "Wohnberechtigungsschein"): loanwords elsewhere.
_GERMAN_COMPOUND = re.compile(r"^\w{4,}(ung|heit|keit|schaft|behörde|amt|geld|kasse|schein|erlaubnis|bescheinigung|"
                              r"zentrum|stelle|antrag|ausweis|gericht|kurs|platz|schule|garten|beratung|ticket|zuschlag|bescheid)$")

LINGUA_SHARE = 0.25
#: A message of this many words (of three letters or more) ...
FOREIGN_WORDS = 4
#: ... of which fewer than this share are words of the language chosen is written in none of Lotse's languages
#: ("damay dëkk ci Unna", Wolof, is no Somali; Polish is no romanised Russian): its language is not sure.
KNOWN_SHARE = 0.1
#: lingua names of the languages it may choose between, and our codes for them.
LINGUA = {"GERMAN": "de", "ENGLISH": "en", "FRENCH": "fr", "TURKISH": "tr", "SOMALI": "so"}


def script_of(text: str) -> str:
    """'geez', 'arabic', 'cyrillic', 'latin' or 'none': which script carries the message.

    A German office word inside an Arabic or Russian sentence ("Krankenkasse شو هي") must not make it Latin:
    any real amount of a non-Latin script decides.
    """
    if _GEEZ.search(text):
        return "geez"
    if len(_ARABIC.findall(text)) >= 2:
        return "arabic"
    if len(_CYRILLIC.findall(text)) >= 2:
        return "cyrillic"
    if _LATIN.search(text):
        return "latin"
    return "arabic" if _ARABIC.search(text) else "cyrillic" if _CYRILLIC.search(text) else "none"


def _with_lingua(probs: dict[str, float], lingua: dict[str, float]) -> dict[str, float]:
    """Our model's probabilities, with lingua's mixed in among the languages lingua knows.

    Our model knows how people write to Lotse (Kurmanji, Arabizi, romanised Persian and Russian, which lingua
    does not know); lingua knows the five big Latin-script languages in general. Ours leads, lingua breaks ties
    between its own languages and never takes probability away from the others ("khune peyda nemikonam" stays
    Persian however German lingua finds it).
    """
    if not lingua:
        return dict(probs)
    known = sum(p for lang, p in probs.items() if lang in LINGUA.values())
    combined = {lang: p for lang, p in probs.items() if lang not in LINGUA.values()}
    for lang in LINGUA.values():
        combined[lang] = (1 - LINGUA_SHARE) * probs.get(lang, 0.0) + LINGUA_SHARE * known * lingua.get(lang, 0.0)
    return combined


def _decided_without_lingua(probs: dict[str, float], sure: float) -> str | None:
    """Our model's first language when whatever lingua says cannot change it nor make it unsure, else None.

    Mixed in as _with_lingua does, lingua takes at most LINGUA_SHARE of a language it knows and gives at most
    LINGUA_SHARE of their shared probability to another: a clear enough lead survives any answer of lingua's.
    """
    if not probs:
        return None
    best = max(probs, key=lambda k: probs[k])
    known = sum(p for lang, p in probs.items() if lang in LINGUA.values())
    lowest = probs[best] * ((1 - LINGUA_SHARE) if best in LINGUA.values() else 1.0)
    rivals = [(1 - LINGUA_SHARE) * p + LINGUA_SHARE * known if lang in LINGUA.values() else p
              for lang, p in probs.items() if lang != best]
    return best if lowest >= sure and lowest > max(rivals, default=0.0) else None


def _features(text: str) -> list[str]:
    feats: list[str] = []
    for word in _WORD.findall(text):
        feats.append("w" + word)
        padded = f" {word} "
        feats += [padded[i:i + 3] for i in range(len(padded) - 2)]
        feats += list(word)
    return feats


class NaiveBayes:
    """Multinomial naive Bayes over words, letters and letter trigrams (tiny, trained at start-up)."""

    def __init__(self, samples: Iterable[tuple[str, str]], alpha: float = 0.5) -> None:
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for lang, text in samples:
            for feat in _features(text):
                counts[lang][feat] += 1
        vocab = {f for c in counts.values() for f in c}
        self.langs = sorted(counts)
        self.log_prob: dict[str, dict[str, float]] = {}
        self.unseen: dict[str, float] = {}
        for lang in self.langs:
            total = sum(counts[lang].values()) + alpha * (len(vocab) + 1)
            self.log_prob[lang] = {f: math.log((n + alpha) / total) for f, n in counts[lang].items()}
            self.unseen[lang] = math.log(alpha / total)
        self.vocab = vocab
        # The same numbers as one matrix (feature x language), so a message is scored by one sum in NumPy.
        self.rows = {f: i for i, f in enumerate(vocab)}
        self.matrix = np.tile(np.array([self.unseen[lang] for lang in self.langs]), (max(1, len(vocab)), 1))
        for column, lang in enumerate(self.langs):
            known = self.log_prob[lang]
            index = np.fromiter((self.rows[f] for f in known), dtype=np.int64, count=len(known))
            self.matrix[index, column] = np.fromiter(known.values(), dtype=np.float64, count=len(known))
        self.columns = {lang: column for column, lang in enumerate(self.langs)}

    def probabilities(self, text: str, langs: Iterable[str] | None = None) -> dict[str, float]:
        """Posterior per language (uniform prior) from the features the model knows."""
        rows = [self.rows[f] for f in _features(text) if f in self.rows]
        candidates = [lang for lang in (langs or self.langs) if lang in self.log_prob]
        if not rows or not candidates:
            return {}
        sums = self.matrix[rows].sum(axis=0)
        scores = {lang: float(sums[self.columns[lang]]) for lang in candidates}
        top = max(scores.values())
        # Temper the evidence: naive Bayes is over-confident on correlated n-grams.
        exp = {lang: math.exp((s - top) / max(1.0, len(rows) ** 0.5)) for lang, s in scores.items()}
        total = sum(exp.values())
        return {lang: v / total for lang, v in exp.items()}


class LanguageDetector:
    """Detects the language of a message; trained from the intent examples at start-up."""

    def __init__(self, examples: Iterable[tuple[str, str]]) -> None:
        # The models are trained on first use of their script: `lotse ask` in one script trains one model.
        self.samples = list(examples)
        self._models: dict[str, NaiveBayes | None] = {}
        self._lock = threading.Lock()
        self._lingua: Any = None
        self._loanwords: frozenset[str] | None = None

    @cached_property
    def _light(self) -> list[tuple[str, str]]:
        """(language, text as light() leaves it) of each sample: worked out once for every model and the
        loanwords."""
        return [(lang, light(text)) for lang, text in self.samples]

    def model(self, script: str) -> NaiveBayes | None:
        """The naive-Bayes model of one script, trained on the examples written in it."""
        if script not in self._models:
            with self._lock:
                if script not in self._models:
                    samples = [(lang, clean) for lang, clean in self._light if script_of(clean) == script]
                    self._models[script] = NaiveBayes(samples) if samples else None
        return self._models[script]

    def detect(self, text: str, hint: str | None = None) -> tuple[str | None, bool]:
        """(language or None when nothing tells, confident): confident means the text itself decides."""
        clean = light(text)
        script = script_of(clean)
        if script == "geez":
            return "ti", True
        if script == "arabic":
            if _PASHTO.search(clean):
                return "ps", True
            return self._choose(clean, "arabic", ("ar", "fa", "ps"), hint, sure=0.75)
        if script == "cyrillic":
            uk, ru = bool(_UKRAINIAN.search(clean)), bool(_RUSSIAN.search(clean))
            if uk != ru:
                return ("uk" if uk else "ru"), True
            return self._choose(clean, "cyrillic", ("uk", "ru"), hint, sure=0.8)
        if script == "latin":
            return self._latin(clean, hint)
        return None, False

    def _choose(self, clean: str, script: str, langs: tuple[str, ...], hint: str | None,
                sure: float) -> tuple[str | None, bool]:
        # Latin words inside Arabic or Cyrillic text are German office words ("Fiktionsbescheinigung یعنی چی"):
        # they tell nothing about which of the script's languages it is.
        clean = " ".join(w for w in clean.split() if not _LATIN.search(w)) or clean
        model = self.model(script)
        probs = model.probabilities(clean, langs) if model else {}
        if not probs:
            return (hint if hint in langs else langs[0]), True
        best = max(probs, key=lambda k: probs[k])
        if hint in langs and (probs[best] < sure or len(clean.split()) == 1):
            # One word ("Гертен", "لونن": mostly a town) says nothing of the dialect, however sure the model is.
            return hint, True  # the script is certain, the dialect is not: the person's own setting decides
        return best, True

    def loanwords(self) -> frozenset[str]:
        """German office words that people write inside other languages ("Kita", "Jobcenter", "Anmeldung"):
        words of the German examples that examples of another language than en/fr use too."""
        if self._loanwords is None:
            langs: dict[str, set[str]] = defaultdict(set)
            for lang, clean in self._light:
                for word in _WORD.findall(clean):
                    langs[word].add(lang)
            self._loanwords = frozenset(w for w, ls in langs.items()
                                        if "de" in ls and len(w) >= 4 and ls - {"de", "en", "fr"})
        return self._loanwords

    def _without_loanwords(self, clean: str) -> str:
        """The message without German office words, when other words remain: "rdv Ausländerbehörde" is French,
        "need Meldebescheinigung" English. A German sentence stays German without them."""
        words = _WORD.findall(clean)
        loans = self.loanwords()
        rest = [w for w in words if w not in loans and not _GERMAN_COMPOUND.search(w)]
        if len(rest) == len(words) or not rest or sum(len(w) for w in rest) < 3:
            return clean
        return " ".join(rest)

    def _latin(self, clean: str, hint: str | None) -> tuple[str | None, bool]:
        words = _WORD.findall(clean)
        loans = self.loanwords()
        if words and all(w in loans or _GERMAN_COMPOUND.search(w) for w in words):
            # Only German office words ("Deutschkurs", "Ausländerbehörde"): exactly what newcomers of every
            # language type, so they tell nothing; the person's device or earlier messages decide.
            return "de", False
        clean = self._without_loanwords(clean)
        model = self.model("latin")
        probs = model.probabilities(clean) if model else {}
        words = _WORD.findall(clean)
        letters = sum(len(w) for w in words)
        # One word decides only when it is clearly one language's ("merhaba"), not a shared office word.
        sure = 0.6 if len(words) >= 2 else 0.85
        if letters >= 5 and (decided := _decided_without_lingua(probs, sure)) and not self._foreign(words, decided):
            return decided, True  # lingua could not change the answer: its half millisecond is saved
        lingua = self.lingua_probabilities(clean) if letters >= 6 else {}
        combined = _with_lingua(probs, lingua)
        if not combined:
            return None, False
        best = max(combined, key=lambda k: combined[k])
        confident = combined[best] >= sure and letters >= 5 and not self._foreign(words, best)
        if not confident and (combined[best] < 0.5 or letters < 3):
            return None, False  # "ok", "Kita": a guess would be noise; the hint or German decides
        return best, confident

    def _foreign(self, words: list[str], lang: str) -> bool:
        """Are these words (a sentence of some length) almost all unknown in the examples of `lang`? The models
        choose among Lotse's languages only, and a language they do not know looks most like one of them."""
        long = [w for w in words if len(w) >= 3 and not w.isdigit()]
        model = self.model("latin")
        if len(long) < FOREIGN_WORDS or model is None or lang not in model.log_prob:
            return False
        known = model.log_prob[lang]
        return sum("w" + w in known for w in long) < KNOWN_SHARE * len(long)

    def lingua_probabilities(self, text: str) -> dict[str, float]:
        """lingua's confidence for de en fr tr so (empty when lingua is unavailable)."""
        detector = self._load_lingua()
        if detector is None:
            return {}
        values = detector.compute_language_confidence_values(text)
        return {LINGUA[v.language.name]: float(v.value) for v in values if v.language.name in LINGUA}

    def _load_lingua(self) -> Any:
        if self._lingua is None:
            with self._lock:
                if self._lingua is None:
                    try:
                        from lingua import Language, LanguageDetectorBuilder
                    except ImportError:  # pragma: no cover - lingua is a declared dependency
                        self._lingua = False
                        return None
                    languages = [getattr(Language, name) for name in LINGUA]
                    self._lingua = (LanguageDetectorBuilder.from_languages(*languages)
                                    .with_low_accuracy_mode().build())
        return self._lingua or None
