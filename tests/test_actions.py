"""Button data: one encode/decode pair, within Telegram's and WhatsApp's limits, and kind to old or forged data."""

from __future__ import annotations

import pytest

from bot.engine import Engine, Incoming
from bot.engine.actions import (
    MAX_BYTES,
    Action,
    AskPlace,
    Feedback,
    Forget,
    Help,
    Language,
    LanguagePicker,
    Menu,
    More,
    ShareLocation,
    Start,
    StopHandoff,
    Topic,
    command,
    decode,
    encode,
)

LONGEST_ID = "a" * 48  # the longest intent id a staff topic may have (bot/knowledge/store.py)

ROUND_TRIP: list[tuple[Action, str]] = [
    (Topic("kita"), "t:kita"),
    (More("kita", 3), "more:kita:3"),
    (Feedback("housing", helpful=True), "fb:+:housing"),
    (Feedback("housing", helpful=False), "fb:-:housing"),
    (Language("ar"), "l:ar"),
    (LanguagePicker(), "lang"),
    (Menu(), "m"),
    (Menu(more=True), "m:more"),
    (Help(), "about"),
    (AskPlace(), "place"),
    (ShareLocation(), "location"),
    (Forget(), "forget"),
    (Forget(confirmed=True), "forget:yes"),
    (StopHandoff(), "h:stop"),
    (Start("ar_kita_Luenen"), "start:ar_kita_Luenen"),
    (Start(), "start:"),
]


@pytest.mark.parametrize(("action", "data"), ROUND_TRIP)
def test_every_action_round_trips_in_the_format_buttons_already_sent_use(action: Action, data: str) -> None:
    assert encode(action) == data  # the same text as before the actions were typed: old buttons still work
    assert decode(data) == action


@pytest.mark.parametrize("action", [Topic(LONGEST_ID), More(LONGEST_ID, 100), Feedback(LONGEST_ID, False),
                                    Language("ku"), Forget(confirmed=True), StopHandoff()])
def test_the_longest_buttons_fit_telegrams_64_bytes_and_whatsapps_ids(action: Action) -> None:
    data = encode(action)
    assert len(data.encode()) <= MAX_BYTES
    assert len(data) <= 200  # WhatsApp: a list row id has at most 200 characters, a reply button id 256
    assert decode(data) == action


@pytest.mark.parametrize("data", [
    "", "t:", "t:Kita", "t:kita x", "t:../../etc", "more:kita:", "more:kita:²", "more:kita:٣", "more:kita:-1",
    "more::3", "more:kita:99999999999999999999", "fb:*:kita", "fb:+:", "fb:+", "l:", "l:deutsch", "m:less",
    "forget:no", "h:go", "start:a b", "start:" + "x" * 65, "\x00", "\u202e", "t:" + "a" * 49, "x" * 10_000,
])
def test_garbage_decodes_to_nothing(data: str) -> None:
    assert decode(data) is None


def test_a_page_number_far_away_is_cut_to_the_last_page_kept() -> None:
    assert decode("more:kita:100000") == More("kita", 100)


@pytest.mark.parametrize("data", ["t:a_topic_removed_since", "more:gone:3", "fb:+:gone", "zz", "l:xx", "m:less"])
def test_old_or_forged_buttons_get_the_topics_to_choose_again(engine: Engine, data: str) -> None:
    reply = engine.handle(Incoming("old-button", button=data, lang_hint="en"))
    last = reply.messages[-1]
    assert any(isinstance(b.action, Topic) for b in last.buttons) or last.text == "Thank you for your feedback!"
    assert "Traceback" not in last.text


@pytest.mark.parametrize(("text", "action"), [
    ("/forget", Forget()), (" /help ", Help()), ("/Menu", Menu()), ("/language", LanguagePicker()),
    ("/place", AskPlace()), ("/start", Start()), ("/start kita-unna", Start("kita-unna")),
    ("/forget@LotseBot", Forget()),
    ("/forget me now", None), ("forget", None), ("/unknown", None), ("I want to /forget", None),
])
def test_a_typed_command_is_the_action_of_its_button(text: str, action: Action | None) -> None:
    assert command(text) == action


@pytest.mark.parametrize(("lang", "question", "asks"), [
    ("ar", "أين أجد روضة أطفال في أونا؟", "هل تريد حذف"), ("so", "Waxaan raadinayaa koorso luqadda Jarmalka ah Unna",
                                                         "Lotse"),
])
def test_forget_typed_in_the_web_chat_asks_in_the_conversations_language(engine: Engine, lang: str, question: str,
                                                                          asks: str) -> None:
    # "/forget" typed was read as an English sentence: the privacy text in English, and English from then on.
    engine.handle(Incoming("web:forgetful-" + lang, text=question, lang_hint="de"))
    reply = engine.handle(Incoming("web:forgetful-" + lang, text="/forget", lang_hint="de"))
    assert reply.lang == lang
    assert asks in reply.messages[0].text
    assert reply.messages[-1].buttons[0].action == Forget(confirmed=True)
