"""Each message that reaches Lotse handled once, whichever instance it reaches and however often it is sent.

Telegram and Meta send a webhook delivery again when they got no 200 (an instance died, a proxy timed out), Meta
now and then twice anyway; the web chat's page sends a message again with the same id when its request failed.
Behind a load balancer the repeat may reach another instance. So every delivery is claimed in a shared table
before it is handled (`inbound_once`, keyed by channel and id: an insert that only one instance can win):

- the first claim handles it and marks it `done` afterwards (with the answer, for the web chat, whose answer is
  the HTTP response: a repeat gets the same answer again instead of a second one);
- a repeat of a done message is answered as done, nothing is handled again;
- a repeat while the claim's instance is still at it waits for it (`Busy`);
- a claim whose instance died (its lock in the database is free: `Store.held_elsewhere`) is taken over, so the
  retry is answered by the instance it reached. An instance killed after its answer went out to Telegram or
  WhatsApp but before it marked the claim done is the one case answered twice (neither API takes an id that
  would tell another instance): the claim is marked as soon as the reply is sent, so the window is the sending of
  the reply's messages and one database write.
- a channel may narrow that window (`record`, WhatsApp does): the reply is written into the claim before its first
  message goes out, and after each one how many went. The instance that takes over sends the ones not confirmed,
  and does not ask the engine again (whose state the dead instance already moved on). Of a killed instance's
  reply at most the one message in flight goes out twice; none is lost. Between a missing answer and a doubled
  one the double is chosen: the first message of a reply to danger holds the numbers to call.

Claims expire after a day (Telegram and Meta give up retrying long before); a stored answer after a few minutes,
because it is there only for a page's retry. Keys hold no person's id: the web chat's is a hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.store.base import Store

log = logging.getLogger(__name__)

KEEP = timedelta(days=1)
KEEP_ANSWER = timedelta(minutes=15)
SWEEP_EVERY = timedelta(minutes=10)
#: A claim not done after this long is taken over even from a live instance (it could not record the end).
STALE = timedelta(minutes=2)

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Claimed:
    """This instance handles the message now; `done()` or `release()` it afterwards. `recorded`: what a stopped
    instance had begun to send (`Once.record`), to be sent on instead of answered anew."""

    recorded: Recorded | None = None


@dataclass(frozen=True)
class Recorded:
    """A reply as a channel recorded it: its messages (JSON values of the channel's own making), and how many of
    them were sent for certain."""

    messages: list[Any]
    sent: int


@dataclass(frozen=True)
class Done:
    """Handled already (here or elsewhere); `answer` what the web chat answered, when it was kept."""

    answer: str | None = None


@dataclass(frozen=True)
class Busy:
    """Another live instance (or this one) is handling it right now: ask again in a moment."""


Claim = Claimed | Done | Busy


def web_key(session: str, message_id: str) -> str:
    """The key of a web chat message: its page's id within its session, hashed (no session id is stored)."""
    return hashlib.sha256(f"{session}\x00{message_id}".encode()).hexdigest()[:32]


class Once:
    """Claims of inbound messages for one instance (`owner`), over the shared store."""

    def __init__(self, store: Store, *, owner: str | None = None, clock: Clock = _now) -> None:
        self.store, self.clock = store, clock
        self.owner = owner or uuid.uuid4().hex
        # Alive while this process is: other instances see the lock taken and wait for our claims.
        self._held = store.hold(self.lock_name(self.owner))
        self._swept = datetime.min.replace(tzinfo=UTC)

    @staticmethod
    def lock_name(owner: str) -> str:
        return "lotse-instance:" + owner

    def _at(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    def claim(self, kind: str, key: str) -> Claim:
        """Claim one message (kind: "telegram", "whatsapp", "web"; key: its id)."""
        self._maybe_sweep()
        won = self.store.one("INSERT INTO inbound_once(kind, key, owner, done, at) VALUES (?, ?, ?, 0, ?) "
                             "ON CONFLICT(kind, key) DO NOTHING RETURNING 1", [kind, key, self.owner, self._at()])
        if won is not None:
            return Claimed()
        row = self.store.one("SELECT owner, done, answer, at FROM inbound_once WHERE kind = ? AND key = ?",
                             [kind, key])
        if row is None:  # swept between the two statements: the next try inserts
            return Busy()
        owner, done, answer, at = row
        if done:
            return Done(answer)
        stale = at < (self.clock() - STALE).isoformat(timespec="milliseconds")
        if not stale and (owner == self.owner or self.store.held_elsewhere(self.lock_name(owner))):
            return Busy()
        taken = self.store.run("UPDATE inbound_once SET owner = ?, at = ? WHERE kind = ? AND key = ? AND owner = ? "
                               "AND done = 0", [self.owner, self._at(), kind, key, owner])
        if taken:
            log.info("a %s message claimed by an instance that stopped is handled here", kind)
            return Claimed(_recorded(answer))
        return Busy()  # a third instance took it over first

    def done(self, kind: str, key: str, answer: str | None = None) -> None:
        """The message is handled: repeats are answered as done (with `answer`, when given)."""
        self.store.run("UPDATE inbound_once SET done = 1, answer = ?, at = ? WHERE kind = ? AND key = ?",
                       [answer, self._at(), kind, key])

    def record(self, kind: str, key: str, messages: list[Any], sent: int) -> None:
        """The reply about to go out (before its first message) and how many of its messages went (after each):
        an instance that takes the claim over sends the rest (see the module's doc)."""
        self.store.run("UPDATE inbound_once SET answer = ? WHERE kind = ? AND key = ? AND owner = ? AND done = 0",
                       [json.dumps({"messages": messages, "sent": sent}), kind, key, self.owner])

    def release(self, kind: str, key: str) -> None:
        """Handling failed before anything was answered: the next delivery handles it again."""
        self.store.run("DELETE FROM inbound_once WHERE kind = ? AND key = ? AND owner = ? AND done = 0",
                       [kind, key, self.owner])

    def _maybe_sweep(self) -> None:
        now = self.clock()
        if now - self._swept >= SWEEP_EVERY:
            self._swept = now
            self.sweep(now)

    def sweep(self, now: datetime | None = None) -> int:
        """Delete claims older than a day and forget answers older than a few minutes; how many were deleted."""
        now = now or self.clock()
        with self.store.transaction() as tx:
            tx.run("UPDATE inbound_once SET answer = NULL WHERE answer IS NOT NULL AND at < ?",
                   [(now - KEEP_ANSWER).isoformat(timespec="milliseconds")])
            return tx.run("DELETE FROM inbound_once WHERE at < ?", [(now - KEEP).isoformat(timespec="milliseconds")])

    def close(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None


def _recorded(answer: object) -> Recorded | None:
    """A claim's recorded reply (only a claim not done has one: a done web chat claim keeps its answer there)."""
    try:
        found = json.loads(answer) if isinstance(answer, str) else None
        return Recorded(list(found["messages"]), int(found["sent"])) if isinstance(found, dict) else None
    except (ValueError, KeyError, TypeError):
        return None


#: Where a webhook leaves, for the Telegram handlers, the futures it waits on (PTB's bot_data: update_id -> future):
#: set once the reply is sent, so the update is recorded as answered before the work that follows the reply.
ANSWERED = "answered_updates"
#: And, with several instances, per update: what a stopped instance recorded of its reply (a Recorded), and the
#: recorder of this one's (bot/telegram/journal.py).
REPLAYS = "replayed_updates"
RECORDERS = "recording_updates"

#: How long a repeat waits for the instance that handles the message now, before it is answered "not yet".
WAIT = 20.0
#: Between two looks while waiting (seconds, doubled up to a quarter second): a message is handled in milliseconds.
LOOK = 0.02


async def claim_waiting(once: Once, kind: str, key: str, wait: float = WAIT) -> Claim:
    """Claim, waiting while another instance handles the message (Busy only after `wait` seconds)."""
    import asyncio

    loop = asyncio.get_running_loop()
    until, look = loop.time() + wait, LOOK
    while isinstance(claim := once.claim(kind, key), Busy) and loop.time() < until:
        await asyncio.sleep(look)
        look = min(look * 2, 0.25)
    return claim


#: How long a webhook waits for its message to be answered before it answers 200 anyway (Telegram and Meta give
#: up on a webhook after some tens of seconds and send again; the claim then answers the repeat as busy or done).
ANSWER_WITHIN = 25.0


async def finish(once: Once, kind: str, key: str, job: Awaitable[bool], within: float = ANSWER_WITHIN) -> bool | None:
    """Wait up to `within` seconds for `job` (True: answered); the claim is marked done when it answered, given up
    when it failed, whenever it ends. What it ended with, or None while it still runs."""
    import asyncio

    task = asyncio.ensure_future(job)

    def settle(ended: asyncio.Future[bool]) -> None:
        try:
            if not ended.cancelled() and ended.exception() is None and ended.result():
                once.done(kind, key)
            else:
                once.release(kind, key)
        except Exception:  # the database is down: the claim stays; a repeat waits for it, then takes it over
            log.exception("could not record how a %s message ended", kind)

    task.add_done_callback(settle)
    done, _pending = await asyncio.wait([task], timeout=within)
    if not done:
        return None
    return not task.cancelled() and task.exception() is None and task.result()
