"""Conversations with the engine as plain Python: what a person would see."""

from __future__ import annotations

import pytest

from bot.engine import Engine, Incoming, Reply
from bot.geo.distance import Point
from bot.web.replies import reply_json

LUENEN = Point(51.6164, 7.5228)


def texts(reply) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(m.text for m in reply.messages)


def test_language_course_in_unna_lists_courses_with_distance(engine: Engine) -> None:
    reply = engine.handle(Incoming("u1", text="Deutschkurs in Unna"))
    assert reply.lang == "de"
    assert reply.intent == "language_course"
    places = [p for m in reply.messages for p in m.places]
    assert places, texts(reply)
    assert all("Deutschkurs" in p.name for p in places)
    assert places[0].distance_km < 3
    assert [p.distance_km for p in places] == sorted(p.distance_km for p in places)


def test_kita_then_location_lists_nearest_kitas(engine: Engine) -> None:
    first = engine.handle(Incoming("u2", text="Kita"))
    assert not any(m.places for m in first.messages)
    assert any(b.data == "location" for m in first.messages for b in m.buttons)
    second = engine.handle(Incoming("u2", location=LUENEN))
    places = [p for m in second.messages for p in m.places]
    assert places and "Kita" in places[0].name and "Lünen" in places[0].name


def test_out_of_scope_gets_kind_answer_and_all_topics(engine: Engine) -> None:
    reply = engine.handle(Incoming("u3", text="weather tomorrow", lang_hint="en"))
    assert reply.intent != "kita"
    assert "can't help" in texts(reply)
    buttons = [b for m in reply.messages for b in m.buttons]
    assert len(buttons) <= 5 and buttons[-1].data == "m"  # a short choice, never the wall of every topic
    # Known to be out of scope (an example of `none`): nothing for staff to review.
    assert engine.db.execute("SELECT count(*) FROM review_queue").fetchone()[0] == 0


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "\x00\x01", "?!?"])
def test_empty_or_symbol_only_text_gets_a_kind_prompt(engine: Engine, text: str) -> None:
    reply = engine.handle(Incoming("u4", text=text))
    assert reply.messages and reply.messages[0].buttons


@pytest.mark.parametrize("data", ["bogus", "t:nonexistent", "more:kita:x", "l:xx", ""])
def test_unknown_button_gives_fresh_menu(engine: Engine, data: str) -> None:
    reply = engine.handle(Incoming("u5", button=data))
    assert any(b.data.startswith("t:") for m in reply.messages for b in m.buttons)


def test_language_choice_is_remembered_and_forgotten(engine: Engine) -> None:
    engine.handle(Incoming("u6", button="l:ar"))
    reply = engine.handle(Incoming("u6", text="Kita in Lünen"))
    assert reply.lang == "ar" and reply.rtl
    assert engine.forget("u6")
    assert engine.db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


def test_choosing_a_language_mid_conversation_repeats_the_last_answer_in_it(engine: Engine) -> None:
    first = engine.handle(Incoming("u6b", text="Deutschkurs in Lünen", lang_hint="de"))
    again = engine.handle(Incoming("u6b", button="l:ar"))
    assert first.intent == again.intent == "language_course"
    assert again.lang == "ar" and again.rtl
    assert again.messages[0].text.startswith(engine.answers["language_course"].in_lang("ar")[:20])
    def shown(reply: Reply) -> list[float]:
        return [p.distance_km for m in reply.messages for p in m.places]

    assert len(shown(again)) == len(shown(first)) > 0 and max(shown(again)) < 10  # offers near Lünen again


def test_sessions_hold_no_user_ids(engine: Engine) -> None:
    engine.handle(Incoming("tg:424242", text="Kita in Unna"))
    dump = "\n".join(str(row) for row in engine.db.execute("SELECT * FROM sessions").fetchall())
    assert "424242" not in dump


def test_real_contact_point_shows_hours_and_source_in_the_users_language(engine: Engine) -> None:
    engine.handle(Incoming("u7", button="l:ar"))
    reply = engine.handle(Incoming("u7", text="استشارة للمهاجرين في Heinsberg"))
    places = [p for m in reply.messages for p in m.places]
    ki = next(p for p in places if "Integrationszentrum" in p.name and "Heinsberg" in p.name)
    assert not ki.example
    assert "integrationsportal-kreis-heinsberg.de" in ki.source
    assert "الاثنين" in ki.hours  # Monday, in Arabic: the opening hours are rendered for the reader


def test_default_district_links_show_while_the_place_is_unknown(db) -> None:  # type: ignore[no-untyped-def]
    engine = Engine(db, default_lang="en", default_district="05562")
    reply = engine.handle(Incoming("u8", text="migration counselling", lang_hint="en"))
    assert "kreis-re.de" in reply.messages[0].text
    plain = Engine(db, default_lang="en")
    reply = plain.handle(Incoming("u9", text="migration counselling", lang_hint="en"))
    assert "kreis-re.de" not in reply.messages[0].text


def test_the_conversation_stays_in_the_language_the_person_writes(engine: Engine) -> None:
    first = engine.handle(Incoming("u10", text="I need a kindergarten"))
    assert first.lang == "en"
    for follow_up in (Incoming("u10", text="Unna"), Incoming("u10", button="more:kita:3"),
                      Incoming("u10", location=LUENEN)):
        assert engine.handle(follow_up).lang == "en"


