"""Staff teaching Lotse, without a browser: redaction, the review queue, retention, learned examples, feedback,
the admin pages and `lotse intents export-learned`."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner
from demodb import demo_db
from serving import first_admin
from sqlite_utils import Database

from bot.cli import cli
from bot.config import Settings
from bot.engine import Engine, Incoming
from bot.engine.learning import Learning, Refused
from bot.engine.redact import redact
from bot.nlu import default_nlu
from bot.offers.db import open_db
from bot.store import Store
from bot.store.schema import columns
from bot.web.app import create_app
from bot.web.keys import ENGINE, WORKER

REVIEW_TABLES = ("review_queue", "learned", "feedback", "usage")


@pytest.fixture(autouse=True)
def _forget_learned() -> Iterator[None]:
    """The NLU is shared by the whole test process: what one test taught must not leak into the next."""
    yield
    default_nlu().set_learned([])


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.parametrize(("text", "expected"), [
    ("Ruf mich an: 0176 1234 5678", "Ruf mich an: [phone]"),
    ("Tel. 02303/27-1234 ab 9 Uhr", "Tel. [phone] ab 9 Uhr"),
    ("+49 (0) 2303 12345 bitte", "[phone] bitte"),
    ("0049 231 1234567", "[phone]"),
    ("my number is +963 944 123 456", "my number is [phone]"),
    ("رقمي ٠١٧٦١٢٣٤٥٦٧ شكرا", "رقمي [phone] شكرا"),  # Eastern Arabic digits
    ("شماره من ۰۹۱۲۳۴۵۶۷۸۹ است", "شماره من [phone] است"),  # Persian digits
    ("mail an anna.k+kita@web.de bitte", "mail an [email] bitte"),
    ("IBAN DE89 3704 0044 0532 0130 00 für die Miete", "IBAN [iban] für die Miete"),
    ("DE89370400440532013000", "[iban]"),
    ("geboren am 12.03.1985 in Aleppo", "geboren am [date] in Aleppo"),
    ("born 3 March 1990", "born [date]"),
    ("née le 5 mai 1988", "née le [date]"),
    ("تاريخ الميلاد ١٢/٠٣/١٩٨٥", "تاريخ الميلاد [date]"),
    ("Termin am 3.4. beim Amt", "Termin am [date] beim Amt"),
    ("1985-04-12", "[date]"),
    ("Aktenzeichen 12/345678", "Aktenzeichen [number]"),
    ("Kundennummer 123456789 Jobcenter", "Kundennummer [number] Jobcenter"),
    ("BG-Nummer 12345BG0067890", "BG-Nummer [number]"),
    # What is kept: postcodes, years, ages, counts.
    ("Kita in 59423", "Kita in 59423"),
    ("ich habe 3 Kinder, 2 und 5 Jahre alt", "ich habe 3 Kinder, 2 und 5 Jahre alt"),
    ("seit 2019 in Unna", "seit 2019 in Unna"),
])
def test_redaction(text: str, expected: str) -> None:
    assert redact(text) == expected


def _stored_texts(store: Store) -> str:
    """Every value of the review tables as one string."""
    return "\n".join(str(value) for table in REVIEW_TABLES for row in store.query(f"SELECT * FROM {table}")
                     for value in row)


def test_queue_groups_weak_messages_redacted(engine: Engine) -> None:
    engine.handle(Incoming("tg:1", text="Wohin mit unserem Kleinen am Vormittag, Tel 0176 1234567"))
    engine.handle(Incoming("web:a", text="wohin mit unserem Kleinen am  Vormittag, tel 0176-7654321!"))
    engine.handle(Incoming("tg:2", text="Arbeit und Wohnung"))  # two topics: a clarification
    engine.handle(Incoming("tg:3", text="Kita in Lünen"))  # understood: not queued
    engine.handle(Incoming("tg:3", text="wie wird das Wetter morgen"))  # known out of scope: not queued
    groups = {g.text.lower(): g for g in engine.learning.queue()}
    assert set(groups) == {"wohin mit unserem kleinen am vormittag, tel [phone]", "arbeit und wohnung"}
    syria = groups["wohin mit unserem kleinen am vormittag, tel [phone]"]
    assert syria.count == 2 and syria.lang == "de" and syria.reasons == ["none"]
    assert "kita" in [intent for intent, _score in syria.guesses]
    assert groups["arbeit und wohnung"].reasons == ["clarify"]
    stored = _stored_texts(engine.store)
    # The numbers as typed, not "0176" alone: the tables hold hex digests, which may contain any four digits.
    for typed in ("0176 1234567", "0176-7654321", "1234567", "7654321"):
        assert typed not in stored


def test_nothing_stored_for_review_links_to_a_user(engine: Engine) -> None:
    """Feedback and queued text hold no user id, no session key, and no time finer than a day."""
    engine.handle(Incoming("tg:987654321", text="Was machen wir vormittags mit unserem Jüngsten"))
    engine.handle(Incoming("web:secret-session-42", text="Kita", lang_hint="de"))
    engine.handle(Incoming("web:secret-session-42", button="fb:-:kita"))
    engine.handle(Incoming("tg:987654321", button="fb:+:kita"))
    engine.learning.flush()  # usage counts are written every few seconds
    keys = [row[0] for row in engine.store.query("SELECT user_key FROM sessions")]
    assert len(keys) == 2
    stored = _stored_texts(engine.store)
    for secret in ("987654321", "secret-session-42", *keys):
        assert secret not in stored
    for table in REVIEW_TABLES:
        found = columns(engine.store, table, engine.store.dialect)
        assert not [c for c in found if "user" in c or "session" in c], (table, found)
    days = [row[0] for row in engine.store.query(
        "SELECT first_seen FROM review_queue UNION SELECT last_seen FROM review_queue UNION "
        "SELECT day FROM feedback UNION SELECT day FROM usage")]
    assert days and all(len(day) == 10 for day in days), days  # YYYY-MM-DD, no time of day


def test_feedback_thanks_and_a_thumbs_down_queues_the_question(engine: Engine) -> None:
    engine.handle(Incoming("u1", text="59423"))  # the place first: the answer then lists offers, with 👍 / 👎
    answer = engine.handle(Incoming("u1", text="Wo finde ich einen Deutschkurs"))
    data = [b.data for b in answer.messages[-1].buttons]
    assert "fb:+:language_course" in data and "fb:-:language_course" in data
    thanks = engine.handle(Incoming("u1", button="fb:-:language_course"))
    assert thanks.messages[0].text == "Danke für Ihre Rückmeldung!"
    # Not helped: a person or another topic is one tap away, no dead end.
    assert [b.data for b in thanks.messages[0].buttons] == ["t:human_contact", "m"]
    [group] = engine.learning.queue()
    assert group.text == "Wo finde ich einen Deutschkurs" and group.reasons == ["thumbs_down"]
    assert group.guesses[0][0] == "language_course"
    engine.handle(Incoming("u2", text="Kita in Unna"))  # an answer with 👍 / 👎 under it
    assert not engine.handle(Incoming("u2", button="fb:+:kita")).messages[0].buttons
    assert engine.learning.queue_size() == 1  # a 👍 queues nothing
    votes = engine.store.query("SELECT intent, lang, vote FROM feedback ORDER BY id")
    assert votes == [("language_course", "de", -1), ("kita", "de", 1)]
    # A vote for a topic that is no topic is ignored; a malformed one gets the menu.
    engine.handle(Incoming("u2", button="fb:-:nonsense"))
    assert engine.store.one("SELECT count(*) FROM feedback") == (2,)
    assert engine.handle(Incoming("u2", button="fb:x")).messages[0].buttons
    # After /forget not even the question kept in memory for a 👎 is left.
    engine.handle(Incoming("u3", text="Wie komme ich günstig mit dem Bus zur Arbeit"))
    engine.handle(Incoming("u3", button="forget:yes"))
    engine.handle(Incoming("u3", button="fb:-:work"))
    assert engine.learning.queue()[0].count == 1


def test_retention_deletes_old_entries_with_a_fixed_clock(db: Database) -> None:
    clock = Clock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    learning = Learning(db, default_nlu(), retention_days=90, clock=clock)
    nlu = default_nlu()
    learning.observe("u1", "Was machen wir vormittags mit unserem Jüngsten",
                     nlu.understand("Was machen wir vormittags mit unserem Jüngsten"))
    learning.answered("u1", "kita")  # the engine gave the Kita answer with 👍 / 👎 under it
    learning.feedback("u1", -1, "kita", "de")
    learning.teach("Was machen wir vormittags mit unserem Jüngsten", "kita", "test", "de")

    def counts() -> tuple[int, ...]:
        learning.flush()
        return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in REVIEW_TABLES)

    assert counts() == (1, 1, 1, 1)
    clock.now += timedelta(days=90)  # on the 90th day: still kept
    assert learning.purge() == 0 and counts() == (1, 1, 1, 1)
    clock.now += timedelta(days=1)
    # Nothing is written now: the next start-up deletes what expired ...
    Learning(db, default_nlu(), retention_days=90, clock=clock)
    assert counts() == (0, 1, 0, 0)  # learned examples stay until staff remove them
    # ... and so does a write, at most once an hour.
    learning.observe("u2", "xyzzy plugh", nlu.understand("xyzzy plugh"))
    clock.now += timedelta(days=91)
    learning.observe("u3", "Papiere für meinen Mann damit er herkommen kann",
                     nlu.understand("Papiere für meinen Mann damit er herkommen kann"))
    assert [g.text for g in learning.queue()] == ["Papiere für meinen Mann damit er herkommen kann"]


def test_retention_days_come_from_the_environment() -> None:
    assert Settings.from_env({}).retention_days == 90
    assert Settings.from_env({"LOTSE_RETENTION_DAYS": "30"}).retention_days == 30


def test_teaching_answers_at_once_and_removing_takes_it_back(engine: Engine) -> None:
    text = "Was machen wir vormittags mit unserem Jüngsten"
    assert engine.nlu.understand(text).intent == "none"
    example = engine.learning.teach(text, "kita", "web-admin", "de")
    engine.handle(Incoming("u1", text="59423"))  # the place first: the answer then lists offers, with 👍 / 👎
    reply = engine.handle(Incoming("u1", text=text))
    assert "fb:+:kita" in [b.data for m in reply.messages for b in m.buttons]
    assert engine.nlu.understand("was machen wir vormittags mit unserem Jüngsten?").intent == "kita"
    assert [(e.text, e.intent, e.who) for e in engine.learning.learned()] == [(text, "kita", "web-admin")]
    assert engine.learning.remove(example.id)
    assert engine.nlu.understand(text).intent == "none"
    assert not engine.learning.remove(example.id)


def test_a_clash_with_an_intent_file_is_refused_with_the_reason(engine: Engine) -> None:
    with pytest.raises(Refused, match="already an example of kita"):
        engine.learning.teach("Ich suche eine Kita!", "work", "web-admin", "de")
    with pytest.raises(Refused, match="no intent"):
        engine.learning.teach("irgendwas", "astrology", "web-admin", "de")
    engine.learning.teach("Ich suche eine Kita", "kita", "web-admin", "de")  # the same intent: no clash
    assert engine.learning.learned()[0].intent == "kita"


def test_another_connection_sees_a_change_by_the_version_counter(tmp_path: Path) -> None:
    """The Telegram worker has its own connection: it reloads when the counter moved, and only then."""
    path = tmp_path / "lotse.db"
    demo_db(path)
    web_side, worker_side = Engine(open_db(path)), Engine(open_db(path))
    assert not worker_side.learning.refresh()
    web_side.learning.teach("Papiere für meinen Mann damit er herkommen kann", "residence_permit", "x", "de")
    assert worker_side.learning.refresh()
    assert not worker_side.learning.refresh()


def test_export_learned_writes_intent_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lotse.db"
    db = open_db(path)
    learning = Learning(db, default_nlu())
    learning.teach("Papiere für meinen Mann damit er herkommen kann", "residence_permit", "web-admin", "de")
    learning.teach("Куди повідомити нову адресу", "registration_office", "web-admin", "uk")
    learning.teach("where can I charge my phone", "none", "web-admin", "en")
    monkeypatch.setenv("LOTSE_DB", str(path))
    out = tmp_path / "export" / "learned.yaml"
    result = CliRunner().invoke(cli, ["intents", "export-learned", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 learned examples of 3 intents" in result.output
    documents = list(yaml.safe_load_all(out.read_text(encoding="utf-8")))
    assert documents == [
        {"id": "none", "examples": {"en": ["where can I charge my phone"]}},
        {"id": "registration_office", "examples": {"uk": ["Куди повідомити нову адресу"]}},
        {"id": "residence_permit", "examples": {"de": ["Papiere für meinen Mann damit er herkommen kann"]}},
    ]
    help_text = CliRunner().invoke(cli, ["intents", "export-learned", "--help"]).output
    assert "Example: lotse intents export-learned" in help_text


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    db_path = tmp_path / "lotse.db"
    demo_db(db_path)
    async with TestClient(TestServer(create_app(Settings(db_path=db_path)))) as test_client:
        await first_admin(test_client, "kim")
        yield test_client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:300]
    return found.group(1)


async def test_admin_review_refuses_a_clash_and_dashboard_draws_charts(client: TestClient) -> None:
    for session, text in (("a", "Kita in Unna"), ("b", "Ich suche eine Kita xq"), ("c", "xyzzy plugh")):
        await client.post("/api/chat", json={"session": session, "text": text})
    await client.post("/api/chat", json={"session": "a", "button": "fb:+:kita"})
    page = await (await client.get("/admin/review")).text()  # German first, topics by their German labels
    assert "xyzzy plugh" in page and ">Kita</option>" in page and ">Kein Thema für Lotse</button>" in page
    assert "Gruppen: 1" in page  # "Ich suche eine Kita xq" was understood
    token = _csrf(page)
    # Teaching an intents/ phrase of kita as "work" is refused, with the reason, and the group stays.
    learning = client.app[ENGINE].learning
    learning._enqueue("Ich suche eine Kita", "de", "none", [])
    resp = await client.post("/admin/review", data={"key": "ich suche eine kita", "action": "teach", "intent": "work",
                                                    "csrf": token})
    assert resp.status == 409
    assert "„Ich suche eine Kita“ ist schon ein Beispiel für Kita in intents/" in await resp.text()
    resp = await client.post("/admin/review", data={"key": "xyzzy plugh", "action": "none", "csrf": token},
                             allow_redirects=False)
    assert resp.status == 303
    resp = await client.post("/admin/review", data={"key": "ich suche eine kita", "action": "dismiss",
                                                    "csrf": token})
    assert resp.status == 200 and "Verworfen." in await resp.text()
    assert learning.queue_size() == 0
    learned = await (await client.get("/admin/learned")).text()
    assert "xyzzy plugh" in learned and "Kein Thema für Lotse" in learned
    assert "<td>kim</td>" in learned  # who taught it: the signed-in account
    worker = client.app.get(WORKER)
    if worker is not None:
        worker.close()  # the worker process writes its usage counts when it stops (else every 10 s)
    dashboard = await (await client.get("/admin/dashboard")).text()
    assert dashboard.count("<svg") == 4 and "<title>Anteil 👍 pro Woche</title>" in dashboard
    assert "100 %" in dashboard  # the one vote was a 👍
    assert ">Kita</text>" in dashboard  # the top topics, by their labels
    # English is one click away: the same pages, the chat's English topic labels.
    dashboard = await (await client.get("/admin/lang?to=en&back=/admin/dashboard")).text()
    assert "<title>Share of 👍 per week</title>" in dashboard and "100%" in dashboard
    assert ">Kita (daycare)</text>" in dashboard
    learned = await (await client.get("/admin/learned")).text()
    assert "<h1>Learned examples</h1>" in learned and "Out of scope" in learned


async def test_the_review_pages_name_every_intent_never_its_id(client: TestClient) -> None:
    """Frames and "none" have no menu label in the chat; staff still read a name ("Begrüßung (56)", not
    "greeting (56)"), in German and in English, also for an intent that no longer exists."""
    learning = client.app[ENGINE].learning
    learning._enqueue("hallo hallo xq", "de", "none", [("greeting", 56.0), ("thanks", 40.0), ("food_goods", 30.0)])
    learning._enqueue("zzz qqq", "de", "none", [("nearby", 31.0), ("retired_topic", 20.0)])
    queue = (await (await client.get("/admin/review")).text()).split("<tbody>")[1]
    assert "Begrüßung (56), Dank oder Abschied (40), Essen, Kleidung, Möbel (30)" in queue
    assert "Was ist in meiner Nähe (31), Unbekanntes Thema (20)" in queue
    assert not re.search(r"\b(greeting|thanks|food_goods|nearby|retired_topic) \(", queue)
    queue = (await (await client.get("/admin/lang?to=en&back=/admin/review")).text()).split("<tbody>")[1]
    assert "Greeting (56), Thanks or goodbye (40), Food, clothes, furniture (30)" in queue
    learning.teach("wie geht es dir heute lotse", "greeting", "anna")
    learned = await (await client.get("/admin/learned")).text()
    assert "<td>Greeting</td>" in learned and "<td>greeting</td>" not in learned


async def test_the_worker_process_writes_its_usage_counts_when_it_stops(tmp_path: Path) -> None:
    from bot.engine.worker import EngineWorker

    path = tmp_path / "lotse.db"
    demo_db(path)
    engine = Engine(open_db(path))
    twin = engine.twin()
    assert twin is not None  # a database file: another process can open it
    worker = EngineWorker(engine, twin)
    for text in ("Kita", "Deutschkurs", "xyzzy plugh"):
        await worker.handle(Incoming("tg:1", text=text))
    worker.close()
    rows = dict(engine.db.execute("SELECT intent, sum(n) FROM usage GROUP BY intent").fetchall())
    assert rows == {"kita": 1, "language_course": 1, "none": 1}
