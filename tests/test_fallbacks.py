"""When Lotse is unsure, a short, kind reply in the person's language instead of the wall of every topic: two to
four likely topics and "All topics", or only "All topics" for emoji, gibberish and questions outside its scope;
danger emoji still get the numbers, and one-word greetings keep the language of the conversation. Every message
here was written for this test (none is an example of intents/ or a line of an evaluation set)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from demodb import demo_db

from bot import i18n
from bot.config import Settings
from bot.engine import Engine, Incoming
from bot.engine.models import Reply
from bot.web.app import create_app

MOST_BUTTONS = 5  # four topics and "All topics": one phone screen
UNREADABLE = "Please write your question in a few words, or pick a topic."
NOT_UNDERSTOOD = "Sorry, I did not understand that. Please write your question in a few words."
UNSURE = "I am not sure I understood. Is it one of these?"
CLARIFY = "Did you mean one of these?"  # two topics close together: the shorter choice


def say(engine: Engine, user: str, text: str, lang: str | None = None) -> Reply:
    return engine.handle(Incoming(user, text=text, lang_hint=lang))


def shown(reply: Reply) -> str:
    return i18n.strip_isolates("\n".join(m.text for m in reply.messages))


def data(reply: Reply) -> list[str]:
    return [b.data for m in reply.messages for b in m.buttons]


def in_lang(lang: str, msgid: str) -> str:
    with i18n.use(lang):
        return i18n.strip_isolates(i18n.gettext(msgid))


def none_answer(engine: Engine, lang: str) -> str:
    """The first sentence of the kind out-of-scope answer in a language."""
    return i18n.strip_isolates(engine.answers["none"].in_lang(lang)).split(".")[0].split("،")[0]


# (message, the device's language, the language of the reply, what it says)
NOTHING_TO_READ = [
    ("😭😭😭", "de", "de", UNREADABLE),
    ("😭😭😭", "ar", "ar", UNREADABLE),
    ("🙏🙏", "uk", "uk", UNREADABLE),
    ("?!?!", "fa", "fa", UNREADABLE),
    ("asdfgh", "de", "de", NOT_UNDERSTOOD),
    ("asdfgh", "uk", "uk", NOT_UNDERSTOOD),
    ("x" * 5000, "de", "de", NOT_UNDERSTOOD),  # never Kurmanji for a German phone
    ("xxxx", None, "de", NOT_UNDERSTOOD),  # nothing known at all: the district's default language
    ("ok", "tr", "tr", NOT_UNDERSTOOD),
]


@pytest.mark.parametrize(("text", "device", "lang", "msgid"), NOTHING_TO_READ)
def test_emoji_and_gibberish_get_one_short_line_and_all_topics(engine: Engine, text: str, device: str | None,
                                                               lang: str, msgid: str) -> None:
    reply = say(engine, "gibberish", text, device)
    assert reply.lang == lang
    assert shown(reply) == in_lang(lang, msgid)
    assert data(reply) == ["m"]
    assert reply.messages[0].buttons[0].label.endswith(in_lang(lang, "All topics"))


def test_gibberish_answers_in_the_language_the_person_wrote_in_before(engine: Engine) -> None:
    say(engine, "before", "Unna'da Almanca kursu arıyorum, nereye gidebilirim?", "de")
    reply = say(engine, "before", "qqqqqqqq", "de")
    assert reply.lang == "tr" and shown(reply) == in_lang("tr", NOT_UNDERSTOOD)


# (question outside what Lotse does, the device's language, the language of the reply)
OUT_OF_SCOPE = [
    ("yarın Unna'da hava nasıl olacak?", "de", "tr"),
    ("wird es am Wochenende in Kamen regnen?", "de", "de"),
    ("who won the football game yesterday", "en", "en"),
    ("какая погода будет завтра", "ru", "ru"),
    ("شو الطقس بكرا", "ar", "ar"),
    ("розкажи анекдот", "uk", "uk"),
    ("quel temps fera-t-il demain à Lünen", "fr", "fr"),
]


@pytest.mark.parametrize(("text", "device", "lang"), OUT_OF_SCOPE)
def test_out_of_scope_is_said_kindly_with_only_all_topics(engine: Engine, text: str, device: str,
                                                          lang: str) -> None:
    reply = say(engine, "outside", text, device)
    assert reply.lang == lang
    assert shown(reply).startswith(none_answer(engine, lang))
    assert data(reply) == ["m"]


# (an unclear message, the device's language)
UNCLEAR = [
    ("ich habe ein problem mit dem brief", "de"),
    ("маю проблему з папером", "uk"),
]


@pytest.mark.parametrize(("text", "lang"), UNCLEAR)
def test_unsure_offers_two_to_four_likely_topics_and_all_topics(engine: Engine, text: str, lang: str) -> None:
    reply = say(engine, "unclear", text, lang)
    assert reply.lang == lang and shown(reply) in (in_lang(lang, UNSURE), in_lang(lang, CLARIFY))
    buttons = reply.messages[0].buttons
    assert 3 <= len(buttons) <= MOST_BUTTONS
    assert buttons[-1].data == "m" and all(b.data.startswith("t:") for b in buttons[:-1])
    assert not {b.data for b in buttons} & {"t:emergency", "t:violence_protection"}  # never guessed
    assert not {b.label for b in buttons} & set(engine.intents), "a raw id as a button label"


def test_a_suggested_topic_answers_when_pressed(engine: Engine) -> None:
    reply = say(engine, "pick", "ich habe ein problem mit dem brief", "de")
    pressed = engine.handle(Incoming("pick", button=reply.messages[0].buttons[0].data, lang_hint="de"))
    assert pressed.intent == reply.messages[0].buttons[0].data[2:] and shown(pressed)
    menu = engine.handle(Incoming("pick", button="m", lang_hint="de"))
    assert len(data(menu)) > MOST_BUTTONS  # "All topics" is the whole menu


@pytest.mark.parametrize("text", ["🆘", "🔥", "🚑🚑", "😭🆘😭", "🔥🔥🔥"])
def test_danger_emoji_alone_get_the_numbers(engine: Engine, text: str) -> None:
    reply = say(engine, "sos", text, "de")
    assert shown(reply).lstrip(i18n.RLM).startswith("📞") and "112" in shown(reply)


# (greeting, the device's language, the language of the reply)
GREETINGS = [
    ("salam", "fa", "fa"), ("salam", "ar", "ar"), ("salam", "ps", "ps"), ("merhaba", "tr", "tr"),
    ("привіт", "uk", "uk"), ("привет", "ru", "ru"), ("hallo", "de", "de"), ("hallo", "en", "en"),
    ("hi", "en", "en"), ("hi", "de", "de"), ("bonjour", "fr", "fr"), ("silav", "ku", "ku"),
    ("salaan", "so", "so"), ("ሰላም", "ti", "ti"), ("سلام", "fa", "fa"),
]


@pytest.mark.parametrize(("text", "device", "lang"), GREETINGS)
def test_one_word_greetings_keep_the_language(engine: Engine, text: str, device: str, lang: str) -> None:
    reply = say(engine, "hello", text, device)
    assert reply.intent == "greeting" and reply.lang == lang
    assert shown(reply).startswith(i18n.strip_isolates(engine.answers["greeting"].in_lang(lang))[:12])


def test_a_greeting_keeps_the_language_of_the_conversation(engine: Engine) -> None:
    say(engine, "mid", "دنبال کلاس زبان آلمانی هستم", "de")
    assert say(engine, "mid", "salam", "de").lang == "fa"
    assert say(engine, "mid", "hallo", "de").lang == "fa"


@pytest.mark.parametrize(("first", "town", "lang"), [
    ("шукаю школу для сина, йому 8 років", "Гертен", "uk"),
    ("ищу школу для сына, ему 8 лет", "Гертен", "ru"),
    ("دنبال مدرسه برای پسرم هستم", "لونن", "fa"),
])
def test_a_bare_town_in_the_same_script_keeps_the_language(engine: Engine, first: str, town: str,
                                                           lang: str) -> None:
    """A town alone tells the script, not which of its languages: the conversation's stays."""
    say(engine, "town-" + lang, first, "de")
    reply = say(engine, "town-" + lang, town, "de")
    assert reply.lang == lang and any(m.places for m in reply.messages)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    db_path = tmp_path / "lotse.db"
    demo_db(db_path)
    async with TestClient(TestServer(create_app(Settings(db_path=db_path)))) as test_client:
        yield test_client


# (what is typed, the browser's language, the language of the reply)
WEB = [
    ("😭😭😭", "de", "de"),
    ("x" * 4000, "de", "de"),
    ("yarın Unna'da hava nasıl olacak?", "de", "tr"),
    ("ich habe ein problem mit dem brief", "de", "de"),
]


@pytest.mark.parametrize(("text", "browser", "lang"), WEB)
async def test_web_chat_fallbacks_are_short(client: TestClient, text: str, browser: str, lang: str) -> None:
    resp = await client.post("/api/chat", json={"session": "fallback", "text": text, "lang": browser})
    assert resp.status == 200
    body = await resp.json()
    assert body["lang"] == lang
    buttons = [b for m in body["messages"] for b in m["buttons"]]
    assert 1 <= len(buttons) <= MOST_BUTTONS and buttons[-1]["data"] == "m"
    assert buttons[-1]["label"].endswith(in_lang(lang, "All topics"))
