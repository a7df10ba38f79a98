"""Inline mode and group chats, end to end against the fake Bot API."""

from __future__ import annotations

from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakeupdates import inline_update, text_update
from bot.engine import Engine
from bot.telegram.runner import TelegramBot

GROUP = -100123


async def test_inline_query_returns_shareable_offers_with_deep_link(api: FakeBotAPI, bot: TelegramBot,
                                                                    engine: Engine) -> None:
    api.push(inline_update(301, "kita lünen"))
    [call] = await api.wait_for("answerInlineQuery")
    results = call.params["results"]
    assert results and all(r["type"] == "article" and "Kita" in r["title"] for r in results)
    body = results[0]["input_message_content"]["message_text"]
    assert "https://t.me/LotseTestBot?start=de_kita_Luenen" in body
    assert "openstreetmap.org" in body
    assert results[0]["reply_markup"]["inline_keyboard"][0][0]["url"].endswith("start=de_kita_Luenen")
    assert call.params["is_personal"] is True
    assert engine.db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0  # a lookup changes nothing


async def test_inline_results_are_in_the_users_language(api: FakeBotAPI, bot: TelegramBot) -> None:
    api.push(inline_update(302, "kita_Luenen", lang="ar"))  # what the "share this" button types
    [call] = await api.wait_for("answerInlineQuery")
    results = call.params["results"]
    assert results
    body = results[0]["input_message_content"]["message_text"]
    assert "start=ar_kita_Luenen" in body
    assert "\u200f" in body  # right-to-left lines


async def test_empty_inline_query_offers_to_open_the_bot(api: FakeBotAPI, bot: TelegramBot) -> None:
    api.push(inline_update(303, "", lang="uk"))
    [call] = await api.wait_for("answerInlineQuery")
    assert call.params["results"] == []
    assert call.params["button"]["start_parameter"] == "uk"


async def test_group_talk_without_mention_is_ignored(api: FakeBotAPI, bot: TelegramBot) -> None:
    api.push(text_update(304, "Wer bringt morgen Kuchen mit?", chat_id=GROUP, kind="supergroup"))
    api.push(text_update(304, "/menu@SomeOtherBot", chat_id=GROUP, kind="supergroup"))
    await api.settle(0.3)
    assert api.sent(GROUP) == []


async def test_group_mention_is_answered_as_a_reply(api: FakeBotAPI, bot: TelegramBot) -> None:
    api.push(text_update(305, "@LotseTestBot Deutschkurs in Unna", chat_id=GROUP, kind="supergroup"))
    await api.wait_for("sendVenue", chat_id=GROUP)
    first = api.sent(GROUP, ["sendMessage"])[0]
    assert "reply_parameters" in first.params
    assert all("keyboard" not in c.markup for c in api.sent(GROUP))  # no location keyboard in groups


async def test_group_command_is_answered(api: FakeBotAPI, bot: TelegramBot) -> None:
    api.push(text_update(306, "/menu@LotseTestBot", chat_id=GROUP, kind="group"))
    [call] = await api.wait_for("sendMessage", chat_id=GROUP)
    assert "t:kita" in call.button_data()
