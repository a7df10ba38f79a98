"""The running bot's view of staff topics and district answers, current without a restart.

Every message first asks `Knowledge.refresh()`; it reads `meta.knowledge_version` (one primary-key lookup) and
reloads only when a topic or answer changed, in this process or another (the admin, `lotse intents import`).
New or changed examples are learnt by training a new NLU in a background thread: the old one answers meanwhile,
and `refresh()` hands the new one over on the first message after it is ready. A staff topic's answer is shown
from its first message on (a button or a clarification can already lead to it).

Which text a person sees (`answer`): their district's text in their language; else the topic's own text in their
language; a staff topic without one shows its German text marked as German. A district's German text without a
translation is shown after the built-in answer, marked as German, so nothing a district wrote is left out silently.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import MutableMapping

from bot import i18n
from bot.knowledge.store import Db, StaffTopic, district_answers, knowledge_version, staff_topics
from bot.nlu import NLU
from bot.nlu.intents import Intent
from bot.store.changes import Changes

log = logging.getLogger(__name__)

GERMAN = "🇩🇪 (auf Deutsch)"  # German in German: recognisable to someone who reads neither the text nor English


def as_intent(topic: StaffTopic) -> Intent:
    """What the NLU and the engine need of a staff topic."""
    return Intent(topic.id, topic.categories, topic.examples, kind="topic", needs_place=topic.needs_place)


class Knowledge:
    """Staff topics and district answers over one database (the shared store: every instance sees the same), and
    the NLU that knows the topics."""

    def __init__(self, db: Db, nlu: NLU, intents: MutableMapping[str, Intent]) -> None:
        self.db = db
        self.base = nlu  # the NLU over intents/ alone: every retrained one extends it
        self.intents = intents  # the engine's intents: staff topics are added to and removed from it in place
        self.builtin = frozenset(intents)
        self.topics: dict[str, StaffTopic] = {}
        self.answers: dict[tuple[str, str, str], str] = {}
        self._version: str | None = None
        self.changes: Changes | None = None  # other instances' announcements, when it listens (Engine.listen)
        self._lock = threading.Lock()
        self._wanted: dict[str, Intent] = {}  # the staff intents the NLU should know
        self._ready: NLU | None = None  # trained, not handed over yet
        self._training = False
        self.trained = threading.Event()  # set whenever a training finished (tests and benchmarks wait on it)

    def refresh(self) -> NLU | None:
        """Reload when anything changed; a newly trained NLU once it is ready (the caller switches to it)."""
        if self.changes is not None and not self.changes.due("knowledge"):
            version = self._version  # nobody announced a change (bot/store/changes.py): no lookup
        else:
            version = knowledge_version(self.db)
        if version != self._version:
            self._version = version
            self._reload()
        with self._lock:
            ready, self._ready = self._ready, None
        return ready

    def _reload(self) -> None:
        self.topics = {i: t for i, t in staff_topics(self.db).items() if i not in self.builtin}
        self.answers = district_answers(self.db)
        wanted = {i: as_intent(t) for i, t in self.topics.items()}
        for intent in [i for i in self.intents if i not in self.builtin and i not in wanted]:
            del self.intents[intent]
        self.intents.update(wanted)
        with self._lock:
            if wanted == self._wanted:
                return
            self._wanted = wanted
            if self._training:
                return  # the training running now starts again with these when it is done
            self._training = True
        self.trained.clear()
        threading.Thread(target=self._train, name="lotse-knowledge", daemon=True).start()

    def _train(self) -> None:
        # First the example matcher with the old classifier (seconds), then the retrained classifier (a minute or
        # more on a busy machine): each is handed over on the next message after it is ready.
        while True:
            with self._lock:
                wanted = self._wanted
            for retrain in (False, True):
                nlu = self._build(wanted, retrain)
                with self._lock:
                    if nlu is not None and wanted is self._wanted:
                        self._ready = nlu
            with self._lock:
                if wanted is self._wanted:
                    self._training = False
                    self.trained.set()
                    return

    def _build(self, wanted: dict[str, Intent], retrain: bool) -> NLU | None:
        try:
            return self.base.extended(wanted, retrain=retrain) if wanted else self.base
        except Exception:  # a failed training keeps the old model answering; the next change tries again
            log.exception("training with the staff topics failed")
            return None

    # -- what people see -----------------------------------------------------------------------------------
    def answer(self, intent: str, lang: str, district: str | None, builtin: str) -> str:
        """The answer text of `intent` for a person writing `lang` in `district` (`builtin`: the intents/answers
        text in their language, empty for a staff topic)."""
        own = self.answers.get((intent, district or "", lang)) if district else None
        if own:
            return _in(own, lang)
        topic = self.topics.get(intent)
        text = builtin
        if topic is not None:
            own_text = topic.answer.get(lang)
            text = _in(own_text, lang) if own_text else _german(topic.answer.get("de", ""), lang)
            if topic.link:
                text += "\n\n" + i18n.isolate(topic.link)
        german = self.answers.get((intent, district or "", "de")) if district and lang != "de" else None
        if german:
            text = (text + "\n\n" if text else "") + _german(german, lang)
        return text

    def label(self, intent: str) -> str | None:
        """A staff topic's name (German: staff write it so), None for any other intent."""
        topic = self.topics.get(intent)
        return topic.name if topic else None

    def menu(self, which: str) -> list[tuple[str, str]]:
        """(intent, name) of the staff topics in a menu ("main" or "more")."""
        return [(t.id, t.name) for t in self.topics.values() if t.menu == which]


def _in(text: str, lang: str) -> str:
    return i18n.isolate_ltr_runs(text, lang) if i18n.is_rtl(lang) else text


def _german(text: str, lang: str) -> str:
    """German text for a person reading `lang`, marked as German (isolated inside a right-to-left text)."""
    if not text or lang == "de":
        return text
    return "\n".join(i18n.isolate(line, lang) for line in (GERMAN, text))
