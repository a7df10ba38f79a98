"""Follow-ups told apart from questions of their own (bot/engine/followups.py), in every language."""

from __future__ import annotations

import pytest

from bot.engine.followups import CLOSER, COST, HOURS, MORE, OPEN_NOW, PERSON, PLACE, classify
from bot.nlu import default_nlu


def kind_of(text: str) -> tuple[str | None, str | None]:
    follow = classify(text, [(f.start, f.end) for f in default_nlu().places.named(text)])
    return (follow.kind, follow.lang) if follow else (None, None)


@pytest.mark.parametrize("text, kind, lang", [
    ("mehr", MORE, "de"), ("noch mehr bitte", MORE, "de"), ("gibt es noch andere?", MORE, "de"),
    ("more", MORE, "en"), ("show me more", MORE, "en"), ("any others?", MORE, "en"),
    ("المزيد", MORE, "ar"), ("هل يوجد غيرها؟", MORE, "ar"), ("بیشتر", MORE, "fa"), ("ще", MORE, "uk"),
    ("ещё", MORE, "ru"), ("есть другие?", MORE, "ru"), ("daha fazla", MORE, "tr"), ("plus", MORE, "fr"),
    ("d'autres ?", MORE, "fr"), ("zêdetir", MORE, "ku"), ("ዝያዳ", MORE, "ti"), ("نور", MORE, "ps"),
    ("kuwo kale ma jiraan?", MORE, "so"),
    ("closer", CLOSER, "en"), ("gibt es was näher?", CLOSER, "de"), ("daha yakın", CLOSER, "tr"),
    ("plus près", CLOSER, "fr"), ("ближе", CLOSER, "ru"), ("أقرب", CLOSER, "ar"),
    ("open now", OPEN_NOW, "en"), ("welche haben jetzt offen?", OPEN_NOW, "de"), ("مفتوح الآن", OPEN_NOW, "ar"),
    ("что открыто сейчас?", OPEN_NOW, "ru"), ("şimdi açık mı", OPEN_NOW, "tr"),
    ("what about for my wife?", PERSON, "en"), ("und für meinen Sohn?", PERSON, "de"),
    ("وماذا عن زوجتي؟", PERSON, "ar"), ("برای همسرم چی؟", PERSON, "fa"), ("а для моєї дружини?", PERSON, "uk"),
    ("а для жены?", PERSON, "ru"), ("eşim için?", PERSON, "tr"), ("et pour ma fille ?", PERSON, "fr"),
    ("und wann hat die offen?", HOURS, "de"), ("Öffnungszeiten?", HOURS, "de"),
    ("hat der morgen früh offen?", HOURS, "de"),
    ("what are the opening hours?", HOURS, "en"), ("open on saturday?", HOURS, "en"),
    ("ما هي مواعيد العمل؟", HOURS, "ar"), ("ساعت کاری چیست؟", HOURS, "fa"), ("А какие часы работы?", HOURS, "ru"),
    ("saatleri ne?", HOURS, "tr"), ("dema vebûnê kengê ye?", HOURS, "ku"),
    ("ist das kostenlos?", COST, "de"), ("is it free?", COST, "en"), ("how much does it cost?", COST, "en"),
    ("هل هي مجانية؟", COST, "ar"), ("رایگانه؟", COST, "fa"), ("це безкоштовно?", COST, "uk"),
    ("это бесплатно?", COST, "ru"), ("ucretsizmi", COST, "tr"), ("belaş e?", COST, "ku"), ("ብናጻ ድዩ?", COST, "ti"),
    ("څومره بیه ده؟", COST, "ps"), ("waa bilaash?", COST, "so"), ("ሰዓታት ስራሕ ክንደይ እዩ?", HOURS, "ti"),
    ("а по субботам они работают? и нужно записываться заранее?", HOURS, "ru"), ("هزینه اش چقدر است؟", COST, "fa"),
    ("Nein, ich wohne in Kamen, nicht in Unna", PLACE, "de"), ("No, I live in Bergkamen, not Bochum!", PLACE, "en"),
    ("I don't live in Unna anymore, I moved to Selm", PLACE, "en"),
    ("ні, вибачте, ми насправді живемо у Фрьонденберзі, не в Шверте", PLACE, "uk"),
    ("and in Unna?", PLACE, "en"), ("und in Kamen?", PLACE, "de"), ("wir wohnen in Kamen", PLACE, "de"),
    ("أنا أسكن في أونا", PLACE, "ar"), ("ما در اونا زندگی می‌کنیم", PLACE, "fa"), ("et à Lünen ?", PLACE, "fr"),
])
def test_follow_ups_in_every_language(text: str, kind: str, lang: str) -> None:
    assert kind_of(text) == (kind, lang)


@pytest.mark.parametrize("text", [
    "mehr Geld", "Kita in Unna", "Deutschkurs", "noch mehr Kitas", "hallo", "ja", "", "meine Frau wird geschlagen",
    "دیگر نمی‌خواهم زندگی کنم", "I need more money", "open a bank account", "my wife needs a doctor", "Morgen",
    "Samstag", "العمل", "wann ist der Termin beim Jobcenter?",
])
def test_questions_of_their_own_are_no_follow_ups(text: str) -> None:
    assert kind_of(text) == (None, None)
