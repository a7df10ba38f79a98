"""Normalisation keeps scripts intact and makes spelling variants meet."""

from __future__ import annotations

import pytest

from bot.nlu.normalise import light, normalise


@pytest.mark.parametrize(("typed", "plain"), [
    ("مَدْرَسَة", "مدرسه"),  # vowel marks and taa marbuta
    ("مـــدرسة", "مدرسه"),  # tatweel
    ("أريد", "ارید"),  # hamza forms of alef, Arabic yeh
    ("إسعاف", "اسعاف"),
    ("كتاب", "کتاب"),  # Arabic kaf -> Persian keheh
    ("مدرسهٔ", "مدرسه"),
    ("Lünen", "lunen"),
    ("LÜNEN!!", "lunen"),
    ("ÇOCUK İÇİN", "cocuk icin"),  # Turkish dotted capital I
    ("ışık", "isik"),  # Turkish dotless i
    ("Straße", "strasse"),
    ("école", "ecole"),
    ("ёлка", "елка"),
    ("khỏi nhà", "khoi nha"),  # Vietnamese: folded alone as inside a sentence ("bà đi ra khỏi nhà")
    ("hiiiii", "hi"),
    ("  Kita ,  bitte?? ", "kita bitte"),
    ("٥٩٤٢٣", "59423"),  # Eastern Arabic digits
    ("۵۹۴۲۳", "59423"),  # Persian digits
])
def test_variants_meet(typed: str, plain: str) -> None:
    assert normalise(typed) == plain


def test_zero_width_non_joiner_separates_persian_word_parts() -> None:
    assert normalise("می\u200cخواهم") == normalise("می خواهم") == "می خواهم"


def test_invisible_characters_are_dropped() -> None:
    assert normalise("Ki\u200bta\u200f") == "ki ta"
    assert normalise("\ufeffKita") == "kita"


def test_light_keeps_letters_that_tell_languages_apart() -> None:
    assert light("كيف") == "كيف"  # Arabic kaf and yeh stay for language detection
    assert light("Türkçe") == "türkçe"
    assert light("مَدْرَسَة") == "مدرسة"


def test_ethiopic_is_left_alone() -> None:
    assert normalise("ሓኪም ደልየ") == "ሓኪም ደልየ"


@pytest.mark.parametrize("text", ["", "   ", "?!", "\u200c", "🙂"])
def test_nothing_left(text: str) -> None:
    assert normalise(text) == ""


def test_idempotent() -> None:
    for text in ["Wo ist die Ausländerbehörde?", "أين مكتب الأجانب؟", "Де знаходиться Jobcenter?", "ኣበይ ኣሎ"]:
        once = normalise(text)
        assert normalise(once) == once
