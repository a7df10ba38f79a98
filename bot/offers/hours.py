"""Opening hours: OpenStreetMap `opening_hours` syntax, read as German offices write it, rendered, "open now".

- Validation and evaluation use opening-hours-py (the Rust `opening-hours` crate): the full OSM syntax (months,
  weeks, dates, `PH`, `SH`, comments, fallbacks), not a hand-written subset.
- `normalise` also accepts what staff type into a spreadsheet — "Mo-Fr 9-12 Uhr", "Di, Do 14:00-17:00",
  "Montag bis Freitag 9-12 Uhr und 14-16 Uhr", "Mo-Fr 9-12 Uhr, Do 14-18 Uhr", "Feiertags geschlossen" — and
  turns it into OSM syntax with the rules added up day by day as offices mean them (office_hours.py).
  "nach Vereinbarung" (by appointment) becomes the OSM comment
  `"nach Vereinbarung"`; `by_appointment` tells the importer to set the offer's appointment flag.
- `status(hours, now, lang)` says "open now, until 12:00" / "closed now, opens today at 14:00" in the reader's
  language for a given clock. Public holidays (`PH`) are those of North Rhine-Westphalia: the library knows
  Germany's nationwide ones; Corpus Christi and All Saints' Day (NRW only) are evaluated as a nationwide holiday
  on the same weekday, so "PH off" closes on them too.
- `render` shows the hours compactly in the reader's language (CLDR day names); text the compact renderer cannot
  express (months, dates) is shown as written; comments stay as written (German), marked "in German" for
  readers of other languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours
from babel import Locale
from opening_hours import OpeningHours, State

from bot import i18n
from bot.i18n import _
from bot.offers.office_hours import HINT, HoursError, from_german, week_table

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
HOLIDAYS = ("PH", "SH")
BERLIN = ZoneInfo("Europe/Berlin")
# The library raises ParserError (its type stubs do not list it yet).
_PARSER_ERROR: type[Exception] = getattr(opening_hours, "ParserError", SyntaxError)
APPOINTMENT = '"nach Vereinbarung"'


def by_appointment(text: str) -> bool:
    """True when the hours are only "nach Vereinbarung" (by appointment), however it is written."""
    return bool(_APPOINTMENT.match(text)) or text.strip() == APPOINTMENT


_APPOINTMENT = re.compile(r"^\s*(termine?\s+)?(nur\s+)?(nach|mit)\s+(vorheriger\s+)?(vereinbarung|termin|absprache)"
                          r"(\s+vereinbarung)?\s*\.?\s*$|^\s*by\s+appointment\s*$", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _parsed(text: str) -> OpeningHours:
    return OpeningHours(text, country="DE")


def _valid(text: str) -> bool:
    try:
        _parsed(text)
    except (_PARSER_ERROR, ValueError, TypeError):
        return False
    return True


def normalise(text: str) -> str:
    """The text as stored: OSM opening_hours syntax, checked by the library (raises HoursError when invalid).

    OSM text is kept as written (whitespace collapsed, "8:00" padded to "08:00"); anything else is read as
    German offices write it ("Mo-Fr 9-12 Uhr" -> "Mo-Fr 09:00-12:00"); "nach Vereinbarung" -> '"nach Vereinbarung"'.
    """
    text = " ".join(text.split())
    if not text:
        return ""
    if by_appointment(text):
        return APPOINTMENT
    padded = re.sub(r"(?<![\d:])(\d):(\d\d)", r"0\1:\2", text)
    if _valid(padded):
        return padded
    converted = from_german(text)
    if not _valid(converted):
        raise HoursError(f'"{converted}" is not valid; {HINT}')
    return converted


# --- open now ---------------------------------------------------------------------------------------------

_HAS_TIMES = re.compile(r"\d\d:\d\d|24/7|sunrise|sunset|dawn|dusk")


def _easter(year: int) -> date:
    """Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def nrw_only_holidays(year: int) -> dict[date, date]:
    """NRW public holidays that are not nationwide, each with a nationwide holiday on the same weekday.

    Corpus Christi (a Thursday) stands in for Ascension Day of the same year; All Saints' Day (1 November) for
    a 3 October (German Unity Day) that falls on the same weekday.
    """
    easter = _easter(year)
    corpus_christi = easter + timedelta(days=60)
    all_saints = date(year, 11, 1)
    unity = next(date(y, 10, 3) for y in range(year, year + 12) if date(y, 10, 3).weekday() == all_saints.weekday())
    return {corpus_christi: easter + timedelta(days=39), all_saints: unity}


def _local(now: datetime) -> datetime:
    return now.astimezone(BERLIN).replace(tzinfo=None) if now.tzinfo else now


def _time(moment: datetime) -> str:
    return i18n.isolate(moment.strftime("%H:%M"))


@lru_cache(maxsize=4096)
def _evaluated(hours: str) -> OpeningHours:
    """The hours as the library should judge them: a rule of days with only a comment ('Tu "nach Vereinbarung"')
    says nothing about being open, but the library reads it as open all day ("opens tomorrow at 00:00"); it is
    evaluated as unknown instead."""
    rules = [_COMMENT_ONLY.sub(r'\g<days> unknown "\g<comment>"', rule.strip()) for rule in hours.split(";")]
    return _parsed("; ".join(rules))


_COMMENT_ONLY = re.compile(r'^(?P<days>(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)[A-Za-z,\- ]*?)\s*"(?P<comment>[^"]*)"$')


