"""Place extraction: postcodes, towns in every script and inflection, and no invented places."""

from __future__ import annotations

import pytest

from bot.nlu import default_nlu
from bot.nlu.places import PlaceFinder


@pytest.fixture(scope="module")
def places() -> PlaceFinder:
    return default_nlu().places


def name(places: PlaceFinder, text: str) -> str | None:
    found = places.find(text)
    return found.place.name if found else None


@pytest.mark.parametrize(("text", "town"), [
    ("Deutschkurs in Lünen", "Lünen"),
    ("Deutschkurs in Luenen", "Lünen"),
    ("kita lunen", "Lünen"),
    ("Dorsten'de iş arıyorum", "Dorsten"),
    ("Unna'da doktor", "Unna"),
    ("Unnada Almanca kursu", "Unna"),
    ("Ez li Unnayê kar digerim", "Unna"),
    ("у Люнені є лікар?", "Lünen"),
    ("в Унне есть курсы немецкого", "Unna"),
    ("шукаю роботу в Унні", "Unna"),
    ("Кита в Дортмунде", "Dortmund"),
    ("лікар у Гайнсберзі", "Heinsberg"),  # Ukrainian locative: г -> з
    ("школа в Гельзенкирхене", "Gelsenkirchen"),
    ("في أونا", "Unna"),
    ("أين أجد طبيب في لونن", "Lünen"),
    ("دكتور بلونن", "Lünen"),  # glued preposition
    ("کار در دورتموند", "Dortmund"),
    ("مدرسه در رکلینگهاوزن", "Recklinghausen"),
    ("Je cherche un cours à Cologne", "Köln"),
    ("Sprachkurs Reklinghausen", "Recklinghausen"),  # typo in a long name
    ("Wohnung in Castrop-Rauxel", "Castrop-Rauxel"),
    ("Wohnung in Castrop Rauxel", "Castrop-Rauxel"),
    ("Kita in Haltern", "Haltern am See"),
    ("Arzt in Übach-Palenberg", "Übach-Palenberg"),
    ("Deutschkurs in Essen", "Essen"),
    ("Essen'de iş", "Essen"),
    ("Wohnung in Bad Salzuflen", "Bad Salzuflen"),  # any town of the gazetteer, after a cue
    ("Kita in Kleve", "Kleve"),
    ("Essen", "Essen"),  # the whole message is the name: an answer to "where?"
])
def test_towns(places: PlaceFinder, text: str, town: str) -> None:
    assert name(places, text) == town


@pytest.mark.parametrize(("text", "postcode"), [
    ("Kita in 59423", "59423"),
    ("Kita ٥٩٤٢٣", "59423"),
    ("Arzt 44532 Lünen", "44532"),
])
def test_postcodes(places: PlaceFinder, text: str, postcode: str) -> None:
    found = places.find(text)
    assert found is not None
    assert postcode in found.place.postcodes or found.place.postcode == postcode


@pytest.mark.parametrize("text", [
    "Essen für meine Kinder",  # food, not the city
    "Wetter morgen",  # weather; Wetter (Ruhr) is a town
    "ich brauche Schutz",  # Schutz is a village
    "meine Wohnung ist zu klein",  # Meine is a town
    "ohne Papiere arbeiten",  # Ohne too
    "Werner hilft mir",  # one letter from Werne
    "ich kam gestern an",
    "верну документи",  # "верн-" is the stem of Werne in Cyrillic
    "مساعدة",
    "I need help with my list",
    "12345",  # not a postcode the gazetteer knows
    "",
])
def test_no_invented_places(places: PlaceFinder, text: str) -> None:
    assert name(places, text) is None


def test_place_words_do_not_vote_for_an_intent() -> None:
    result = default_nlu().understand("in Lünen")
    assert result.place is not None and result.place.name == "Lünen"
    assert result.intent == "none"  # the engine keeps the last topic in the new place
