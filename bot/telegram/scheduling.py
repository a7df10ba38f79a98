"""Fair scheduling of updates: one at a time per chat, a bounded number at once overall, a limit per chat.

PTB's update processor takes one of its concurrency slots *before* the processor sees the update; an update
that then waits for the previous one of its chat holds that slot while it waits. So one chat that sends
2,000 messages at once filled every slot with its own backlog and nobody else was answered. Here PTB's own
bound is set out of reach and the slots are taken only by the update at the head of each chat's queue:
a chat's backlog holds at most one slot, and the slots go round the chats first come, first served.

A chat that sends more than its share (a token bucket: a burst, then so many a minute) is told once,
kindly and in its language, to wait; the messages beyond the limit are dropped, so they cannot pile up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.ratelimit import Limiter

log = logging.getLogger(__name__)

MAX_TOLD = 50_000
UNBOUNDED = 1 << 30  # PTB's semaphore: never the limit (see the module doc)
Notify = Callable[[Update], Awaitable[None]]


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (the user for inline queries), or None for anything else."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


def _discard(coroutine: Awaitable[Any]) -> None:
    """Drop an update's coroutine without running it (and without a 'never awaited' warning)."""
    if isinstance(coroutine, Coroutine):
        coroutine.close()


class FairScheduler(BaseUpdateProcessor):
    """Per-chat order, `slots` updates of different chats at once, and an optional limit per chat."""

    def __init__(self, slots: int = 64, limiter: Limiter | None = None) -> None:
        super().__init__(UNBOUNDED)
        self.slots = slots
        self.limiter = limiter
        self.notify: Notify | None = None  # set by the application: sends "please wait"
        self._slots = asyncio.Semaphore(slots)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._told: set[int] = set()  # chats told to wait since their last accepted message
        self.dropped = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        # Inline queries are not limited: Telegram sends one per keystroke while a volunteer types "kita unna".
        limiter = None if isinstance(update, Update) and update.inline_query else self.limiter
        if limiter is not None and not limiter.take(str(key)):
            _discard(coroutine)
            self.dropped += 1
            if key in self._told or self.notify is None or not isinstance(update, Update):
                return
            if len(self._told) > MAX_TOLD:
                self._told.clear()  # at worst someone is told twice
            self._told.add(key)
            log.info("a chat is over its message limit; it is asked to wait")  # no chat id in the log
            coroutine = self.notify(update)
        else:
            self._told.discard(key)
        await self._in_order(key, coroutine)

    async def _in_order(self, key: int, coroutine: Awaitable[Any]) -> None:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            # The lock is FIFO, so a chat's updates keep their order; the slot is asked for only inside it.
            async with lock, self._slots:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody else of this chat waits: idle chats cost nothing
                del self._waiting[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
