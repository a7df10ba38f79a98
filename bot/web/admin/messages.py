"""The validator's messages (bot/offers/fields.py, in English) in the admin's language.

The domain code speaks English to the CLI and to logs; the admin shows staff the same message in German (or
English) by matching its shape and translating it with the values put back in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.offers.importer import Problem
from bot.web.admin.i18n import N_

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), m) for p, m in (
    (r"^(?P<field>\w+): '(?P<value>.*)' is not yes/no", N_("{field}: '{value}' is not yes or no (ja/nein, 1/0, x)")),
    (r"^(?P<field>\w+): '(?P<value>.*)' is not a number$", N_("{field}: '{value}' is not a number")),
    (r"^unknown category '(?P<value>.*)' \(use:", N_("unknown category '{value}': choose one of the categories")),
    (r"^languages: '(?P<value>.*)' is neither", N_("languages: '{value}' is not a language we know; write "
                                                    "Deutsch, Arabisch or de, ar")),
    (r"^(?P<field>\w+): '(?P<value>.*)' has '\?' where letters were", N_(
        "{field}: '{value}' has '?' where letters were: the file was saved as Windows-1252 (ANSI), which has no "
        "Arabic, Persian or Cyrillic letters. In Excel choose 'Save as' > 'CSV UTF-8' and import that file")),
    (r"^bad postcode '(?P<value>.*)'", N_("postcode '{value}' is not a postcode (5 digits)")),
    (r"^bad e-mail '(?P<value>.*)'$", N_("'{value}' is not an e-mail address")),
    (r"^bad URL '(?P<value>.*)'", N_("'{value}' is not a web address (start with https://)")),
    (r"^bad phone number '(?P<value>.*)'$", N_("'{value}' is not a phone number")),
    (r"^bad opening hours '(?P<value>.*?)': (?P<detail>.*)$", N_(
        "opening hours '{value}' were not understood. Write them like: Mo-Fr 9-12 Uhr; Di 14-18 Uhr; "
        "or nach Vereinbarung")),
    (r"^bad id '(?P<value>.*)'", N_("id '{value}': only letters, digits and . _ : - (up to 64)")),
    (r"^missing name", N_("the German name is missing")),
    (r"^missing category", N_("choose at least one category")),
    (r"^give both lat and lon", N_("give both latitude and longitude, or neither")),
    (r"^coordinates (?P<value>.*) are outside Germany", N_("the coordinates {value} are outside Germany")),
    (r"^unknown postcode '(?P<value>.*)'", N_("postcode '{value}' is not known: give latitude and longitude")),
    (r"^no place:", N_("no place: give a postcode, a known town, or latitude and longitude")),
    (r"^duplicate id '(?P<value>.*?)'", N_("the id '{value}' is used twice (or exists already)")),
))


def translate(message: str, _: Callable[[str], str]) -> str:
    """The message in the admin's language (unchanged when its shape is not known)."""
    for pattern, msgid in PATTERNS:
        match = pattern.match(message)
        if match:
            return _(msgid).format(**match.groupdict())
    return message


def where(problem: Problem, _: Callable[[str], str]) -> str:
    """'Zeile 3' for a line number, else the place as the reader wrote it ("service.csv line 4")."""
    return _("line {n}").format(n=problem.line) if isinstance(problem.line, int) else str(problem.line)
