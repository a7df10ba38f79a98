"""A typed message read as a question of its own: a topic, a place, two topics to choose from, or a kind "sorry".

The states (bot/engine/states.py) hand a message here when it is no answer to what Lotse asked and no follow-up on
the last topic. The NLU's reading is the turn's (run once); the numbers of a danger are put first afterwards, by
the engine's safety step.
"""

from __future__ import annotations

from dataclasses import replace

from bot.engine import fallback, named
from bot.engine.actions import Topic
from bot.engine.conversation import Conversation, Turn
from bot.engine.models import Button, Incoming, Message, Reply
from bot.engine.sessions import Session
from bot.engine.states import CLARIFYING
from bot.i18n import _
from bot.nlu import Understanding
from bot.nlu.intents import OUT_OF_SCOPE, Role
from bot.nlu.understand import THRESHOLD
from bot.nlu.understanding import MARGIN


def answer(engine: Conversation, turn: Turn) -> Reply:
    """Answer a message as a question of its own: a topic, a place, a clarifying question, or "sorry"."""
    incoming, session = turn.incoming, turn.session
    understanding = engine.understand(turn)
    if understanding.place is not None:
        engine.remember_place(session, understanding.place)
    intent = understanding.intent
    topic = engine.last_topic(session)
    # "Wie wird das Wetter morgen in Unna?" is out of scope, said clearly (THRESHOLD), place or not.
    out_of_scope = intent == OUT_OF_SCOPE and understanding.score >= THRESHOLD
    # Words that may name an offer ("Kleiderkammer", "St. Martin"): what is left without the place.
    names = named.words(engine, turn.text)
    if intent == OUT_OF_SCOPE and (found := named.answer(engine, incoming, session, names, out_of_scope)):
        return found  # no topic fits, but the message names offers near the place
    if intent == OUT_OF_SCOPE and understanding.place is not None and topic and not out_of_scope:
        # "in Lünen" after a topic: the same topic, in the new place (without explaining it again).
        return engine.topic(incoming, session, topic, explain=False)
    if intent == OUT_OF_SCOPE and understanding.place is not None and not out_of_scope:
        return engine.place_saved(incoming, session)
    if intent == OUT_OF_SCOPE:
        engine.save(incoming, session)
        return engine.reply(session, [_fallback(engine, understanding, out_of_scope)])
    options = _options(engine, understanding)
    # Two close topics are asked about; two the message names both ("Arbeit und eine Wohnung") are two needs: the
    # first answered, the second one tap away.
    if len(options) >= 2 and (understanding.ambiguous or intent in engine.frames) and understanding.also != options[1]:
        return _clarify(engine, incoming, session, options[:2])
    answered = _answered_as(engine, understanding, options[0] if options else intent)
    if answered == topic and understanding.place is None and session.lat is not None \
            and engine.intents[answered].needs_place:
        return _asked_again(engine, incoming, session, answered, names)
    return _with_also(engine, understanding, answered, engine.topic(incoming, session, answered, named=names))


def _asked_again(engine: Conversation, incoming: Incoming, session: Session, intent: str, names: list[str]) -> Reply:
    """A further question on the topic just answered ("which papers do I need for the Kita?", "will the police
    take my children?"): Lotse knows no more than it said, so not the same text again, but the people who can
    answer, and the team one tap away."""
    reply = engine.topic(incoming, session, intent, explain=False, named=names)
    human = engine.roles.get(Role.HANDOFF)
    buttons = [Button(engine.topic_label(human), Topic(human))] if human in engine.topics and human != intent else []
    return replace(reply, messages=[Message(_("The people at these places can answer your question:"), buttons),
                                    *reply.messages])


def _with_also(engine: Conversation, understanding: Understanding, answered: str, reply: Reply) -> Reply:
    """The answer, and a button for a second need the message names ("a German course and a Kita place": the
    Kita answered, the course one tap away) on its first message, beside no other keyboard."""
    also = understanding.also
    if (also is None or answered != understanding.intent or also not in engine.topics
            or not engine.intents[also].label or not reply.messages):
        return reply
    reply.messages[0].buttons.insert(0, Button(engine.topic_label(also), Topic(also)))
    return reply


def _fallback(engine: Conversation, understanding: Understanding, out_of_scope: bool) -> Message:
    """No topic: a short, kind reply, never the wall of every topic (bot/engine/fallback.py). Gibberish that
    happens to look like an out-of-scope example ("asdfgh") is not told it asked for something else."""
    if understanding.no_danger and understanding.intent == OUT_OF_SCOPE:  # "nee, kein Notfall": nothing to guess
        return Message(_("Good. What are you looking for?"), [fallback.all_topics()])
    if out_of_scope and not understanding.unknown:
        return fallback.out_of_scope(engine.answer_text(OUT_OF_SCOPE))
    offered = {i for i in engine.topics if not engine.intents[i].priority
               and (engine.intents[i].menu is not None or engine.knowledge.label(i))}
    return fallback.unsure(understanding, offered, engine.topic_label)


def _answered_as(engine: Conversation, understanding: Understanding, intent: str) -> str:
    """The topic whose answer follows the numbers: a danger's own (someone who wants to die is answered with
    care, not with what to tell the fire brigade), else the message's."""
    situation = engine.nlu.danger.situations.get(understanding.danger_kind or "")
    if situation is not None and intent == situation.intent and situation.topic in engine.intents:
        return situation.topic
    return intent


def _options(engine: Conversation, understanding: Understanding) -> list[str]:
    """The topics within the NLU's margin of the best match, best first. Frames (greeting, help, thanks,
    nearby, change_language) are never options: "Hallo ich suche Kita" is about the Kita."""
    if understanding.danger is not None:
        return [understanding.intent]  # no question back when it may be an emergency
    close = [understanding.intent] + [i for i, score in understanding.alternatives
                                      if understanding.score - score < MARGIN]
    # A built-in topic with a label; staff topics are answered when named, never offered as a guess.
    return [i for i in dict.fromkeys(close) if i in engine.topics and engine.intents[i].label]


def _clarify(engine: Conversation, incoming: Incoming, session: Session, options: list[str]) -> Reply:
    """Two close topics to choose from, and "All topics" for a person who meant neither."""
    session.state, session.pending_intent = CLARIFYING, " ".join(options)  # the one not chosen is offered after
    engine.save(incoming, session)
    buttons = [*(Button(engine.topic_label(i), Topic(i)) for i in options), fallback.all_topics()]
    return engine.reply(session, [Message(_("Did you mean one of these?"), buttons)])
