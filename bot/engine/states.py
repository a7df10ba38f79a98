"""Where a conversation stands, and what a typed message means there: one small handler per state.

A session holds the name of its state (`Session.state`): "idle" (nothing asked), "awaiting_place" (Lotse asked
"Where are you?" for `Session.pending_intent`), "clarifying" (Lotse asked "Did you mean ...?" with buttons).
`HANDLERS` maps each name to a function `(engine, turn) -> Reply | None`; None means "nothing special in this
state", and the idle handler answers instead. Other parts of the engine add states with `@state("name")`
(handing a conversation to staff registers "handed_to_staff"); a state without a handler (its module is not
loaded) is answered as idle, so an old session never gets stuck.

Buttons and shared locations are not typed messages: pressed buttons are bot/engine/buttons.py's, locations the
engine's own.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from bot.engine import followups
from bot.engine.conversation import Conversation, Turn
from bot.engine.models import Reply
from bot.nlu.intents import OUT_OF_SCOPE, Role
from bot.nlu.places import Found


class State(StrEnum):
    """Where a conversation stands; stored by value in `Session.state` (a string, so older rows still read)."""

    IDLE = "idle"
    AWAITING_PLACE = "awaiting_place"
    CLARIFYING = "clarifying"
    HANDED_TO_STAFF = "handed_to_staff"  # registered by bot/engine/handoff.py


IDLE, AWAITING_PLACE, CLARIFYING = State.IDLE, State.AWAITING_PLACE, State.CLARIFYING
HANDED_TO_STAFF = State.HANDED_TO_STAFF
#: After "Where are you?", a message that names a place and clearly asks for another topic this well
#: ("Deutschkurs in Unna" while a Kita waits) is a new question; weaker matches ("wir wohnen in Kamen" looks a bit
#: like housing) answer the question asked.
NEW_QUESTION = 75.0


Handler = Callable[[Conversation, Turn], Reply | None]
HANDLERS: dict[str, Handler] = {}
H = TypeVar("H", bound=Handler)


def state(name: str) -> Callable[[H], H]:
    """Register the handler of a state: `@state("handed_to_staff") def staff(engine, turn): ...`."""
    def register(handler: H) -> H:
        HANDLERS[name] = handler
        return handler
    return register


def dispatch(engine: Conversation, turn: Turn) -> Reply:
    """Answer a typed message with the handler of the conversation's state (idle when it has nothing to say)."""
    handler = HANDLERS.get(turn.session.state, idle)
    reply = handler(engine, turn)
    if reply is not None:
        return reply
    turn.session.state, turn.session.pending_intent = IDLE, None
    return idle(engine, turn)


@state(IDLE)
def idle(engine: Conversation, turn: Turn) -> Reply:
    """A new question, or a follow-up on the last topic ("more", "and in Unna?", "for my wife?")."""
    follow = followups.classify(turn.text, [(f.start, f.end) for f in engine.nlu.places.named(turn.text)])
    found = _place_only(engine, turn, follow)
    if follow is None or (follow.kind == followups.PLACE and found is None):
        return engine.understood(turn)  # also "nicht in Unna": where then?
    engine.follow_language(turn.session, follow.lang)
    topic = engine.last_topic(turn.session)
    if found is not None:  # "und in Kamen?", "No, I live in Bergkamen, not Bochum"
        engine.remember_place(turn.session, found.place)
        if topic is None:
            return engine.place_saved(turn.incoming, turn.session)
        return engine.topic(turn.incoming, turn.session, topic, explain=False)
    if topic is None:
        if follow.kind == followups.PERSON:
            return engine.understood(turn)  # "for my wife": what for? the NLU (and the menu) may tell
        return engine.menu(turn.incoming, turn.session)  # "more" of nothing: the topics
    if follow.kind == followups.PERSON:
        return engine.for_someone_else(turn.incoming, turn.session, topic)
    if follow.kind == followups.COST:
        return engine.topic(turn.incoming, turn.session, topic)  # what it costs is in the topic's answer
    return engine.page(turn.incoming, turn.session, topic, follow.kind)


def _place_only(engine: Conversation, turn: Turn, follow: followups.FollowUp | None) -> Found | None:
    """The place a message that says nothing but where the person is names as theirs ("wir wohnen in Kamen",
    "nein, in Kamen, nicht in Unna"); such a message never goes to the NLU, whose danger model once read "I live
    in Bergkamen, not Bochum" as "I do not want to live"."""
    if follow is None or follow.kind != followups.PLACE:
        return None
    return engine.nlu.places.where_now(turn.text)


@state(AWAITING_PLACE)
def awaiting_place(engine: Conversation, turn: Turn) -> Reply | None:
    """After "Where are you?": a message that names a place answers it for the pending topic ("wir wohnen in
    Kamen", "أنا أسكن في أونا"); another question is answered as a new one; anything else asks once more."""
    pending = turn.session.pending_intent
    if pending not in engine.intents:
        return None
    follow = followups.classify(turn.text, [(f.start, f.end) for f in engine.nlu.places.named(turn.text)])
    if (found := _place_only(engine, turn, follow)) is not None:  # "No, I live in Bergkamen, not Dortmund"
        engine.remember_place(turn.session, found.place)
        return engine.topic(turn.incoming, turn.session, pending, explain=False)
    understanding = engine.understand(turn)
    if understanding.place is not None:
        engine.remember_place(turn.session, understanding.place)
        other = understanding.intent
        if (other != pending and other in engine.topics and understanding.score >= NEW_QUESTION
                and not understanding.ambiguous):
            return None
        return engine.topic(turn.incoming, turn.session, pending, explain=False)
    # A frame ("I am in ...", "near me") without a place found is a place Lotse does not know, not a new question;
    # but "is there someone who speaks Dari?" asks for a language, not a place.
    language = engine.roles.get(Role.CHANGE_LANGUAGE)
    asks_anew = understanding.intent != OUT_OF_SCOPE and (understanding.intent not in engine.frames
                                                           or understanding.intent == language)
    if asks_anew or followups.classify(turn.text) is not None:
        return None
    return engine.ask_place_again(turn.incoming, turn.session)


@state(CLARIFYING)
def clarifying(engine: Conversation, turn: Turn) -> Reply | None:
    """After "Did you mean ...?" the buttons answer; a typed message instead is a new question."""
    return None
