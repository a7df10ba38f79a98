"""One chat flooding the bot must not silence the others; Telegram's 429 delays an answer but never loses it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakeupdates import inline_update, text_update
from bot.config import Settings
from bot.engine import Engine
from bot.ratelimit import RateLimiter
from bot.telegram.runner import TelegramBot

FLOODER = 900
OTHERS = range(1001, 1021)


@pytest.fixture
async def bot(api: FakeBotAPI, engine: Engine) -> AsyncIterator[TelegramBot]:
    """The bot with the usual burst but (nearly) no refill: however long a busy machine takes for the flood,
    the flooder gets exactly the burst answered, as on a fast one in the first seconds."""
    settings = Settings(telegram_token=api.token, telegram_api_base_url=api.base_url, rate_per_minute=0.001)
    async with TelegramBot(settings, engine, poll_timeout=5, commands=False) as running:
        yield running
        api.drain()


async def test_a_flood_from_one_chat_leaves_everyone_else_answered(api: FakeBotAPI, bot: TelegramBot) -> None:
    for _ in range(2000):
        api.push(text_update(FLOODER, "Hallo", lang="uk"))
    for chat in OTHERS:
        for text in ("Hallo", "/menu", "Kita"):
            api.push(text_update(chat, text, lang="en"))
    for chat in OTHERS:  # how soon belongs in `lotse bench`; here: everyone, in full
        await api.wait_for("sendMessage", 3, chat_id=chat)
    limit = bot.settings.rate_burst
    await api.wait_for("sendMessage", limit, chat_id=FLOODER)
    await api.settle()
    flooded = api.sent(FLOODER, ["sendMessage"])
    assert limit <= len(flooded) <= limit + 2  # the burst is answered, the rest is dropped, not queued
    told = [c.text for c in flooded if "хвилин" in c.text]  # "please wait a minute", in Ukrainian
    assert len(told) == 1, [c.text[:60] for c in flooded]


async def test_429_three_times_in_a_row_still_delivers_after_retry_after(api: FakeBotAPI,
                                                                          bot: TelegramBot) -> None:
    for _ in range(3):
        api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    start = time.monotonic()
    api.push(text_update(1100, "/menu", lang="en"))
    calls = await api.wait_for("sendMessage", 4, chat_id=1100)
    assert calls[-1].text == "What are you looking for?"
    assert calls[-1].at - start >= 3.0  # it waited as Telegram said, each time
    assert "Sorry" not in " ".join(c.text for c in calls)


async def test_inline_queries_are_not_limited(api: FakeBotAPI, bot: TelegramBot) -> None:
    """Telegram sends an inline query per keystroke: a volunteer typing "kita lünen" is no flood."""
    typed = "kita in lünen für mein kind"
    for end in range(3, len(typed) + 1):
        api.push(inline_update(1200, typed[:end]))
    calls = await api.wait_for("answerInlineQuery", len(typed) - 2)
    assert len(calls) == len(typed) - 2 > bot.settings.rate_burst
    assert not api.sent(1200)  # and nobody is told to wait


def test_rate_limiter_burst_then_refill() -> None:
    now = [0.0]
    limiter = RateLimiter(burst=3, per_minute=60, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.take("b")  # another key has its own bucket
    assert limiter.retry_after("a") == 1
    now[0] += 1.0
    assert limiter.take("a") and not limiter.take("a")
