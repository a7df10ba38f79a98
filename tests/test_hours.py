"""Opening hours through opening-hours-py: "open now" / "opens today at 14:00" in the reader's language for a fixed
clock, NRW public holidays for PH, and what the web chat shows."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.offers import hours

WEEK = "Mo-Fr 09:00-12:00,14:00-16:00; PH off"


@pytest.mark.parametrize(("now", "lang", "said"), [
    (datetime(2026, 12, 1, 10, 0), "de", "jetzt geöffnet, bis 12:00 Uhr"),  # a Tuesday
    (datetime(2026, 12, 1, 12, 30), "de", "jetzt geschlossen, öffnet heute um 14:00 Uhr"),
    (datetime(2026, 12, 1, 12, 30), "en", "closed now, opens today at 14:00"),
    (datetime(2026, 12, 1, 17, 0), "en", "closed now, opens tomorrow at 09:00"),
    (datetime(2026, 12, 5, 10, 0), "en", "closed now, opens Monday at 09:00"),  # a Saturday
    (datetime(2026, 12, 5, 10, 0), "de", "jetzt geschlossen, öffnet am Montag um 09:00 Uhr"),
    (datetime(2026, 12, 1, 10, 0), "uk", "зараз відчинено, до 12:00"),
    (datetime(2026, 12, 1, 12, 30), "tr", "şu an kapalı, açılış: bugün 14:00"),
])
def test_open_now_is_said_in_the_readers_language(now: datetime, lang: str, said: str) -> None:
    assert hours.status(WEEK, now, lang) == said


def test_arabic_keeps_the_time_as_an_isolated_run() -> None:
    said = hours.status(WEEK, datetime(2026, 12, 1, 12, 30), "ar")
    assert said == "مغلق الآن، يفتح اليوم الساعة \u206814:00\u2069"


@pytest.mark.parametrize(("day", "name", "said"), [
    (date(2026, 12, 24), "Christmas Eve: a working day", "open now, until 12:00"),
    (date(2026, 12, 25), "Christmas Day (nationwide)", "closed now, opens Monday at 09:00"),
    (date(2025, 10, 3), "German Unity Day (nationwide)", "closed now, opens Monday at 09:00"),
    (date(2026, 6, 4), "Corpus Christi (NRW, not nationwide)", "closed now, opens tomorrow at 09:00"),
    (date(2027, 11, 1), "All Saints' Day (NRW, not nationwide), a Monday", "closed now, opens tomorrow at 09:00"),
    (date(2026, 4, 3), "Good Friday; Easter Monday follows", "closed now, opens Tuesday at 09:00"),
    (date(2026, 5, 25), "Whit Monday", "closed now, opens tomorrow at 09:00"),
])
def test_public_holidays_of_nrw_close_where_the_hours_say_ph_off(day: date, name: str, said: str) -> None:
    assert day.weekday() < 5, name
    at = datetime.combine(day, datetime.min.time()).replace(hour=10)
    assert hours.status(WEEK, at, "en") == said, name
    assert hours.status("Mo-Fr 09:00-12:00", at, "en") == "open now, until 12:00", name  # without PH: open


def test_nrw_only_holidays_are_known_for_any_year() -> None:
    assert set(hours.nrw_only_holidays(2026)) == {date(2026, 6, 4), date(2026, 11, 1)}
    assert date(2025, 6, 19) in hours.nrw_only_holidays(2025)  # Corpus Christi 2025


@pytest.mark.parametrize("text", ['"nach Vereinbarung"', "", "Mo-Fr 09:00-12:00 || unknown"])
def test_no_open_now_when_it_cannot_be_said(text: str) -> None:
    said = hours.status(text, datetime(2026, 12, 5, 10, 0), "de")
    assert said is None


def test_full_osm_syntax_is_evaluated() -> None:
    winter = "Jan-Mar Mo-Fr 10:00-12:00; Apr-Dec Mo-Fr 09:00-17:00"
    assert hours.status(winter, datetime(2026, 2, 2, 13, 0), "en") == "closed now, opens tomorrow at 10:00"
    assert hours.status(winter, datetime(2026, 6, 1, 13, 0), "en") == "open now, until 17:00"


@pytest.mark.parametrize(("now", "said"), [
    (datetime(2026, 12, 7, 18, 30), "closed now, opens Wednesday at 08:00"),  # not "tomorrow at 00:00"
    (datetime(2026, 12, 8, 10, 0), None),  # Tuesday: by appointment, neither open nor closed
    (datetime(2026, 12, 9, 10, 0), "open now, until 13:00"),
])
def test_a_day_only_by_appointment_is_not_open_all_day(now: datetime, said: str | None) -> None:
    week = 'Mo 08:00-13:00; Tu "nach Vereinbarung"; We 08:00-13:00; Th 08:00-18:00'
    assert hours.status(week, now, "en") == said
    assert hours.is_open(week, now) is {None: None, "open now, until 13:00": True}.get(said, False)


def test_the_chat_shows_hours_with_open_now(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.offers.model import Offer

    monkeypatch.setattr(hours, "clock", lambda: datetime(2026, 12, 1, 12, 30, tzinfo=hours.BERLIN))
    offer = Offer("h", "H", ("kita",), opening_hours=WEEK)
    assert offer.hours_now("de") == ("Mo.–Fr. 09:00–12:00, 14:00–16:00; Feiertage geschlossen · "
                                     "jetzt geschlossen, öffnet heute um 14:00 Uhr")


@pytest.mark.parametrize(("text", "now", "open_"), [
    (WEEK, datetime(2026, 12, 1, 10, 0), True),
    (WEEK, datetime(2026, 12, 1, 13, 0), False),
    (WEEK, datetime(2026, 6, 4, 10, 0), False),  # Corpus Christi
    ('"nach Vereinbarung"', datetime(2026, 12, 1, 10, 0), None),
])
def test_is_open_for_sorting_open_offers_first(text: str, now: datetime, open_: bool | None) -> None:
    assert hours.is_open(text, now) is open_
