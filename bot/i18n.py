"""Translations and locale-aware formatting.

The current locale lives in a ContextVar (as in aiogram), never in a global, so concurrent conversations in
different languages cannot leak into each other. Catalogs are gettext files under locales/, compiled to .mo
during set-up (`make` does it; a missing .mo falls back to the English msgids rather than failing).
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from babel import Locale
from babel.numbers import format_decimal
from babel.support import Translations

from bot import ROOT

LOCALES_DIR = ROOT / "locales"
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


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog for a language (cached; English msgids when none is compiled)."""
    if lang == "en":
        return _gettext.NullTranslations()
    loaded = Translations.load(str(LOCALES_DIR), [lang], DOMAIN)
    return loaded


def gettext(message: str) -> str:
    """Translate a literal message into the current language. Never pass an f-string: format afterwards."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Plural-aware translation (Arabic has six forms, Russian and Ukrainian three)."""
    return translations(current()).ngettext(singular, plural, n)


_ = gettext


def babel_locale(lang: str | None = None) -> Locale:
    """The babel Locale for formatting numbers in a language."""
    return Locale.parse(lang or current())


def format_number(value: float, digits: int = 1) -> str:
    """A number in the current locale's digits and separators (e.g. Arabic-Indic digits for ar)."""
    fmt = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=babel_locale())


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
