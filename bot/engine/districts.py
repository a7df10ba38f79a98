"""Per-district settings: the links that differ from district to district (data/districts.yaml).

An answer file names a link key (`link: kita_portal`); the engine looks up the district of the user's place and shows
that district's link under the answer. Where the district has no checked link (or the place is unknown), a generic
sentence that is true everywhere in NRW is shown instead: a wrong link would send a newcomer to the wrong office.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from bot import i18n, resources
from bot.i18n import _

DISTRICTS_YAML = resources.data_file("districts.yaml")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated when shown."""
    return message


# Per link key: the sentence with the district's link, and the generic sentence when there is none.
SENTENCES: dict[str, tuple[str, str]] = {
    "integration_centre": (
        N_("Integration centre (Kommunales Integrationszentrum) of {district}: {url}"),
        N_("The integration centre (Kommunales Integrationszentrum) of your district can help you further."),
    ),
    "kita_portal": (
        N_("Kita registration in {district}: {url}"),
        N_("Your town hall (Rathaus) can tell you where to register for a Kita place."),
    ),
    "foreigners_office": (
        N_("Foreigners' office (Ausländerbehörde) of {district}: {url}"),
        N_("Ask the foreigners' office (Ausländerbehörde) of your district for an appointment."),
    ),
}


#: The German name of the office a generic sentence points to ("(Kommunales Integrationszentrum)"): answers in
#: every language name offices by their German name too.
_OFFICE = re.compile(r"\(([^)]+)\)")


@dataclass(frozen=True)
class District:
    """A district's name and its links (empty where no checked link is known)."""

    code: str
    name: str
    links: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Districts:
    """The districts with their own settings, and the default for every other place."""

    default: District
    by_code: dict[str, District]

    def get(self, code: str | None) -> District:
        """The district of an AGS code, or the default."""
        return self.by_code.get(code or "", self.default)

    def link(self, code: str | None, key: str) -> tuple[str, str] | None:
        """(district name, url) of a link, falling back to the default's link; None when none is known."""
        district = self.get(code)
        url = district.links.get(key) or self.default.links.get(key) or ""
        if not url:
            return None
        name = district.name if district.links.get(key) else self.default.name
        return name, url

    def keys(self) -> set[str]:
        """Every link key the settings know."""
        found = set(self.default.links)
        for district in self.by_code.values():
            found |= set(district.links)
        return found

    def note(self, key: str | None, code: str | None, said: str = "") -> str:
        """The translated sentence to show under an answer with `link: key` (empty when the key is unknown); the
        generic one only when the answer `said` does not name that office already (it would say it twice)."""
        if not key or key not in SENTENCES:
            return ""
        with_link, generic = SENTENCES[key]
        found = self.link(code, key)
        if found is None:
            office = _OFFICE.search(generic)
            return "" if office and office.group(1) in said else _(generic)
        name, url = found
        return _(with_link).format(district=i18n.isolate(name), url=i18n.isolate(url))


def _district(code: str, data: dict[str, object]) -> District:
    links = data.get("links") or {}
    if not isinstance(links, dict):
        raise ValueError(f"data/districts.yaml: the links of {code} must be a mapping")
    return District(code, str(data.get("name") or ""), {str(k): str(v or "") for k, v in links.items()})


def load_districts(path: Path = DISTRICTS_YAML) -> Districts:
    """Read data/districts.yaml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    default = _district("default", data.get("default") or {})
    by_code = {str(code): _district(str(code), d or {}) for code, d in (data.get("districts") or {}).items()}
    return Districts(default, by_code)


@cache
def default_districts() -> Districts:
    """The shipped settings, loaded once."""
    return load_districts()
