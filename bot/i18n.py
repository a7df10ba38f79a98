"""Translations and locale-aware formatting.

The current locale lives in a ContextVar (as in aiogram), never in a global, so concurrent conversations in
different languages cannot leak into each other. Catalogs are gettext files under locales/ (bot/_data/locales/ in an
installed package), compiled to .mo by `make` and by the wheel build; where no .mo is there, the .po is compiled in
memory, so a language with a catalog is never shown in English.

Right to left (ar, fa, ps): translations and answer texts come back with every Latin run (a German office word, an
address, a phone number, a URL) wrapped in Unicode isolates (FSI ... PDI), so Telegram and the web chat keep each
fragment in its own order and the sentence in right-to-left order. Numbers use the locale's own digits (Persian
digits for fa and ps) through babel.
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from bot import resources

LOCALES_DIR = resources.locales_dir()
DOMAIN = "lotse"

#: Supported languages, each in its own name (shown as such in every language picker).
LANGUAGES: dict[str, str] = {
    "de": "Deutsch",
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی / دری",
    "uk": "Українська",
    "ru": "Русский",
    "tr": "Türkçe",
    "fr": "Français",
    "ku": "Kurdî (Kurmancî)",
    "ti": "ትግርኛ",
    "ps": "پښتو",
    "so": "Soomaali",
}
RTL_LANGUAGES = frozenset({"ar", "fa", "ps"})
DEFAULT_LANG = "de"

_current: ContextVar[str] = ContextVar("lotse_locale", default=DEFAULT_LANG)

# Unicode bidi isolates: wrap a left-to-right fragment (an address, a phone number, a German office word) so
# that it keeps its own order inside right-to-left text, and does not reorder the text around it.
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
RLM = "\u200f"


def normalise_lang(code: str | None) -> str | None:
    """Map 'de-DE', 'pt_BR', 'prs' (Dari), 'kmr' (Kurmanji) ... to a supported code, or None."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    base = {"prs": "fa", "kmr": "ku", "per": "fa", "fas": "fa", "pus": "ps", "som": "so", "tir": "ti"}.get(base, base)
    return base if base in LANGUAGES else None


def current() -> str:
    """The language of the conversation being handled right now."""
    return _current.get()


def set_lang(lang: str) -> None:
    """Set the language for the current context (a task or a request)."""
    _current.set(normalise_lang(lang) or DEFAULT_LANG)


@contextmanager
def use(lang: str) -> Iterator[None]:
    """`with use("ar"): ...` renders in Arabic and restores the previous language afterwards."""
    token = _current.set(normalise_lang(lang) or DEFAULT_LANG)
    try:
        yield
    finally:
        _current.reset(token)


class CatalogMissing(LookupError):
    """A supported language has no catalog at all: the install is broken (never show English instead)."""


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalog of a language (cached): its compiled .mo, else the .po compiled in memory.

    A .mo older than its .po (an edited checkout) is passed over for the .po, so a translator's edit shows on the
    next start without `make catalogs`. Fuzzy entries are never used, as `pybabel compile` leaves them out.
    English is the msgids themselves.
    """
    if lang == "en":
        return _gettext.NullTranslations()
    folder = LOCALES_DIR / lang / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if not po.is_file():
        raise CatalogMissing(f"no catalog for {lang!r}: neither {mo} nor {po} exists")
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def load_catalogs() -> None:
    """Load every language's catalog now (at start-up), so a missing one stops the start, not a conversation."""
    for lang in LANGUAGES:
        translations(lang)


