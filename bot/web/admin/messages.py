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
    # The import's notes on columns, and what a whole file can be refused for.
    (r"^column '(?P<value>.*)' is not an offer field and is ignored$",
     N_("column '{value}' is not an offer field and is left out")),
    (r"^two columns mean (?P<field>\w+): '(?P<value>.*)' and another$",
     N_("two columns mean {field}: '{value}' and another one")),
    (r"^no name column", N_("no name column (Name, Bezeichnung, name_de) and no id column")),
    (r"^the file has (?P<value>[\d,.]+ MB); at most (?P<limit>[\d,.]+ MB)",
     N_("the file has {value}; at most {limit} can be imported at once")),
    (r"^the file has more than (?P<value>[\d,.]+) rows", N_("the file has more than {value} rows; split it")),
    (r"^(?:the workbook|the archive) (?P<detail>.*)$", N_("the archive cannot be read safely: {detail}")),
    (r"^the file's text is not in an encoding Lotse recognises", N_(
        "the file's text is in no encoding Lotse recognises. In Excel choose 'Save as' > 'CSV UTF-8'.")),
    (r"^this is not a text file", N_("this is not a text file. In Excel choose 'Save as' > 'CSV UTF-8'.")),
    (r"^the file is empty", N_("the file is empty")),
    (r"^not valid JSON", N_("the file is not valid JSON")),
    # What a sync reports.
    (r"^category '(?P<value>.*)' is not mapped to a Lotse category: (?P<n>\d+) locations left out",
     N_("Integreat category '{value}' is not mapped to a Lotse category: {n} locations left out (map it below)")),
    (r"^(?P<n>\d+) objects without a name left out$", N_("{n} objects without a name left out")),
    (r"^(?P<n>\d+) locations outside district (?P<value>\d+) left out$",
     N_("{n} locations outside district {value} left out")),
    (r"^(?P<url>\S+): cannot be reached \((?P<detail>.*)\)$", N_("{url} cannot be reached ({detail})")),
    (r"^(?P<url>\S+): HTTP (?P<code>\d+)(?P<detail>.*)$", N_("{url} answered with HTTP {code}{detail}")),
    (r"^(?P<source>\w+) (?P<scope>\S+) returned no objects", N_(
        "{source} {scope} returned no objects; nothing was archived (is the source down?)")),
))
_NOTE = re.compile(r"^(?P<who>.+?): (?:skipped: (?P<skipped>.*)|(?P<empty>.*) \(left empty\))$")


def translate(message: str, _: Callable[[str], str]) -> str:
    """The message in the admin's language (unchanged when its shape is not known)."""
    for pattern, msgid in PATTERNS:
        match = pattern.match(message)
        if match:
            return _(msgid).format(**match.groupdict())
    note = _NOTE.match(message)
    if note and note["skipped"] is not None:  # a sync's note about one object: "<name>: skipped: <why>"
        why = "; ".join(translate(part, _) for part in note["skipped"].split("; "))
        return _("{who}: left out: {why}").format(who=note["who"], why=why)
    if note and note["empty"] is not None:
        return _("{who}: {why} (left empty)").format(who=note["who"], why=translate(note["empty"], _))
    return message


def where(problem: Problem, _: Callable[[str], str]) -> str:
    """'Zeile 3' for a line number, else the place as the reader wrote it ("service.csv line 4")."""
    return _("line {n}").format(n=problem.line) if isinstance(problem.line, int) else str(problem.line)
