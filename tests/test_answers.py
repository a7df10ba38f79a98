"""Answers a newcomer can trust: one for every intent in every language, sourced, shown right in RTL scripts,
with the district's own link under it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml
from sqlite_utils import Database

from bot import i18n
from bot.engine import Engine, Incoming
from bot.engine.answers import digits_of, load_answers, problems
from bot.engine.districts import SENTENCES, load_districts
from bot.geo.distance import Point
from bot.i18n import FSI, LANGUAGES, PDI, RTL_LANGUAGES
from bot.nlu.intents import load_intents

ROOT = Path(__file__).resolve().parent.parent  # the checkout: these tests read its files

ANSWERS = load_answers()
DISTRICTS = load_districts()
INTENTS = load_intents()
# Representative points (town centres of the gazetteer) in each district with its own settings.
HEINSBERG = Point(51.0631, 6.0963)
RECKLINGHAUSEN = Point(51.6141, 7.1979)
UNNA = Point(51.5366, 7.6897)


def test_every_intent_has_a_sourced_answer_in_every_language() -> None:
    found = problems(ANSWERS, INTENTS, LANGUAGES, DISTRICTS.keys())
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "intent, number",
    [("emergency", "112"), ("emergency", "110"), ("health", "116117"), ("violence_protection", "116016")],
)
def test_the_national_numbers_are_in_every_language(intent: str, number: str) -> None:
    for lang in LANGUAGES:
        assert number in digits_of(ANSWERS[intent].text[lang]).replace(" ", ""), (intent, lang)


@pytest.mark.parametrize("lang", sorted(RTL_LANGUAGES))
def test_rtl_answers_isolate_every_latin_run(lang: str) -> None:
    for intent, answer in ANSWERS.items():
        text = answer.text.get(lang, "")
        bare = re.sub(f"{FSI}[^{PDI}]*{PDI}", "", text)
        assert not re.search("[A-Za-z0-9\u00c0-\u024f]", bare), (intent, lang, bare)
        # The first strong letter outside the isolates is right-to-left, so the bubble reads right to left even
        # when the sentence starts with a German word.
        first = re.search(r"[^\W\d_]", bare)
        assert first is None or "\u0600" <= first.group() <= "\u08ff" or first.group() >= "\ufb50", (intent, lang)


@pytest.mark.parametrize("intent, word", [("residence_permit", "Ausländerbehörde"), ("kita", "Jugendamt"),
                                          ("language_course", "BAMF")])
def test_answers_name_the_german_office_word_in_brackets(intent: str, word: str) -> None:
    """Newcomers meet the German word on letters and doors: every translation names it in brackets."""
    for lang in LANGUAGES:
        if lang != "de":
            assert f"({word})" in i18n.strip_isolates(ANSWERS[intent].text[lang]), (intent, lang)


def test_district_links_are_real_source_urls() -> None:
    """Never invented: every link in data/districts.yaml is a source_url of the contact points we ship."""
    with (ROOT / "data" / "nrw_contact_points.csv").open(encoding="utf-8", newline="") as fh:
        real = {row["source_url"] for row in csv.DictReader(fh)}
    data = yaml.safe_load((ROOT / "data" / "districts.yaml").read_text(encoding="utf-8"))
    assert set(data["districts"]) == {"05978", "05562", "05370"}
    for district in [data["default"], *data["districts"].values()]:
        for key, url in district["links"].items():
            assert key in SENTENCES
            assert not url or url in real, url


def answer_in(engine: Engine, user: str, point: Point, intent: str, lang: str) -> str:
    engine.handle(Incoming(user, button=f"l:{lang}"))
    engine.handle(Incoming(user, location=point))
    return engine.handle(Incoming(user, button=f"t:{intent}")).messages[0].text


def test_heinsberg_gets_its_own_integration_centre_link(db: Database) -> None:
    engine = Engine(db)
    text = answer_in(engine, "hs", HEINSBERG, "migration_counselling", "de")
    assert text.startswith(ANSWERS["migration_counselling"].text["de"])
    assert "https://www.integrationsportal-kreis-heinsberg.de/" in text and "Kreis Heinsberg" in text


def test_recklinghausen_gets_its_own_link_and_unna_no_second_mention_of_the_office(db: Database) -> None:
    engine = Engine(db)
    assert "kreis-re.de" in answer_in(engine, "re", RECKLINGHAUSEN, "migration_counselling", "en")
    unna = answer_in(engine, "un", UNNA, "migration_counselling", "en")
    # The answer names the integration centre already: the generic sentence would only say it again.
    assert "http" not in unna and unna.count("Kommunales Integrationszentrum") == 1


def test_no_link_known_shows_a_generic_sentence_in_the_users_language(db: Database) -> None:
    engine = Engine(db)
    text = answer_in(engine, "k", HEINSBERG, "kita", "uk")
    assert "ратуші (Rathaus)" in text and "http" not in text


def test_link_inside_arabic_answer_is_isolated(db: Database) -> None:
    engine = Engine(db)
    text = answer_in(engine, "ar", HEINSBERG, "human_contact", "ar")
    assert f"{FSI}https://www.integrationsportal-kreis-heinsberg.de/{PDI}" in text
