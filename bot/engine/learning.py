"""Staff teach Lotse: the review queue, answer feedback and learned examples.

What is kept, and why:
- `review_queue`: messages Lotse did not understand well (nothing matched, it had to ask, the best score was
  low, or a person pressed 👎), redacted (bot/engine/redact.py) and grouped by their normalised text, with
  count, language, first and last day seen and Lotse's best guesses. Staff turn a group into a learned example
  ("this is topic X", "out of scope") or dismiss it.
- `learned`: the examples staff taught (text, intent or `none`, who, when); the NLU overlays them at once
  (`NLU.set_learned`). Other processes with their own connection (the engine worker, other instances) notice a
  change by the `learned_version` counter in `meta`, read before each message (one primary-key lookup).
- `feedback`: 👍/👎 per answer: intent, language, day; counted only under an answer this person was just given,
  and once per answer (the answers waiting for a vote are kept in memory). A 👎 also queues the question.
- `usage`: per day, intent and language the number of messages (the dashboard's weekly numbers), added up in
  memory and written every few seconds.
These tables live with the shared state (bot/store: the SQLite file, or PostgreSQL for several instances); the
staff topics a taught example may name stay in the SQLite file. No row holds a user id or key, and times are
days, not seconds, so nothing can be joined to a session.
Queue, feedback and usage rows older than LOTSE_RETENTION_DAYS are deleted at start-up and, at most once an
hour, when something is written. Learned examples stay until staff remove them: they are vetted, redacted
teaching, not a record of what someone asked.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import yaml
from sqlite_utils import Database

from bot.engine.actions import Feedback
from bot.engine.models import Button
from bot.engine.redact import redact
from bot.nlu import NLU, Understanding
from bot.nlu.intents import OUT_OF_SCOPE
from bot.nlu.normalise import normalise
from bot.nlu.understand import THRESHOLD
from bot.store import Sql, Store, as_store

log = logging.getLogger(__name__)
LOW = THRESHOLD + 10.0  # an answer scoring below this was a guess: worth a look
RETENTION_DAYS = 90
PURGE_EVERY = timedelta(hours=1)
#: Usage counts are added up in memory and written at most this often (or before the dashboard reads them): a
#: commit per message would triple the engine's time per message (0.4 -> 1.2 ms measured) for a statistic.
FLUSH_EVERY = timedelta(seconds=10)
MAX_ASKED = 10_000  # last questions kept in memory (never stored) so that a 👎 can say what was asked
MAX_QUEUE_TEXT = 300
#: A group of the queue counts (and marks, for /forget) at most this many askers: enough to rank it first, and a
#: script repeating one text cannot grow a row without bound (300,000 repeats made one row of 10.8 MB).
MAX_PER_GROUP = 100
MAX_GROUPS = 5_000  # new texts beyond this many groups wait until staff work the queue down or rows expire

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time in UTC (tests pass a fixed clock instead)."""
    return datetime.now(UTC)


class Refused(ValueError):
    """A learned example that cannot be taught; the message says why.

    `message` is an English template with `{fields}` from `params`: `str()` fills it in (CLI, logs); the admin
    shows it in German or English (its extraction takes the first argument of every `Refused(...)` call).
    """

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message.format(**params))
        self.message, self.params = message, params


@dataclass(frozen=True)
class QueueEntry:
    """One group of the review queue."""

    key: str
    text: str
    lang: str | None
    count: int
    reasons: list[str]
    guesses: list[tuple[str, float]]
    first_seen: str
    last_seen: str


@dataclass(frozen=True)
class LearnedExample:
    """A phrase staff taught, with who and when."""

    id: int
    text: str
    intent: str
    lang: str | None
    who: str
    created_at: str


def feedback_buttons(intent: str) -> list[Button]:
    """👍 / 👎 under an answer."""
    return [Button("👍", Feedback(intent, helpful=True)), Button("👎", Feedback(intent, helpful=False))]


def learned_examples(db: Database | Sql) -> list[LearnedExample]:
    """Every learned example in the database, oldest first."""
    rows = (db if isinstance(db, Sql) else as_store(db)).query(
        "SELECT id, text, intent, lang, who, created_at FROM learned ORDER BY id")
    return [LearnedExample(*row) for row in rows]


