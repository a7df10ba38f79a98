"""The shared state on both engines (bot/store): SQLite and a throwaway PostgreSQL, the same behaviour asserted.

"Two instances" are two stores opened on the same database (two SQLite connections to one file, two PostgreSQL
connection pools), driven from threads that start together at a barrier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

import pytest

from bot.engine.handoff_store import HandoffStore
from bot.engine.sessions import Session, SessionStore
from bot.inbox.store import InboxStore
from bot.store import Store, UnknownDatabase, open_store
from bot.store.ratelimit import SharedRateLimiter
from bot.store.schema import migrate, newest, recorded

KEY = bytes(range(16))
NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
T = TypeVar("T")


@pytest.fixture
def stores(database_url: str) -> Iterator[tuple[Store, Store]]:
    """Two instances' stores on one database."""
    with open_store(database_url) as one, open_store(database_url) as two:
        yield one, two


def at_once(jobs: list[Callable[[], T]]) -> list[T]:
    """Run the jobs in threads that start together; their results in order (an error in one is raised)."""
    barrier = threading.Barrier(len(jobs))
    results: list[T | BaseException | None] = [None] * len(jobs)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = jobs[i]()
        except BaseException as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results  # type: ignore[return-value]


def open_handoff(store: Store, user: str = "k1") -> int:
    return HandoffStore(store).open(user, lang="ar", place_name="Unna", district="05978", channel="web",
                                    staff_chat=-1001234567890, now=NOW).number


def test_the_schema_is_migrated_once_and_twice_is_nothing(stores: tuple[Store, Store]) -> None:
    one, two = stores
    assert recorded(one) == newest()
    assert migrate(one) == [] and migrate(two) == []


def test_a_session_written_by_one_instance_is_read_by_the_other(stores: tuple[Store, Store]) -> None:
    one, two = stores
    SessionStore(one, key=KEY).save("tg:1", Session(lang="uk", place_name="Unna", lat=51.5345678, lon=7.6891234,
                                                    last_intent="kita", state="awaiting_place"))
    session = SessionStore(two, key=KEY).load("tg:1")
    assert (session.lang, session.place_name, session.last_intent, session.state) == ("uk", "Unna", "kita",
                                                                                     "awaiting_place")
    assert (session.lat, session.lon) == (51.535, 7.689)  # rounded to about 100 m on both engines
    assert SessionStore(two, key=KEY).forget("tg:1")
    assert SessionStore(one, key=KEY).load("tg:1") == Session()


def test_sessions_survive_closing_the_database(database_url: str) -> None:
    with open_store(database_url) as store:
        SessionStore(store, key=KEY).save("wa:49151", Session(lang="fa", last_intent="language_course"))
    with open_store(database_url) as again:
        assert SessionStore(again, key=KEY).load("wa:49151").last_intent == "language_course"


def test_two_staff_claiming_one_handoff_at_once_one_wins(stores: tuple[Store, Store]) -> None:
    one, two = stores
    number = open_handoff(one)
    winners = at_once([lambda: InboxStore(one).claim(number, "amira", NOW),
                       lambda: InboxStore(two).claim(number, "jonas", NOW)])
    assert winners[0] == winners[1] and winners[0] in {"amira", "jonas"}  # both are told who has it
    assert InboxStore(one).claimed_by(number) == winners[0]


def test_staff_taking_the_next_conversation_at_once_each_get_a_different_one(stores: tuple[Store, Store]) -> None:
    one, two = stores
    numbers = {open_handoff(one, f"k{i}") for i in range(4)}
    staff = [f"staff{i}" for i in range(6)]
    taken = at_once([lambda s=s, db=(one if i % 2 else two): InboxStore(db).claim_next(s, NOW)  # type: ignore[misc]
                     for i, s in enumerate(staff)])
    got = [n for n in taken if n is not None]
    assert sorted(got) == sorted(numbers)  # every one taken once, by exactly one person
    assert taken.count(None) == 2
    claims = {n: InboxStore(two).claimed_by(n) for n in numbers}
    assert all(claims[n] == staff[i] for i, n in enumerate(taken) if n is not None)


def test_a_handoff_closed_on_two_instances_at_once_closes_once(stores: tuple[Store, Store]) -> None:
    one, two = stores
    number = open_handoff(one)
    HandoffStore(two).post(number, "staff", "Hallo, wie können wir helfen?", NOW)
    closed = at_once([lambda: HandoffStore(one).close(number, NOW), lambda: HandoffStore(two).close(number, NOW)])
    assert sorted(closed) == [False, True]
    [posted] = HandoffStore(one).pending("k1")
    assert posted.text == "Hallo, wie können wir helfen?"
    assert HandoffStore(two).forget("k1") == []  # closed already: nothing open was deleted
    assert HandoffStore(one).get(number) is None


