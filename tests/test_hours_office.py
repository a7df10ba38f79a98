"""Opening hours as offices write them add up day by day ("Mo-Fr 9-12 Uhr, Do 14-18 Uhr" keeps Thursday morning),
and the stored OSM text means, day by day, what the office meant (a property test over generated weeks)."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.offers import hours
from bot.offers.office_hours import DAYS, week_table

THURSDAY = datetime(2026, 12, 3)


@pytest.mark.parametrize(("written", "clock", "open_"), [
    ("Mo-Fr 9-12 Uhr, Do 14-18 Uhr", (10, 30), True),
    ("Mo-Fr 9-12 Uhr, Do 14-18 Uhr", (15, 0), True),
    ("Mo-Fr 9-12 Uhr, Do 14-18 Uhr", (13, 0), False),
    ("Mo-Do 8-12 und 13-16 Uhr, Fr 8-12 Uhr", (13, 30), True),
    ("werktags 9-12, Di auch 14-17", (10, 0), True),
    ("werktags 9-12, Do auch 14-17", (16, 0), True),
    ("Mo-Fr 9-16 Uhr, Do 9-12 Uhr", (14, 0), False),  # an overlapping rule corrects the day
    ("Mo-Fr 9-12 Uhr, Do geschlossen", (10, 0), False),
])
def test_office_hours_add_up_on_thursday(written: str, clock: tuple[int, int], open_: bool) -> None:
    stored = hours.normalise(written)
    assert hours.is_open(stored, THURSDAY.replace(hour=clock[0], minute=clock[1])) is open_, stored


@pytest.mark.parametrize(("written", "week"), [
    ("Mo-Fr 9-12 Uhr, Do 14-18 Uhr", {"Mo": "09:00-12:00", "Th": "09:00-12:00,14:00-18:00", "Sa": ""}),
    ("Mo-Do 8-12 und 13-16 Uhr, Fr 8-12 Uhr", {"We": "08:00-12:00,13:00-16:00", "Fr": "08:00-12:00"}),
    ("werktags 9-12, Di auch 14-17", {"Tu": "09:00-12:00,14:00-17:00", "We": "09:00-12:00", "Su": ""}),
    ("Montag bis Freitag 9-12 und 14-16 Uhr, Sa 10-12 Uhr", {"Fr": "09:00-12:00,14:00-16:00", "Sa": "10:00-12:00"}),
])
def test_the_week_table_shows_what_was_understood(written: str, week: dict[str, str]) -> None:
    shown = {day: ",".join(f"{a}-{b}" for a, b in spans) for day, spans in week_table(hours.normalise(written))}
    assert {day: shown[day] for day in week} == week


def test_osm_text_with_the_additional_rule_separator_is_kept() -> None:
    stored = hours.normalise("Mo-Fr 09:00-12:00, Th 14:00-18:00")
    assert hours.is_open(stored, THURSDAY.replace(hour=10)) and hours.is_open(stored, THURSDAY.replace(hour=15))


# -- property: what an office writes, stored, means day by day what it said -------------------------------
_GERMAN = {"Mo": "Mo", "Tu": "Di", "We": "Mi", "Th": "Do", "Fr": "Fr", "Sa": "Sa", "Su": "So"}
_LONG = {"Mo": "Montag", "Tu": "Dienstag", "We": "Mittwoch", "Th": "Donnerstag", "Fr": "Freitag",
         "Sa": "Samstag", "Su": "Sonntag"}


@st.composite
def _span_list(draw: st.DrawFn) -> list[tuple[int, int]]:
    """One to two disjoint spans of whole or half hours between 7 and 20 o'clock."""
    bounds = sorted(draw(st.sets(st.integers(14, 40), min_size=2, max_size=4)))
    if len(bounds) % 2:
        bounds = bounds[:-1]
    return [(bounds[i] * 30, bounds[i + 1] * 30) for i in range(0, len(bounds), 2)]


def _clock(minutes: int, style: int) -> str:
    hour, minute = divmod(minutes, 60)
    if style == 0 and minute == 0:
        return str(hour)  # "9"
    if style == 1:
        return f"{hour}.{minute:02d}"  # "9.30"
    return f"{hour:02d}:{minute:02d}"


@st.composite
def _office_text(draw: st.DrawFn) -> tuple[str, dict[str, list[tuple[int, int]]]]:
    """A text as an office writes it (base rule for a range of days, then additions), and the intended week."""
    first = draw(st.integers(0, 4))
    last = draw(st.integers(first, 6))
    base = draw(_span_list())
    intended: dict[str, list[tuple[int, int]]] = {d: list(base) for d in DAYS[first:last + 1]}
    style = draw(st.integers(0, 2))
    long_names = draw(st.booleans())
    names = _LONG if long_names else _GERMAN
    joiner = " bis " if long_names else "-"
    days = names[DAYS[first]] if first == last else f"{names[DAYS[first]]}{joiner}{names[DAYS[last]]}"
    parts = [f"{days} " + " und ".join(f"{_clock(a, style)}-{_clock(b, style)}" for a, b in base) + " Uhr"]
    for day in draw(st.lists(st.sampled_from(DAYS), max_size=3, unique=True)):
        extra = draw(_span_list())
        have = intended.get(day, [])
        if any(a < d and c < b for a, b in have for c, d in extra):
            intended[day] = list(extra)  # overlapping: offices mean a correction of that day
        else:
            intended[day] = have + extra
        word = draw(st.sampled_from(["", "auch "]))
        parts.append(f"{_GERMAN[day]} {word}" + " und ".join(f"{_clock(a, style)}-{_clock(b, style)}"
                                                             for a, b in extra))
    return ", ".join(parts), intended


def _minutes(clock: str) -> int:
    hour, minute = clock.split(":")
    return int(hour) * 60 + int(minute)


@settings(max_examples=300, deadline=None)
@given(_office_text())
def test_stored_hours_mean_what_the_office_wrote(case: tuple[str, dict[str, list[tuple[int, int]]]]) -> None:
    written, intended = case
    stored = hours.normalise(written)
    evaluated = {day: [(_minutes(a), _minutes(b)) for a, b in spans] for day, spans in week_table(stored)}
    for day in DAYS:
        assert evaluated[day] == _merged(intended.get(day, [])), (written, stored, day)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted, with touching ones joined (the library reports 9-12 and 12-14 as 9-14)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out
