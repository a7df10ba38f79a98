"""Multi-turn conversations with the engine, in eight languages: what a person sees after each message.

Follow-ups ("more", "and in Unna?", "what about for my wife?", "others"), a sentence answering "Where are you?",
a greeting around a need, an emergency inside another question, and a place outside the districts Lotse knows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot import i18n
from bot.engine import Engine, Incoming, Reply
from bot.engine.actions import Topic, encode
from bot.engine.models import PlaceOut
from bot.offers import sql
from bot.store.schema import columns


@dataclass(frozen=True)
class Lines:
    """One language's messages (written for these tests, in the way people type)."""

    kita: str  # a Kita question without a place
    kita_in_unna: str
    more: str
    we_live_in_kamen: str  # the answer to "Where are you?"
    course_in_luenen: str
    and_in_unna: str
    for_my_wife: str
    others: str
    hello_kita: str
    course_but_emergency: str
    kita_far: str  # a Kita in Köln, outside the districts of the demo data
    kita_dortmund: str  # next to Kreis Unna, but outside it


LINES = {
    "de": Lines("Ich suche einen Kitaplatz", "Kita in Unna", "mehr", "wir wohnen in Kamen", "Deutschkurs in Lünen",
                "und in Unna?", "und was ist mit meiner Frau?", "gibt es noch andere?", "Hallo, ich suche eine Kita",
                "Ich brauche einen Deutschkurs, aber mein Nachbar ist bewusstlos und atmet nicht", "Kita in Köln",
                "Kita in Dortmund"),
    "en": Lines("we are looking for a kindergarten", "daycare in Unna", "show me more", "we live in Kamen",
                "German course in Lünen", "and in Unna?", "what about for my wife?", "are there any others?",
                "Hi, I need a kindergarten for my son",
                "I need a German course but my neighbour collapsed and is not breathing",
                "I need a kindergarten in Cologne", "I need a kindergarten in Dortmund"),
    "ar": Lines("أبحث عن روضة لطفلي", "روضة أطفال في أونا", "المزيد", "نحن نسكن في كامن", "دورة لغة ألمانية في لونن",
                "وفي أونا؟", "وماذا عن زوجتي؟", "هل يوجد غيرها؟", "مرحبا، أبحث عن روضة أطفال",
                "أحتاج دورة لغة لكن جاري فقد الوعي ولا يتنفس", "روضة أطفال في كولونيا", "روضة أطفال في دورتموند"),
    "fa": Lines("دنبال مهدکودک برای بچه‌ام هستم", "مهدکودک در اونا", "بیشتر", "ما در کامن زندگی می‌کنیم",
                "کلاس زبان آلمانی در لونن", "و در اونا؟", "برای همسرم چی؟", "موارد دیگر هست؟",
                "سلام، دنبال مهدکودک هستم",
                "کلاس زبان می‌خواهم ولی همسایه‌ام بیهوش شده و نفس نمی‌کشد", "مهدکودک در کلن", "مهدکودک در دورتموند"),
    "uk": Lines("шукаю дитячий садок", "дитячий садок в Унні", "ще", "ми живемо в Камені",
                "курси німецької мови в Люнені", "а в Унні?", "а для моєї дружини?", "є ще інші?",
                "Привіт, шукаю дитячий садок", "потрібен курс мови, але сусід знепритомнів і не дихає",
                "дитячий садок у Кельні", "дитячий садок у Дортмунді"),
    "ru": Lines("ищу детский сад", "детский сад в Унне", "ещё", "мы живём в Камене", "курсы немецкого в Люнене",
                "а в Унне?", "а для жены?", "есть другие?", "Здравствуйте, ищу детский сад",
                "нужен курс языка, но сосед потерял сознание и не дышит", "детский сад в Кёльне",
                "детский сад в Дортмунде"),
    "tr": Lines("çocuğum için kreş arıyorum", "Unna'da kreş", "daha fazla", "Kamen'de oturuyoruz",
                "Lünen'de Almanca kursu", "peki Unna'da?", "eşim için?", "başka var mı?", "Merhaba, kreş arıyorum",
                "Almanca kursu lazım ama komşum bayıldı ve nefes almıyor", "Köln'de kreş", "Dortmund'da kreş"),
    "fr": Lines("je cherche une crèche", "crèche à Unna", "plus", "nous habitons à Kamen", "cours d'allemand à Lünen",
                "et à Unna ?", "et pour ma femme ?", "il y en a d'autres ?", "Bonjour, je cherche une crèche",
                "je cherche un cours d'allemand mais mon voisin s'est évanoui et ne respire plus", "crèche à Cologne",
                "crèche à Dortmund"),
}
LANGS = list(LINES)