def gettext(message: str) -> str:
    """Translate a literal message into the current language. Never pass an f-string: format afterwards.

    In a right-to-left language the Latin fragments of the translation (a German office word in brackets) come
    back wrapped in bidi isolates, so every transport shows them in the right place.
    """
    lang = current()
    return isolate_ltr_runs(translations(lang).gettext(message), lang)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Plural-aware translation (Arabic has six forms, Russian and Ukrainian three), isolated like gettext."""
    lang = current()
    return isolate_ltr_runs(translations(lang).ngettext(singular, plural, n), lang)


_ = gettext


def babel_locale(lang: str | None = None) -> Locale:
    """The babel Locale for formatting numbers in a language."""
    return Locale.parse(lang or current())


_NATIVE_DIGITS: dict[str, dict[int, int]] = {
    "arab": str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
    "arabext": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"),
}


def format_number(value: float, digits: int = 1) -> str:
    """A number in the current locale's digits and separators (e.g. Arabic-Indic digits for ar)."""
    fmt = "#,##0" + ("." + "#" * digits if digits else "")
    # The locale's own digits and separators: Persian digits for fa and ps, Latin digits where CLDR says so (also
    # for ar). Babel switches the separators with the numbering system but leaves the digits Latin: map them too.
    locale = babel_locale()
    text = format_decimal(value, format=fmt, locale=locale, numbering_system="default")
    return text.translate(_NATIVE_DIGITS.get(str(locale.default_numbering_system), {}))


def format_distance(km: float) -> str:
    """A distance such as '850 m' or '3,2 km', formatted for the current locale."""
    if km < 1:
        metres = int(round(km * 1000, -1))
        return gettext("{distance} m").format(distance=format_number(metres, 0))
    return gettext("{distance} km").format(distance=format_number(km, 1 if km < 20 else 0))


def is_rtl(lang: str | None = None) -> bool:
    """True for right-to-left languages (Arabic, Farsi/Dari, Pashto)."""
    return (lang or current()) in RTL_LANGUAGES


def isolate(fragment: str, lang: str | None = None) -> str:
    """Wrap a Latin fragment in bidi isolates when the surrounding text is right-to-left."""
    if not fragment or not is_rtl(lang):
        return fragment
    return f"{FSI}{fragment}{PDI}"



# A left-to-right run inside right-to-left text: a URL, or Latin words and numbers (Latin, Arabic-Indic or Persian
# digits) joined by spaces and the punctuation of addresses, phone numbers and office names ("Kamener Straße 110",
# "02361 / 50 20 12", "Kommunales Integrationszentrum (KI) Kreis Unna"). A run starts with a letter or digit and ends
# with one or with a bracket it opened, so the sentence's own full stop or comma stays outside in its right-to-left
# place, and a bracket is never split between inside and outside (it would be mirrored into two opening ones).
_A = "[0-9A-Za-z\u00c0-\u024f\u1e00-\u1eff\u0660-\u0669\u06f0-\u06f9]"
_G = "[ .,:/\\-\u2010-\u2013+&@'\u2019\u00a7\u066b\u066c]"
_LTR_RUN = re.compile(
    "\\{[^{}\\s]*\\}|https?://[^\\s\u2066-\u2069]*[^\\s\u2066-\u2069.,:;!?)\u060c\u061b\u061f]"
    f"|{_A}(?:{_G}*(?:{_A}|\\({_A}(?:{_G}*{_A})*\\)))*"
)
_ISOLATED = re.compile("[\u2066-\u2068][^\u2069]*\u2069")
_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def _wrap(match: re.Match[str]) -> str:
    run = match.group()
    # A "{place}" placeholder is filled in later (with its own isolate): it must stay as it is.
    return run if run.startswith("{") else f"{FSI}{run}{PDI}"


def isolate_ltr_runs(text: str, lang: str | None = None) -> str:
    """Wrap every left-to-right run of a right-to-left text in FSI ... PDI (idempotent; LTR text is unchanged).

    Without isolates "116 117" in Arabic text shows as "117 116", a Latin address reorders the words around it, and
    a reply that starts with a German word is laid out left to right. Runs already isolated are left alone.
    """
    if not text or not is_rtl(lang) or not _RTL_LETTER.search(text):
        return text
    out: list[str] = []
    pos = 0
    for done in _ISOLATED.finditer(text):
        out.append(_LTR_RUN.sub(_wrap, text[pos:done.start()]))
        out.append(done.group())
        pos = done.end()
    out.append(_LTR_RUN.sub(_wrap, text[pos:]))
    return "".join(out)


def strip_isolates(text: str) -> str:
    """The text without bidi controls (for matching, logging and tests)."""
    return re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)
