"""Staff topics and district answers on the shared store, on both engines: a topic an editor adds on one instance
exists on every instance, and the version counter each instance watches moves with every change."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from test_knowledge import KITA_AR_UNNA, REPAIR

from bot.cli import cli
from bot.knowledge.files import parse_topic
from bot.knowledge.live import Knowledge
from bot.knowledge.store import delete_topic, knowledge_version, save_topic, set_answer, staff_topics
from bot.nlu import default_nlu
from bot.nlu.intents import load_intents
from bot.store import Store, open_store


def test_a_topic_added_on_one_instance_exists_on_the_other(stores: tuple[Store, Store]) -> None:
    one, two = stores
    before = knowledge_version(two)
    save_topic(one, parse_topic(REPAIR), "kim")
    after_save = knowledge_version(two)
    assert after_save != before
    topic = staff_topics(two)["reparaturcafe"]
    assert (topic.name, topic.district, topic.needs_place) == ("Reparaturcafé", "05978", False)
    assert topic.answer["en"] == "In a repair café volunteers repair broken things with you."
    assert delete_topic(two, "reparaturcafe") and not delete_topic(two, "reparaturcafe")
    assert staff_topics(one) == {} and knowledge_version(one) not in (before, after_save)


def test_a_district_answer_written_on_one_instance_is_shown_by_the_other(stores: tuple[Store, Store]) -> None:
    one, two = stores
    knowledge = Knowledge(two, default_nlu(), dict(load_intents(strict=False)))
    assert knowledge.refresh() is None
    set_answer(one, "kita", "05978", "ar", KITA_AR_UNNA, "kim")
    knowledge.refresh()  # the counter moved: reloaded (no staff topic, so nothing to train)
    assert KITA_AR_UNNA in knowledge.answer("kita", "ar", "05978", "built-in text")
    set_answer(one, "kita", "05978", "ar", "  ", "kim")  # empty: removed
    knowledge.refresh()
    assert knowledge.answer("kita", "ar", "05978", "built-in text") == "built-in text"


def test_db_copy_moves_the_topics_and_answers(tmp_path: Path, pg_url: str) -> None:
    source = f"sqlite:///{tmp_path / 'lotse.db'}"
    with open_store(source) as store:
        save_topic(store, parse_topic(REPAIR), "kim")
        set_answer(store, "kita", "05978", "ar", KITA_AR_UNNA, "kim")
    result = CliRunner().invoke(cli, ["db", "copy", source, pg_url])
    assert result.exit_code == 0, result.output
    assert re.search(r"staff_topics\s+1\s+1\s+\w+ ok", result.output)
    assert re.search(r"topic_answers\s+1\s+1\s+\w+ ok", result.output)
    with open_store(pg_url) as store:
        assert list(staff_topics(store)) == ["reparaturcafe"] and knowledge_version(store) != "0"


def test_lotse_intents_import_writes_to_postgresql_when_configured(tmp_path: Path, pg_url: str) -> None:
    import yaml

    path = tmp_path / "reparaturcafe.yaml"
    path.write_text(yaml.safe_dump(REPAIR, allow_unicode=True), encoding="utf-8")
    env = {"LOTSE_DB": str(tmp_path / "lotse.db"), "LOTSE_DATABASE_URL": pg_url}
    result = CliRunner().invoke(cli, ["intents", "import", str(path)], env=env)
    assert result.exit_code == 0, result.output
    with open_store(pg_url) as store:
        assert list(staff_topics(store)) == ["reparaturcafe"]