class Chat:
    """One person talking to the engine."""

    def __init__(self, engine: Engine, user: str, lang: str | None = None) -> None:
        self.engine, self.user, self.lang = engine, user, lang

    def say(self, text: str) -> Reply:
        return self.engine.handle(Incoming(self.user, text=text, lang_hint=self.lang))

    def press(self, data: str) -> Reply:
        return self.engine.handle(Incoming(self.user, button=data))


def places(reply: Reply) -> list[PlaceOut]:
    return [p for m in reply.messages for p in m.places]


def text(reply: Reply) -> str:
    return i18n.strip_isolates("\n".join(m.text for m in reply.messages))


def buttons(reply: Reply) -> list[str]:
    return [b.data for m in reply.messages for b in m.buttons]


def in_lang(lang: str, msgid: str) -> str:
    """The words of a UI text in a language, up to its first placeholder."""
    with i18n.use(lang):
        return i18n.strip_isolates(i18n.gettext(msgid)).split("{")[0].strip()


@pytest.mark.parametrize("lang", LANGS)
def test_typed_more_pages_on_like_the_button(engine: Engine, lang: str) -> None:
    chat = Chat(engine, f"more-{lang}")
    first = chat.say(LINES[lang].kita_in_unna)
    second = chat.say(LINES[lang].more)
    assert second.intent == "kita" and second.lang == lang
    shown, more = places(first), places(second)
    assert len(shown) == len(more) == 3
    assert not {p.id for p in shown} & {p.id for p in more}, "the same offers again"
    assert min(p.distance_km for p in more) >= max(p.distance_km for p in shown)
    assert "112" not in text(second)  # "mehr" is no emergency


@pytest.mark.parametrize("lang", LANGS)
def test_a_sentence_answers_where_are_you_for_the_pending_topic(engine: Engine, lang: str) -> None:
    chat = Chat(engine, f"where-{lang}")
    asked = chat.say(LINES[lang].kita)
    assert asked.intent == "kita" and "location" in buttons(asked) and not places(asked)
    answered = chat.say(LINES[lang].we_live_in_kamen)
    assert answered.intent == "kita" and answered.lang == lang
    found = places(answered)
    assert found and found[0].name.startswith(("Kita Kamen", "Daycare centre Kamen")), found[0]
    assert {"fb:+:kita", "fb:-:kita"} <= set(buttons(answered))  # the answer is complete now: it can be rated


@pytest.mark.parametrize("lang", LANGS)
def test_a_follow_up_with_another_town_keeps_the_topic(engine: Engine, lang: str) -> None:
    chat = Chat(engine, f"town-{lang}")
    chat.say(LINES[lang].course_in_luenen)
    reply = chat.say(LINES[lang].and_in_unna)
    assert reply.intent == "language_course" and reply.lang == lang
    assert not any(d.startswith("t:") for d in buttons(reply)), "a clarifying question instead of the answer"
    found = places(reply)
    assert found and "Unna" in found[0].name and found[0].distance_km < 3


@pytest.mark.parametrize("lang", LANGS)
def test_a_follow_up_about_another_person_keeps_the_topic(engine: Engine, lang: str) -> None:
    chat = Chat(engine, f"person-{lang}")
    first = chat.say(LINES[lang].course_in_luenen)
    reply = chat.say(LINES[lang].for_my_wife)
    assert reply.intent == "language_course" and reply.lang == lang
    assert text(reply).startswith(in_lang(lang, "The same offers can help them too. Ask there what fits their "
                                                "situation."))
    assert [p.id for p in places(reply)] == [p.id for p in places(first)]


@pytest.mark.parametrize("lang", LANGS)
def test_others_are_more_of_the_same_topic(engine: Engine, lang: str) -> None:
    chat = Chat(engine, f"others-{lang}")
    first = chat.say(LINES[lang].kita_in_unna)
    reply = chat.say(LINES[lang].others)
    assert reply.intent == "kita"
    assert places(reply) and all(p.id.startswith("demo-kita-") for p in places(reply))
    assert not {p.id for p in places(first)} & {p.id for p in places(reply)}


