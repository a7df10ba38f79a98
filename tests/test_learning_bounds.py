"""Anonymous input cannot grow the feedback and the review queue without bound."""

from __future__ import annotations

import pytest

from bot.engine import Engine, Incoming
from bot.engine import learning as learning_module
from bot.engine.learning import MAX_PER_GROUP


def _votes(engine: Engine) -> int:
    found = engine.store.one("SELECT count(*) FROM feedback")  # the shared store: SQLite or PostgreSQL
    return int(found[0]) if found else 0


def test_presses_without_an_answer_count_nothing(engine: Engine) -> None:
    for n in range(300):
        engine.handle(Incoming(f"u{n % 3}", button="fb:-:kita"))
        engine.handle(Incoming(f"u{n % 3}", button="fb:+:work"))
    assert _votes(engine) == 0
    assert engine.learning.queue_size() == 0


def test_one_vote_per_answer(engine: Engine) -> None:
    reply = engine.handle(Incoming("u1", text="Kita in Unna"))
    assert any(b.data == "fb:+:kita" for m in reply.messages for b in m.buttons)
    for _press in range(5):
        engine.handle(Incoming("u1", button="fb:+:kita"))
    assert _votes(engine) == 1
    engine.handle(Incoming("u2", button="fb:+:kita"))  # someone who was not given that answer
    assert _votes(engine) == 1
    engine.handle(Incoming("u1", text="Kita in Unna"))  # a new answer: a new vote
    engine.handle(Incoming("u1", button="fb:-:kita"))
    assert _votes(engine) == 2


def test_a_repeated_text_counts_up_to_the_cap_and_stays_small(engine: Engine) -> None:
    for n in range(MAX_PER_GROUP * 3):
        engine.handle(Incoming(f"asker{n}", text="xyzzy plugh frobozz"))
    [entry] = engine.learning.queue()
    assert entry.count == MAX_PER_GROUP
    found = engine.store.one("SELECT length(marks) FROM review_queue")
    assert found is not None
    size = found[0]
    assert size < 40 * MAX_PER_GROUP
    engine.forget("asker0")  # the first askers are still marked, so /forget still takes their part back
    assert engine.learning.queue()[0].count == MAX_PER_GROUP - 1


def test_the_number_of_groups_is_bounded(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learning_module, "MAX_GROUPS", 5)
    words = ("vorpal", "wabe", "tulgey", "borogove", "mimsy", "outgrabe", "jubjub", "frumious", "bandersnatch",
             "tumtum", "uffish", "manxome")
    for n, word in enumerate(words):
        engine.handle(Incoming(f"u{n}", text=f"xyzzy plugh {word}"))
    assert engine.learning.queue_size() == 5
