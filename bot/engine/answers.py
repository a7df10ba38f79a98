"""Answer texts per intent and language: intents/answers/<id>.yaml, each fact with its sources.

A file holds `answer: {lang: text}`, `sources: [{title, url, facts}]` and optionally `link:` (a key of
data/districts.yaml, e.g. `kita_portal`: the engine adds the user's district link under the answer). Texts in
right-to-left languages get their Latin runs (office words, addresses, phone numbers) wrapped in bidi isolates at
load time, so Telegram and the web chat show them in the right order. `problems()` is the quality gate the tests
and `lotse setup` use: a missing language, an unsourced answer or a phone number that is not on
data/verified_numbers.yaml is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot import resources
from bot.i18n import LANGUAGES, RTL_LANGUAGES, isolate_ltr_runs, strip_isolates
from bot.nlu.intents import Intent

ANSWERS_DIR = resources.answers_dir()
VERIFIED_NUMBERS = resources.data_file("verified_numbers.yaml")


@dataclass(frozen=True)
class Answer:
    """The vetted answer text of one intent, in every language it is written in."""

    id: str
    text: dict[str, str]
    sources: tuple[dict[str, str], ...] = ()
    link: str | None = None

    def in_lang(self, lang: str) -> str:
        """The answer in a language, falling back to English, then German."""
        return self.text.get(lang) or self.text.get("en") or self.text.get("de") or ""


def _clean(text: object, lang: str) -> str:
    # YAML folded blocks keep line breaks inside sentences; one space each. Isolates for RTL languages.
    flat = " ".join(str(text).split())
    return isolate_ltr_runs(flat, lang) if lang in RTL_LANGUAGES else flat


def load_answer(path: Path) -> Answer:
    """One answer file."""
    data = resources.read_yaml(path) or {}
    text = {str(lang): _clean(v, str(lang)) for lang, v in (data.get("answer") or {}).items() if v}
    sources = tuple(dict(s) for s in (data.get("sources") or ()) if isinstance(s, dict))
    link = data.get("link")
    return Answer(path.stem, text, sources, str(link) if link else None)


def load_answers(directory: Path = ANSWERS_DIR) -> dict[str, Answer]:
    """All answers, by intent id."""
    return {path.stem: load_answer(path) for path in sorted(directory.glob("*.yaml"))}


@cache
def default_answers() -> dict[str, Answer]:
    """The shipped answers, loaded once."""
    return load_answers()


# -- phone numbers -------------------------------------------------------------------------------------------
_DIGITS = "0-9\u0660-\u0669\u06f0-\u06f9"
# Groups of digits joined by spaces, or by a slash or hyphen before a group of two or more digits ("13-4222"; an
# id such as "05370-1" is not a phone number).
_SPACE = "[ \u00a0\u202f]"
_SEP = (f"(?:{_SPACE}*/{_SPACE}*[{_DIGITS}]{{2,}}|{_SPACE}*[\\-\u2010-\u2013]{_SPACE}*[{_DIGITS}]{{2,}}"
        f"|{_SPACE}[{_DIGITS}]+)")
_CANDIDATE = re.compile(
    f"(?<![{_DIGITS}.,:])(?:\\+|00)?[{_DIGITS}]{{2,}}{_SEP}*(?![{_DIGITS}]|[.,:][{_DIGITS}])"
)
_STREET = re.compile(r"(?:stra(?:ß|ss)e|str\.|weg|platz|allee|ring|park|gasse)\s*$", re.IGNORECASE)
_TO_ASCII = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def digits_of(text: str) -> str:
    """Only the digits, as ASCII (Arabic-Indic and Persian digits included)."""
    return re.sub(r"\D", "", text.translate(_TO_ASCII))


def phone_numbers(text: str) -> list[str]:
    """Everything in a text that looks like a German phone number, as written.

    Caught: national short numbers (112, 110, 116 117, 116 016, 115), numbers with an area or service code
    ("0800 111 0 111", "02361 / 50 20 12", "02452 / 13-4222", "+49 2361 502012"), in Latin, Arabic-Indic or Persian
    digits. Not caught: years, hours, postcodes, amounts and house numbers ("Kamener Straße 110").
    """
    plain = strip_isolates(text)
    found: list[str] = []
    for match in _CANDIDATE.finditer(plain):
        raw = match.group().strip()
        digits = digits_of(raw)
        if _STREET.search(plain[: match.start()]):
            continue
        international = raw.startswith(("+", "00")) and len(digits) >= 8
        with_area_code = digits.startswith("0") and len(digits) >= 6
        short_service = digits.startswith("11") and len(digits) in (3, 6)
        if international or with_area_code or short_service:
            found.append(raw)
    return found


@cache
def verified_numbers(path: Path = VERIFIED_NUMBERS) -> frozenset[str]:
    """The digits of every number on the verified list (each entry there has its source)."""
    entries = resources.read_yaml(path) or []
    return frozenset(national_digits(str(e["number"])) for e in entries if isinstance(e, dict) and e.get("source"))


def unverified_numbers(text: str) -> list[str]:
    """The phone numbers of a text that are not on the verified list."""
    return [n for n in phone_numbers(text) if national_digits(n) not in verified_numbers()]


def national_digits(number: str) -> str:
    """The digits as dialled inside Germany: "+49 2361 502012" -> "02361502012"."""
    digits = digits_of(number)
    if number.lstrip().startswith("+49"):
        return "0" + digits[2:]
    if digits.startswith("0049"):
        return "0" + digits[4:]
    return digits


# -- quality gate --------------------------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def problems(
    answers: Mapping[str, Answer],
    intents: Mapping[str, Intent],
    languages: Iterable[str] = LANGUAGES,
    link_keys: Iterable[str] | None = None,
) -> list[str]:
    """Everything wrong with the answers of `intents`, as readable lines (empty when all is well); an intent with
    `source_needed: false` (small talk, which states no facts) needs no source."""
    found: list[str] = []
    langs = list(languages)
    keys = set(link_keys) if link_keys is not None else None
    for intent in sorted(set(intents)):
        answer = answers.get(intent)
        if answer is None:
            found.append(f"{intent}: no file intents/answers/{intent}.yaml")
            continue
        for lang in langs:
            text = answer.text.get(lang, "")
            if not text.strip():
                found.append(f"{intent}: no answer in {lang}")
                continue
            if _PLACEHOLDER.search(text):
                found.append(f"{intent}/{lang}: a {{placeholder}} in an answer is never filled in")
            for number in unverified_numbers(text):
                found.append(f"{intent}/{lang}: phone number {number!r} is not on data/verified_numbers.yaml")
        if intents[intent].source_needed and not answer.sources:
            found.append(f"{intent}: facts without a `sources:` entry")
        for source in answer.sources:
            if not str(source.get("url", "")).startswith(("http://", "https://")):
                found.append(f"{intent}: source {source.get('title')!r} has no URL")
        if answer.link and keys is not None and answer.link not in keys:
            found.append(f"{intent}: link {answer.link!r} is not a key of data/districts.yaml")
    return found
