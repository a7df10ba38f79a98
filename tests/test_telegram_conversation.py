"""Whole conversations over Telegram: the real PTB Application polling the fake Bot API, in several languages.

The same kinds as the engine tests (tests/test_conversation.py, whose messages these reuse): typed "more", a
sentence answering "Where are you?", another town, another person, "others", a greeting with a need, an
emergency inside another question, a place outside the districts.
"""

from __future__ import annotations

import re

import pytest
from test_conversation import LINES

from bot import i18n
from bot.bench.fakebotapi import Call, FakeBotAPI
from bot.bench.fakeupdates import text_update
from bot.telegram.runner import TelegramBot


async def say(api: FakeBotAPI, chat: int, text: str, lang: str) -> list[Call]:
    """Type a message; the messages Lotse sends back."""
    before = len(api.sent(chat, ["sendMessage"]))
    api.push(text_update(chat, text, lang=lang))
    await api.wait_for("sendMessage", before + 1, chat_id=chat)
    await api.settle()
    return api.sent(chat, ["sendMessage"])[before:]


def names(calls: list[Call]) -> set[str]:
    """The offers listed (their bold names)."""
    return {m for c in calls for m in re.findall(r"<b>(.*?)</b>", c.text)}


def plain(calls: list[Call]) -> str:
    return i18n.strip_isolates("\n".join(c.text for c in calls))


@pytest.mark.parametrize(("chat", "lang"), [(301, "de"), (302, "ar"), (303, "uk"), (304, "tr")])
async def test_a_kita_conversation_with_follow_ups(api: FakeBotAPI, bot: TelegramBot, chat: int, lang: str) -> None:
    lines = LINES[lang]
    hello = await say(api, chat, lines.hello_kita, lang)
    assert not any(d.startswith("t:") for c in hello for d in c.button_data()), "a clarifying question"
    assert hello[-1].markup["keyboard"][0][0]["request_location"] is True  # "Where are you?"
    kamen = await say(api, chat, lines.we_live_in_kamen, lang)
    assert "Kamen" in plain(kamen) and names(kamen)
    more = await say(api, chat, lines.more, lang)
    assert names(more) and not names(more) & names(kamen)
    others = await say(api, chat, lines.others, lang)
    assert names(others) and not names(others) & (names(more) | names(kamen))
    unna = await say(api, chat, lines.and_in_unna, lang)
    assert "Unna" in sorted(names(unna))[0] or "Unna" in plain(unna)
    assert not any(d.startswith("t:") for c in unna for d in c.button_data())
    assert "112" not in plain(more + others + unna)


@pytest.mark.parametrize(("chat", "lang"), [(311, "en"), (312, "fa"), (313, "fr")])
async def test_another_person_an_emergency_and_a_far_place(api: FakeBotAPI, bot: TelegramBot, chat: int,
                                                           lang: str) -> None:
    lines = LINES[lang]
    first = await say(api, chat, lines.course_in_luenen, lang)
    wife = await say(api, chat, lines.for_my_wife, lang)
    assert names(wife) == names(first)
    with i18n.use(lang):
        note = i18n.strip_isolates(i18n.gettext("The same offers can help them too. Ask there what fits their "
                                                "situation."))
    assert plain(wife).lstrip(i18n.RLM).startswith(note[:20])
    danger = await say(api, chat, lines.course_but_emergency, lang)
    blocks = [b.lstrip(i18n.RLM) for b in plain(danger).split("\n\n")]
    assert blocks[0].startswith("📞") and "112" in blocks[0]  # before anything else
    assert blocks[1].startswith("📞") and "110" in blocks[1]
    far = await say(api, chat, lines.kita_far, lang)
    text = plain(far)
    assert all(d in text for d in ("Kreis Unna", "Kreis Recklinghausen", "Kreis Heinsberg", "Köln"))
    assert "Erkelenz" in text  # the nearest Kita Lotse knows, shown as far away


async def test_numbers_are_tappable_and_not_isolated(api: FakeBotAPI, bot: TelegramBot) -> None:
    calls = await say(api, 321, "ضربني زوجي وأنا خائفة", "ar")
    first = calls[0].text
    assert first.startswith(i18n.RLM + "📞")
    assert "116016" in first and f"{i18n.FSI}116 016{i18n.PDI}" not in first
    heinsberg = await say(api, 322, "Migrationsberatung in Heinsberg", "de")
    assert "☎ +49 2452 134222" in "\n".join(c.text for c in heinsberg)
