"""What the engine offers the parts of a conversation: a protocol, so that they never import the engine.

The states (bot/engine/states.py), the buttons, the listing of offers, named offers, the handoff to staff and
the deep links are given the engine as a `Conversation`: its collaborators (database, NLU, sessions, ...) and the
few answers they hand back to it. They import this module and the engine imports them: the imports go one way, and mypy
checks that `Engine` is a `Conversation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlite_utils import Database

from bot.engine.answers import Answer
from bot.engine.coverage import Coverage
from bot.engine.districts import Districts
from bot.engine.learning import Learning
from bot.engine.models import Button, Incoming, Message, Reply
from bot.engine.safety import Found
from bot.engine.sessions import Session, SessionStore
from bot.geo.gazetteer import Gazetteer, Place
from bot.knowledge.live import Knowledge
from bot.nlu import NLU, Understanding
from bot.nlu.intents import Intent, Role
from bot.offers.sql import OffersDb


@dataclass
class Turn:
    """One typed message in its conversation; `reading` is the NLU's, run at most once per turn by
    `Conversation.read` when someone needs it (a typed "more" is answered without asking the NLU: "mehr" must never
    be read as an emergency); `understanding` is the same once `Conversation.understand` took it as a question to
    Lotse (counted for review, language set)."""

    incoming: Incoming
    session: Session
    text: str
    understanding: Understanding | None = None
    reading: Understanding | None = None


class Conversation(Protocol):
    """The engine, as the parts of a conversation see it."""

    db: Database
    offers: OffersDb  # the SQLite file (db), or PostgreSQL shared by every instance
    nlu: NLU
    intents: dict[str, Intent]
    answers: dict[str, Answer]
    districts: Districts
    topics: frozenset[str]
    frames: frozenset[str]
    small_talk: frozenset[str]
    roles: dict[Role, str]
    sessions: SessionStore
    learning: Learning
    knowledge: Knowledge
    gazetteer: Gazetteer
    coverage: Coverage
    default_lang: str
    default_district: str | None
    results: int

    def handle(self, incoming: Incoming) -> Reply: ...

    def read(self, turn: Turn) -> Understanding: ...

    def understand(self, turn: Turn) -> Understanding: ...

    def understood(self, turn: Turn) -> Reply: ...

    def follow_language(self, session: Session, lang: str | None) -> None: ...

    def last_topic(self, session: Session) -> str | None: ...

    def remember_place(self, session: Session, place: Place) -> None: ...

    def place_saved(self, incoming: Incoming, session: Session) -> Reply: ...

    def menu(self, incoming: Incoming, session: Session) -> Reply: ...

    def ask_place_again(self, incoming: Incoming, session: Session) -> Reply: ...

    def topic(self, incoming: Incoming, session: Session, intent: str, offset: int = 0, explain: bool = True,
              kind: str = ..., named: list[str] | None = None) -> Reply: ...

    def page(self, incoming: Incoming, session: Session, intent: str, kind: str) -> Reply: ...

    def for_someone_else(self, incoming: Incoming, session: Session, intent: str) -> Reply: ...

    def menu_buttons(self, which: str = "main") -> list[Button]: ...

    def role_text(self, role: Role) -> str: ...

    def answer_text(self, intent: str, session: Session | None = None) -> str: ...

    def topic_label(self, intent: str) -> str: ...

    def numbers_first(self, found: Found | None, reply: Reply) -> Reply: ...

    def forget(self, user_id: str) -> bool: ...

    def save(self, incoming: Incoming, session: Session) -> None: ...

    def reply(self, session: Session, messages: list[Message]) -> Reply: ...