@pytest.mark.parametrize("lang", LANGS)
def test_greeting_and_need_is_answered_without_clarification(engine: Engine, lang: str) -> None:
    reply = Chat(engine, f"hello-{lang}").say(LINES[lang].hello_kita)
    assert reply.intent == "kita" and reply.lang == lang
    assert not any(d.startswith("t:") for d in buttons(reply))
    assert "location" in buttons(reply)  # the Kita answer asks where the person is


@pytest.mark.parametrize(("text_", "also"), [
    ("Ich suche einen Deutschkurs und einen Kitaplatz für meine Tochter in Lünen", "t:language_course"),
    ("I need a German course and a kita for my daughter", "t:language_course"),
])
def test_a_second_need_in_the_message_is_one_tap_away(engine: Engine, text_: str, also: str) -> None:
    chat = Chat(engine, "two-needs-" + also)
    reply = chat.say(text_)
    assert reply.intent == "kita" and buttons(reply).count(also) == 1
    chat.say("Lünen")
    course = chat.press(also)
    assert course.intent == "language_course" and places(course)


def test_a_further_question_on_the_topic_gets_the_people_who_can_answer_not_the_same_text(engine: Engine) -> None:
    chat = Chat(engine, "asked-again")
    first = chat.say("Ich suche einen Kitaplatz in Lünen")
    again = chat.say("was kostet die Kita im Monat?")
    explanation = first.messages[0].text
    assert again.intent == "kita" and explanation not in text(again)
    assert "t:human_contact" in buttons(again) and places(again)


def test_one_need_gets_no_second_topic(engine: Engine) -> None:
    reply = Chat(engine, "one-need").say("Ich suche einen Kitaplatz für meine Tochter in Lünen")
    assert reply.intent == "kita" and not any(d.startswith("t:") for d in buttons(reply))


@pytest.mark.parametrize("lang", LANGS)
def test_an_emergency_inside_another_question_starts_with_the_numbers(engine: Engine, lang: str) -> None:
    reply = Chat(engine, f"danger-{lang}").say(LINES[lang].course_but_emergency)
    first = i18n.strip_isolates(reply.messages[0].text)
    assert first.startswith((i18n.RLM + "📞", "📞")), first
    assert "112" in first and "110" in first and first.index("112") < first.index("110")
    assert text(reply).count("📞") == 2, "the hotlines are said once"


@pytest.mark.parametrize("lang", LANGS)
def test_a_place_outside_the_districts_is_told_honestly(engine: Engine, lang: str) -> None:
    chat = Chat(engine, f"far-{lang}")
    reply = chat.say(LINES[lang].kita_far)
    said = text(reply)
    for district in ("Kreis Unna", "Kreis Recklinghausen", "Kreis Heinsberg"):
        assert district in said
    assert "Köln" in said
    listed = next(m for m in reply.messages if m.places)
    assert i18n.strip_isolates(listed.text).startswith(in_lang(lang, "The nearest I know, {distance} away:"))
    with i18n.use(lang):
        assert i18n.format_distance(listed.places[0].distance_km) in listed.text  # "48 km", in the reader's digits
    assert all(p.distance_km > 40 for p in listed.places)
    nothing = chat.say(LINES[lang].more)
    assert not places(nothing)
    assert text(nothing).startswith(in_lang(lang, "I know nothing else within {distance} of {place}."))


def test_with_no_offers_yet_no_town_is_called_outside() -> None:
    from bot.offers.db import open_db

    reply = Chat(Engine(open_db(memory=True), default_lang="de"), "empty").say("Kita in Unna")
    last = i18n.strip_isolates(reply.messages[-1].text)
    assert "außerhalb" not in text(reply)
    assert last.startswith(in_lang("de", "I found no offers for this near {place}.")) and "Unna" in last


@pytest.mark.parametrize("lang", ["de", "ar", "uk"])
def test_more_pages_outside_the_districts_never_say_near(engine: Engine, lang: str) -> None:
    chat = Chat(engine, f"farmore-{lang}")
    first = chat.say(LINES[lang].kita_dortmund)
    second = chat.say(LINES[lang].more)
    near = in_lang(lang, "I found {n} offers near {place}:")
    for reply in (first, second):
        assert places(reply)
        assert near not in text(reply)
    assert text(second).startswith(in_lang(lang, "Farther away, from {distance}:"))


