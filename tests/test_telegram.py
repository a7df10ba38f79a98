"""The real PTB Application, polling the fake Bot API: commands, messages and buttons as a person sees them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from demodb import demo_db

from bot import i18n
from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakeupdates import callback_update, location_update, message_update, text_update
from bot.config import Settings
from bot.engine import Engine
from bot.telegram.runner import TelegramBot

LUENEN = (51.6164, 7.5228)
STICKER = {"file_id": "x", "file_unique_id": "y", "type": "regular", "width": 512, "height": 512,
           "is_animated": False, "is_video": False}


@pytest.fixture
async def bot(api: FakeBotAPI, engine: Engine) -> AsyncIterator[TelegramBot]:
    settings = Settings(telegram_token=api.token, telegram_api_base_url=api.base_url)
    async with TelegramBot(settings, engine, poll_timeout=5) as running:
        yield running
        api.drain()


def sessions(engine: Engine) -> list[tuple[object, ...]]:
    return [tuple(row) for row in engine.store.query("SELECT lang, place_name, last_intent FROM sessions")]


def last_message(api: FakeBotAPI, chat: int) -> str:
    return api.sent(chat, ["sendMessage", "editMessageText"])[-1].text


async def test_start_greets_with_topic_buttons(api: FakeBotAPI, bot: TelegramBot) -> None:
    api.push(text_update(101, "/start", lang="en"))
    [call] = await api.wait_for("sendMessage", chat_id=101)
    data = call.button_data()
    assert "t:kita" in data and "t:language_course" in data and "lang" in data
    assert call.params["parse_mode"] == "HTML"


async def test_commands_are_described_in_every_language(api: FakeBotAPI, bot: TelegramBot) -> None:
    assert set(api.commands) == {"", *i18n.LANGUAGES}
    names = [c["command"] for c in api.commands["ar"]]
    assert names == [c["command"] for c in api.commands["de"]] == [c["command"] for c in api.commands[""]]
    assert {"start", "help", "menu", "language", "place", "forget"} <= set(names)
    assert api.commands["en"][0]["description"] == "Start and show the topics"


async def test_deep_link_presets_language_topic_and_place(api: FakeBotAPI, bot: TelegramBot,
                                                           engine: Engine) -> None:
    api.push(text_update(102, "/start ar_kita_Luenen", lang="de"))
    [venue] = await api.wait_for("sendVenue", chat_id=102)
    listing = api.sent(102, ["sendMessage"])[-1].text
    assert "Lünen" in listing and "Kita" in venue.params["title"]
    assert i18n.RLM in listing and i18n.FSI in listing  # right-to-left lines, Latin names isolated
    assert sessions(engine) == [("ar", "Lünen", "kita")]


async def test_help_and_menu(api: FakeBotAPI, bot: TelegramBot) -> None:
    api.push(text_update(103, "/help", lang="en"))
    [help_call] = await api.wait_for("sendMessage", chat_id=103)
    assert "t:kita" in help_call.button_data()
    api.push(text_update(103, "/menu", lang="en"))
    [_help, menu] = await api.wait_for("sendMessage", 2, chat_id=103)
    assert menu.text == "What are you looking for?"
    assert "t:housing" in menu.button_data()


async def test_language_picker_edits_into_the_chosen_language(api: FakeBotAPI, bot: TelegramBot,
                                                                engine: Engine) -> None:
    api.push(text_update(104, "/language"))
    [picker] = await api.wait_for("sendMessage", chat_id=104)
    labels = [b["text"] for row in picker.markup["inline_keyboard"] for b in row]
    assert {"العربية", "Українська", "Türkçe", "ትግርኛ", "Soomaali"} <= set(labels)
    message_id = max(key[1] for key in api.messages if key[0] == 104)
    api.push(callback_update(104, "l:uk", message_id, text=picker.text))
    [edit] = await api.wait_for("editMessageText", chat_id=104)
    assert edit.params["message_id"] == message_id
    assert "t:kita" in edit.button_data()
    assert sessions(engine)[0][0] == "uk"


async def test_place_by_text_then_topic_lists_offers(api: FakeBotAPI, bot: TelegramBot, engine: Engine) -> None:
    api.push(text_update(105, "/place", lang="en"))
    [ask] = await api.wait_for("sendMessage", chat_id=105)
    assert ask.markup["keyboard"][0][0]["request_location"] is True
    api.push(text_update(105, "Lünen", lang="en"))
    await api.wait_for("sendMessage", 2, chat_id=105)
    assert sessions(engine)[0][1] == "Lünen"
    api.push(callback_update(105, "t:kita", 1, lang="en"))
    [venue] = await api.wait_for("sendVenue", chat_id=105)
    assert "Lünen" in venue.params["title"] or "Lünen" in venue.params["address"]


async def test_location_lists_nearest_offers_with_map_link_and_venue(api: FakeBotAPI, bot: TelegramBot) -> None:
    api.push(text_update(106, "Ich suche eine Kita"))
    [answer] = await api.wait_for("sendMessage", chat_id=106)  # the answer and "Where are you?" in one message
    assert "Kita" in answer.text and "Postleitzahl" in answer.text
    assert answer.markup["keyboard"][0][0]["request_location"] is True  # the engine's "location" button
    api.push(location_update(106, *LUENEN))
    [venue] = await api.wait_for("sendVenue", chat_id=106)
    listing = api.sent(106, ["sendMessage"])[-1]
    assert "openstreetmap.org/?mlat=" in listing.text and "<b>" in listing.text
    assert "Lünen" in listing.text
    assert venue.params["title"] in listing.text
    assert abs(float(venue.params["latitude"]) - LUENEN[0]) < 0.1
    buttons = [b for row in listing.markup["inline_keyboard"] for b in row]
    share = [b for b in buttons if "switch_inline_query" in b]
    assert share and share[0]["switch_inline_query"] == "kita_Luenen"


async def test_more_results_pages_without_repeating(api: FakeBotAPI, bot: TelegramBot) -> None:
    api.push(text_update(107, "Kita in Lünen"))
    await api.wait_for("sendVenue", chat_id=107)
    listing = api.sent(107, ["sendMessage"])[-1]
    more = [d for d in listing.button_data() if d.startswith("more:")]
    assert more == ["more:kita:3"]
    api.push(callback_update(107, more[0], 1))
    await api.wait_for("answerCallbackQuery")
    await api.wait_for("sendMessage", 2, chat_id=107)
    await api.settle()
    page2 = api.sent(107, ["sendMessage"])[-1].text
    first_names = {line for line in listing.text.split("\n") if line.startswith("<b>")}
    assert first_names and not first_names & {line for line in page2.split("\n") if line.startswith("<b>")}
    assert len(api.sent(107, ["sendVenue"])) == 1  # the venue is for the nearest result only


async def test_live_location_updates_quietly(api: FakeBotAPI, bot: TelegramBot, engine: Engine) -> None:
    api.push(location_update(108, *LUENEN, live=900))
    await api.wait_for("sendMessage", chat_id=108)
    before = len(api.sent(108))
    api.push(location_update(108, 51.5373, 7.6893, live=900, edited=True))  # moved to Unna
    await api.settle()
    assert len(api.sent(108)) == before
    assert sessions(engine)[0][1] == "Unna"


@pytest.mark.parametrize("content", [
    {"sticker": STICKER},
    {"photo": [{"file_id": "p", "file_unique_id": "q", "width": 90, "height": 90}]},
    {"voice": {"file_id": "v", "file_unique_id": "w", "duration": 3}},
    {"document": {"file_id": "d", "file_unique_id": "e"}},
])
async def test_media_gets_kind_request_in_users_language(api: FakeBotAPI, bot: TelegramBot,
                                                          content: dict[str, object]) -> None:
    api.push(message_update(109, lang="en", **content))
    [call] = await api.wait_for("sendMessage", chat_id=109)
    assert "write" in call.text and "location" in call.text
    assert call.markup["keyboard"][0][0]["request_location"] is True


async def test_someone_writing_arabic_from_a_german_phone_is_answered_in_arabic_throughout(
        api: FakeBotAPI, bot: TelegramBot) -> None:
    """The engine's rule picks the language (what the person writes in wins over the phone's setting), and what
    Telegram says besides the engine's answers follows it: a sticker after an Arabic question is asked for in
    Arabic."""
    api.push(text_update(131, "أبحث عن روضة أطفال لابني", lang="de"))
    [answer] = await api.wait_for("sendMessage", chat_id=131)
    assert any("\u0600" <= ch <= "\u06ff" for ch in answer.text)
    api.push(message_update(131, lang="de", sticker=STICKER))
    [_answer, media] = await api.wait_for("sendMessage", 2, chat_id=131)
    with i18n.use("ar"):
        wanted = i18n.gettext("I can only read text. Please write your question in a few words, "
                              "or share your location.")
    assert i18n.strip_isolates(wanted) in i18n.strip_isolates(media.text)
    assert "Bitte" not in media.text


async def test_unknown_callback_gives_fresh_menu(api: FakeBotAPI, bot: TelegramBot) -> None:
    api.push(callback_update(110, "v0:gone:7", 99999, text="an old message"))
    await api.wait_for("answerCallbackQuery")
    await api.settle()
    menu = api.sent(110)[-1]
    assert menu.method == "sendMessage"  # the old message is unknown to Telegram: a new one is sent
    assert "t:kita" in menu.button_data()


async def test_forget_asks_then_deletes_the_session(api: FakeBotAPI, bot: TelegramBot, engine: Engine) -> None:
    api.push(text_update(111, "Kita in Lünen"))
    await api.wait_for("sendVenue", chat_id=111)
    assert len(sessions(engine)) == 1
    api.push(text_update(111, "/forget"))
    await api.settle()
    confirm = api.sent(111, ["sendMessage"])[-1]
    assert "forget:yes" in confirm.button_data()
    assert len(sessions(engine)) == 1  # nothing is deleted before the confirmation
    message_id = max(key[1] for key in api.messages if key[0] == 111)
    api.push(callback_update(111, "forget:yes", message_id, text=confirm.text))
    [done] = await api.wait_for("editMessageText", chat_id=111)
    assert sessions(engine) == []
    assert "tg:111" not in str(engine.store.query("SELECT * FROM sessions"))
    assert done.text


async def test_updates_of_one_chat_are_answered_in_order(api: FakeBotAPI, bot: TelegramBot) -> None:
    for command in ("/help", "/menu", "/language"):
        api.push(text_update(112, command, lang="en"))
    calls = await api.wait_for("sendMessage", 3, chat_id=112)
    assert calls[1].text == "What are you looking for?"
    assert calls[2].text == "Choose your language:"


async def test_blocked_user_is_logged_and_the_bot_goes_on(api: FakeBotAPI, bot: TelegramBot,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram")
    api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    api.push(text_update(113, "/menu"))
    await api.wait_for("sendMessage", chat_id=113)
    api.push(text_update(114, "/menu"))
    await api.wait_for("sendMessage", chat_id=114)
    assert "blocked" in caplog.text
    assert len(api.sent(113)) == 1  # no second try, no error message to someone who blocked the bot


async def test_engine_failure_gets_a_kind_answer(api: FakeBotAPI, bot: TelegramBot, engine: Engine,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(incoming: object) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(engine, "handle", broken)
    api.push(text_update(115, "Kita", lang="en"))
    [call] = await api.wait_for("sendMessage", chat_id=115)
    assert call.text == "Sorry, something went wrong. Please try again."
    assert "Traceback" not in call.text


async def test_engine_worker_process_answers_and_forgets(api: FakeBotAPI, tmp_path: Path) -> None:
    """With a database file the engine runs in a worker process (as under `lotse serve`); same answers."""
    db = demo_db(tmp_path / "lotse.db")
    engine = Engine(db)
    settings = Settings(telegram_token=api.token, telegram_api_base_url=api.base_url)
    async with TelegramBot(settings, engine, poll_timeout=5, commands=False, engine_workers=1) as running:
        assert running.worker is not None and running.worker.process.is_alive()
        api.push(text_update(120, "Kita in Lünen"))
        [venue] = await api.wait_for("sendVenue", chat_id=120)
        assert "Lünen" in venue.params["title"] or "Lünen" in venue.params["address"]
        assert len(sessions(engine)) == 1  # written by the worker, seen here: one database file
        api.push(callback_update(120, "forget:yes", 1))
        await api.wait_for("answerCallbackQuery")
        await api.settle()
        assert sessions(engine) == []
        process = running.worker.process
        api.drain()
    assert not process.is_alive()


async def test_network_error_is_logged_and_the_bot_goes_on(api: FakeBotAPI, bot: TelegramBot,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.telegram")
    api.fail_next("sendMessage", 502, "Bad Gateway")
    api.push(text_update(121, "/menu"))
    await api.wait_for("sendMessage", chat_id=121)
    api.push(text_update(121, "/menu"))
    await api.wait_for("sendMessage", 2, chat_id=121)
    assert "network error" in caplog.text
    assert "Traceback" not in "".join(c.text for c in api.sent(121))


async def test_two_close_topics_are_clarified_with_two_buttons(api: FakeBotAPI, bot: TelegramBot) -> None:
    api.push(text_update(120, "Arbeit und Wohnung"))
    [question] = await api.wait_for("sendMessage", chat_id=120)
    assert question.text == "Meinten Sie eines davon?"
    assert sorted(question.button_data()) == ["m", "t:housing", "t:work"]  # and "All topics"
    api.push(callback_update(120, "t:work", 1))
    await api.wait_for("answerCallbackQuery")
    calls = await api.wait_for("sendMessage", 2, chat_id=120)
    assert "Jobcenter" in calls[-1].text  # the work answer, in German
