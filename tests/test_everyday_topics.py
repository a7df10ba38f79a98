"""The everyday needs as topics: food and goods, debts, legal advice, family reunification, pregnancy and birth,
disability and care, bank account, and what Lotse stores (with its delete button)."""

from __future__ import annotations

import pytest

from bot import i18n
from bot.engine import Engine, Incoming, Reply
from bot.engine.actions import Menu, encode
from bot.engine.topics import in_menu, labels
from bot.geo.distance import Point
from bot.i18n import LANGUAGES
from bot.nlu.intents import CATALOGUE, OFFER_CATEGORIES, load_intents
from bot.offers.categories import CATEGORIES, CATEGORY_LABELS
from bot.offers.store import nearest

LUENEN = Point(51.6164, 7.5228)
INTENTS = load_intents()
MAIN = {i.id: i.label for i in in_menu(INTENTS, "main")}
MORE = {i.id: i.label for i in in_menu(INTENTS, "more")}
TOPICS = labels(INTENTS)
MORE_MENU = encode(Menu(more=True))
EVERYDAY = ("food_goods", "debt_counselling", "legal_advice", "family_reunification", "pregnancy_birth",
            "disability_care", "bank_account", "privacy")


def buttons(reply: Reply) -> list[str]:
    return [b.data for m in reply.messages for b in m.buttons]


def test_the_everyday_topics_are_in_the_catalogue_and_the_second_menu() -> None:
    assert set(EVERYDAY) <= set(CATALOGUE)
    assert list(MORE) == list(EVERYDAY)
    assert not set(MAIN) & set(MORE)
    intents = load_intents()
    assert all(intents[i].is_topic and i in TOPICS for i in EVERYDAY)
    assert not intents["privacy"].needs_place and not intents["privacy"].categories


def test_the_nlu_and_the_offers_know_the_same_categories() -> None:
    """bot/nlu/intents.py keeps its own copy (the NLU does not import the offers package): they must agree."""
    assert OFFER_CATEGORIES == set(CATEGORIES) == set(CATEGORY_LABELS)


def test_more_topics_opens_the_second_menu_and_comes_back(engine: Engine) -> None:
    main = engine.handle(Incoming("m1", button="m", lang_hint="en"))
    assert MORE_MENU in buttons(main) and "t:food_goods" not in buttons(main)
    more = engine.handle(Incoming("m1", button=MORE_MENU, lang_hint="en"))
    assert [d for d in buttons(more) if d.startswith("t:")] == [f"t:{i}" for i in EVERYDAY]
    assert "m" in buttons(more) and "lang" in buttons(more)
    labels = [b.label for m in more.messages for b in m.buttons]
    assert "Debts" in labels and not any(i in labels for i in EVERYDAY)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_second_menu_is_translated_in_every_language(engine: Engine, lang: str) -> None:
    reply = engine.handle(Incoming(f"m-{lang}", button=f"l:{lang}"))
    reply = engine.handle(Incoming(f"m-{lang}", button=MORE_MENU))
    with i18n.use(lang):
        wanted = [i18n.gettext(label) for label in MORE.values()]
    shown = [b.label for m in reply.messages for b in m.buttons]
    assert all(w in shown for w in wanted)
    if lang != "en":
        assert not any(label in shown for label in MORE.values() if i18n.gettext(label) != label)


@pytest.mark.parametrize("text", ["I want to delete my data", "was speichert ihr über mich", "امسح معلوماتي"])
def test_asking_about_privacy_answers_with_the_delete_button(engine: Engine, text: str) -> None:
    reply = engine.handle(Incoming("p1", text=text))
    assert reply.intent == "privacy"
    assert "Lotse" in reply.messages[0].text
    assert "forget" in buttons(reply)  # asks to confirm first, as /forget does
    assert not any(m.places for m in reply.messages)
    confirm = engine.handle(Incoming("p1", button="forget"))
    assert "forget:yes" in buttons(confirm)


def test_the_privacy_answer_needs_no_place(engine: Engine) -> None:
    reply = engine.handle(Incoming("p2", button="t:privacy", lang_hint="de"))
    assert "location" not in buttons(reply)
    assert engine.sessions.load("p2").state != "awaiting_place"


@pytest.mark.parametrize(("text", "intent", "category"), [
    ("Kleiderkammer in Lünen", "food_goods", "food_goods"),
    ("Schuldnerberatung in Lünen", "debt_counselling", "debt_counselling"),
    ("ich brauche einen Anwalt wegen meinem Vermieter, ich wohne in Lünen", "legal_advice", "legal_advice"),
    ("Hebamme in Lünen", "pregnancy_birth", "pregnancy"),
    ("Pflegegrad beantragen in Lünen", "disability_care", "disability_care"),
])
def test_an_everyday_need_lists_nearby_offers_of_its_category(engine: Engine, text: str, intent: str,
                                                              category: str) -> None:
    reply = engine.handle(Incoming(f"o-{intent}", text=text))
    assert reply.intent == intent
    places = [p for m in reply.messages for p in m.places]
    assert places, [m.text for m in reply.messages]
    ids = {h.offer.name for h in nearest(engine.db, [category], LUENEN, 10)}
    assert places[0].name in ids