def test_arabic_from_a_german_phone_stays_arabic(engine: Engine) -> None:
    assert engine.handle(Incoming("u11", text="ابحث عن روضة أطفال لابني", lang_hint="de")).lang == "ar"
    assert engine.handle(Incoming("u11", text="Lünen", lang_hint="de")).lang == "ar"


def test_a_place_alone_is_saved_and_the_menu_offered(engine: Engine) -> None:
    reply = engine.handle(Incoming("u12", text="59423"))
    assert "gespeichert" in texts(reply) and reply.messages[-1].buttons
    assert engine.db.execute("SELECT count(*) FROM review_queue").fetchone()[0] == 0
    kitas = engine.handle(Incoming("u12", text="Kita"))
    assert any("Unna" in p.name for m in kitas.messages for p in m.places)


def test_a_follow_up_place_does_not_repeat_the_explanation(engine: Engine) -> None:
    first = engine.handle(Incoming("u13", text="Kita"))
    explanation = first.messages[0].text
    again = engine.handle(Incoming("u13", text="in Lünen"))
    assert explanation not in texts(again)
    assert any(m.places for m in again.messages)


def test_far_away_places_get_no_offers_that_are_not_near(engine: Engine) -> None:
    reply = engine.handle(Incoming("u14", text="Kita in Berlin"))
    assert not any(m.places for m in reply.messages)
    assert "Berlin" in texts(reply)


def test_short_junk_is_not_a_topic(engine: Engine) -> None:
    for junk in ("a", "no", "ok"):
        assert engine.handle(Incoming("u15", text=junk, lang_hint="en")).intent is None


def test_two_close_topics_get_a_question_with_two_buttons_and_all_topics(engine: Engine) -> None:
    reply = engine.handle(Incoming("u16", text="Arbeit und Wohnung"))
    assert len(reply.messages) == 1
    *topics, menu = [b.data for b in reply.messages[0].buttons]
    assert sorted(topics) == ["t:housing", "t:work"] and menu == "m"  # "m": neither was meant
    assert not reply.messages[0].places


def test_inline_lookup_uses_the_same_names_and_distance_limit_as_the_chat(engine: Engine) -> None:
    from bot.engine.lookup import lookup

    near = lookup(engine, "Kita Lünen", "u17", "en")
    assert near.places and near.places[0].name.endswith("(example)")  # the English name of the example Kita
    assert lookup(engine, "Kita Berlin", "u17", "en").places == []  # 400 km is not "near"


def test_by_appointment_is_a_field_shown_translated_and_german_notes_are_marked(engine: Engine) -> None:
    reply = engine.handle(Incoming("u18", text="German course in Unna", lang_hint="en"))
    shown = [p for m in reply.messages for p in m.places]
    stored = {r[0]: (r[1], r[2]) for r in engine.db.execute("SELECT id, opening_hours, appointment FROM offers")}
    assert not any("Termin" in (hours or "") for hours, _flag in stored.values())
    assert any(p.appointment for p in shown) and all(p.appointment == bool(stored[p.id][1]) for p in shown)
    assert all("Termin" not in p.hours for p in shown)
    from bot.offers.hours import render

    assert render('Tu "nach Vereinbarung"', "en") == "Tue (by appointment)"
    assert render('Tu "nach Vereinbarung"', "de") == "Di. (nach Vereinbarung)"
    turkish = render('Mo-Fr 09:00-12:00; Sa "nach Vereinbarung"', "tr")
    assert "(randevuyla)" in turkish and "Almanca" not in turkish and "Vereinbarung" not in turkish
    assert render('Tu "nur für Frauen"', "en") == "Tue (in German: nur für Frauen)"


def test_every_phone_number_of_a_reply_comes_with_its_tel_link(engine: Engine) -> None:
    reply = engine.handle(Incoming("u19", text="emergency, my friend is not breathing", lang_hint="en"))
    data = reply_json(reply)
    phones = [p for m in data["messages"] for p in m["phones"]]
    assert {"text": "112", "tel": "tel:112"} in phones and {"text": "110", "tel": "tel:110"} in phones
    listed = reply_json(engine.handle(Incoming("u19", text="Migrationsberatung in Heinsberg")))
    tels = [p["tel"] for m in listed["messages"] for p in m["places"] if p["phone"]]
    assert "tel:+492452134222" in tels  # the KI Kreis Heinsberg, 02452 / 13-4222


def test_an_older_database_gets_the_conversation_fields(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlite_utils import Database

    from bot.offers.db import MIGRATIONS, migrate, open_db

    old = Database(str(tmp_path / "old.db"))
    for number, step in enumerate(MIGRATIONS[:3], start=1):
        script = step() if callable(step) else step
        old.conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    old.execute("INSERT INTO sessions(user_key, lang, last_intent) VALUES ('k', 'ar', 'kita')")
    old.conn.commit()
    migrate(old)
    db = open_db(tmp_path / "old.db")
    assert db.execute("SELECT lang, last_intent, state, pending_intent, shown FROM sessions").fetchone() == (
        "ar", "kita", None, None, None)
