"""Language detection: script first, then letters and words, then lingua; the hint where the text is unclear."""

from __future__ import annotations

import pytest

from bot.nlu import default_nlu
from bot.nlu.language import script_of


@pytest.mark.parametrize(("text", "lang"), [
    ("ሓኪም ደልየ ኣለኹ", "ti"),
    ("زه ډاکټر ته اړتیا لرم", "ps"),
    ("ابحث عن روضة أطفال لابني", "ar"),
    ("أين أجد طبيب", "ar"),
    ("من دنبال کار هستم", "fa"),
    ("می‌خواهم زبان آلمانی یاد بگیرم", "fa"),
    ("шукаю роботу", "uk"),
    ("мені потрібен лікар", "uk"),
    ("мне нужен врач", "ru"),
    ("где найти квартиру", "ru"),
    ("Wo finde ich einen Deutschkurs?", "de"),
    ("I need a doctor for my son", "en"),
    ("Almanca kursu nerede", "tr"),
    ("je cherche un médecin", "fr"),
    ("Ez li kar digerim", "ku"),
    ("Waxaan u baahanahay dhakhtar", "so"),
])
def test_detects_the_language_of_the_text(text: str, lang: str) -> None:
    result = default_nlu().understand(text)
    assert result.lang == lang
    assert result.lang_confident


def test_german_office_word_inside_arabic_stays_arabic() -> None:
    assert script_of("Krankenkasse شو هي") == "arabic"
    assert default_nlu().understand("Krankenkasse شو هي").lang == "ar"


def test_unclear_text_follows_the_hint() -> None:
    nlu = default_nlu()
    result = nlu.understand("Kita", lang_hint="uk")
    assert result.lang == "uk"
    assert not result.lang_confident
    assert nlu.understand("Jobcenter", lang_hint="ar").lang == "ar"


def test_script_beats_the_hint() -> None:
    result = default_nlu().understand("шукаю роботу", lang_hint="de")
    assert (result.lang, result.lang_confident) == ("uk", True)


def test_dialect_within_a_script_follows_the_hint_when_unsure() -> None:
    # A single word that Arabic and Persian share: the person's own setting decides.
    assert default_nlu().understand("دکتر", lang_hint="fa").lang == "fa"


def test_digits_alone_say_nothing() -> None:
    result = default_nlu().understand("59423")
    assert result.lang == "de" and not result.lang_confident
    assert default_nlu().understand("٥٩٤٢٣", lang_hint="en").lang == "en"


def test_browser_style_hints_are_understood() -> None:
    nlu = default_nlu()
    assert nlu.understand("Kita", lang_hint="uk-UA").lang == "uk"
    assert nlu.understand("Kita", lang_hint="prs").lang == "fa"  # Dari
    assert nlu.understand("Kita", lang_hint="pt-BR").lang == "de"  # not supported: no hint


@pytest.mark.parametrize(("text", "lang"), [
    ("need Wohnberechtigungsschein", "en"),  # the German office word does not decide
    ("rdv Jobcenter demain", "fr"),
    ("comment obtenir le Kinderzuschlag", "fr"),
    ("wo ist das Jobcenter", "de"),  # a German sentence stays German
    ("shlon asajjel bintee bil madrase", "ar"),  # Arabizi
    ("bdi tabib lal wlad", "ar"),
    ("gde nayti kursy nemetskogo", "ru"),  # Latin-script Russian
    ("de shukaty robotu", "uk"),  # Latin-script Ukrainian
])
def test_loanwords_and_latin_script(text: str, lang: str) -> None:
    assert default_nlu().understand(text).lang == lang


@pytest.mark.parametrize("text", [
    "Salaam aleekum, damay dëkk ci Unna. Dama soxla jàng làkku almaa",  # Wolof, read as Somali
    "moja corka polknela baterie z zegarka",  # Polish, read as romanised Russian
    "mi hijo de 2 años tiene convulsiones y no responde",  # Spanish, read as French
])
def test_a_language_lotse_does_not_speak_is_no_sure_language(text: str) -> None:
    # The models choose among Lotse's twelve; a sentence whose words none of that language's examples has is not
    # answered in it: the person's browser language (or German) is a better guess than Somali for Wolof.
    assert default_nlu().detector.detect(text, "de")[1] is False


@pytest.mark.parametrize(("text", "lang"), [
    ("Waxaan raadinayaa koorso luqadda Jarmalka ah Unna", "so"), ("ich suche einen Deutschkurs in Unna", "de"),
    ("Kombi patladı galiba evde duman var yardım edin", "tr"), ("salam, mikham ye kelas-e almani peyda konam", "fa"),
])
def test_the_languages_lotse_speaks_stay_sure(text: str, lang: str) -> None:
    assert default_nlu().detector.detect(text, "en") == (lang, True)
