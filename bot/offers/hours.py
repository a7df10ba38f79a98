"""Opening hours in OpenStreetMap `opening_hours` syntax: a small parser for the part offers use, and rendering.

Supported (what the offer lists of integration centres need): `24/7`; rules separated by `;` (or `, ` before a
weekday), each with weekdays (`Mo-Fr`, `Mo,We`, `PH` public holidays, `SH` school holidays), times
(`08:00-12:00,14:00-16:30`) or `off`/`closed`, and an optional comment in double quotes
(`Tu 14:00-18:00 "nur mit Termin"`, or only `"nach Vereinbarung"`). Month, week and date selectors are rejected
with a clear message rather than misread. Rendering is compact: day names from CLDR (babel) in the user's
language, 24-hour times, a few words through gettext ("closed", "public holidays"); comments stay as written
(German), marked "in German" for readers of other languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel import Locale

from bot import i18n
from bot.i18n import _

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
HOLIDAYS = ("PH", "SH")
_GERMAN_DAYS = {"Di": "Tu", "Mi": "We", "Do": "Th", "So": "Su"}
_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_RULE_SPLIT = re.compile(r";|,\s+(?=(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)\b)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_HINT = 'write it like: Mo-Fr 08:00-12:00; Tu 14:00-18:00 "nach Vereinbarung"'


class HoursError(ValueError):
    """The text is not opening_hours syntax this parser understands; the message says what is wrong."""


@dataclass(frozen=True)
class Rule:
    """One rule: on these days (none means every day), these time spans, closed, and/or a comment."""

    days: tuple[tuple[str, str], ...]  # (first, last) ranges of DAYS, or ("PH", "PH")
    spans: tuple[tuple[str, str], ...]
    closed: bool = False
    comment: str = ""


def _days(token: str) -> tuple[tuple[str, str], ...]:
    ranges = []
    for part in token.split(","):
        first, _sep, last = part.partition("-")
        last = last or first
        for day in (first, last):
            if day in _GERMAN_DAYS:
                raise HoursError(f'"{day}" is German: use {_GERMAN_DAYS[day]} (days are Mo Tu We Th Fr Sa Su)')
            if day not in DAYS and not (day in HOLIDAYS and first == last):
                raise HoursError(f'unknown day "{day}" (days are Mo Tu We Th Fr Sa Su, PH, SH)')
        ranges.append((first, last))
    return tuple(ranges)


def _spans(token: str) -> tuple[tuple[str, str], ...]:
    spans = []
    for part in token.split(","):
        start, sep, end = part.partition("-")
        if not sep or not _TIME.match(start) or not _TIME.match(end):
            raise HoursError(f'bad time "{part}" (use 24-hour HH:MM-HH:MM, e.g. 08:00-12:30)')
        if start > "24:00" or end > "24:00" or start == end:
            raise HoursError(f'bad time "{part}"')
        spans.append((start, end))
    return tuple(spans)


def _rule(text: str) -> Rule:
    comment = ""
    match = re.search(r'"([^"]*)"\s*$', text)
    if match:
        comment, text = match.group(1).strip(), text[:match.start()].strip()
        if not comment:
            raise HoursError("empty comment")
    if '"' in text:
        raise HoursError("a comment in double quotes must end the rule")
    tokens = text.split()
    selector = tokens[0] if tokens else ""
    if selector[:3] in _MONTHS or selector == "week" or (selector[:1].isdigit() and ":" not in selector):
        raise HoursError(f'month, week and date selectors ("{tokens[0]}") are not supported; {_HINT}')
    days: tuple[tuple[str, str], ...] = ()
    if tokens and re.match(r"^([A-Z][a-z]|PH|SH)", tokens[0]):
        days = _days(tokens.pop(0))
    closed = False
    spans: tuple[tuple[str, str], ...] = ()
    if tokens and tokens[0] in ("off", "closed"):
        closed = True
        tokens.pop(0)
    elif tokens:
        spans = _spans(tokens.pop(0))
    if tokens:
        raise HoursError(f'cannot read "{" ".join(tokens)}"; {_HINT}')
    if not (days or spans or closed or comment):
        raise HoursError(f"empty rule; {_HINT}")
    if days and not (spans or closed or comment):
        raise HoursError(f'days without times: add times or "off"; {_HINT}')
    return Rule(days, spans, closed, comment)


def parse(text: str) -> tuple[Rule, ...]:
    """Parse opening_hours; raises HoursError with a message an admin can act on. `24/7` is one open rule."""
    text = " ".join(text.split())
    if not text:
        return ()
    if text == "24/7":
        return (Rule((), (("00:00", "24:00"),)),)
    return tuple(_rule(part.strip()) for part in _RULE_SPLIT.split(text) if part.strip())


def normalise(text: str) -> str:
    """The text as stored: validated, whitespace collapsed (raises HoursError when invalid).

    Excel users write "8:00"; OSM wants "08:00": single-digit hours are padded rather than refused.
    """
    text = re.sub(r"(?<![\d:])(\d):(\d\d)", r"0\1:\2", " ".join(text.split()))
    parse(text)
    return text


def _day_name(day: str, locale: Locale) -> str:
    if day == "PH":
        return _("public holidays")
    if day == "SH":
        return _("school holidays")
    return str(locale.days["format"]["abbreviated"][DAYS.index(day)])


def render(text: str, lang: str | None = None) -> str:
    """Opening hours for a person, e.g. 'Mo.–Fr. 08:00–12:00; Sa. closed' in the current (or given) language.

    Invalid text (an old row, say) is shown as written rather than hidden.
    """
    try:
        rules = parse(text)
    except HoursError:
        return text
    with i18n.use(lang or i18n.current()):
        if text.strip() == "24/7":
            return _("open 24 hours, every day")
        locale = i18n.babel_locale()
        # Arabic script has its own comma and semicolon; the times stay isolated left-to-right runs.
        comma, semicolon = ("، ", "؛ ") if i18n.is_rtl() else (", ", "; ")
        parts = []
        for rule in rules:
            days = comma.join(
                _day_name(a, locale) if a == b else f"{_day_name(a, locale)}–{_day_name(b, locale)}"
                for a, b in rule.days)
            what = _("closed") if rule.closed else comma.join(i18n.isolate(f"{a}–{b}") for a, b in rule.spans)
            words = [w for w in (days, what) if w]
            if rule.comment:
                # A comment is the offer's own words, in German: say so to a reader of another language.
                note = rule.comment if i18n.current() == "de" else _("in German: {note}").format(
                    note=i18n.isolate(rule.comment))
                words.append(f"({note})" if words else note)
            parts.append(" ".join(words))
        return semicolon.join(parts)
