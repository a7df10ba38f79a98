"""The team inbox: conversations handed to staff, answered from the admin in the browser, on every channel.

`Inbox` is what the transports and the inbox pages share. The transports tell it what the person wrote in an
open handoff (and where they can be reached); the pages claim, reply and close. A reply goes out through the
deliverer of the person's channel (registered by the transport that is running: web chat, Telegram, WhatsApp).
When a channel cannot deliver now (not running after a restart, the API down), the reply waits in the handoff
outbox in the database and is sent when the channel is back or the person next writes. Every change bumps a
counter the pages' live stream (server-sent events) waits on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot import i18n
from bot.engine.handoff import Handoffs
from bot.engine.handoff_store import Handoff
from bot.engine.models import HandoffStep
from bot.i18n import _
from bot.inbox.files import StoredFile
from bot.inbox.store import InboxStore

log = logging.getLogger(__name__)

UNSENT = "unsent"  # the outbox kind of a team reply that is still to be delivered (Telegram, WhatsApp)
# Delivers one text of the team (or Lotse's notice) to the person of a handoff; False: not now, keep it.
Deliver = Callable[[Handoff, str], Awaitable[bool]]
UNSENT_FILE = "unsent_file"  # the outbox kind of a file of the team still to be delivered (its token as text)
FILE = "file"  # the outbox kind of a file of the team for the web chat page (its token as text)
# Delivers one file of the team to the person of a handoff; False: not now, keep it.
DeliverFile = Callable[[Handoff, StoredFile, bytes], Awaitable[bool]]


class NotYours(Exception):
    """Somebody else has claimed this conversation."""

    def __init__(self, staff: str) -> None:
        super().__init__(staff)
        self.staff = staff


class Gone(Exception):
    """The conversation has ended (or was deleted by /forget)."""


@dataclass(frozen=True)
class Delivery:
    delivered: bool  # False: kept, sent when the person's channel is back


class Inbox:
    """Shared by the transports and the inbox pages of one server."""

    def __init__(self, handoffs: Handoffs, store: InboxStore, clock: Callable[[], datetime] | None = None) -> None:
        self.handoffs, self.store = handoffs, store
        self.clock = clock or (lambda: datetime.now(UTC))
        self.deliverers: dict[str, Deliver] = {"web": self._to_web}
        self.file_deliverers: dict[str, DeliverFile] = {"web": self._file_to_web}
        self.version = 0
        self._changed = asyncio.Condition()

    # -- live updates ---------------------------------------------------------------------------------------------
    async def bump(self) -> None:
        async with self._changed:
            self.version += 1
            self._changed.notify_all()

    async def wait_change(self, seen: int, timeout: float) -> int:
        """The version after a change newer than `seen` (or after the timeout: the same)."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self.version != seen), timeout)
            return self.version

    # -- from the transports ----------------------------------------------------------------------------------------
    async def person_wrote(self, number: int, text: str, address: str | None = None) -> None:
        """The person of an open handoff wrote (a relayed message): keep it unread, note where they are."""
        now = self.clock()
        if address is not None:
            self.store.route(number, address, now)
        if text:
            self.store.add(number, "person", text, now)
        await self.bump()
        await self.flush(number)  # replies that waited for the person to be reachable again

    async def person_sent(self, number: int, name: str | None, data: bytes,
                          address: str | None = None) -> StoredFile:
        """A photo or document from the person of an open handoff, for staff (raises files.Refused, Gone)."""
        if self._open(number) is None:
            raise Gone()
        now = self.clock()
        stored = self.store.files.add(number, "person", name, data, now)
        self.store.files.attach(stored.token, self.store.add(number, "person", "📎 " + stored.name, now))
        if address is not None:
            self.store.route(number, address, now)
        await self.bump()
        await self.flush(number)
        return stored

    async def forgotten(self) -> None:
        """After /forget: what belonged to the person's deleted handoffs goes too (also closed ones)."""
        self.store.sweep()
        await self.bump()

    def reachable(self, number: int, address: str) -> None:
        """A handoff opened: where its person is reached (the first message to the team comes after this)."""
        self.store.route(number, address, self.clock())

    async def on_step(self, step: HandoffStep | None, said: str, address: str | None = None) -> None:
        """After a transport delivered a reply: a handoff opened, a message for the team, or the person ended it."""
        if step is None:
            return
        if step.ended:
            self.store.closed(step.number)
            if self.handoffs.store.get(step.number) is None:  # /forget deleted the handoff: its messages too
                self.store.sweep()
        elif step.relay:
            await self.person_wrote(step.number, said, address)
            return
        elif address is not None:
            self.reachable(step.number, address)
        await self.bump()

    # -- from staff ------------------------------------------------------------------------------------------------
    def claim(self, number: int, staff: str) -> None:
        """Take the conversation, or raise NotYours with who was first."""
        if self._open(number) is None:
            raise Gone()
        holder = self.store.claim(number, staff, self.clock())
        if holder != staff:
            raise NotYours(holder)

    async def reply(self, number: int, staff: str, text: str) -> Delivery:
        """Send the team's answer to the person (claiming an unclaimed conversation on the way)."""
        handoff = self._open(number)
        if handoff is None:
            raise Gone()
        self.claim(number, staff)
        self.store.add(number, "staff", text, self.clock(), staff=staff)
        self.store.mark_read(number)
        delivered = await self._deliver(handoff, text)
        await self.bump()
        return Delivery(delivered)

    async def send_file(self, number: int, staff: str, name: str | None, data: bytes) -> Delivery:
        """Send a file of the team to the person (raises files.Refused for a file that is not taken)."""
        handoff = self._open(number)
        if handoff is None:
            raise Gone()
        self.claim(number, staff)
        now = self.clock()
        stored = self.store.files.add(number, "staff", name, data, now)
        self.store.files.attach(stored.token, self.store.add(number, "staff", "📎 " + stored.name, now, staff=staff))
        self.store.mark_read(number)
        delivered = await self._deliver_file(handoff, stored, data)
        await self.bump()
        return Delivery(delivered)

    async def pass_on(self, number: int, text: str, staff: str = "Telegram") -> bool:
        """A reply written in a Telegram staff topic, for a person on another channel (no claim needed)."""
        handoff = self._open(number)
        if handoff is None:
            return False
        self.store.add(number, "staff", text, self.clock(), staff=staff)
        delivered = await self._deliver(handoff, text)
        await self.bump()
        return delivered

    async def close(self, number: int, staff: str) -> None:
        """End the conversation and tell the person, in their language, that Lotse answers again."""
        handoff = self._open(number)
        if handoff is None:
            raise Gone()
        holder = self.store.claimed_by(number)
        if holder is not None and holder != staff:
            raise NotYours(holder)
        with i18n.use(handoff.lang):
            notice = _("The team has ended this conversation. Lotse answers your questions again.")
        if handoff.channel == "web":
            self.handoffs.store.post(number, "closed", notice, self.clock())  # first: the page stops listening then
        else:
            await self._deliver(handoff, notice)
        self.handoffs.store.close(number, self.clock())
        self.handoffs.waiters.notify(handoff.user_key)
        self.store.closed(number)
        await self.bump()

    # -- delivery ------------------------------------------------------------------------------------------------
    async def _deliver(self, handoff: Handoff, text: str) -> bool:
        deliver = self.deliverers.get(handoff.channel)
        ok = False
        if deliver is not None:
            try:
                ok = await deliver(handoff, text)
            except Exception:  # the channel's API is down: keep the reply, send it later
                log.exception("handoff %s: could not deliver a team reply on %s", handoff.number, handoff.channel)
        if not ok:
            self.handoffs.store.post(handoff.number, UNSENT, text, self.clock())
        return ok

    async def _deliver_file(self, handoff: Handoff, stored: StoredFile, data: bytes) -> bool:
        deliver = self.file_deliverers.get(handoff.channel)
        ok = False
        if deliver is not None:
            try:
                ok = await deliver(handoff, stored, data)
            except Exception:  # the channel's API is down: keep the file, send it later
                log.exception("handoff %s: could not deliver a file on %s", handoff.number, handoff.channel)
        if not ok:
            self.handoffs.store.post(handoff.number, UNSENT_FILE, stored.token, self.clock())
        return ok

    async def flush(self, number: int | None = None) -> int:
        """Send the replies that wait (of one handoff, or of all open ones when a channel comes back)."""
        numbers = [number] if number is not None else [c.number for c in self.store.open_conversations()]
        sent = 0
        for each in numbers:
            handoff = self._open(each)
            if handoff is None or handoff.channel not in self.deliverers or handoff.channel == "web":
                continue
            # "staff": what the Telegram bridge kept while it did not know the person's chat (a restart).
            waiting = [p for p in self.handoffs.store.take(each) if p.kind in (UNSENT, UNSENT_FILE, "staff")]
            for posted in waiting:
                if posted.kind != UNSENT_FILE:
                    sent += int(await self._deliver(handoff, posted.text))
                elif (found := self.store.files.get(posted.text)) is not None:
                    sent += int(await self._deliver_file(handoff, *found))
        return sent

    async def _to_web(self, handoff: Handoff, text: str) -> bool:
        """The web chat's page listens to the outbox (bot/web/staff.py): it is there after a restart too."""
        self.handoffs.store.post(handoff.number, "staff", text, self.clock())
        self.handoffs.waiters.notify(handoff.user_key)
        return True

    async def _file_to_web(self, handoff: Handoff, stored: StoredFile, _data: bytes) -> bool:
        """The page shows a link that only this person's session opens (bot/web/files.py)."""
        self.handoffs.store.post(handoff.number, FILE, stored.token, self.clock())
        self.handoffs.waiters.notify(handoff.user_key)
        return True

    def _open(self, number: int) -> Handoff | None:
        handoff = self.handoffs.store.get(number)
        return handoff if handoff is not None and handoff.open else None
