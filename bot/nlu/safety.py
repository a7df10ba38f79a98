"""The safety check: is danger to life or violence plausible in a message, whatever else it asks?

A separate, high-recall look at the words, beside the intent ranking: someone who writes "Hallo, mein Mann ist
umgekippt und atmet nicht, wo ist ein Arzt?" must get 112 first even when "doctor" wins the ranking. The words
are declared under `danger:` in the priority intents' files (intents/emergency.yaml, violence_protection.yaml),
per language, and every message is checked against all languages: a message's language may be guessed wrong,
and people mix them.

Entry forms (after normalisation): `word` matches that word; `word*` any word starting with it; two or three
words match in order with at most GAP other words between them; Arabic-script words may carry a glued
conjunction, preposition or article, also two of them (و ف ب ل ال: "وبالمستشفى"). An entry starting with `~` is
weak: it makes danger plausible only when the danger classifier agrees a little (bot/nlu/danger.py: "Messer" in a
cooking class is calm) and does not decide the topic ("Notfall" also names the dentist on call). An entry
starting with `!` (after a `~`, if any) is a crisis: someone may take their own life, so the crisis lines come
with the emergency numbers. Parts joined by `&` ("schwanger* & blut*") must all be there, in any order, within
SPAN words of the first: a situation is often two things together that are harmless apart (pregnant, bleeding).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from bot.nlu.normalise import normalise

GAP = 2
SPAN = 8  # words around the first part of an `&` entry where its other parts may stand
CRISIS = "crisis"  # the situation of an entry marked `!`
#: What may be glued before an Arabic-script word: a conjunction, then a preposition and/or the article.
_CONJUNCTIONS = ("و", "ف")
_CLITICS = ("بال", "لل", "كال", "ال", "ب", "ل")


@dataclass(frozen=True)
class Term:
    """One danger entry: its words (each exact or a prefix), the intent it signals, strong or weak."""

    words: tuple[tuple[str, bool], ...]  # (word, is_prefix)
    intent: str
    strong: bool
    crisis: bool = False
    kind: str = ""  # the situation (bot/nlu/danger.py): medical, poison, fire, crisis, violence, missing
    also: tuple[tuple[tuple[str, bool], ...], ...] = ()  # the other parts of an `&` entry


@dataclass(frozen=True)
class Danger:
    """What the safety check found: the intent, and whether its words are strong enough to decide the topic."""

    intent: str
    strong: bool
    crisis: bool = False
    kind: str = ""
    at: int = 0  # the position of its first word in the message


def _phrase(text: str) -> tuple[tuple[str, bool], ...]:
    words: list[tuple[str, bool]] = []
    for raw in text.split():
        prefix = raw.endswith("*")
        word = normalise(raw.rstrip("*"))
        for part in word.split():  # "b'є" normalises to two words
            words.append((part, False))
        if prefix and words:
            words[-1] = (words[-1][0], True)
    return tuple(words)


def _parse(entry: str, intent: str, kind: str = "") -> Term | None:
    strong = not entry.startswith("~")
    entry = entry.lstrip("~")
    crisis = entry.startswith("!")
    parts = [_phrase(part) for part in entry.lstrip("!").split("&")]
    if not all(parts):
        return None
    kind = CRISIS if crisis else kind
    return Term(parts[0], intent, strong, crisis, kind, tuple(parts[1:]))


def _forms(word: str) -> tuple[str, ...]:
    """A message word, and the same without glued Arabic clitics ("وبالمستشفى" -> "بالمستشفى", "المستشفى",
    "مستشفى")."""
    if not word or not ("\u0600" <= word[0] <= "\u06ff"):
        return (word,)
    forms = [word]
    for stem in [word, *(word[1:] for c in _CONJUNCTIONS if word.startswith(c))]:
        forms.append(stem)
        forms += [stem[len(c):] for c in _CLITICS if stem.startswith(c)]
    return tuple(dict.fromkeys(f for f in forms if len(f) >= 2))


def _word_matches(forms: tuple[str, ...], word: str, prefix: bool) -> bool:
    return any(f.startswith(word) if prefix else f == word for f in forms)


class SafetyCheck:
    """Danger words of every language, checked against a normalised message."""

    def __init__(self, groups: Iterable[tuple[str, str, Mapping[str, Iterable[str]]]]) -> None:
        """`groups` are (intent, situation kind, entries per language): the `danger:` sections of the intent
        files and the `words:` of the danger situations (intents/danger/)."""
        self.terms: list[Term] = []
        for intent, kind, per_lang in groups:
            for entries in per_lang.values():
                self.terms += [t for t in (_parse(str(e), intent, kind) for e in entries) if t is not None]
        # Index by each term's first word (its exact form, or its prefix), so a message tests only a few terms.
        self.exact: dict[str, list[Term]] = {}
        self.prefixes: dict[str, list[Term]] = {}
        for term in self.terms:
            word, prefix = term.words[0]
            (self.prefixes if prefix else self.exact).setdefault(word, []).append(term)
        self.prefix_lengths = sorted({len(w) for w in self.prefixes})

    def check(self, text: str) -> Danger | None:
        """The danger plausible in a normalised text: strong hits before weak ones, then by order of entry."""
        found: Danger | None = None
        for index, term in self._found(text):
            if term.strong:
                return Danger(term.intent, True, term.crisis, term.kind, index)
            found = found or Danger(term.intent, False, term.crisis, term.kind, index)
        return found

    def positions(self, text: str) -> list[int]:
        """Where in a normalised text an entry starts, for every entry found."""
        return list(dict.fromkeys(index for index, _term in self._found(text)))

    def _found(self, text: str) -> Iterator[tuple[int, Term]]:
        """Every entry found in a normalised text, with the position of its first word, in the order of the text."""
        forms = [_forms(w) for w in text.split()]
        for index, word_forms in enumerate(forms):
            for term in self._starting(word_forms):
                if self._rest_matches(term.words, forms, index + 1) and self._also_there(term, forms, index):
                    yield index, term

    def _starting(self, word_forms: tuple[str, ...]) -> list[Term]:
        terms: list[Term] = []
        for form in word_forms:
            terms += self.exact.get(form, [])
            for length in self.prefix_lengths:
                if length > len(form):
                    break
                terms += self.prefixes.get(form[:length], [])
        return terms

    @classmethod
    def _also_there(cls, term: Term, forms: list[tuple[str, ...]], index: int) -> bool:
        around = range(max(0, index - SPAN), min(len(forms), index + SPAN + 1))
        return all(any(_word_matches(forms[at], part[0][0], part[0][1]) and cls._rest_matches(part, forms, at + 1)
                       for at in around) for part in term.also)

    @staticmethod
    def _rest_matches(words: tuple[tuple[str, bool], ...], forms: list[tuple[str, ...]], start: int) -> bool:
        position = start
        for word, prefix in words[1:]:
            for offset in range(GAP + 1):
                if position + offset < len(forms) and _word_matches(forms[position + offset], word, prefix):
                    position += offset + 1
                    break
            else:
                return False
        return True
