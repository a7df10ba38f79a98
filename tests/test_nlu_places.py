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
    ("marlda kurs var mı", "Marl"),  # a name that is also a word, with a Turkish case glued to it
    ("kamende oturuyoruz randevu alamıyorum", "Kamen"),
    ("Ez li Unnayê kar digerim", "Unna"),
    ("у Люнені є лікар?", "Lünen"),
    ("в Унне есть курсы немецкого", "Unna"),
    ("шукаю роботу в Унні", "Unna"),
    ("Кита в Дортмунде", "Dortmund"),
    ("лікар у Гайнсберзі", "Heinsberg"),  # Ukrainian locative: г -> з
    ("ей нужен врач, она живет в Хюккельховене", "Hückelhoven"),  # heard: в for ф, with a case ending
    ("ищу двушку недорого в Хольцвиккеде", "Holzwickede"),
    ("пропала дитина біля озера в халтерні", "Haltern am See"),
    ("همسایه ما در گایلن کیرشن است", "Geilenkirchen"),  # a long name in two parts
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


@pytest.mark.parametrize(("text", "town"), [
    # Names that are also words, at the end of a message or capitalised inside it, without a preposition.
    ("Hausaufgabenhilfe gesucht Marl", "Marl"),
    ("Integrationskurs Anmeldung Kamen", "Kamen"),
    ("shaqo ayaan doonayaa Kamen", "Kamen"),
    ("kurs almani bdi Marl", "Marl"),
    ("iş lazım Essen", "Essen"),
    ("Deutschkurs Essen", "Essen"),
    ("kita herne", "Herne"),  # not an everyday word: lower case at the end is enough
    # Russian and Ukrainian cases in Latin script.
    ("kvartira v Marle", "Marl"),
    ("rabota v Dortmunde", "Dortmund"),
    ("likar u Lunene", "Lünen"),
    ("kursy v Unne", "Unna"),
    ("школа Марль", "Marl"),  # short Cyrillic stem: the capital letter says it is a name
    ("Kitayek li Unna-yê", "Unna"),
    # Arabic-script spellings no list has, found by their consonants.
    ("په ګلاډبک کې کار", "Gladbeck"),
    ("کلاس زبان در گلادبک", "Gladbeck"),
    ("کار در والتروپ", "Waltrop"),
    ("دکتر در گلزنکیرشن", "Gelsenkirchen"),
    ("مدرسة في فالدفويشت", "Waldfeucht"),
])
def test_towns_without_preposition_or_list_spelling(places: PlaceFinder, text: str, town: str) -> None:
    assert name(places, text) == town


@pytest.mark.parametrize("text", [
    "Wo bekomme ich Essen",  # a German sentence: the food
    "gibt es warmes Essen",
    "ich will essen",
    "wir kamen gestern an",
    "Essen für die Schule",  # first word: needs a cue
    "bei schweren Unfällen",  # one letter from Schwerte, but a word
    "a written confirmation",  # one letter from Witten after the article "a"
    "لطفا فارسی بنویس",  # "write!", not "in Neuss"
    "دبستان برای پسرم",  # school: the consonants of Dorsten, but a known word
    "بالحافلة والترام",  # "and the tram": one consonant from Waltrop
    "я тебе верну",  # "верн-" is the stem of Werne
])
def test_words_that_look_like_towns(places: PlaceFinder, text: str) -> None:
    assert name(places, text) is None


def test_consonant_skeletons_meet() -> None:
    from bot.nlu.skeleton import arabic_skeleton, latin_skeleton

    assert latin_skeleton("gladbeck") == arabic_skeleton("ګلاډبک") == arabic_skeleton("غلادبيك") == "gldbk"
    assert latin_skeleton("stuttgart") == arabic_skeleton("اشتوتگارت")
    assert latin_skeleton("werne") == arabic_skeleton("ويرنه") == arabic_skeleton("فيرنه")
    assert latin_skeleton("dortmund") != latin_skeleton("dorsten")


@pytest.mark.parametrize(("text", "town"), [
    ("No, I live in Bergkamen, not Bochum!", "Bergkamen"), ("Nein, ich wohne in Kamen, nicht in Unna", "Kamen"),
    ("I don't live in Unna anymore, I moved to Selm", "Selm"), ("Schwerte'de değil, Unna'da oturuyoruz", "Unna"),
    ("لا، أنا أعيش في لونن وليس في أونا", "Lünen"),
    ("ні, ми насправді живемо у Фрьонденберзі, не в Шверте", "Fröndenberg"),
])
def test_a_correction_names_the_town_the_person_is_in(text: str, town: str) -> None:
    found = default_nlu().places.where_now(text)
    assert found is not None and found.place.name == town
