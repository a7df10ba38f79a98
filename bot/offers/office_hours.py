"""Opening hours as German offices write them, read the way they mean them: day by day, adding up.

"Mo-Fr 9-12 Uhr, Do 14-18 Uhr" means Thursday is open in the morning *and* the afternoon. In OpenStreetMap
syntax a later rule for a day replaces the earlier one, so writing it as `Mo-Fr 09:00-12:00; Th 14:00-18:00`
would close Thursday morning. The reader therefore builds a table of the week first: each rule's times are added
to its days ("Di auch 14-17"), a rule whose times overlap what a day has already replaces them ("Mo-Fr 9-16 Uhr,
Fr 9-12 Uhr" closes Friday at 12), and "geschlossen" closes a day. The table is then written in OSM syntax with
every day's complete times, one rule per group of days that have the same times, which OSM reads the same way.

`week_table` goes the other way for any valid OSM text: the library evaluates a plain week (no holidays), so the
admin can show staff what was understood, and the property tests can compare both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from opening_hours import OpeningHours, State

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
SPECIAL = ("PH", "SH")
HINT = 'write it like: Mo-Fr 09:00-12:00; Di 14:00-18:00 or "nach Vereinbarung"'
Span = tuple[str, str]


class HoursError(ValueError):
    """The text is not opening hours Lotse understands; the message says what is wrong."""


DAY_WORDS = {
    "mo": "Mo", "montag": "Mo", "montags": "Mo", "mon": "Mo", "monday": "Mo",
    "di": "Tu", "dienstag": "Tu", "dienstags": "Tu", "tu": "Tu", "tue": "Tu", "tuesday": "Tu",
    "mi": "We", "mittwoch": "We", "mittwochs": "We", "we": "We", "wed": "We", "wednesday": "We",
    "do": "Th", "donnerstag": "Th", "donnerstags": "Th", "th": "Th", "thu": "Th", "thursday": "Th",
    "fr": "Fr", "freitag": "Fr", "freitags": "Fr", "fri": "Fr", "friday": "Fr",
    "sa": "Sa", "samstag": "Sa", "samstags": "Sa", "sonnabend": "Sa", "sat": "Sa", "saturday": "Sa",
    "so": "Su", "sonntag": "Su", "sonntags": "Su", "su": "Su", "sun": "Su", "sunday": "Su",
    "ph": "PH", "feiertag": "PH", "feiertage": "PH", "feiertags": "PH", "feiertagen": "PH",
    "sh": "SH", "schulferien": "SH", "ferien": "SH",
}
GROUP_WORDS = {"werktags": "Mo-Fr", "wochentags": "Mo-Fr", "täglich": "Mo-Su", "taglich": "Mo-Su",
               "daily": "Mo-Su"}
_OFF_WORDS = {"geschlossen", "off", "closed", "zu", "keine"}
_FILLER = {"uhr", "h", "von", "an", "am", "und", "bis", "u", "sowie", "jeweils", "nur", "sprechzeiten",
           "öffnungszeiten", "offnungszeiten", "auch", "zusätzlich", "zusatzlich", "außerdem", "ausserdem",
           "nachmittags", "vormittags", "abends", "morgens"}
_TOKEN = re.compile(r'"[^"]*"|\d{1,2}(?:[:.]\d{2})?|[^\W\d_]+\.?|[-–—]|[,;&/+\n]|\S', re.UNICODE)


def _clock(token: str) -> str:
    hour, _sep, minute = token.replace(".", ":").partition(":")
    if int(hour) > 24 or (minute and int(minute) > 59):
        raise HoursError(f'"{token}" is not a time of day')
    return f"{int(hour):02d}:{minute or '00'}"


@dataclass
class _Rule:
    days: list[list[str]] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    off: bool = False
    comment: str = ""

    def empty(self) -> bool:
        return not (self.days or self.spans or self.off or self.comment)

    def day_names(self) -> list[str]:
        """Every day the rule names, ranges expanded ("Mo-Fr" -> Mo Tu We Th Fr); none means every day."""
        if not self.days:
            return list(DAYS)
        out: list[str] = []
        for part in self.days:
            if len(part) == 2 and part[0] in DAYS and part[1] in DAYS:
                a, b = DAYS.index(part[0]), DAYS.index(part[1])
                out += [DAYS[(a + i) % 7] for i in range((b - a) % 7 + 1)]
            else:
                out += part
        return list(dict.fromkeys(out))


def _rules(text: str) -> list[_Rule]:
    """The rules as written, one per group of days with their times."""
    rules: list[_Rule] = []
    rule = _Rule()
    start: str | None = None  # the first time of a span, waiting for its end
    dash = False

    def flush() -> None:
        nonlocal rule
        if start is not None:
            raise HoursError(f'"{start}" has no end time; {HINT}')
        if not rule.empty():
            if rule.days and not (rule.spans or rule.off or rule.comment):
                raise HoursError(f"days without times: add times or \"geschlossen\"; {HINT}")
            rules.append(rule)
        rule = _Rule()

    for token in _TOKEN.findall(text):
        low = token.lower().rstrip(".")
        if token.startswith('"'):
            rule.comment = token
        elif token[0].isdigit():
            if start is not None and dash:
                rule.spans.append((_clock(start), _clock(token)))
                start = None
            elif start is not None:
                raise HoursError(f'"{start} {token}": write a time span like 09:00-12:00')
            else:
                if rule.off:
                    flush()
                start = token
            dash = False
        elif low in DAY_WORDS or low in GROUP_WORDS:
            if rule.spans or rule.off or rule.comment:
                flush()
            day = DAY_WORDS.get(low) or GROUP_WORDS[low]
            if dash and rule.days and len(rule.days[-1]) == 1 and "-" not in day:
                rule.days[-1].append(day)
            else:
                rule.days.append(day.split("-"))
            dash = False
        elif token in "-–—" or low == "bis":
            dash = True
        elif low in _OFF_WORDS:
            rule.off = True
        elif token in ";\n":
            flush()
        elif token in ",&/+" or low in _FILLER:
            continue
        else:
            raise HoursError(f'cannot read "{token}"; {HINT}')
    flush()
    if not rules:
        raise HoursError(f"no opening hours found; {HINT}")
    return rules


def _minutes(clock: str) -> int:
    hour, minute = clock.split(":")
    return int(hour) * 60 + int(minute)


def _overlaps(a: list[Span], b: list[Span]) -> bool:
    return any(_minutes(s0) < _minutes(e1) and _minutes(s1) < _minutes(e0) for s0, e0 in a for s1, e1 in b)


@dataclass
class _Day:
    spans: list[Span] = field(default_factory=list)
    off: bool = False
    comment: str = ""

    def key(self) -> tuple[tuple[Span, ...], bool, str]:
        return tuple(sorted(self.spans, key=lambda s: _minutes(s[0]))), self.off, self.comment


def table(text: str) -> dict[str, _Day]:
    """What the text says for each day it names (Mo..Su, PH, SH), rules added up as offices mean them."""
    week: dict[str, _Day] = {}
    for rule in _rules(text):
        for day in rule.day_names():
            entry = week.setdefault(day, _Day())
            if rule.off:
                week[day] = _Day(off=True, comment=rule.comment)
                continue
            if rule.spans:
                if entry.off or _overlaps(entry.spans, rule.spans):
                    entry.spans, entry.off = [], False  # a correction of the day, not an addition
                entry.spans += [s for s in rule.spans if s not in entry.spans]
            if rule.comment:
                entry.comment = rule.comment
    return week


def day_list(days: list[str]) -> str:
    """Mo Tu We Fr -> "Mo-We,Fr" (runs of three or more as a range, like OSM editors write them)."""
    order = sorted(days, key=lambda d: (DAYS + SPECIAL).index(d))
    parts: list[str] = []
    run: list[str] = []
    for day in [*order, ""]:
        if day in DAYS and run and DAYS.index(day) == DAYS.index(run[-1]) + 1:
            run.append(day)
            continue
        if run:
            parts.append(f"{run[0]}-{run[-1]}" if len(run) >= 3 else ",".join(run))
        run = [day] if day in DAYS else []
        if day in SPECIAL:
            parts.append(day)
    return ",".join(parts)


def from_german(text: str) -> str:
    """German (or loosely written) opening hours in OSM syntax, each day with all its times; raises HoursError."""
    week = table(text)
    groups: dict[tuple[tuple[Span, ...], bool, str], list[str]] = {}
    for day in DAYS:
        if day in week:
            groups.setdefault(week[day].key(), []).append(day)
    rules = []
    for (spans, off, comment), days in groups.items():
        what = "off" if off else ",".join(f"{a}-{b}" for a, b in spans)
        rules.append(" ".join(p for p in (day_list(days), what, comment) if p))
    # Holidays last: in OSM a later rule wins, and "PH off" must close a Monday that is a holiday.
    for day in SPECIAL:
        if day in week:
            spans, off, comment = week[day].key()
            what = "off" if off else ",".join(f"{a}-{b}" for a, b in spans)
            rules.append(" ".join(p for p in (day, what, comment) if p))
    return "; ".join(rules)


# A plain week: 2 to 8 March 2026 has no public holiday anywhere in Germany.
_PLAIN_MONDAY = datetime(2026, 3, 2)


def week_table(text: str) -> list[tuple[str, list[Span]]]:
    """Per weekday (Mo..Su), the open spans of a week without holidays as the library evaluates `text`."""
    oh = OpeningHours(text, country="DE")
    out: list[tuple[str, list[Span]]] = []
    for index, day in enumerate(DAYS):
        start = _PLAIN_MONDAY + timedelta(days=index)
        spans: list[Span] = []
        for begin, end, state, _comment in oh.intervals(start, start + timedelta(days=1)):
            if state != State.OPEN:
                continue
            begin, end = max(begin, start), min(end, start + timedelta(days=1))
            close = "24:00" if end == start + timedelta(days=1) else end.strftime("%H:%M")
            if spans and spans[-1][1] == begin.strftime("%H:%M"):
                spans[-1] = (spans[-1][0], close)  # one span cut in two by the evaluation: join it again
            else:
                spans.append((begin.strftime("%H:%M"), close))
        out.append((day, spans))
    return out