def test_later_pages_far_from_the_place_say_how_far_not_near(engine: Engine) -> None:
    chat = Chat(engine, "far-pages", "de")
    pages = [chat.say("Kita in Holzwickede")] + [chat.say("mehr") for _page in range(4)]
    far = [page for page in pages if places(page)[0].distance_km >= 10]
    assert far and len(far) < len(pages)
    near = in_lang("de", "I found {n} offers near {place}:").split("{")[0]
    for page in far:
        assert text(page).startswith(in_lang("de", "Farther away, from {distance}:").split("{")[0])
        assert near not in text(page)


@pytest.mark.parametrize("phrase", ["mehr", "more", "show me more", "المزيد", "ещё", "daha fazla", "بیشتر", "ще",
                                    "plus", "zêdetir", "ተወሳኺ", "نور", "dheeraad", "noch mehr bitte"])
def test_more_is_never_an_emergency(engine: Engine, phrase: str) -> None:
    chat = Chat(engine, "more-alone")
    alone = chat.say(phrase)
    assert "112" not in text(alone) and alone.intent is None  # nothing to show more of: the topics
    assert any(d.startswith("t:") for d in buttons(alone))
    chat.say("Kita in Lünen")
    paged = chat.say(phrase)
    assert paged.intent == "kita" and places(paged) and "112" not in text(paged)


def test_typed_more_after_the_last_page_says_so(engine: Engine) -> None:
    chat = Chat(engine, "last-page")
    chat.say("Kita in Selfkant")
    replies = [chat.say("mehr") for _ in range(12)]
    assert any(not places(r) for r in replies)
    last = replies[-1]
    assert "Das war alles" in text(last) and "Selfkant" in text(last)


def test_where_are_you_asks_again_for_an_unknown_place(engine: Engine) -> None:
    chat = Chat(engine, "unknown-place")
    chat.say("I need a kindergarten")
    again = chat.say("Xyzzyhausen")
    assert "don't know that place" in text(again) and "location" in buttons(again)
    found = chat.say("we live in Bergkamen")
    assert found.intent == "kita" and "Bergkamen" in places(found)[0].name


def test_a_new_question_with_a_place_is_not_taken_for_the_pending_one(engine: Engine) -> None:
    chat = Chat(engine, "new-question")
    chat.say("Kita")
    reply = chat.say("Deutschkurs in Unna")
    assert reply.intent == "language_course"
    assert all("Deutschkurs" in p.name for p in places(reply))


def test_a_shared_location_answers_the_pending_topic(engine: Engine) -> None:
    from bot.geo.distance import Point

    engine.handle(Incoming("shared", text="Wohnung gesucht"))
    reply = engine.handle(Incoming("shared", location=Point(51.6164, 7.5228)))
    assert reply.intent == "housing" and places(reply)


def test_closer_shows_the_nearest_again(engine: Engine) -> None:
    chat = Chat(engine, "closer")
    first = chat.say("Kita in Unna")
    chat.say("mehr")
    closer = chat.say("gibt es was näher?")
    assert [p.id for p in places(closer)] == [p.id for p in places(first)]
    assert "die nächsten Angebote" in text(closer)


@pytest.mark.parametrize("lang, question, follow, repeats", [
    ("de", "Kita in Unna", "und wann hat die offen?", "places"),
    ("ar", "أين أجد روضة أطفال في أونا؟", "ما هي مواعيد العمل؟", "places"),
    ("ru", "Где найти курс немецкого в Унне?", "А какие часы работы?", "places"),
    ("tr", "Unna da almanca kursu ariyorum", "saatleri ne?", "places"),
    ("en", "german course in unna", "do I need an appointment?", "places"),
    ("de", "Kita in Unna", "ist das kostenlos?", "explanation"),
    ("ar", "أين أجد روضة أطفال في أونا؟", "هل هي مجانية؟", "explanation"),
    ("uk", "Де знайти курс німецької в Унні?", "це безкоштовно?", "explanation"),
    ("ku", "Li Unna kursa almanî heye?", "belaş e?", "explanation"),
    ("en", "german course in unna", "how much does it cost?", "explanation"),
])
def test_a_question_about_the_offers_just_shown_stays_with_them(engine: Engine, lang: str, question: str,
                                                                 follow: str, repeats: str) -> None:
    # When they open, whether they cost: no new topic, and no emergency. "und wann hat die offen?" was answered with
    # 112 (a danger model reads little in five words) and the food bank's text.
    chat = Chat(engine, f"about-offers-{lang}-{repeats}", lang)
    first = chat.say(question)
    reply = chat.say(follow)
    assert reply.intent == first.intent
    assert "112" not in text(reply)
    if repeats == "places":  # the nearest again, whose cards show their hours
        assert [p.id for p in places(reply)] == [p.id for p in places(first)]
    else:  # the explanation again, where costs are said
        assert reply.messages[0].text == first.messages[0].text


