"""The conversation: one turn, from an Incoming to a Reply, as an explicit pipeline (`Engine._handle`):

    handoff intercept (bot/engine/handoff.py: the person talks to the team)
    -> dialogue: a pressed button (bot/engine/buttons.py), a shared location, or a typed message to the handler of
       the conversation's state (bot/engine/states.py; a question of its own: bot/engine/question.py), with the
       numbers first whenever the NLU finds danger plausible (bot/engine/safety.py)
    -> offer of a handoff (when the person asked for one)

The engine owns the session (loaded once per turn) and the turn's language; what a topic's answer shows is
bot/engine/topic_answer.py's (its text, then the offers: bot/engine/listing.py). The parts see the engine as a
`Conversation` (bot/engine/conversation.py) and never import this module. What an intent is (kind, role, menu,
label, ...) comes from intents/<id>.yaml, never from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from sqlite_utils import Database

from bot import i18n
from bot.config import StaffConfig
from bot.engine import buttons, fallback, followups, question, safety, states, topic_answer, topics
from bot.engine.actions import Action, ShareLocation, Topic, command, decode
from bot.engine.answers import Answer, default_answers
from bot.engine.conversation import Turn
from bot.engine.coverage import Coverage
from bot.engine.districts import default_districts
from bot.engine.handoff import Handoffs
from bot.engine.handoff_store import HandoffStore
from bot.engine.learning import RETENTION_DAYS, Learning
from bot.engine.listing import MAX_DISTANCE_KM
from bot.engine.models import Button, Incoming, Message, Reply
from bot.engine.sessions import Session, SessionStore, load_key
from bot.engine.states import AWAITING_PLACE, IDLE
from bot.geo.distance import Point
from bot.geo.gazetteer import Gazetteer, Place, default_gazetteer
from bot.i18n import _
from bot.knowledge.live import Knowledge
from bot.nlu import NLU, Understanding, default_nlu
from bot.nlu.intents import OUT_OF_SCOPE, Intent, Role, by_role, ids_where
from bot.offers.named import drop_caches
from bot.offers.sql import OffersDb
from bot.store import Store, as_store
from bot.store.changes import Changes
from bot.store.sqlite import SqliteStore

__all__ = ["MAX_DISTANCE_KM", "Engine"]

MAX_TEXT = 5000  # longer messages are cut (a Telegram message has at most 4,096 characters, the web chat 4,000)


class Engine:
    """Turns an Incoming into a Reply. Plain Python: every transport and every test uses the same engine."""

    def __init__(
        self,
        db: Database,
        *,
        nlu: NLU | None = None,
        intents: dict[str, Intent] | None = None,
        answers: dict[str, Answer] | None = None,
        gazetteer: Gazetteer | None = None,
        default_lang: str = "de",
        results: int = 3,
        default_district: str | None = None,
        staff: StaffConfig | None = None,
        retention_days: int = RETENTION_DAYS,
        store: Store | None = None,
    ) -> None:
        self.db = db
        # Where conversations and handoffs live: the same SQLite file by default, or PostgreSQL shared by several
        # instances (bot/store). The session hash key stays a file beside the SQLite database either way.
        self.store = store if store is not None else as_store(db)
        shared_elsewhere = not isinstance(self.store, SqliteStore) or self.store.db is not db
        # Where the offers are read: the SQLite file, or PostgreSQL with the rest of the shared state, so that an
        # edit on one instance is in every instance's answers.
        self.offers: OffersDb = self.store if self.store.dialect == "postgresql" else db
        self.nlu = nlu or default_nlu()
        # Its own copy: staff topics are added to it at run time (bot/knowledge/live.py). The NLU's are the files
        # read once per process (reading them again costs more than the rest of an engine).
        self.intents = dict(intents or self.nlu.intents)
        # What each intent is comes from its file (kind, needs_place, priority).
        self.small_talk = ids_where(self.intents, lambda i: i.small_talk)
        self.topics = ids_where(self.intents, lambda i: i.is_topic)
        self.listing = ids_where(self.intents, lambda i: not i.small_talk)  # answers that list offers ("nearby")
        self.frames = ids_where(self.intents, lambda i: i.kind == "frame")
        self.in_scope = ids_where(self.intents, lambda i: i.is_topic)
        self.roles = {role: intent for role in Role if (intent := by_role(self.intents, role)) is not None}
        self.answers = answers if answers is not None else default_answers()
        # The numbers of emergency and violence: their first category's national services, in their answer's order
        # (and a crisis's lines: the first category of its situation's topic).
        priority = [i for i in self.intents.values() if i.priority]
        self.categories = {i.id: i.categories for i in self.intents.values()}
        self.priority_answers = {i.id: self.answers[i.id].in_lang("de") for i in priority if i.id in self.answers}
        self.districts = default_districts()  # per-district links under answers (data/districts.yaml)
        self.gazetteer = gazetteer or default_gazetteer()
        self.coverage = Coverage(self.offers, self.gazetteer)  # the districts the offers cover (honest distances)
        self.sessions = SessionStore(self.store, key=load_key(db) if shared_elsewhere else None)
        self.default_lang = default_lang
        self.default_district = default_district  # LOTSE_DISTRICT: whose links to show while the place is unknown
        self.results = results
        self.handoff = Handoffs(HandoffStore(self.store), self.sessions, staff)  # talk to a person (handoff.py)
        # The review queue and taught examples (bot/engine/learning.py); marks made with the session key file.
        self.learning = Learning(db, self.nlu, retention_days=retention_days, mark=self.sessions.key,
                                 store=self.store)
        # Topics staff own and answers per district (bot/knowledge/): current without a restart.
        self.knowledge = Knowledge(self.store, self.nlu, self.intents)

    def listen(self, changes: Changes) -> None:
        """Hear other instances' changes (bot/store/changes.py): taught examples and staff topics are looked up
        when announced (not before every message), and the caches over the offers are dropped on an offer edit."""
        self.learning.changes = self.knowledge.changes = changes
        changes.on("offers", lambda _payload: self.drop_offer_caches())

    def twin(self, database_url: str | None = None) -> Callable[[], Engine] | None:
        """How another process builds this engine over the same database file, with connections of its own
        (bot/engine/worker.py); None for an in-memory database, which cannot be shared."""
        path = next((str(file) for _seq, name, file in self.db.execute("PRAGMA database_list").fetchall()
                     if name == "main"), "")
        if not path:
            return None
        return partial(_twin, path, database_url, default_lang=self.default_lang, results=self.results,
                       default_district=self.default_district, staff=self.handoff.config,
                       retention_days=self.learning.retention_days)

    def close(self) -> None:
        """Write what is kept in memory between writes (the usage counts)."""
        self.learning.flush()

    def is_unavailable(self, error: BaseException) -> bool:
        """Whether `error` means the database is away for a moment (PostgreSQL restarting): ask to write again."""
        return self.store.is_unavailable(error)

    def drop_offer_caches(self) -> None:
        """Forget what was computed from the offers (an edit elsewhere): the next message computes it again."""
        self.coverage.forget()
        drop_caches(self.offers)

    # -- entry point -------------------------------------------------------------------------------------
    def handle(self, incoming: Incoming) -> Reply:
        """Answer one thing a person did. Never raises on user input.

        One person's messages are answered one after another, also when several instances share the database
        (the chat's lock: bot/store), so a quick second message never reads the session before the first wrote it.
        """
        with self.store.chat_lock(self.sessions.key(incoming.user_id)):
            return self._handle(incoming)

    def _handle(self, incoming: Incoming) -> Reply:
        """One turn: handoff intercept -> dialogue (a button, a location, a typed message: safety first) -> offer
        of a handoff. The session is loaded once and saved by the step that changes it."""
        self._refresh()
        session = self.sessions.load(incoming.user_id)
        # A button's data is read once, here; a typed message is one turn, understood at most once.
        action = decode(incoming.button) if incoming.button is not None else None
        typed = incoming.button is None and incoming.location is None and not incoming.media
        # A command typed in a chat without a command menu ("/forget") is its button, in the conversation's language.
        if typed and (action := command(incoming.text or "")) is not None:
            typed = False
        turn = Turn(incoming, session, (incoming.text or "").strip()[:MAX_TEXT]) if typed else None
        with i18n.use(self._lang(session, incoming)):
            if (handed := self.handoff.intercept(self, incoming, action, turn)) is not None:
                return self._urgent_first(handed, incoming, session)  # the person talks to the team now
            reply = self._dialogue(incoming, session, action, turn)
            return self.handoff.offer(self, incoming, session, reply, turn)

    def _refresh(self) -> None:
        """Staff topics learnt in the background, and examples taught in the admin (in every process), count from
        this message on."""
        if (retrained := self.knowledge.refresh()) is not None:
            self.nlu = retrained
            self.learning.use(retrained)
        self.learning.refresh()

    def _dialogue(self, incoming: Incoming, session: Session, action: Action | None, turn: Turn | None) -> Reply:
        """The conversation's own answer: a pressed button (bot/engine/buttons.py), a shared location, or a typed
        message to the handler of the conversation's state, with the numbers first when someone may be in danger."""
        if incoming.button is not None or action is not None:
            return buttons.press(self, incoming, session, action)
        if incoming.location is not None:
            return self._location(incoming, session, incoming.location)
        if turn is None:
            return self.reply(session, [Message(_("I can only read text. Please write your question in a few "
                                                  "words, or share your location."),
                                                [Button(_("Share my location"), ShareLocation())])])
        return self._text(turn)

    def language(self, user_id: str, lang_hint: str | None = None) -> str:
        """The language Lotse talks to a person in, by the one rule every reply follows (transports ask this for
        what they say themselves: an error, a "please wait")."""
        return self._lang(self.sessions.load(user_id), Incoming(user_id, lang_hint=lang_hint))

    def _lang(self, session: Session, incoming: Incoming) -> str:
        return i18n.normalise_lang(self._known_lang(session, incoming)) or self.default_lang

    def _urgent_first(self, handed: Reply, incoming: Incoming, session: Session) -> Reply:
        """A message to the team that speaks of danger: the numbers of its topic first, then the handoff's word."""
        step = handed.handoff
        if step is None or step.urgent is None:
            return handed
        urgent = buttons.press(self, incoming, session, Topic(step.urgent))
        return replace(handed, messages=[*urgent.messages, *handed.messages])

    def forget(self, user_id: str) -> bool:
        """Delete everything stored about a user."""
        self.learning.forget(user_id)
        handoffs = self.handoff.store.forget(self.sessions.key(user_id))
        return self.sessions.forget(user_id) or bool(handoffs)

    @staticmethod
    def _known_lang(session: Session, incoming: Incoming) -> str | None:
        """The chosen language, else the one the person last wrote in, else the device's (None: nothing known)."""
        return session.lang or session.last_lang or incoming.lang_hint

    # -- typed messages ----------------------------------------------------------------------------------
    def _text(self, turn: Turn) -> Reply:
        if not any(ch.isalnum() for ch in turn.text) and self.nlu.alarm(turn.text) is None:
            return self.reply(turn.session, [fallback.unreadable()])
        reply = states.dispatch(self, turn)
        return self._safety_first(turn, reply)

    def read(self, turn: Turn) -> Understanding:
        """The NLU's reading of the message, run once per turn whoever asks (the handoff, the dialogue)."""
        if turn.reading is None:
            turn.reading = self.nlu.understand(turn.text, lang_hint=self._known_lang(turn.session, turn.incoming))
        return turn.reading

    def understand(self, turn: Turn) -> Understanding:
        """The reading of the message as a question to Lotse: counted for review, and it sets the language."""
        if turn.understanding is not None:
            return turn.understanding
        session, incoming = turn.session, turn.incoming
        understanding = turn.understanding = self.read(turn)
        self.learning.observe(incoming.user_id, turn.text, understanding)  # counted; queued for review when weak
        if session.lang is None:
            # No language chosen yet: answer in the language the text is clearly written in (an Arabic question
            # from a phone set to German gets an Arabic answer), and stay in it for the rest of the conversation;
            # a message that does not tell ("Unna", "Kita") keeps the language so far, or the device's.
            if understanding.lang_confident:
                session.last_lang = understanding.lang
                i18n.set_lang(understanding.lang)
            elif not incoming.lang_hint and not session.last_lang and (understanding.likely
                                                                        or understanding.intent != OUT_OF_SCOPE):
                # A guess from words Lotse knows ("Kita"); never from gibberish ("xxxx" is no language).
                i18n.set_lang(understanding.lang)
        return understanding

    def follow_language(self, session: Session, lang: str | None) -> None:
        """A follow-up in words of one language ("daha fazla") tells the language when nothing else does."""
        if lang and session.lang is None and session.last_lang is None:
            session.last_lang = lang
            i18n.set_lang(lang)

    def understood(self, turn: Turn) -> Reply:
        """Answer a message as a question of its own (bot/engine/question.py)."""
        return question.answer(self, turn)

    def _safety_first(self, turn: Turn, reply: Reply) -> Reply:
        """When someone may be in danger (this message, or one a moment ago), the numbers come first."""
        understanding = turn.understanding
        found = None  # a follow-up ("more", "and in Unna?") is no new danger, but it keeps one that is there
        if understanding is not None and understanding.danger is not None:
            found = safety.Found(understanding.danger, understanding.danger_kind, understanding.crisis)
        before = (turn.session.danger, turn.session.danger_turns)
        found = safety.carry(turn.session, found, understanding, self.nlu.danger.situations, self.in_scope)
        if (turn.session.danger, turn.session.danger_turns) != before:
            self.save(turn.incoming, turn.session)
        return self.numbers_first(found, reply)

    def numbers_first(self, found: safety.Found | None, reply: Reply) -> Reply:
        """The reply with the numbers of a danger before anything else (bot/engine/safety.py)."""
        return safety.numbers_first(self.offers, self.categories, self.priority_answers,
                                    self.nlu.danger.situations, found, reply)

    # -- other input -------------------------------------------------------------------------------------
    def _location(self, incoming: Incoming, session: Session, point: Point) -> Reply:
        town = self.gazetteer.nearest_town(point)
        session.lat, session.lon = point.lat, point.lon
        session.place_name = town.name if town else None
        pending = session.pending_intent if session.state == AWAITING_PLACE else None
        topic = pending if pending in self.intents else self.last_topic(session)
        if topic:
            return self.topic(incoming, session, topic, explain=False)
        return self.place_saved(incoming, session)

    def place_saved(self, incoming: Incoming, session: Session) -> Reply:
        """A place but no topic yet: remember the place and offer the topics."""
        session.state, session.pending_intent = IDLE, None
        self.save(incoming, session)
        return self.reply(session, [Message(_("Thank you, I saved your location. What are you looking for?"),
                                             self.menu_buttons())])

    def menu(self, incoming: Incoming, session: Session) -> Reply:
        """The topics (after "more" when there was nothing to show more of)."""
        self.save(incoming, session)
        return self.reply(session, [Message(_("What are you looking for?"), self.menu_buttons())])

    def ask_place_again(self, incoming: Incoming, session: Session) -> Reply:
        """The answer to "Where are you?" named no place Lotse knows: say so and ask once more."""
        self.save(incoming, session)
        return self.reply(session, [Message(
            _("I don't know that place. Please write your town or postcode, or share your location."),
            [Button(_("Share my location"), ShareLocation())])])

    # -- answers (bot/engine/topic_answer.py) ---------------------------------------------------------------
    def topic(self, incoming: Incoming, session: Session, intent: str, offset: int = 0,
              explain: bool = True, kind: str = followups.MORE, named: list[str] | None = None) -> Reply:
        """A topic's answer; `named` are words of the message that may name offers, which then come first."""
        return topic_answer.topic(self, incoming, session, intent, offset, explain, kind, named)

    def page(self, incoming: Incoming, session: Session, intent: str, kind: str) -> Reply:
        """A follow-up on the offers of the last topic ("more", "closer", "open now")."""
        return topic_answer.page(self, incoming, session, intent, kind)

    def for_someone_else(self, incoming: Incoming, session: Session, intent: str) -> Reply:
        """"What about for my wife?": the same topic, with a word that it is for them too."""
        return topic_answer.for_someone_else(self, incoming, session, intent)

    def role_text(self, role: Role) -> str:
        """The answer of the intent with this role ("" when none has it)."""
        intent = self.roles.get(role)
        return self.answer_text(intent) if intent else ""

    def answer_text(self, intent: str, session: Session | None = None) -> str:
        """The answer in the person's language: their district's own text where it wrote one."""
        return topic_answer.answer_text(self, intent, session)

    # -- helpers ----------------------------------------------------------------------------------------
    def last_topic(self, session: Session) -> str | None:
        """The topic the conversation is about (a need or "what is near me", not a greeting), if any."""
        intent = session.last_intent
        return intent if intent in self.topics or intent in self.listing else None

    def topic_label(self, intent: str) -> str:
        """The translated button label of a topic (never its id: an intent without a label gets "Topics"); a staff
        topic's name as staff wrote it."""
        return self.knowledge.label(intent) or topics.label(self.intents.get(intent))

    def menu_buttons(self, which: str = "main") -> list[Button]:
        """The main topic menu, "More topics", then the language picker (or the second menu, "Back", language);
        staff topics of the menu before the last two."""
        buttons = topics.menu(self.intents, which)
        staff = [Button(name, Topic(intent)) for intent, name in self.knowledge.menu(which)]
        return [*buttons[:-2], *staff, *buttons[-2:]]

    def remember_place(self, session: Session, place: Place) -> None:
        """Keep the place a message named as the person's place."""
        session.place_name, session.lat, session.lon = place.name, place.point.lat, place.point.lon

    def save(self, incoming: Incoming, session: Session) -> None:
        self.sessions.save(incoming.user_id, replace(session))

    def reply(self, session: Session, messages: list[Message]) -> Reply:
        return Reply(messages, i18n.current(), session.last_intent, rtl=i18n.is_rtl())


def _twin(path: str, database_url: str | None, **settings: Any) -> Engine:
    """The engine of Engine.twin() in the process that calls it."""
    from bot.offers.db import open_db
    from bot.store import open_store

    # Its own PostgreSQL connections when the shared state is there: a pool is never shared across a fork.
    store = open_store(database_url, migrate_schema=False) if database_url else None
    engine = Engine(open_db(path), store=store, **settings)
    if store is not None:  # taught examples, staff topics and offer edits of other instances (bot/store/changes.py)
        engine.listen(Changes(store).start())
    return engine
