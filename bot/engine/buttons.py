"""What a pressed button does: one case per typed action (bot/engine/actions.py), decoded once by the engine.

A button answers whatever Lotse asked before, so the conversation is idle again first. /start with a deep-link
payload and /place arrive as buttons too (`Start`, `AskPlace`): every user action goes one way through the engine.
"""

from __future__ import annotations

from bot import i18n
from bot.engine import deeplinks, fallback, safety
from bot.engine.actions import (
    Action,
    AskPlace,
    Feedback,
    Forget,
    Help,
    Language,
    LanguagePicker,
    Menu,
    More,
    ShareLocation,
    Start,
    Topic,
)
from bot.engine.conversation import Conversation
from bot.engine.models import Button, Incoming, Message, Reply
from bot.engine.sessions import Session
from bot.engine.states import AWAITING_PLACE, CLARIFYING, IDLE
from bot.i18n import LANGUAGES, _
from bot.nlu.intents import Role


def press(engine: Conversation, incoming: Incoming, session: Session, action: Action | None) -> Reply:
    """The answer to a pressed button (None: data Lotse cannot read, answered with the topics)."""
    offered = (session.pending_intent or "").split() if session.state == CLARIFYING else []
    session.state, session.pending_intent = IDLE, None
    match action:
        case Topic(intent) if intent in engine.intents:
            reply = engine.topic(incoming, session, intent)
            # The Emergency button, too: the numbers first, then what to say when calling.
            if engine.intents[intent].priority:
                return engine.numbers_first(safety.Found(intent), reply)
            return _other_offered(engine, reply, [i for i in offered if i != intent])
        case Help() if (helping := engine.roles.get(Role.HELP)) is not None:
            return engine.topic(incoming, session, helping)
        case Language(code) if code in LANGUAGES:
            session.lang = code
            i18n.set_lang(code)
            # In the middle of a danger the numbers come first again, now in the chosen language.
            danger = safety.kept(session, engine.nlu.danger.situations)
            if (topic := engine.last_topic(session)) is not None:
                # Mid-conversation ("is this also in Arabic?"): the last answer again, now in the chosen language.
                return engine.numbers_first(danger, engine.topic(incoming, session, topic))
            engine.save(incoming, session)
            return engine.numbers_first(danger, engine.reply(session, [Message(
                engine.role_text(Role.GREETING) or _("Hello!"), engine.menu_buttons())]))
        case Feedback(intent, helpful):
            engine.learning.feedback(incoming.user_id, 1 if helpful else -1, intent, i18n.current())
            # Not helped: where to go on from here, a person or another topic, instead of a dead end.
            human = engine.roles.get(Role.HANDOFF)
            onward = [] if helpful else [
                *([Button(engine.topic_label(human), Topic(human))] if human in engine.topics else []),
                fallback.all_topics()]
            return Reply([Message(_("Thank you for your feedback!"), onward)], i18n.current(), rtl=i18n.is_rtl())
        case Start(payload):  # /start with a deep-link payload: language, place and topic preset
            return start(engine, incoming, session, deeplinks.decode(payload, engine.intents))
        case LanguagePicker():
            return engine.reply(session, [Message(_("Choose your language:"), language_buttons())])
        case AskPlace():  # /place: the next message names the place, for the topic of the conversation if any
            session.state, session.pending_intent = AWAITING_PLACE, engine.last_topic(session)
            engine.save(incoming, session)
            return engine.reply(session, [Message(
                _("Where are you? Write your town or postcode, or share your location."),
                [Button(_("Share my location"), ShareLocation())])])
        case Menu(more=True):
            return engine.reply(session, [Message(_("What are you looking for?"), engine.menu_buttons("more"))])
        case More(intent, offset) if intent in engine.intents:
            if not engine.intents[intent].needs_place:
                offset = 0  # a topic without offers nearby has no pages: the whole answer, numbers first
            return engine.topic(incoming, session, intent, offset=offset, explain=offset == 0)
        case Forget(confirmed=False):
            return engine.reply(session, [Message(
                _("Delete everything Lotse remembers about you (language and place)?"),
                [Button(_("Yes, delete"), Forget(confirmed=True)), Button(_("No"), Menu())])])
        case Forget(confirmed=True):
            engine.forget(incoming.user_id)
            return Reply([Message(_("Done. Lotse no longer remembers anything about you."))], i18n.current(),
                         rtl=i18n.is_rtl())
        case _:
            # The menu (and "end the chat with the team" once it has ended), and old or unknown buttons (a topic
            # gone since, data from before a change): the topics to choose again.
            return engine.reply(session, [Message(_("What are you looking for?"), engine.menu_buttons())])


def start(engine: Conversation, incoming: Incoming, session: Session, preset: deeplinks.Preset) -> Reply:
    """Keep the preset's language and place, then answer as if its topic (or a greeting) had been chosen."""
    if preset.lang:
        session.lang = preset.lang
        i18n.set_lang(preset.lang)
    if preset.place and (place := deeplinks.find_place(engine, preset.place)) is not None:
        engine.remember_place(session, place)
    topic = preset.topic or engine.roles.get(Role.GREETING)
    return press(engine, incoming, session, Topic(topic) if topic else Menu())


def language_buttons() -> list[Button]:
    """Each language in its own name."""
    return [Button(name, Language(code)) for code, name in LANGUAGES.items()]


def _other_offered(engine: Conversation, reply: Reply, others: list[str]) -> Reply:
    """The answer to one topic of "Did you mean ...?", with the other still one tap away: a message about a Kita
    and a course may have meant both."""
    others = [i for i in others if i in engine.topics]
    if others and reply.messages:
        reply.messages[0].buttons[:0] = [Button(engine.topic_label(i), Topic(i)) for i in others]
    return reply
