"""Rendering for Telegram (escaping, splitting, right-to-left) and deep-link payloads, as plain functions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import i18n
from bot.engine import Engine
from bot.engine.deeplinks import Preset, apply_preset, decode, encode, link
from bot.engine.models import Message, PlaceOut
from bot.telegram.render import MAX_LEN, render

TOPICS = {"kita", "language_course", "school", "residence_permit"}
PLACE = PlaceOut(name="Kita <Sonnenschein> & Co", address="Marktstr. 1, 44532 Lünen", distance_km=1.234,
                 lat=51.6164, lon=7.5228, phone="02306 12345", example=True)


def visible(html: str) -> str:
    """The text Telegram shows: tags removed, entities resolved."""
    text = re.sub(r"<[^>]+>", "", html)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#x27;", "'") \
        .replace("&amp;", "&")


def test_text_and_places_are_escaped_and_linked_to_the_map() -> None:
    with i18n.use("en"):
        [html] = render(Message("Is <b>this</b> & that bold?", places=[PLACE]))
    assert "<b>this</b>" not in html and "&lt;b&gt;this&lt;/b&gt;" in html
    assert "<b>Kita &lt;Sonnenschein&gt; &amp; Co</b>" in html
    assert 'href="https://www.openstreetmap.org/?mlat=51.61640&amp;mlon=7.52280#map=17/51.61640/7.52280"' in html
    assert "1.2 km" in html and "Example data" in html


def test_right_to_left_lines_start_with_a_mark_and_latin_is_isolated() -> None:
    with i18n.use("ar"):
        [html] = render(Message("روضة أطفال قريبة", places=[PLACE]))
    lines = [line for line in html.split("\n") if line]
    assert all(line.startswith(i18n.RLM) for line in lines)
    assert f"{i18n.FSI}Marktstr. 1, 44532 Lünen{i18n.PDI}" in html


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([*"ab <&>\nكيف ", "word ", "x" * 900, "&" * 50]), max_size=400).map("".join))
def test_long_text_is_split_below_the_limit_without_losing_words(text: str) -> None:
    with i18n.use("de"):
        chunks = render(Message(text))
    assert all(len(chunk) < MAX_LEN for chunk in chunks)
    assert "".join(visible("".join(chunks)).split()) == "".join(text.split())


@pytest.mark.parametrize(("lang", "topic", "place", "payload"), [
    ("ar", "kita", "Lünen", "ar_kita_Luenen"),
    (None, "language_course", "Castrop-Rauxel", "language_course_Castrop-Rauxel"),
    ("uk", None, "59174", "uk_59174"),
    ("fa", None, None, "fa"),
    ("de", "residence_permit", "Bad Sassendorf", "de_residence_permit_Bad-Sassendorf"),
])
def test_deep_link_payloads_round_trip(lang: str | None, topic: str | None, place: str | None,
                                       payload: str) -> None:
    assert encode(lang, topic, place) == payload
    decoded = decode(payload, TOPICS)
    assert (decoded.lang, decoded.topic) == (lang, topic)
    assert (decoded.place is None) == (place is None)


@pytest.mark.parametrize("payload", ["", "x" * 65, "ar kita", "ar_kita_L\u00fcnen", "../../etc"])
def test_bad_payloads_decode_to_nothing(payload: str) -> None:
    assert decode(payload, TOPICS) == Preset()


def test_payload_too_long_is_refused() -> None:
    with pytest.raises(ValueError):
        encode("ar", "kita", "A" * 70)
    assert link("@LotseBot", "ar_kita") == "https://t.me/LotseBot?start=ar_kita"


def test_preset_sets_language_place_and_answers_the_topic(engine: Engine) -> None:
    reply = apply_preset(engine, "tg:9", decode("ar_kita_Luenen", engine.intents))
    assert reply.lang == "ar" and reply.rtl and reply.intent == "kita"
    places = [p for m in reply.messages for p in m.places]
    assert places and places[0].distance_km < 5
    unknown = apply_preset(engine, "tg:10", decode("tr_kita_Atlantis", engine.intents))
    assert unknown.lang == "tr" and not any(m.places for m in unknown.messages)  # asks for the place instead


def test_link_command_prints_the_deep_link_and_writes_a_qr_code(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.telegram.linkcli import link as link_cmd

    qr = tmp_path / "kita-ar.svg"
    result = CliRunner().invoke(link_cmd, ["--bot", "LotseUnnaBot", "--lang", "ar", "--topic", "kita",
                                           "--place", "Lünen", "--qr", str(qr)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "https://t.me/LotseUnnaBot?start=ar_kita_Luenen"
    assert qr.read_text().startswith("<?xml") and "<svg" in qr.read_text()
    bad = CliRunner().invoke(link_cmd, ["--bot", "B", "--topic", "weather"])
    assert bad.exit_code != 0 and "unknown topic" in bad.output


def test_place_block_shows_hours_and_source_of_real_offers() -> None:
    from bot.engine.models import PlaceOut
    from bot.telegram.render import place_block

    real = PlaceOut(name="KI Kreis Heinsberg", address="52525 Heinsberg", distance_km=1.2, lat=51.06, lon=6.1,
                    source="https://www.integrationsportal-kreis-heinsberg.de/", source_date="undated",
                    hours="Mo.–Fr. 08:30–12:00")
    text = place_block(real, rtl=False)
    assert "🕒 Mo.–Fr. 08:30–12:00" in text
    assert "www.integrationsportal-kreis-heinsberg.de undated" in text
    example = PlaceOut(name="Kita Unna (Beispiel)", address="", distance_km=1, lat=51.5, lon=7.7, example=True,
                       source="Lotse demo data")
    assert "Lotse demo data" not in place_block(example, rtl=False)


@pytest.mark.parametrize(("lang", "phone", "shown"), [
    ("en", "02361 / 50 20 12", "+49 2361 502012"),  # international: Telegram marks it as a phone number
    ("de", "0800 111 0 111", "+49 800 1110111"),
    ("ar", "02361 / 50 20 12", "02361502012"),  # right to left: plain digits, in order, no isolate around them
    ("fa", "116 117", "116117"),
])
def test_phone_numbers_are_written_so_telegram_offers_to_call_them(lang: str, phone: str, shown: str) -> None:
    place = PlaceOut(name="Beratung", address="", distance_km=1.0, lat=51.6, lon=7.5, phone=phone)
    with i18n.use(lang):
        [html] = render(Message("", places=[place]))
    line = next(line for line in html.split("\n") if "☎" in line)
    assert line.endswith("☎ " + shown)
    assert i18n.FSI not in line and i18n.PDI not in line


def test_hotline_numbers_in_text_are_tappable_in_every_direction() -> None:
    for lang in ("de", "ar"):
        with i18n.use(lang):
            [html] = render(Message(i18n.isolate_ltr_runs("📞 116 016 · هاتف المساعدة", lang)))
        assert "116016" in html and f"{i18n.FSI}116 016{i18n.PDI}" not in html


def test_by_appointment_only_is_shown_in_the_readers_language() -> None:
    place = PlaceOut(name="Kita", address="", distance_km=1.0, lat=51.6, lon=7.5, appointment=True)
    with i18n.use("tr"):
        [html] = render(Message("", places=[place]))
    assert "📅 Sadece randevuyla" in html
