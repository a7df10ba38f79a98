"""Talk to a person: hand the conversation to the team of the integration centre, who answer in the same chat.

When a person asks for a person (the intent with `role: handoff`, or its button) and a staff desk
(a Telegram supergroup with topics, bot/config.py `StaffDesk`) serves their district, Lotse opens a handoff: it
says that the team answers in this chat, and how soon (outside the team's hours: from when, with the emergency
numbers). While the handoff is open Lotse does not answer the person's messages itself; they go to the team.
"Stop" in any language, or the button, ends it; so does /forget. A message that names an emergency still gets the
emergency numbers at once.

The engine may run in a worker process: this module only decides and stores; the reply's `HandoffStep` tells the
transport (bot/telegram/staff.py) what to pass on to the staff topic. No telegram or aiohttp imports here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import opening_hours
from babel.dates import format_datetime

from bot import i18n
from bot.config import StaffConfig, StaffDesk
from bot.engine.actions import Action, Forget, ShareLocation, StopHandoff, Topic, decode
from bot.engine.handoff_store import Handoff, HandoffStore, Transcript, Waiters
from bot.engine.models import Button, HandoffStep, Incoming, Message, Reply
from bot.engine.sessions import Session, SessionStore
from bot.engine.states import State
from bot.geo.distance import Point
from bot.i18n import _
from bot.nlu.intents import OUT_OF_SCOPE, Role, by_role
from bot.nlu.normalise import normalise

if TYPE_CHECKING:
    from bot.engine.conversation import Conversation, Turn

TEAM_TZ = ZoneInfo("Europe/Berlin")  # the teams work in German districts
CHANNELS = {"tg": "telegram", "web": "web", "wa": "whatsapp"}  # transports whose chats staff can answer in

# What people type to end it, in each language (compared after normalisation, the whole message only, so that a
# sentence with "stop" in it still reaches the team).
STOP_WORDS: dict[str, tuple[str, ...]] = {
    "de": ("stop", "stopp", "ende", "beenden", "schluss", "abbrechen"),
    "en": ("stop", "end", "quit", "cancel", "end chat"),
    "ar": ("توقف", "قف", "إيقاف", "إنهاء", "انهاء", "خلاص", "انتهى"),
    "fa": ("توقف", "پایان", "تمام", "کافیه", "کافی است"),
    "uk": ("стоп", "зупинити", "досить", "кінець", "завершити"),
    "ru": ("стоп", "хватит", "остановить", "конец", "завершить"),
    "tr": ("dur", "durdur", "bitir", "yeter", "iptal"),
    "fr": ("stop", "arrêter", "arrête", "fin", "terminer"),
    "ku": ("raweste", "rawestîne", "bes e", "dawî"),
    "ti": ("ደው በል", "ኣቋርጽ", "ጠጠው"),
    "ps": ("ودرېږه", "بس دی", "پای", "ودروه"),
    "so": ("jooji", "joogso", "dhammee", "iska daa"),
}
STOP = frozenset(normalise(word) for words in STOP_WORDS.values() for word in words)


def is_stop(text: str | None) -> bool:
    """Does the message only say "stop" (in any language)?"""
    return bool(text) and normalise(text or "") in STOP


def failed_text() -> str:
    """What the person is told when the staff group refused their message (in the current language)."""
    return _("Sorry, your message could not be passed on to the team. Please try again later, or call them.")


def ended(handoff: Handoff) -> HandoffStep:
    """The step that tells the transport a handoff ended (with its topic: the row may be deleted already)."""
    return HandoffStep(handoff.number, ended=True, staff_chat=handoff.staff_chat, thread_id=handoff.thread_id)


def channel_of(user_id: str) -> str | None:
    """The channel a user id comes from ('tg:...' Telegram, 'web:...' the web chat); None for others (CLI)."""
    return CHANNELS.get(user_id.partition(":")[0])


class Handoffs:
    """The conversation side of handoffs, called by the engine before and after it answers."""

    def __init__(self, db_store: HandoffStore, sessions: SessionStore, config: StaffConfig | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.store = db_store
        self.sessions = sessions
        self.config = config or StaffConfig()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.transcript = Transcript()  # filled by the transports, in their own process
        self.waiters = Waiters()
        self._hours = {desk: opening_hours.OpeningHours(desk.hours, timezone=TEAM_TZ, country="DE")
                       for desk in self.config.desks if desk.hours}
        self.store.purge(self.config.retention_days, self.clock())

    @property
    def enabled(self) -> bool:
        return bool(self.config.desks)

    def desk_for(self, district: str | None) -> StaffDesk | None:
        """The district's own desk, else the general one (None when neither is configured)."""
        general = None
        for desk in self.config.desks:
            if desk.district is not None and desk.district == district:
                return desk
            if desk.district is None:
                general = desk
        return general

    def desk_of_chat(self, chat_id: int) -> StaffDesk | None:
        return next((d for d in self.config.desks if d.chat_id == chat_id), None)

    # -- before the engine answers -------------------------------------------------------------------------
    def intercept(self, engine: Conversation, incoming: Incoming, action: Action | None,
                  turn: Turn | None) -> Reply | None:
        """The reply while a handoff is open (or to its buttons); None lets the engine answer as usual. `action` is
        the pressed button's, `turn` the typed message's (read by the NLU at most once, shared with the engine)."""
        key = self.sessions.key(incoming.user_id)
        if action == Forget(confirmed=True):
            return self._forget(incoming, key)
        if not self.enabled:
            return None
        current = self.store.open_for(key)
        if current is None and action == StopHandoff():  # pressed again, or after the team closed it
            return self._reply([Message(_("What are you looking for?"), engine.menu_buttons())])
        if current is None or (incoming.delivery is not None and incoming.delivery == current.opened_by):
            return None  # no handoff; or the message that opened it, sent again: answered as the first time
        if action == StopHandoff() or (turn is not None and is_stop(turn.text)):
            return self._stop(engine, incoming, current)
        if incoming.button is not None or action is not None:
            return None  # the menu, the language picker, /help: Lotse's own, even during a handoff
        danger = engine.read(turn).danger if turn is not None and turn.text else None
        if danger is not None:
            # Someone in danger must not wait for the team: the engine puts the numbers before this (`urgent`).
            messages = [Message(_("Your message has also been passed on to the team."))]
        elif self.store.count_relay(current.number) == 0:
            messages = [Message(self._first_ack(current.staff_chat))]
        else:
            messages = []
        return self._reply(messages, HandoffStep(current.number, relay=True, urgent=danger))

    def _first_ack(self, staff_chat: int) -> str:
        desk = self.desk_of_chat(staff_chat)
        text = _("Your message has been passed on to the team. They answer here in this chat.")
        when = self.next_opening(desk) if desk else None
        if when is not None:
            text += " " + _("They will answer from {when}.").format(when=self._when(when))
        return text

    def _stop(self, engine: Conversation, incoming: Incoming, current: Handoff) -> Reply:
        self.store.close(current.number, self.clock())
        session = self.sessions.load(incoming.user_id)
        if by_role(engine.intents, Role.HANDOFF) in (session.last_intent, session.pending_intent):
            # Sharing a location later would otherwise continue the "talk to a person" topic and open it again.
            self.sessions.save(incoming.user_id, replace(session, last_intent=None, pending_intent=None,
                                                         state=State.IDLE))
        text = _("You have ended the conversation with the team. Lotse answers your questions again.")
        return self._reply([Message(text, engine.menu_buttons())], ended(current))

    def _forget(self, incoming: Incoming, key: str) -> Reply | None:
        """/forget: end an open handoff and delete every mapping to the person; the engine deletes the rest."""
        self.transcript.forget(key)
        current = self.store.open_for(key)
        self.store.forget(key)
        if current is None:
            return None
        self.sessions.forget(incoming.user_id)
        return self._reply([Message(_("Done. Lotse no longer remembers anything about you."))], ended(current))

    def remember(self, user_id: str, said: str | None, reply: Reply) -> None:
        """Keep the last few messages in memory (for the staff topic's first message); only with a staff desk."""
        if not self.enabled:
            return
        key = self.sessions.key(user_id)
        if said:
            self.transcript.add(key, "person", said)
        for message in reply.messages:
            self.transcript.add(key, "lotse", i18n.strip_isolates(message.text))

    # -- after the engine answered -------------------------------------------------------------------------
    def offer(self, engine: Conversation, incoming: Incoming, session: Session, reply: Reply,
              turn: Turn | None = None) -> Reply:
        """Beside the contact point's phone number: "write your question here, the team answers in this chat"."""
        channel = channel_of(incoming.user_id)
        human = by_role(engine.intents, Role.HANDOFF)
        if not self.enabled or channel is None or human is None or reply.intent != human \
                or not self._asked(engine, incoming, turn, human):
            return reply
        known = session.lat is not None and session.lon is not None
        district = (engine.gazetteer.district_of(Point(session.lat or 0.0, session.lon or 0.0)) if known
                    else engine.default_district)
        desk = self.desk_for(district)
        if desk is None:
            return reply  # no team for this district (or not known yet: the reply asks where the person is)
        key = self.sessions.key(incoming.user_id)
        current = self.store.open_for(key)
        if current is None:
            self.store.purge(self.config.retention_days, self.clock())  # now and then, without a timer
        current = current or self.store.open(
            key, lang=reply.lang, place_name=session.place_name, district=district, channel=channel,
            staff_chat=desk.chat_id, now=self.clock(), opened_by=incoming.delivery)
        # The team answers instead: no "where are you?" that the person's next message would be read against.
        messages = [m for m in reply.messages if not any(isinstance(b.action, ShareLocation) for b in m.buttons)]
        messages.append(Message(self.offer_text(desk), [Button(_("End the chat with the team"), StopHandoff())]))
        return replace(reply, messages=messages, handoff=HandoffStep(current.number))

    @staticmethod
    def _asked(engine: Conversation, incoming: Incoming, turn: Turn | None, human: str) -> bool:
        """Did this very message ask for a person (not a menu press or an unclear text after such a request)?"""
        if incoming.button is not None:
            return decode(incoming.button) == Topic(human)
        if incoming.location is not None or turn is None:
            return incoming.location is not None  # the place the "talk to a person" topic asked for
        understanding = engine.read(turn)  # the turn's reading: the NLU runs once per message
        if understanding.intent == OUT_OF_SCOPE:
            return understanding.place is not None
        return understanding.intent == human and not understanding.ambiguous

    def offer_text(self, desk: StaffDesk) -> str:
        """What the person is told when the handoff opens, in the current language."""
        # The whole sentence is plural-aware: "within 2 hours" needs another case than "2 hours" in many languages.
        text = i18n.ngettext("Write your question here; the team of {team} answers in this chat, usually within "
                             "{n} hour.", "Write your question here; the team of {team} answers in this chat, "
                             "usually within {n} hours.", desk.response_hours)
        text = text.format(team=i18n.isolate(desk.team), n=i18n.format_number(desk.response_hours, 0))
        when = self.next_opening(desk)
        if when is not None:
            text += "\n\n" + _("The team is not at work right now. They will answer from {when}.").format(
                when=self._when(when))
            text += " " + _("In an emergency call 112 (fire brigade and ambulance) or 110 (police).")
        return text

    def next_opening(self, desk: StaffDesk) -> datetime | None:
        """When the team is next at work, if it is not now (None: at work now, or hours not configured)."""
        hours = self._hours.get(desk)
        if hours is None:
            return None
        now = self.clock().astimezone(TEAM_TZ)
        if hours.is_open(now):
            return None
        return hours.next_change(now)

    def _when(self, when: datetime) -> str:
        """'Monday 09:00' (with the date when it is more than six days away), in the current language."""
        local = when.astimezone(TEAM_TZ)
        pattern = "EEEE HH:mm" if local - self.clock().astimezone(TEAM_TZ) < timedelta(days=6) else "EEEE d MMMM HH:mm"
        return i18n.isolate_ltr_runs(format_datetime(local, pattern, tzinfo=TEAM_TZ, locale=i18n.babel_locale()))

    @staticmethod
    def _reply(messages: list[Message], step: HandoffStep | None = None) -> Reply:
        return Reply(messages, i18n.current(), rtl=i18n.is_rtl(), handoff=step)