def test_staff_replies_and_the_inbox_read_the_same_on_both_engines(stores: tuple[Store, Store]) -> None:
    one, two = stores
    number = open_handoff(one)
    inbox = InboxStore(one)
    inbox.add(number, "person", "مرحبا، أحتاج روضة", NOW)
    inbox.add(number, "staff", "Wir rufen an.", NOW, staff="amira")
    inbox.route(number, "tg:42", NOW)
    [listed] = InboxStore(two).open_conversations()
    assert (listed.number, listed.lang, listed.unread, listed.claimed_by) == (number, "ar", 1, None)
    assert [m.text for m in InboxStore(two).messages(number)] == ["مرحبا، أحتاج روضة", "Wir rufen an."]
    assert InboxStore(two).address(number) == ("tg:42", NOW)
    reply = InboxStore(two).save_reply("ar", "Termin", "سنتصل بك")
    assert [s.id for s in inbox.saved("ar")] == [reply]


@pytest.mark.parametrize(("burst", "per_minute"), [(3, 6), (1, 60)])
def test_a_rate_limit_counts_across_instances(stores: tuple[Store, Store], burst: int, per_minute: int) -> None:
    one, two = stores
    clock = [1000.0]
    limits = [SharedRateLimiter(db, "web", burst, per_minute, clock=lambda: clock[0]) for db in (one, two)]
    allowed = [limits[i % 2].take("session-1") for i in range(burst + 2)]
    assert allowed == [True] * burst + [False, False]  # the allowance of one sender, not of one per instance
    assert limits[1].retry_after("session-1") == 60 // per_minute
    assert limits[0].take("session-2")  # another sender has their own bucket
    clock[0] += 60 / per_minute
    assert limits[1].take("session-1") and not limits[0].take("session-1")  # one token came back


def test_a_rate_limit_taken_at_once_spends_each_token_once(stores: tuple[Store, Store]) -> None:
    one, two = stores
    limits = [SharedRateLimiter(db, "tg", 4, 1, clock=lambda: 5000.0) for db in (one, two)]
    allowed = at_once([lambda i=i: limits[i % 2].take("chat-9") for i in range(10)])  # type: ignore[misc]
    assert allowed.count(True) == 4


def test_one_chat_is_handled_by_one_instance_at_a_time(stores: tuple[Store, Store]) -> None:
    """Read, change and write a session under the chat's lock from two instances: no update is lost."""
    one, two = stores
    rounds = 15
    steps: list[str] = []

    def handle(db: Store, name: str) -> None:
        sessions = SessionStore(db, key=KEY)
        for _ in range(rounds):
            with db.chat_lock(sessions.key("tg:5")):
                steps.append(f"{name}+")
                session = sessions.load("tg:5")
                session.shown += 1
                sessions.save("tg:5", session)
                steps.append(f"{name}-")

    at_once([lambda: handle(one, "a"), lambda: handle(two, "b")])
    assert SessionStore(one, key=KEY).load("tg:5").shown == 2 * rounds
    assert all(steps[i][0] == steps[i + 1][0] for i in range(0, len(steps), 2))  # never two inside at once


def test_another_chat_is_not_held_up_by_a_chat_in_progress(stores: tuple[Store, Store]) -> None:
    one, two = stores
    other_done = threading.Event()

    def slow() -> bool:
        with one.chat_lock("chat-a"):
            return other_done.wait(timeout=30)  # holds chat-a until the other chat has been handled

    def other() -> None:
        with two.chat_lock("chat-b"):
            other_done.set()

    assert at_once([slow, lambda: other() or True]) == [True, True]


def test_a_notice_from_one_instance_reaches_the_other(postgres_cluster: str, pg_url: str) -> None:
    heard: list[tuple[str, str]] = []
    arrived = threading.Event()

    def on_notice(channel: str, payload: str) -> None:
        heard.append((channel, payload))
        arrived.set()

    with open_store(pg_url) as one, open_store(pg_url) as two:
        listening = one.listen(["lotse_learned"], on_notice)
        try:
            two.notify("lotse_learned", "kita")
            assert arrived.wait(timeout=30)
        finally:
            listening.close()
    assert heard == [("lotse_learned", "kita")]


@pytest.mark.parametrize("url", ["mysql://x/y", "lotse.db", ""])
def test_an_unknown_database_url_is_named(url: str) -> None:
    with pytest.raises(UnknownDatabase, match="sqlite:/// or postgresql://"):
        open_store(url)