def _next_open(oh: OpeningHours, at: datetime) -> datetime | None:
    for start, _end, state, _comment in oh.intervals(at, at + timedelta(days=8)):
        if state == State.OPEN and start >= at:
            return start
    return None


def status(hours: str, now: datetime, lang: str) -> str | None:
    """"open now, until 12:00", "closed now, opens today at 14:00", ... in `lang`; None when it cannot be said
    (no hours, only a comment such as "nach Vereinbarung", or "unknown" in the hours)."""
    if not hours or not _HAS_TIMES.search(hours) or not _valid(hours):
        return None
    oh = _evaluated(hours)
    local = _local(now)
    stand_in = nrw_only_holidays(local.year).get(local.date()) if "PH" in hours else None
    at = datetime.combine(stand_in, local.time()) if stand_in else local
    state, _comment = oh.state(at)
    with i18n.use(lang):
        if state == State.UNKNOWN:
            return None
        if state == State.OPEN:
            until = oh.next_change(at)
            if until is not None and until.date() == at.date():
                return _("open now, until {time}").format(time=_time(until))
            return _("open now")
        opens = _next_open(oh, at)
        if stand_in and opens is not None and opens.date() != at.date():
            opens = _next_open(oh, datetime.combine(local.date() + timedelta(days=1), datetime.min.time()))
            days_ahead = (opens.date() - local.date()).days if opens else None
        else:
            days_ahead = (opens.date() - at.date()).days if opens else None
        if opens is None or days_ahead is None or days_ahead > 6:
            return _("closed now")
        if days_ahead == 0:
            return _("closed now, opens today at {time}").format(time=_time(opens))
        if days_ahead == 1:
            return _("closed now, opens tomorrow at {time}").format(time=_time(opens))
        weekday = (local.date() + timedelta(days=days_ahead)).weekday()
        day = str(i18n.babel_locale().days["format"]["wide"][weekday])
        return _("closed now, opens {day} at {time}").format(day=day, time=_time(opens))


def is_open(hours: str, now: datetime) -> bool | None:
    """Whether an offer is open at `now` (None when the hours cannot say), e.g. to list open offers first."""
    if not hours or not _HAS_TIMES.search(hours) or not _valid(hours):
        return None
    local = _local(now)
    stand_in = nrw_only_holidays(local.year).get(local.date()) if "PH" in hours else None
    state, _comment = _evaluated(hours).state(datetime.combine(stand_in, local.time()) if stand_in else local)
    return None if state == State.UNKNOWN else state == State.OPEN


def clock() -> datetime:
    """The time "open now" refers to (Berlin); tests replace it to fix the clock."""
    return datetime.now(BERLIN)


# --- rendering --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One simple rule for rendering: days (none means every day), time spans, closed, and/or a comment."""

    days: tuple[tuple[str, str], ...]
    spans: tuple[tuple[str, str], ...]
    closed: bool = False
    comment: str = ""


_SIMPLE_RULE = re.compile(
    r'^(?:(?P<days>(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?'
    r'(?:,(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?)*)\s*)?'
    r'(?:(?P<off>off|closed)|(?P<spans>\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*))?'
    r'\s*(?:"(?P<comment>[^"]*)")?$')
_RULE_SPLIT = re.compile(r";|,\s+(?=(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)\b)")


def parse(text: str) -> tuple[Rule, ...]:
    """The simple rules of a valid text (weekdays, times, off, comment); HoursError for anything richer."""
    text = " ".join(text.split())
    if not text:
        return ()
    if text == "24/7":
        return (Rule((), (("00:00", "24:00"),)),)
    rules = []
    for part in (p.strip() for p in _RULE_SPLIT.split(text)):
        match = _SIMPLE_RULE.match(part) if part else None
        if not match or not any(match.group(g) for g in ("days", "off", "spans", "comment")):
            raise HoursError(f'"{part}" is beyond the compact rendering')
        days = tuple((a, b or a) for a, _s, b in (d.partition("-") for d in (match["days"] or "").split(",") if d))
        spans = tuple(tuple(s.split("-")) for s in (match["spans"] or "").split(",") if s)
        rules.append(Rule(days, spans, bool(match["off"]), (match["comment"] or "").strip()))
    return tuple(rules)


def _day_name(day: str, locale: Locale) -> str:
    if day == "PH":
        return _("public holidays")
    if day == "SH":
        return _("school holidays")
    return str(locale.days["format"]["abbreviated"][DAYS.index(day)])


def render(text: str, lang: str | None = None) -> str:
    """Opening hours for a person, e.g. 'Mo.–Fr. 08:00–12:00; Sa. closed' in the current (or given) language.

    Text beyond weekdays and times (months, dates, an old invalid row) is shown as written rather than hidden.
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
                # A comment is the offer's own words, in German: say so to a reader of another language; the
                # commonest one ("nach Vereinbarung") is said in the reader's language.
                note = _("by appointment") if by_appointment(rule.comment) else rule.comment \
                    if i18n.current() == "de" else _("in German: {note}").format(note=i18n.isolate(rule.comment))
                words.append(f"({note})" if words else note)
            parts.append(" ".join(words))
        return semicolon.join(parts)


def render_with_status(text: str, lang: str, now: datetime | None = None) -> str:
    """The rendered hours followed by "open now ..." when that can be said (what a place shows a person)."""
    if not text:
        return ""
    shown = render(text, lang)
    said = status(text, now or clock(), lang)
    return f"{shown} · {said}" if said else shown


__all__ = ["APPOINTMENT", "HINT", "HoursError", "by_appointment", "is_open", "normalise", "render", "status",
           "week_table"]
