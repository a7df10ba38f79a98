"""The staff side's own queue: what goes to a staff group is sent in the background, one group at a time.

Telegram lets a bot send about 20 messages a minute into one group, and python-telegram-bot's rate limiter waits
(or a 429 says how long to wait) before each call. Awaited in the person's request, that wait was the person's:
after a dozen handoffs a web chat POST took 56 s. Here the person's request only puts the job in the queue of its
staff group and returns; a task per group sends the jobs in order, waiting as long as Telegram asks. Texts of
one web chat handoff that pile up meanwhile go out as one message (a batch), so a busy group is not flooded.

When a job fails for good (the group refuses: not an admin, no topics), its `failed` callback tells the person.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram.error import TelegramError

log = logging.getLogger(__name__)

MAX_BATCH_CHARS = 3500  # below Telegram's 4,096 characters per message, with room for the separators
MAX_WAITING = 1000  # jobs waiting for one group; beyond, the person is told at once that it failed


@dataclass
class Job:
    """One thing for a staff group. `texts` (web chat messages of one handoff) may be merged with the next."""

    handoff: int
    send: Callable[[list[str]], Awaitable[None]]
    failed: Callable[[], Awaitable[None]]
    texts: list[str] = field(default_factory=list)

    def merge(self, other: Job) -> bool:
        """Take the other job's texts when both are texts of the same handoff and they fit one message."""
        if not (self.texts and other.texts and other.handoff == self.handoff):
            return False
        if sum(map(len, self.texts + other.texts)) > MAX_BATCH_CHARS:
            return False
        self.texts += other.texts
        return True


class StaffQueue:
    """Per staff group, the jobs in order and a task that sends them."""

    def __init__(self) -> None:
        self._jobs: dict[int, list[Job]] = {}
        self._wake: dict[int, asyncio.Event] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._idle: dict[int, asyncio.Event] = {}

    def put(self, group: int, job: Job) -> bool:
        """Queue a job for a group (at once, without waiting); False when the group's queue is full."""
        jobs = self._jobs.setdefault(group, [])
        if len(jobs) >= MAX_WAITING:
            return False
        if not (jobs and jobs[-1].merge(job)):
            jobs.append(job)
        self._idle.setdefault(group, asyncio.Event()).clear()
        self._wake.setdefault(group, asyncio.Event()).set()
        if group not in self._tasks or self._tasks[group].done():
            self._tasks[group] = asyncio.create_task(self._run(group), name=f"staff-queue-{group}")
        return True

    async def _run(self, group: int) -> None:
        wake, jobs = self._wake[group], self._jobs[group]
        while True:
            if not jobs:
                self._idle[group].set()
                wake.clear()
                await wake.wait()
                continue
            job = jobs.pop(0)
            try:
                await job.send(job.texts)
            except TelegramError as err:
                log.error("handoff %s: the staff group refused a call: %s", job.handoff, err)
                with contextlib.suppress(TelegramError):
                    await job.failed()
            except Exception:  # one bad job must not stop the group's queue
                log.exception("handoff %s: could not pass a message to the staff group", job.handoff)

    async def drained(self) -> None:
        """Wait until every group's queue is empty (tests, and shutdown)."""
        for event in list(self._idle.values()):
            await event.wait()

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