def as_intent_yaml(examples: list[LearnedExample], default_lang: str = "de") -> str:
    """Learned examples as intent YAML: one document per intent (`id`, `examples` per language), to merge
    into intents/<id>.yaml."""
    by_intent: dict[str, dict[str, list[str]]] = {}
    for example in examples:
        langs = by_intent.setdefault(example.intent, {})
        langs.setdefault(example.lang or default_lang, []).append(example.text)
    header = ("# Examples staff taught Lotse in the review queue (lotse intents export-learned).\n"
              "# Merge each list into intents/<id>.yaml under examples:, then remove the learned example.\n")
    documents = [{"id": intent, "examples": {lang: sorted(texts) for lang, texts in sorted(langs.items())}}
                 for intent, langs in sorted(by_intent.items())]
    return header + yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False, explicit_start=True)


class Learning:
    """The review queue, learned examples, feedback and usage counts over one database."""

    def __init__(self, db: Database, nlu: NLU, *, retention_days: int = RETENTION_DAYS,
                 clock: Clock = utcnow, mark: Callable[[str], str] | None = None, store: Store | None = None) -> None:
        self.db = db  # the SQLite file: staff topics
        self.store = store if store is not None else as_store(db)  # the queue, examples, feedback and counts
        # A keyed one-way mark of (person, queue entry), so that /forget can take back what the person asked:
        # made from the user id and the key file, it matches no session key and links to nobody without them.
        self.mark = mark or (lambda text: hashlib.sha256(text.encode()).hexdigest())
        self.nlu = nlu
        self.retention_days = retention_days
        self.clock = clock
        self._version: str | None = None
        self._purged: datetime | None = None
        # user id -> (last question, the intents it could have meant with their scores): in memory only.
        self._asked: OrderedDict[str, tuple[str, dict[str, float]]] = OrderedDict()
        # user id -> the topics answered with 👍/👎 under them and not voted on yet: in memory only.
        self._unvoted: OrderedDict[str, set[str]] = OrderedDict()
        self._phrases: dict[str, set[str]] | None = None
        self._usage: Counter[tuple[str, str, str]] = Counter()
        self._flushed = clock()
        self._later: list[Callable[[Sql], object]] = []  # writes that found the database busy, for the next turn
        self.purge()
        self.refresh(force=True)

    # -- keeping the NLU current -----------------------------------------------------------------------
    def version(self) -> str:
        row = self.store.one("SELECT value FROM meta WHERE key = 'learned_version'")
        return row[0] if row else "0"

    def refresh(self, force: bool = False) -> bool:
        """Hand the learned examples to the NLU when they changed (in any process); True when reloaded."""
        version = self.version()
        if not force and version == self._version:
            return False
        self._version = version
        self.nlu.set_learned((e.text, e.intent) for e in self.learned())
        return True

    def use(self, nlu: NLU) -> None:
        """Switch to a retrained NLU (staff topics, bot/knowledge/live.py) and give it the learned examples."""
        self.nlu, self._phrases = nlu, None
        self.refresh(force=True)

    @staticmethod
    def _changed(tx: Sql) -> None:
        """Count a change of the learned examples (other processes reload on it) and reload here."""
        tx.run("INSERT INTO meta(key, value) VALUES ('learned_version', '1') ON CONFLICT(key) "
               "DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)")

    # -- what the engine reports -----------------------------------------------------------------------
    def observe(self, user_id: str, text: str, understanding: Understanding) -> None:
        """Count a text message, remember it (in memory) for a 👎, and queue it when understood badly."""
        guesses = [(understanding.intent, understanding.score), *understanding.alternatives]
        if understanding.score < THRESHOLD:
            guesses = list(understanding.alternatives)  # it fell to `none`: the guesses are what came close
        self._asked[user_id] = (text, dict(reversed(guesses)))
        self._asked.move_to_end(user_id)
        while len(self._asked) > MAX_ASKED:
            self._asked.popitem(last=False)
        reason = self._weak(understanding)
        intent = understanding.intent if understanding.score >= THRESHOLD else OUT_OF_SCOPE
        self._usage[(self._today(), intent, understanding.lang)] += 1
        if reason is not None and self._worth_queueing(text, understanding):
            lang = understanding.lang
            self._write(lambda tx: self._enqueue_in(tx, text, lang, reason, guesses, user_id))
        if self.clock() - self._flushed >= FLUSH_EVERY:
            self.flush()
        self._maybe_purge()

    def flush(self) -> None:
        """Write the usage counts added up in memory (and the writes kept while the database was busy)."""
        counts, self._usage = self._usage, Counter()
        self._flushed = self.clock()
        if not counts:
            self._write(None)
            return
        self._write(lambda tx: tx.many(
            "INSERT INTO usage(day, intent, lang, n) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(day, intent, lang) DO UPDATE SET n = usage.n + excluded.n",
            [(*key, n) for key, n in counts.items()]))

    def _write(self, write: Callable[[Sql], object] | None) -> None:
        """Run a write in its own short transaction, after those kept earlier; while another writer holds the
        database longer than SQLite's busy_timeout (a large import), keep them for the next message, so that a
        chat never fails over the review queue or the counts (PostgreSQL restarting is kept the same way)."""
        if write is not None:
            self._later.append(write)
        while self._later:
            try:
                with self.store.transaction() as tx:
                    self._later[0](tx)
            except Exception as exc:
                if not self.store.is_unavailable(exc):
                    raise
                log.info("database busy or unreachable: %d review writes kept for the next message",
                         len(self._later))
                return
            self._later.pop(0)

    @staticmethod
    def _weak(understanding: Understanding) -> str | None:
        """Why a message belongs in the queue: nothing matched, a clarification, a low score; else None."""
        if understanding.intent == OUT_OF_SCOPE:
            # A confident `none` is a message Lotse knows to be out of scope (weather, jokes, taught ones).
            return OUT_OF_SCOPE if understanding.score < THRESHOLD else None  # the reason: nothing matched
        if understanding.ambiguous:
            return "clarify"
        return "low" if understanding.score < LOW else None

    @staticmethod
    def _worth_queueing(text: str, understanding: Understanding) -> bool:
        """Not a bare place ("in Lünen"): that is an answer to "where are you?", not a question."""
        if understanding.place is None:
            return True
        rest = normalise(text).split()
        place = set(normalise(understanding.place.name).split())
        return len([w for w in rest if w not in place]) > 1

    def forget(self, user_id: str) -> int:
        """/forget: drop the question kept in memory for a 👎 and take the person's questions out of the queue
        (an entry that only they asked goes); the number of entries touched."""
        self._asked.pop(user_id, None)
        touched = 0
        with self.store.transaction() as tx:
            for key, count, raw in tx.query("SELECT key, count, marks FROM review_queue"):
                marks = json.loads(raw or "[]")
                mine = self._mark(user_id, key)
                if mine not in marks:
                    continue
                touched += 1
                left = [m for m in marks if m != mine]
                if count - (len(marks) - len(left)) <= 0:
                    tx.run("DELETE FROM review_queue WHERE key = ?", [key])
                else:
                    tx.run("UPDATE review_queue SET count = ?, marks = ? WHERE key = ?",
                           [count - (len(marks) - len(left)), json.dumps(left), key])
        return touched

    def _mark(self, user_id: str, key: str) -> str:
        return self.mark(f"review\x00{key}\x00{user_id}")[:32]

    def answered(self, user_id: str, intent: str) -> None:
        """An answer with 👍/👎 under it was given: one vote on it may follow."""
        self._unvoted.setdefault(user_id, set()).add(intent)
        self._unvoted.move_to_end(user_id)
        while len(self._unvoted) > MAX_ASKED:
            self._unvoted.popitem(last=False)

    def feedback(self, user_id: str, vote: int, intent: str, lang: str) -> bool:
        """Store a 👍 or 👎 (intent, language, day; no user) on an answer given and not voted on yet; a 👎 queues
        the question that was asked. False (nothing stored) for a press without such an answer."""
        waiting = self._unvoted.get(user_id, set())
        if intent not in self.nlu.intents or intent not in waiting:
            return False
        waiting.discard(intent)
        day, asked = self._today(), self._asked.pop(user_id, None)

        def write(tx: Sql) -> None:
            tx.run("INSERT INTO feedback(day, intent, lang, vote) VALUES (?, ?, ?, ?)",
                   [day, intent, lang, 1 if vote > 0 else -1])
            # The question is the one answered only when the answer's topic was among its readings (after a
            # clarification the person chose one of them); else it is unknown and only the vote is kept.
            if vote < 0 and asked is not None and intent in asked[1]:
                self._enqueue_in(tx, asked[0], lang, "thumbs_down", [(intent, asked[1][intent])], user_id)

        self._write(write)
        self._maybe_purge()
        return True

    def _enqueue(self, text: str, lang: str | None, reason: str, guesses: list[tuple[str, float]],
                 user_id: str | None = None) -> None:
        """Queue one message in its own transaction."""
        with self.store.transaction() as tx:
            self._enqueue_in(tx, text, lang, reason, guesses, user_id)

    def _enqueue_in(self, tx: Sql, text: str, lang: str | None, reason: str, guesses: list[tuple[str, float]],
                    user_id: str | None = None) -> None:
        clean = redact(" ".join(text.split()))[:MAX_QUEUE_TEXT]
        key = normalise(clean)
        if not key:
            return
        row = tx.one("SELECT reasons, guesses, marks FROM review_queue WHERE key = ?", [key])
        today = self._today()
        top = [(i, round(s, 1)) for i, s in guesses[:3]]
        if row is None and self.queue_size(tx) >= MAX_GROUPS:
            return
        marks = [] if row is None else json.loads(row[2] or "[]")
        if row is not None and len(marks) >= MAX_PER_GROUP:  # counted enough: only when it was last seen
            tx.run("UPDATE review_queue SET last_seen = ? WHERE key = ?", [today, key])
            return
        if user_id is not None:
            marks.append(self._mark(user_id, key))
        if row is None:
            tx.run(
                "INSERT INTO review_queue(key, text, lang, count, reasons, guesses, first_seen, last_seen, marks) "
                "VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)", [key, clean, lang, json.dumps([reason]), json.dumps(top),
                                                        today, today, json.dumps(marks)])
            return
        reasons = sorted({*json.loads(row[0]), reason})
        known = [tuple(g) for g in json.loads(row[1])]
        merged = known + [g for g in top if g[0] not in {k[0] for k in known}]
        tx.run("UPDATE review_queue SET count = CASE WHEN count + 1 > ? THEN ? ELSE count + 1 END, lang = ?, "
               "reasons = ?, guesses = ?, last_seen = ?, marks = ? WHERE key = ?",
               [MAX_PER_GROUP, MAX_PER_GROUP, lang, json.dumps(reasons), json.dumps(merged[:4]), today,
                json.dumps(marks), key])

    # -- the review queue ------------------------------------------------------------------------------
    def queue(self, limit: int = 200) -> list[QueueEntry]:
        """The groups, most frequent first, then the most recent."""
        rows = self.store.query(
            "SELECT key, text, lang, count, reasons, guesses, first_seen, last_seen FROM review_queue "
            "ORDER BY count DESC, last_seen DESC, key LIMIT ?", [limit])
        return [QueueEntry(r[0], r[1], r[2], r[3], json.loads(r[4]), [(g[0], g[1]) for g in json.loads(r[5])],
                           r[6], r[7]) for r in rows]

    def queue_size(self, tx: Sql | None = None) -> int:
        row = (tx or self.store).one("SELECT count(*) FROM review_queue")
        return int(row[0]) if row else 0

    def dismiss(self, key: str) -> bool:
        """Delete a queue group; True when there was one."""
        return self.store.run("DELETE FROM review_queue WHERE key = ?", [key]) > 0

    def resolve(self, key: str, intent: str, who: str) -> LearnedExample:
        """Teach a queue group as an example of `intent` (or `none`: out of scope) and take it off the queue."""
        row = self.store.one("SELECT text, lang FROM review_queue WHERE key = ?", [key])
        if row is None:
            raise Refused("This question is no longer in the queue (taught, dismissed or expired).")
        example = self.teach(row[0], intent, who, lang=row[1])
        self.dismiss(key)
        return example

    # -- learned examples ------------------------------------------------------------------------------
    def teach(self, text: str, intent: str, who: str, lang: str | None = None) -> LearnedExample:
        """Store a learned example (a new one with the same normalised text replaces it); refused when the
        intent is unknown or an intents/ phrase of another intent reads the same."""
        clean = redact(" ".join(text.split()))[:MAX_QUEUE_TEXT]
        key = normalise(clean)
        if not key:
            raise Refused("The text is empty once normalised.")
        if intent not in self.nlu.intents and not self._staff_topic(intent):
            raise Refused("There is no intent “{intent}”.", intent=intent)
        others = sorted(self.phrases().get(key, set()) - {intent})
        if others:
            raise Refused("“{text}” is already an example of {intents} in intents/; change that intent file "
                          "instead.", text=clean, intents=", ".join(others))
        now = self.clock().isoformat(timespec="seconds")
        with self.store.transaction() as tx:
            found = tx.one(
                "INSERT INTO learned(key, text, intent, lang, who, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET text = excluded.text, intent = excluded.intent, "
                "lang = excluded.lang, who = excluded.who, created_at = excluded.created_at RETURNING id",
                [key, clean, intent, lang, who, now])
            self._changed(tx)
        self.refresh()
        assert found is not None
        return LearnedExample(int(found[0]), clean, intent, lang, who, now)

    def _staff_topic(self, intent: str) -> bool:
        """A topic staff added (bot/knowledge/): taught now, used once this process's NLU has learnt the topic."""
        return self.db.execute("SELECT 1 FROM staff_topics WHERE id = ?", [intent]).fetchone() is not None

    def phrases(self) -> dict[str, set[str]]:
        """Normalised intents/ phrase -> the intents that have it (`nlu.keys` maps phrase -> normalised)."""
        if self._phrases is None:
            phrases: dict[str, set[str]] = {}
            for intent in self.nlu.intents.values():
                for examples in intent.examples.values():
                    for phrase in examples:
                        phrases.setdefault(self.nlu.keys.get(phrase) or normalise(phrase), set()).add(intent.id)
            self._phrases = phrases
        return self._phrases

    def remove(self, example_id: int) -> bool:
        """Delete a learned example; the NLU forgets it at once (here) and before the next message (elsewhere)."""
        with self.store.transaction() as tx:
            gone = tx.run("DELETE FROM learned WHERE id = ?", [example_id]) > 0
            if gone:
                self._changed(tx)
        self.refresh()
        return gone

    def learned(self) -> list[LearnedExample]:
        """Every learned example, oldest first (later ones win when they read alike)."""
        return learned_examples(self.store)

    # -- retention -------------------------------------------------------------------------------------
    def _today(self) -> str:
        return self.clock().date().isoformat()

    def cutoff(self) -> date:
        """Rows last seen before this day are deleted."""
        return self.clock().date() - timedelta(days=self.retention_days)

    def purge(self) -> int:
        """Delete queue, feedback and usage rows older than the retention period; the number deleted."""
        cutoff = self.cutoff().isoformat()
        self.flush()
        with self.store.transaction() as tx:
            deleted = sum(tx.run(sql, [cutoff]) for sql in (
                "DELETE FROM review_queue WHERE last_seen < ?",
                "DELETE FROM feedback WHERE day < ?",
                "DELETE FROM usage WHERE day < ?"))
        self._purged = self.clock()
        return deleted

    def _maybe_purge(self) -> None:
        if self._purged is None or self.clock() - self._purged >= PURGE_EVERY:
            try:
                self.purge()
            except Exception as exc:  # busy or unreachable: the next message purges
                if not self.store.is_unavailable(exc):
                    raise

    # -- the dashboard ---------------------------------------------------------------------------------
