"""Text normalisation that respects the scripts people write in.

Two levels:
- `light()` keeps every letter as typed (language detection needs ي vs ی, ё, ş ...): NFKC, case folding,
  Arabic diacritics and tatweel removed, invisible characters dropped, spaces collapsed.
- `normalise()` is the matching key: on top of `light()`, Arabic/Persian letter variants are unified, Latin and
  Cyrillic accents are stripped (people type "Lunen", "kursu", "ucret" on foreign keyboards), Eastern Arabic
  digits become ASCII, runs of three or more equal letters shrink ("hiiii" -> "hi"), punctuation becomes space.

rapidfuzz's default processor is never used: it treats Arabic vowel marks as separators and splits words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic harakat, Quranic marks, superscript alef and tatweel: decoration, not letters.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_TANWIN_ALEF = re.compile("\u0627\u064b|\u064b\u0627")
# Zero-width non-joiner separates the parts of a Persian word (می‌خواهم); people type it as a space or not at all.
_ZWNJ = "\u200c"
_ARABIC_VARIANTS = str.maketrans({
    "ي": "ی", "ى": "ی", "ئ": "ی", "ۍ": "ی", "ې": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "آ": "ا",
    "ٱ": "ا", "ؤ": "و", "ء": "",
    # Urdu's heh and yeh forms: the same words are typed with Persian or Arabic keyboards too.
    "ہ": "ه", "ۃ": "ه", "ھ": "ه", "ے": "ی",
    # Eastern Arabic and Persian digits: postcodes and 112 are written with them too.
    "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
    "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
    # Turkish dotless i, and letters NFKD does not decompose.
    "ı": "i", "ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe",
})
_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACES = re.compile(r"\s+")
_REPEATS = re.compile(r"(\D)\1{2,}")
# Latin (with Latin Extended Additional: the Vietnamese "ỏ", "ấ", "ề") and Cyrillic letters whose accents are
# dropped; other scripts are left alone (Ge'ez has no combining marks, Arabic marks are removed above). A text is
# folded only when it has one of them, so a word must fold the same alone as inside a sentence.
_FOLDABLE = re.compile("[\u00c0-\u024f\u0400-\u04ff\u1e00-\u1eff]")


def _strip_controls(text: str) -> str:
    # Format and control characters (zero-width joiners, bidi marks, BOM) are invisible: they become spaces.
    if text.isprintable():  # the common case, checked in C
        return text
    return "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)


def light(text: str) -> str:
    """NFKC, case folding, Arabic diacritics removed, invisible characters dropped; letters otherwise as typed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _TANWIN_ALEF.sub("", text)  # "عملاً" is the word "عمل" with its case ending
    text = _ARABIC_MARKS.sub("", text).replace(_ZWNJ, " ")
    return _SPACES.sub(" ", _strip_controls(text)).strip()


def _strip_accents(text: str) -> str:
    if not _FOLDABLE.search(text):
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


@lru_cache(maxsize=1024)
def normalise(text: str) -> str:
    """The matching key of a text: script-aware, accent- and punctuation-free, single spaces.

    Remembered: one message is normalised several times over (its place, its words, its danger, its parts);
    understand() forgets them at the next message, so that a benchmark repeating a message measures no saving.
    """
    text = light(text).translate(_ARABIC_VARIANTS)
    text = _strip_accents(text)
    text = _PUNCT.sub(" ", text)
    text = _REPEATS.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """The words of a normalised text."""
    return text.split()


# Eastern Arabic (U+0660..) and Persian (U+06F0..) digits as ASCII, so their phone numbers are found too.
_DIGITS = {base + d: ord("0") + d for base in (0x0660, 0x06F0) for d in range(10)}
_CONTACTS = re.compile(
    r"\S+@\S+"  # e-mail addresses ("max.muster@..." is not Münster)
    r"|(?:https?://|www\.)\S+"  # links
    r"|\b[a-z]{2}\d{2}(?:[ ]?[a-z0-9]{4}){3,7}(?:[ ]?[a-z0-9]{1,3})?\b"  # IBANs
    r"|(?<![\w])\+?\d(?:[ ()/.-]{0,2}\d){6,}",  # phone, case and file numbers: seven digits or more
    re.IGNORECASE,
)


def mask_contacts(text: str) -> str:
    """The text with e-mail addresses, links, IBANs, runs of seven or more digits (phone, case and file numbers)
    and reference numbers of six digits or more mixed with letters or slashes ("59425/BG/0012345") blanked out:
    their letters and digits are no town, postcode, language or topic."""
    if "@" not in text and "www" not in text.lower() and "http" not in text.lower() \
            and sum(ch.isdigit() for ch in text) < 6:
        return text  # the common case, checked cheaply
    tokens = text.translate(_DIGITS).split(" ")
    return _CONTACTS.sub(" ", " ".join(" " if _reference(token) else token for token in tokens))


def _reference(token: str) -> bool:
    """A file or customer number: six or more digits with letters, slashes or dashes among them."""
    digits = sum(ch.isdigit() for ch in token)
    return digits >= 6 and any(ch.isalpha() or ch in "/-" for ch in token.strip(".,;:!?()"))
