"""Place extraction: a German postcode or a town, in any script, inflected, typo-tolerant but cautious.

Two tiers of towns:
- the towns of the three districts and the big NRW cities (place_names.SPELLINGS): matched in every script
  (Cyrillic with case endings "у Люнені", "в Унне"; Arabic script with glued prepositions "بلونن"; Turkish and
  Kurmanji suffixes "Unnada", "Lünenê") and, for long names, with small typos;
- every other town of the gazetteer (~13,000 names, many of them also words: "Meine", "Ohne", "Wetter",
  "Schutz", "List"): only exact, and only when a cue says it is a place ("in Kleve", "Kleve'de", "Stadt Kleve")
  or when the whole message is the name.
A postcode (5 digits, also in Eastern Arabic digits) that the gazetteer knows wins over names.

Well-known names that are also words ("Essen", "Kamen", "Marl") need a cue, or must stand where people put a
place without a preposition: capitalised inside the message, or at its end ("Deutschkurs Kamen"), unless a German
sentence makes them the word ("wo bekomme ich Essen"). Arabic-script spellings that no list has are found by
their consonant skeleton (skeleton.py: ګلاډبک, گلادبک and غلادبيك are all Gladbeck).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.geo.gazetteer import Gazetteer, Place, fold
from bot.nlu.normalise import normalise
from bot.nlu.place_names import AMBIGUOUS, NOT_GLUED, SPELLINGS, WORDS
from bot.nlu.skeleton import arabic_skeleton, latin_skeleton

_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
_SEPARATORS = re.compile(r"[^\w]+|_")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_ARABIC = re.compile("[\u0600-\u06ff]")
_LATIN = re.compile("[a-z]")
#: Parts of compound town names that say nothing on their own ("Haltern am See", "Mülheim an der Ruhr").
_GENERIC = frozenset({"am", "an", "der", "see", "ruhr", "main", "bad", "im", "in"})



def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words before a name that say "this is a place" (matching keys, all languages).
CUES_BEFORE = _words(
    "in im bei nach aus nahe nahe um von zu stadt kreis raum umgebung richtung "  # de
    "at near around from to city town "  # en
    "a en pres vers dans ville "  # fr
    "v vo u iz okolo ryadom vozle bilya bila poruch misto gorod "  # ru, uk in Latin script
    "li ji bajare nezik "  # ku
    "ee magaalada "  # so
    "في فی قرب من الی الى مدینه بمدینه منطقه عند "  # ar
    "در نزدیک شهر از به "  # fa
    "په ښار "  # ps
    "в у во біля возле около рядом из із з до місто город м"  # uk, ru
)
#: Words after a name that say the same: Turkish case suffixes written apart ("Unna'da" -> "unna da"),
#: Pashto and Somali postpositions.
#: Words that say where a person is now, shortly before a place: a later place after them wins over an earlier
#: one ("früher in Dortmund, jetzt in Kamen").
NOW = _words(
    "jetzt nun inzwischen mittlerweile seit wohne wohnen lebe leben "  # de
    "now currently live living moved "  # en
    "maintenant actuellement habite habitons vis "  # fr
    "simdi artik yasiyorum oturuyorum tasindik "  # tr
    "niha dijim dijin "  # ku
    "hadda "  # so
    "сейчас теперь живу живем живём зараз тепер живемо переехали переїхали "  # ru, uk
    "seychas teper zhivu zaraz "  # ru, uk in Latin script
    "الان هلق هلا هلأ حاليا دلوقتي هسه ساكن ساكنين ساكنه عايش عايشين نسكن اسكن "  # ar
    "اکنون حالا فعلا الان زندگی میکنم میکنیم ساکن "  # fa
    "اوس اوسمهال اوسېږم "  # ps
    "ሕጂ ንነብር "  # ti
)
NOW_REACH = 4  # words before a place that may say "now"
#: Words shortly before a place that say the person is not there ("nicht in Unna", "not Bochum", "не в Шверте").
NOT_THERE = _words(
    "nicht nie kein not no don t dont anymore non pas ne na "  # de, en, fr, ku
    "не ні нет ни ne ni net "  # ru, uk
    "لا ليس وليس مش مو مب نه نیستیم نیستم نيس"  # ar, fa, ps
)
NOT_REACH = 2  # words before a place (and its "in") that may say "not": "No, I live in" is no "not"
NOT_AFTER = _words("değil degil")  # Turkish says it after: "Schwerte'de değil"
CUES_AFTER = _words("de da te ta den dan ten tan deki daki e a ye ya yi ê ye کی کې gudaheeda")
#: Turkish and Kurmanji suffixes glued to a name ("Unnada", "Lünende", "Dortmundê"): folded, longest first.
#: Also Russian and Ukrainian case endings in Latin script ("v Marle", "u Lunene", "v Dortmunde", "iz Unny").
_SUFFIXES = ("daki", "deki", "taki", "teki", "dan", "den", "tan", "ten", "ami", "om", "em", "da", "de", "ta", "te",
             "ya", "ye", "yi", "e", "a", "i", "u", "y")
#: Cyrillic case endings after a stem ("Унн|е", "Люнен|і", "Дортмунд|ом").
LONG_CYRILLIC = 8  # letters of a Cyrillic name's stem from which a spelling one or two letters off is found
CYRILLIC_CUTOFF = 88.0
_CYR_ENDINGS = frozenset(["", "ь", "а", "е", "і", "и", "у", "ю", "я", "ы", "ом", "ем", "ою", "ой", "ові", "ах", "ам"])
_CYR_VOWELS = "аеиоуыэюяіїєь"
_UK_ALTERNATIONS = {"зі": "г", "ці": "к", "сі": "х"}
#: Glued Arabic-script prepositions: ب "in", ل "to", و "and", ف, and their pairs.
_AR_PREFIXES = ("وب", "ول", "فب", "ب", "ل", "و")


#: Words before "Essen" (or another name that is an everyday word) that make it the noun: "zum Essen".
_NOUN_CONTEXT = _words("das zum beim vom kein keine keinen etwas mit und oder warmes gutes kostenloses gratis "
                       "halal genug unser unsere mein meine dein sein ihr fur am ohne")
#: German function words: a lower-case "essen" or "kamen" ending a German sentence is a verb ("was kann ich essen").
_GERMAN_FUNCTION = _words("ich du er sie wir ihr es was wo wann wie will mochte kann konnen muss mussen etwas "
                          "zu zum das der die den dem ein eine kein keine und oder nicht gern gerne heute morgen")
_TOKEN = re.compile(r"[^\W_]+")


def _capitalised(text: str) -> frozenset[str]:
    """Keys of the words typed with a capital letter, except the first word (every sentence starts so)."""
    words = _TOKEN.findall(text)
    return frozenset(fold(normalise(w)) for w in words[1:] if w[:1].isupper())


def key(word: str) -> str:
    """Matching key of a word or name: normalised, then folded like the gazetteer."""
    return fold(normalise(word))


@dataclass(frozen=True)
class Found:
    """A place in a message and the token span it covers (with its cue word, if any)."""

    place: Place
    start: int
    end: int


class PlaceFinder:
    """Finds the place a message names."""

    def __init__(self, gazetteer: Gazetteer, common_words: frozenset[str] = frozenset()) -> None:
        self.gazetteer = gazetteer
        self.common = common_words
        self.ambiguous = frozenset(key(w) for w in AMBIGUOUS)
        # first token key -> [(token keys, place, priority)], longest names first
        self.names: dict[str, list[tuple[tuple[str, ...], Place, bool]]] = {}
        for name_key, place in gazetteer.by_name.items():
            parts = tuple(_SEPARATORS.sub(" ", name_key).split())  # already folded by the gazetteer
            if parts:
                self.names.setdefault(parts[0], []).append((parts, place, False))
        self.cyrillic: dict[str, list[tuple[str, Place]]] = {}  # first two letters -> [(stem, place)]
        self.arabic: dict[str, Place] = {}
        self.fuzzy_latin: dict[str, Place] = {}
        for town, spellings in SPELLINGS.items():
            known = gazetteer.town(town)
            if known is None:  # another district's gazetteer: skip what it does not have
                continue
            for spelling in (town, *spellings):
                self._add_spelling(spelling, known)
        for entries in self.names.values():
            entries.sort(key=lambda e: -len(e[0]))
        self._arabic_keys = [k for k in self.arabic if len(k) >= 5]
        # Consonant skeletons of the well-known towns (each part of a compound name): catches the Arabic,
        # Persian and Pashto spellings no list has (ګلاډبک, ولتروپ).
        self.skeletons: dict[str, Place] = {}
        for town in SPELLINGS:
            known = gazetteer.town(town)
            for part in _SEPARATORS.sub(" ", fold(town)).split():
                skeleton = latin_skeleton(part)
                if known is not None and part not in _GENERIC and len(skeleton) >= 4:
                    self.skeletons.setdefault(skeleton, known)
        self._long_skeletons = [k for k in self.skeletons if len(k) >= 5]
        self._long_cyrillic = {stem: place for stems in self.cyrillic.values() for stem, place in stems
                               if len(stem) >= LONG_CYRILLIC}
        self._latin_keys = [k for k in self.fuzzy_latin if len(k) >= 5]

    def _add_spelling(self, spelling: str, place: Place) -> None:
        parts = tuple(key(spelling).split())
        if not parts:
            return
        longest = max(parts, key=len)
        if _CYRILLIC.search(longest):
            stem = longest.rstrip(_CYR_VOWELS) or longest
            self.cyrillic.setdefault(stem[:2], []).append((stem, place))
        elif _ARABIC.search(longest):
            variants = {" ".join(parts), longest}
            for variant in list(variants):  # Persian writes g as گ, Arabic as غ or ج
                variants |= {variant.replace("غ", "گ"), variant.replace("غ", "ج")}
            for variant in variants:
                self.arabic[variant] = place
        else:
            entry = (parts, place, True)
            bucket = self.names.setdefault(parts[0], [])
            bucket[:] = [e for e in bucket if e[0] != parts] + [entry]
            if len(parts) == 1:
                self.fuzzy_latin[parts[0]] = place

    # -- finding ------------------------------------------------------------------------------------------
    def find(self, text: str) -> Found | None:
        """The place of a message (postcode first, then the big towns, then any town with a cue), or None."""
        words = normalise(text).split()
        if not words:
            return None
        for index, word in enumerate(words):
            match = _POSTCODE.fullmatch(word) or (_POSTCODE.search(word) if word.isdigit() else None)
            if match and (place := self.gazetteer.postcode(match.group(1))):
                return Found(place, index, index + 1)
        keys = [fold(w) for w in words]
        caps = _capitalised(text)
        best: tuple[int, Found] | None = None  # (rank: 0 priority, 1 other), first in reading order wins
        for index in range(len(keys)):
            found = self._at(keys, index, caps)
            if found is not None:
                rank, hit = found
                if best is None or rank < best[0]:
                    best = (rank, hit)
                if rank == 0:
                    break
        if best is None:
            return None
        hit = best[1]
        if hit.start > 0 and keys[hit.start - 1] in CUES_BEFORE:
            hit = Found(hit.place, hit.start - 1, hit.end)
        return hit

    def find_current(self, text: str) -> Found | None:
        """The place a person is in now, in a message that may name several ("we lived in Dortmund, now we live
        in Kamen"): a place right after a word for "now" or "I live" wins, else the first as find() says."""
        best = self.find(text)
        if best is None:
            return None
        keys = [fold(w) for w in normalise(text).split()]
        caps = _capitalised(text)
        index = best.end
        while index < len(keys):
            found = self._at(keys, index, caps)
            if found is None:
                index += 1
                continue
            hit = found[1]
            if any(k in NOW for k in keys[max(0, hit.start - NOW_REACH):hit.start]):
                return hit
            index = hit.end
        return best

    def named(self, text: str) -> list[Found]:
        """Every place a message names, in reading order ("nein, in Kamen, nicht in Unna": Kamen and Unna), each with
        the word before it that says it is a place, as find() gives it."""
        keys = [fold(w) for w in normalise(text).split()]
        caps = _capitalised(text)
        out: list[Found] = []
        index = 0
        while index < len(keys):
            match = _POSTCODE.fullmatch(keys[index])
            if match and (place := self.gazetteer.postcode(match.group(1))):
                out.append(Found(place, index, index + 1))
            elif (found := self._at(keys, index, caps)) is not None:
                hit = found[1]
                cue = hit.start > 0 and keys[hit.start - 1] in CUES_BEFORE  # "in Kamen": the cue is the place's
                out.append(Found(hit.place, hit.start - 1, hit.end) if cue else hit)
                index = hit.end
                continue
            index += 1
        return out

    def where_now(self, text: str) -> Found | None:
        """Of the places a message names, the one the person is in: not one they say they are not in ("No, I live
        in Bergkamen, not Bochum", "I don't live in Unna anymore, I moved to Selm"), one after a word for "now"
        first, else the first."""
        keys = [fold(w) for w in normalise(text).split()]
        there = [hit for hit in self.named(text)
                 if not any(k in NOT_THERE for k in keys[max(0, hit.start - NOT_REACH):hit.start])
                 and not any(k in NOT_AFTER for k in keys[hit.end:hit.end + 2])]
        now = [hit for hit in there if any(k in NOW for k in keys[max(0, hit.start - NOW_REACH):hit.start])]
        return (now or there)[0] if now or there else None

    def _cued(self, keys: list[str], start: int, end: int) -> bool:
        before = keys[start - 1] if start > 0 else None
        after = keys[end] if end < len(keys) else None
        whole = start == 0 and end == len(keys)
        return whole or before in CUES_BEFORE or after in CUES_AFTER or (before or "").startswith("ب")

    def _named(self, keys: list[str], start: int, end: int, caps: frozenset[str]) -> bool:
        """Is an ambiguous well-known name ("Kamen", "Marl", "Essen") used as a place here, without a cue?

        Yes when it is typed with a capital inside the message or ends it ("schule anmelden Kamen", "shaqo
        marl"), unless the name is an everyday word and the words before it make it one: a German sentence
        ("wo bekomme ich Essen", "ich will essen") or a noun marker ("warmes Essen"). A name that opens the
        message ("Essen für die Kinder") needs a cue.
        """
        name = " ".join(keys[start:end])
        if start == 0 or (name not in caps and end < len(keys)):
            return False
        if name not in WORDS:
            return True
        german = any(k in _GERMAN_FUNCTION for k in keys[:start])
        return not german and keys[start - 1] not in _NOUN_CONTEXT

    def _at(self, keys: list[str], index: int, caps: frozenset[str] = frozenset()) -> tuple[int, Found] | None:
        word = keys[index]
        for parts, place, priority in self.names.get(word, ()):
            end = index + len(parts)
            if tuple(keys[index:end]) != parts:
                continue
            cued = self._cued(keys, index, end)
            name = " ".join(parts)
            if priority and (name not in self.ambiguous or cued or self._named(keys, index, end, caps)):
                return 0, Found(place, index, end)
            if not priority and cued and len(name) >= 4 and name not in self.common:
                return 1, Found(place, index, end)
        if _CYRILLIC.search(word):
            return self._cyrillic(keys, index, word in caps)
        if _ARABIC.search(word):
            return self._arabic(keys, index)
        if _LATIN.search(word) and len(word) >= 4 and word not in self.common:
            return self._latin(keys, index)
        return None

    def _cyrillic(self, keys: list[str], index: int, capital: bool = False) -> tuple[int, Found] | None:
        word = keys[index]
        forms = [word]
        if word[-2:] in _UK_ALTERNATIONS:  # Ukrainian locative: Гайнсберг -> у Гайнсберзі, Гладбек -> у Гладбеці
            forms.append(word[:-2] + _UK_ALTERNATIONS[word[-2:]])
        for form in forms:
            for stem, place in self.cyrillic.get(form[:2], ()):
                # Short stems ("унн", "верн") are parts of ordinary words too: they need a cue or a capital
                # letter inside the message ("школа Марль").
                if (form.startswith(stem) and form[len(stem):] in _CYR_ENDINGS
                        and (len(stem) >= 5 or capital or self._cued(keys, index, index + 1))):
                    return 0, Found(place, index, index + 1)
        # A long name heard and spelt a little differently, with its case ending ("в Хюккельховене" for
        # Хюккельхофен): one or two letters off, with an ending or without.
        for whole in forms if len(word) >= LONG_CYRILLIC else ():
            for ending in sorted(_CYR_ENDINGS, key=len, reverse=True):
                form = whole[:len(whole) - len(ending)] if ending and whole.endswith(ending) else whole
                hit = process.extractOne(form.rstrip(_CYR_VOWELS) or form, self._long_cyrillic.keys(),
                                         scorer=fuzz.ratio, score_cutoff=CYRILLIC_CUTOFF)
                if hit:
                    return 0, Found(self._long_cyrillic[hit[0]], index, index + 1)
        return None

    def _arabic(self, keys: list[str], index: int) -> tuple[int, Found] | None:
        word = keys[index]
        pair = f"{word} {keys[index + 1]}" if index + 1 < len(keys) else None
        if pair and pair in self.arabic:
            return 0, Found(self.arabic[pair], index, index + 2)
        if pair and _ARABIC.search(pair[-1]) and len(word) >= 3 and word not in CUES_BEFORE:
            # A long name written in two parts ("گایلن کیرشن"): the parts together, as the lists spell it.
            joined = pair.replace(" ", "")
            place = self.arabic.get(joined) or self.skeletons.get(arabic_skeleton(joined))
            if place is not None and len(arabic_skeleton(joined)) >= 6:
                return 0, Found(place, index, index + 2)
        forms = [(word, False)] + [(word[len(p):], True) for p in _AR_PREFIXES if word.startswith(p)]
        for form, glued in forms:
            place = self.arabic.get(form)
            if place is not None and (
                    (form not in self.ambiguous and not (glued and form in NOT_GLUED))
                    or (glued and form not in NOT_GLUED) or self._cued(keys, index, index + 1)):
                return 0, Found(place, index, index + 1)
        for form, _glued in forms:
            if len(form) >= 5 and (hit := process.extractOne(form, self._arabic_keys, scorer=fuzz.ratio,
                                                               score_cutoff=85)):
                return 0, Found(self.arabic[hit[0]], index, index + 1)
        return self._skeleton(keys, index, forms)

    def _skeleton(self, keys: list[str], index: int, forms: list[tuple[str, bool]]) -> tuple[int, Found] | None:
        """A spelling no list has, by its consonants: exact when long, one edit off only after a cue.

        Words of the intent examples ("دبستان" school) are never towns, however close their consonants.
        """
        cued = self._cued(keys, index, index + 1)
        for form, glued in forms:
            if form in self.common:
                continue
            skeleton = arabic_skeleton(form)
            place = self.skeletons.get(skeleton)
            if place is not None and (len(skeleton) >= 5 or ((cued or glued) and len(skeleton) >= 4)):
                return 0, Found(place, index, index + 1)
            if (cued or glued) and len(skeleton) >= 6 and (hit := process.extractOne(
                    skeleton, self._long_skeletons, scorer=Levenshtein.distance, score_cutoff=1)) and (
                    hit[0][0] == skeleton[0]):
                return 0, Found(self.skeletons[hit[0]], index, index + 1)
        return None

    def _latin(self, keys: list[str], index: int) -> tuple[int, Found] | None:
        word = keys[index]
        for suffix in _SUFFIXES:  # "unnada", "lunende", "dortmunde"
            stem = word[: -len(suffix)]
            # A name that is also a word ("Kamen", "Marl") is a place with a Turkish case glued to it ("kamende",
            # "marlda"): that form is no word of the examples.
            if (word.endswith(suffix) and len(stem) >= 4 and stem in self.fuzzy_latin
                    and (stem not in self.ambiguous or (len(suffix) >= 2 and word not in self.common)
                         or self._cued(keys, index, index + 1))):
                return 0, Found(self.fuzzy_latin[stem], index, index + 1)
        # A Slavic case ending replaces the final -a of a name: "v Unne", "iz Unny", "po Unnu".
        if word[-1:] in "eyui" and (stem := word[:-1] + "a") in self.fuzzy_latin and self._cued(
                keys, index, index + 1):
            return 0, Found(self.fuzzy_latin[stem], index, index + 1)
        hit = process.extractOne(word, self._latin_keys, scorer=fuzz.ratio, score_cutoff=86)
        if hit is None or hit[0] in self.ambiguous or hit[0][0] != word[0]:
            return None
        # Short names are one letter away from ordinary words ("Werner" / "Werne", "written" / "Witten"): typos of
        # them need a real preposition, not the one-letter "a" (English article, French à). A long name's typo
        # must keep its last letter (or be cut short): "schweren" is a word, not "Schwerte".
        before = keys[index - 1] if index > 0 else ""
        strong_cue = self._cued(keys, index, index + 1) and len(before) > 1
        if hit[0][-1] != word[-1] and not hit[0].startswith(word):
            return None
        if strong_cue or len(hit[0]) >= 7:
            return 0, Found(self.fuzzy_latin[hit[0]], index, index + 1)
        return None
