"""A topic's answer: its text in the person's language (their district's own text where it wrote one, and the
district's link), the national hotlines, then a page of the nearest offers or "Where are you?", with 👍 / 👎
under the last message. Small talk (greeting, thanks, language) answers with its text and the menu.

The engine (bot/engine/engine.py) decides which topic a turn is about; this module says what answering it shows.
It sees the engine as a `Conversation` and never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import i18n
from bot.engine import buttons, followups, listing, named, topics
from bot.engine.actions import ShareLocation
from bot.engine.learning import feedback_buttons
from bot.engine.models import Button, Incoming, Message, Reply
from bot.engine.sessions import Session
from bot.engine.states import AWAITING_PLACE, IDLE
from bot.geo.distance import Point
from bot.i18n import _
from bot.nlu.intents import Role
from bot.offers.store import national_offers

if TYPE_CHECKING:
    from bot.engine.conversation import Conversation


def topic(engine: Conversation, incoming: Incoming, session: Session, intent: str, offset: int = 0,
          explain: bool = True, kind: str = followups.MORE, names: list[str] | None = None) -> Reply:
    """A topic's answer with 👍 / 👎 under its last message (not under further pages, but under the offers that
    answer "Where are you?"); `names` are words of the message that may name offers, which then come first."""
    # The offers that answer "Where are you?" complete the answer given before it: they are rated too.
    completes = session.state == AWAITING_PLACE and session.pending_intent == intent
    reply = _reply(engine, incoming, session, intent, offset, explain, kind, names or [])
    known = engine.intents.get(intent)
    # Never under an emergency: someone in danger is not asked to rate the numbers.
    # Nor under "Where are you?": the answer is not given yet (and Telegram allows one keyboard per message).
    asks_place = bool(reply.messages) and any(isinstance(b.action, ShareLocation)
                                              for b in reply.messages[-1].buttons)
    if offset == 0 and (explain or completes) and known and known.is_topic and not known.priority and reply.messages \
            and not asks_place:
        reply.messages[-1].buttons.extend(topics.actions(known) + feedback_buttons(intent))
        engine.learning.answered(incoming.user_id, intent)  # one vote on this answer may follow
    return reply


def _reply(engine: Conversation, incoming: Incoming, session: Session, intent: str, offset: int, explain: bool,
           kind: str, names: list[str]) -> Reply:
    """Answer a topic: its text (unless it was just given), then the nearest offers, or "Where are you?"."""
    if intent != engine.roles.get(Role.CHANGE_LANGUAGE):  # after choosing a language, the topic is answered again
        session.last_intent = intent
    session.state, session.pending_intent = IDLE, None
    if intent in engine.small_talk or intent not in engine.intents:
        engine.save(incoming, session)
        return small_talk(engine, session, intent)
    needs_place = engine.intents[intent].needs_place
    known = session.lat is not None and session.lon is not None
    # A topic that lists no offers (emergency) has only its explanation to give, also after "and in Unna?".
    explain = offset == 0 and (explain or not needs_place)
    messages = [Message(answer_text(engine, intent, session) + _district_note(engine, intent, session))] \
        if explain else []
    categories = list(engine.intents[intent].categories)
    # Nationwide services (112, 116 016 ...) need no place: they come first, wherever the person is.
    national = national_offers(engine.offers, categories) if categories and explain else []
    if national:
        messages.append(Message(listing.hotlines(national)))
    if not known or not needs_place:
        if needs_place:
            session.state, session.pending_intent = AWAITING_PLACE, intent
            messages.append(Message(_("Where are you? Write your town or postcode, or share your location."),
                                    [Button(_("Share my location"), ShareLocation())]))
        engine.save(incoming, session)
        return engine.reply(session, messages)
    offers = listing.page(engine, session, intent, offset, kind, named.first(engine, session, intent, names))
    if not any(m.places for m in offers) and not national and offset == 0:
        offers.append(Message(_("I found no offers for this near {place}.").format(
            place=i18n.isolate(session.place_name or _("you"))), engine.menu_buttons()))
    engine.save(incoming, session)
    return engine.reply(session, messages + offers)


def page(engine: Conversation, incoming: Incoming, session: Session, intent: str, kind: str) -> Reply:
    """A follow-up on the offers of the last topic: the next page ("more", "others"), the nearest again ("closer")
    or those open now."""
    offset = session.shown if kind == followups.MORE else 0
    return topic(engine, incoming, session, intent, offset=offset, explain=False, kind=kind)


def for_someone_else(engine: Conversation, incoming: Incoming, session: Session, intent: str) -> Reply:
    """"What about for my wife?": the same topic, with a word that it is for them too."""
    reply = topic(engine, incoming, session, intent, explain=False)
    note = Message(_("The same offers can help them too. Ask there what fits their situation."))
    return Reply([note, *reply.messages], reply.lang, reply.intent, rtl=reply.rtl)


def small_talk(engine: Conversation, session: Session, intent: str) -> Reply:
    """Greeting, thanks, a language change, out of scope: the intent's text, and what may come next."""
    role = engine.intents[intent].role if intent in engine.intents else None
    if role == Role.CHANGE_LANGUAGE:
        text = answer_text(engine, intent) or _("Choose your language:")
        return engine.reply(session, [Message(text, buttons.language_buttons())])
    if role == Role.THANKS:
        return engine.reply(session, [Message(answer_text(engine, intent) or _("You're welcome!"))])
    return engine.reply(session, [Message(answer_text(engine, intent) or _("What are you looking for?"),
                                          engine.menu_buttons())])


def answer_text(engine: Conversation, intent: str, session: Session | None = None) -> str:
    """The answer in the person's language: their district's own text where it wrote one (bot/knowledge/)."""
    answer = engine.answers.get(intent)
    builtin = answer.in_lang(i18n.current()) if answer else ""
    district = _district(engine, session) if session is not None else engine.default_district
    return engine.knowledge.answer(intent, i18n.current(), district, builtin)


def _district(engine: Conversation, session: Session) -> str | None:
    """The AGS of the person's place (else LOTSE_DISTRICT's)."""
    if session.lat is None or session.lon is None:
        return engine.default_district
    return engine.gazetteer.district_of(Point(session.lat, session.lon))


def _district_note(engine: Conversation, intent: str, session: Session) -> str:
    """The district's link under an answer with `link:` (bot/engine/districts.py), as a new paragraph."""
    answer = engine.answers.get(intent)
    if answer is None or not answer.link:
        return ""
    note = engine.districts.note(answer.link, _district(engine, session), answer.in_lang(i18n.current()))
    return "\n\n" + note if note else ""
