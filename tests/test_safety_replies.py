"""Whenever danger is plausible the reply starts with the numbers to call, whatever else the message asks, in the
person's language: knives at the door, a beating at the end of a long story, the Emergency button, and the
crisis lines for someone who may take their own life."""

from __future__ import annotations

import pytest

from bot.engine import Engine, Incoming

STORY = "Wir sind vor einem Jahr gekommen, meine Kinder gehen zur Schule und ich lerne Deutsch. " * 30


def first(engine: Engine, user: str, **incoming: str) -> str:
    reply = engine.handle(Incoming(user, **incoming))  # type: ignore[arg-type]
    return reply.messages[0].text


@pytest.mark.parametrize(("text", "number"), [
    ("er hat ein Messer und steht vor der Tür", "112"),
    ("elinde bıçak var kapıda bekliyor", "112"),
    ("jemand bricht gerade in unsere Wohnung ein", "110"),
    ("Meine Frau bekommt gerade das Baby, die Wehen kommen alle drei Minuten", "112"),
    ("baba man nemitoone nafas bekeshe", "112"),
    ("Hallo, wo gibt es einen Deutschkurs? Mein Mann ist gerade zusammengeklappt", "112"),
    (STORY + "Und jetzt schlägt mich mein Mann, ich blute.", "110"),
    ("he hit me again last night, where can I go?", "110"),
])
def test_the_numbers_come_first(engine: Engine, text: str, number: str) -> None:
    assert number in first(engine, "danger", text=text).split("\n")[0] + first(engine, "danger2", text=text)
    assert first(engine, "danger3", text=text).startswith(("📞", "\u200f📞"))


@pytest.mark.parametrize(("text", "lang"), [
    ("ich will mich umbringen", "de"), ("I want to end my life", "en"), ("بدي انتحر", "ar"),
    ("хочу покончить с собой", "ru"), ("yaşamak istemiyorum", "tr"), ("je veux mourir", "fr"),
])
def test_someone_who_may_take_their_own_life_gets_112_and_the_crisis_line(engine: Engine, text: str,
                                                                         lang: str) -> None:
    numbers = first(engine, "crisis-" + lang, text=text)
    assert "112" in numbers and "0800 111 0 111" in numbers
    assert numbers.index("112") < numbers.index("0800 111 0 111")


@pytest.mark.parametrize("lang", ["de", "so", "ar"])
def test_the_emergency_button_puts_the_numbers_first_and_112_before_110(engine: Engine, lang: str) -> None:
    numbers = first(engine, "button-" + lang, button="t:emergency", lang_hint=lang)
    assert numbers.index("112") < numbers.index("110")
    assert "Notruf" not in numbers or lang == "de"  # the numbers are named in the reader's language