def test_open_now_without_hours_that_tell_shows_the_hours(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.offers import hours

    monkeypatch.setattr(hours, "is_open", lambda text, now: None)  # hours that cannot say ("nach Vereinbarung")
    chat = Chat(engine, "open-unknown")
    chat.say("Deutschkurs in Unna")
    reply = chat.say("welche haben jetzt offen?")
    assert "nicht sagen" in text(reply)
    assert places(reply) and all(p.hours for p in places(reply))


def test_open_now_keeps_the_open_offers(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime

    from bot.offers import hours

    # A Wednesday at 10:00 in Berlin: offers open in the mornings on weekdays are open, the others not.
    monkeypatch.setattr(hours, "clock", lambda: datetime(2026, 12, 2, 10, 0, tzinfo=hours.BERLIN))
    chat = Chat(engine, "open-known")
    chat.say("kita in Unna")
    reply = chat.say("open now")
    assert places(reply) and "Open now near Unna" in text(reply)
    rows = {r[0]: r[1] for r in sql.rows(engine.offers, "SELECT id, opening_hours FROM offers")}
    now = hours.clock()
    assert all(hours.is_open(rows[p.id], now) for p in places(reply))


@pytest.mark.parametrize("text_", ["Hallo ich suche Kita", "السلام عليكم ابحث عن روضة", "hello, help me find a flat",
                                   "thanks, and where is a German course?", "Arbeit und Wohnung",
                                   "Kita in meiner Nähe", "hi", "help", "danke"])
def test_no_clarification_offers_a_frame_or_shows_an_id(engine: Engine, text_: str) -> None:
    reply = Chat(engine, "frames").say(text_)
    frames = {f"t:{i}" for i, intent in engine.intents.items() if intent.kind == "frame"}
    shown = [b for m in reply.messages for b in m.buttons]
    assert not {b.data for b in shown} & frames
    assert not {b.label for b in shown} & set(engine.intents), "a raw id as a button label"


@pytest.mark.parametrize("lang, question", [
    ("de", "ich brauche Arbeit und eine Wohnung in Unna"), ("tr", "Unna'da iş ve ev arıyorum"),
])
def test_the_topic_not_chosen_after_did_you_mean_stays_one_tap_away(engine: Engine, lang: str, question: str) -> None:
    chat = Chat(engine, "both-" + lang, lang)
    asked = chat.say(question)
    offered = [b.action for b in asked.messages[-1].buttons if isinstance(b.action, Topic)]
    assert len(offered) == 2, "the message is asked about"
    first, other = offered
    answer = chat.press(encode(first))
    assert answer.intent == first.intent
    assert other in [b.action for b in answer.messages[0].buttons]
    again = chat.say("mehr" if lang == "de" else "daha fazla")  # a later page offers no choice any more
    assert other not in [b.action for m in again.messages for b in m.buttons]


def test_two_close_topics_both_named_are_two_needs_not_a_question(engine: Engine) -> None:
    reply = Chat(engine, "two-needs", "fr").say("un interprète pour la mairie et une crèche à Unna")
    assert reply.intent == "interpreter"
    assert Topic("kita") in [b.action for b in reply.messages[0].buttons]
    assert places(reply)


def test_the_session_keeps_only_the_conversation_fields(engine: Engine) -> None:
    engine.handle(Incoming("fields", text="Kita"))
    assert columns(engine.store, "sessions", engine.store.dialect) == [
        "user_key", "lang", "place_name", "lat", "lon", "last_intent", "updated_at", "last_lang", "state",
        "pending_intent", "shown", "danger", "danger_turns"]
    assert engine.store.one("SELECT state, pending_intent FROM sessions") == ("awaiting_place", "kita")


def test_another_part_can_add_a_state(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The slot handing a conversation to staff uses: a state name in the session and a registered handler."""
    from bot.engine import states
    from bot.engine.models import Message

    monkeypatch.setitem(states.HANDLERS, states.HANDED_TO_STAFF,
                        lambda engine, turn: Reply([Message("staff will answer")], "de"))
    session = engine.sessions.load("staff")
    session.state = states.HANDED_TO_STAFF
    engine.sessions.save("staff", session)
    assert text(engine.handle(Incoming("staff", text="Kita"))) == "staff will answer"
    monkeypatch.delitem(states.HANDLERS, states.HANDED_TO_STAFF)
    assert engine.handle(Incoming("staff", text="Kita")).intent == "kita"  # no handler: answered as idle


def test_where_the_conversation_stood_is_forgotten_after_an_hour(engine: Engine) -> None:
    chat = Chat(engine, "stale")
    chat.say("Kita")
    engine.store.run("UPDATE sessions SET updated_at = '2020-01-01T00:00:00+00:00'")
    session = engine.sessions.load("stale")
    assert (session.state, session.pending_intent, session.last_intent) == ("idle", None, "kita")


def test_the_known_districts_follow_the_offers(engine: Engine) -> None:
    outside = Chat(engine, "cover-1").say("Kita in Dortmund")
    assert "Kreis Unna" in text(outside)
    with sql.writing(engine.offers) as tx:
        tx.run("INSERT INTO offers (id, name_de, categories, lat, lon, district, updated_at) VALUES "
               "('t-kita-dortmund', 'Kita Dortmund-Mitte', '[\"kita\"]', 51.5136, 7.4653, 'Dortmund', "
               "'2026-12-01T08:00:00Z')")
    inside = Chat(engine, "cover-2").say("Kita in Dortmund")
    assert "Kreis Unna" not in text(inside)
    assert places(inside)[0].name == "Kita Dortmund-Mitte"
    assert text(inside).startswith(text(outside).split("\n")[0])  # the same explanation, then offers "near"


@pytest.mark.parametrize("topic, town, expected", [
    (None, "Lünen", "Thank you, I saved your location. What are you looking for?"),
    ("t:kita", "Kamen", "Kamen"),
])
def test_the_place_command_reads_the_next_message_as_the_place(engine: Engine, topic: str | None, town: str,
                                                               expected: str) -> None:
    """/place (a button of the engine's: the conversation's state says a place is awaited, no transport flag)."""
    if topic is not None:
        engine.handle(Incoming("p1", button=topic, lang_hint="en"))
    asked = engine.handle(Incoming("p1", button="place", lang_hint="en"))
    assert "location" in buttons(asked)
    reply = engine.handle(Incoming("p1", text=town, lang_hint="en"))
    assert expected in text(reply) + " ".join(p.address + p.name for p in places(reply))
    assert engine.sessions.load("p1").place_name == town


def test_a_language_lotse_does_not_speak_is_answered_in_the_browsers(engine: Engine) -> None:
    # Wolof was answered in Somali, the language its letters look most like.
    reply = Chat(engine, "wolof", "de").say("Salaam aleekum, damay dëkk ci Unna. Dama soxla jàng làkku almaa")
    assert reply.lang == "de"


@pytest.mark.parametrize("lang, question, correction, town", [
    ("de", "Kita in Unna", "Nein, ich wohne in Kamen, nicht in Unna", "Kamen"),
    ("en", "german course in Dortmund", "No, I live in Bergkamen, not Dortmund!", "Bergkamen"),
    ("uk", "Де знайти курс німецької в Унні?", "ні, вибачте, ми насправді живемо у Фрьонденберзі, не в Унні",
     "Fröndenberg"),
])
def test_correcting_the_town_moves_the_topic_there_and_alarms_nobody(engine: Engine, lang: str, question: str,
                                                                     correction: str, town: str) -> None:
    # "I live in X, not Y" was read by the danger model as "I don't want to live": the crisis line and a topic change.
    chat = Chat(engine, "correct-" + lang, lang)
    first = chat.say(question)
    reply = chat.say(correction)
    assert reply.intent == first.intent
    assert not any(n in text(reply) for n in ("112", "110", "116 016", "0800 111"))
    assert town in text(reply) and places(reply)
