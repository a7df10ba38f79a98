"""The admin's own gettext domain `admin`: German first, English second (the admin is for staff, not newcomers).

Its catalogs are locales/de/LC_MESSAGES/admin.po and locales/en/LC_MESSAGES/admin.po (`make i18n` extracts the
admin's templates and code into locales/admin.pot). They are read directly with babel, so no compile step can
be forgotten; the chat's twelve-language `lotse` catalogs stay free of staff-only texts.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR

ADMIN_LANGS = ("de", "en")
DEFAULT = "de"


@cache
def catalog(lang: str) -> dict[str, str]:
    """msgid -> msgstr of one admin catalog (empty for a language without one, so msgids show)."""
    path = LOCALES_DIR / lang / "LC_MESSAGES" / "admin.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh, locale=lang)
                if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def translator(lang: str) -> Callable[[str], str]:
    """A `_()` for templates and handlers in `lang`."""
    messages = catalog(lang if lang in ADMIN_LANGS else DEFAULT)
    return lambda message: messages.get(message) or message


def pick(lang: str | None, accept_language: str = "") -> str:
    """The admin language: the chosen one, else the browser's first of de/en, else German."""
    if lang in ADMIN_LANGS:
        return lang
    for part in accept_language.split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in ADMIN_LANGS:
            return code
    return DEFAULT


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


# Words the pages show from data: roles and the actions of the audit trail.
DATA_WORDS = (N_("editor"), N_("admin"), N_("add"), N_("edit"), N_("import"), N_("delete"), N_("restore"),
              N_("demo"))
