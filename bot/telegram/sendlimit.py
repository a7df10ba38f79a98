"""Telegram's sending limits counted by every instance together (several `lotse serve` on one PostgreSQL).

The Bot API allows a bot about 30 messages a second overall and 20 a minute into one group. PTB's AIORateLimiter
counts them in this process; with three instances behind a load balancer that would be three times the allowance,
and Telegram answers the excess with 429s that delay everybody. Here the allowance is a bucket in the shared store
(bot/store/ratelimit.py); PTB's limiter stays behind it for what only it does: waiting out a 429 and trying again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
from telegram.ext import AIORateLimiter, BaseRateLimiter

from bot.ratelimit import Limiter, pace
from bot.store import Store
from bot.store.ratelimit import limiter

OVERALL_PER_SECOND = 30  # Telegram's limit for one bot, the same as AIORateLimiter's default
GROUP_PER_MINUTE = 20  # into one group or supergroup (the staff topics)


class SharedSendLimiter(BaseRateLimiter[int]):
    """Paces each request with a chat in the shared buckets, then hands it to AIORateLimiter (its own counting
    switched off) for the retries after a 429."""

    def __init__(self, overall: Limiter, groups: Limiter, max_retries: int) -> None:
        self.overall, self.groups = overall, groups
        self.inner = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        if chat_id is not None:  # as AIORateLimiter: requests without a chat (getUpdates, getMe) are not counted
            with contextlib.suppress(ValueError, TypeError):
                chat_id = int(chat_id)
            if isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0):
                await pace(self.groups, str(chat_id))
            await pace(self.overall, "bot")
        return await self.inner.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)


def send_limiter(store: Store | None, max_retries: int) -> BaseRateLimiter[Any]:
    """The shared limiter on PostgreSQL, PTB's own in one process."""
    if store is None or store.dialect != "postgresql":
        return AIORateLimiter(max_retries=max_retries)
    return SharedSendLimiter(limiter(store, "telegram-send", OVERALL_PER_SECOND, OVERALL_PER_SECOND * 60),
                             limiter(store, "telegram-group", GROUP_PER_MINUTE, GROUP_PER_MINUTE), max_retries)
