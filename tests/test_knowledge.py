"""Topics staff own and answers per district: the topic files, `lotse intents import/export-district`, and what
the engine answers with them (bot/knowledge/)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.engine import Engine
from bot.engine.models import Incoming
from bot.knowledge.files import TopicFileError, parse_topic
from bot.knowledge.live import GERMAN
from bot.knowledge.store import StaffTopic, save_topic, set_answer, slug, staff_topics
from bot.offers.db import open_db

REPAIR: dict[str, object] = {
    "id": "reparaturcafe", "name": "Reparaturcafé", "needs_place": False, "categories": [],
    "examples": {"de": ["reparaturcafé", "wo kann ich etwas reparieren lassen"]},
    "answer": {"de": "Im Reparaturcafé reparieren Ehrenamtliche mit Ihnen kaputte Geräte.",
               "en": "In a repair café volunteers repair broken things with you."},
    "district": "05978",
}
KITA_AR_UNNA = "روضات كرايس أونا: سجّل طفلك في بوابة الروضات."


def topic(**changes: object) -> dict[str, object]:
    return {**REPAIR, **changes}


@pytest.mark.parametrize(("changes", "problem"), [
    ({"id": "Reparatur Café"}, "id: “Reparatur Café” must be lower-case"),
    ({"id": "kita"}, "id: kita is a built-in topic"),
    ({"answer": {"en": "only English"}}, "the German answer (de:) is required"),
    ({"answer": {"de": "Rufen Sie 0231 9876543 an."}}, "0231 9876543 is not on the verified list"),
    ({"answer": {"de": "x", "xx": "y"}}, "unknown language “xx”"),
    ({"examples": {}}, "at least one example is required"),
    ({"categories": ["repairs"]}, "unknown category “repairs”"),
    ({"needs_place": "ja"}, "needs_place: must be true or false"),
    ({"menu": "top"}, "menu: must be main, more or empty"),
    ({"district": 2808}, "“2808” is not an AGS"),
    ({"link": "http://example.org"}, "link: must start with https://"),
    ({"priority": True}, "only the built-in emergency topics may have priority"),
])
def test_a_bad_topic_file_says_what_is_wrong(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(TopicFileError) as raised:
        parse_topic(topic(**changes), builtin={"kita"})
    assert any(problem in str(line) for line in raised.value.problems), raised.value.problems


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(TopicFileError) as raised:
        parse_topic(topic(id="", answer={}, examples={}), builtin={"kita"})
    assert len(raised.value.problems) == 3


@pytest.mark.parametrize(("name", "expected"), [
    ("Reparaturcafé", "reparaturcafe"), ("Tafel Kamen e.V.", "tafel_kamen_e_v"), ("Möbelbörse", "moebelboerse"),
])
def test_an_id_is_made_from_the_german_name(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_import_then_export_district_gives_the_same_topic(tmp_path: Path) -> None:
    env = {"LOTSE_DB": str(tmp_path / "lotse.db")}
    source = tmp_path / "reparaturcafe.yaml"
    source.write_text(yaml.safe_dump(REPAIR, allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    imported = runner.invoke(cli, ["intents", "import", str(source)], env=env)
    assert imported.exit_code == 0, imported.output
    assert "reparaturcafe (Reparaturcafé) with 2 examples" in imported.output
    set_answer(open_db(tmp_path / "lotse.db"), "reparaturcafe", "05978", "ar", "مقهى التصليح", "kim")
    exported = runner.invoke(cli, ["intents", "export-district", "05978", str(tmp_path / "out")], env=env)
    assert exported.exit_code == 0, exported.output
    data = yaml.safe_load((tmp_path / "out" / "reparaturcafe.yaml").read_text(encoding="utf-8"))
    assert data["examples"] == REPAIR["examples"] and data["district"] == "05978"
    assert data["answer"]["ar"] == "مقهى التصليح" and data["answer"]["de"].startswith("Im Reparaturcafé")
    assert parse_topic(data).name == "Reparaturcafé"


def test_import_refuses_a_bad_file_and_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "kita.yaml"
    bad.write_text(yaml.safe_dump(topic(id="kita", answer={})), encoding="utf-8")
    result = CliRunner().invoke(cli, ["intents", "import", str(bad)], env={"LOTSE_DB": str(tmp_path / "l.db")})
    assert result.exit_code == 1
    assert "kita is a built-in topic" in result.output and "German answer (de:) is required" in result.output
    assert staff_topics(open_db(tmp_path / "l.db")) == {}


@pytest.mark.parametrize("command", ["import", "export-district"])
def test_the_commands_have_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, ["intents", command, "--help"])
    assert result.exit_code == 0 and "Example: lotse intents" in result.output


def ask(engine: Engine, text: str, user: str = "u", lang: str | None = None) -> str:
    reply = engine.handle(Incoming(user_id=user, text=text, lang_hint=lang))
    return "\n".join(m.text for m in reply.messages)


def learn(engine: Engine, staff: StaffTopic) -> None:
    """Save a staff topic and let the engine learn it (the next message hands the new model over)."""
    save_topic(engine.store, staff, "kim")  # the shared store: SQLite, or PostgreSQL
    ask(engine, "hallo")
    assert engine.knowledge.trained.wait(600), "training did not finish"


@pytest.mark.slow  # trains the classifier with a staff topic
def test_a_staff_topic_is_answered_without_a_restart(engine: Engine) -> None:
    assert "Reparaturcafé" not in ask(engine, "Gibt es in Bergkamen ein Reparaturcafé?")
    learn(engine, parse_topic(REPAIR))
    assert "Im Reparaturcafé reparieren" in ask(engine, "Gibt es in Bergkamen ein Reparaturcafé?")
    assert "volunteers repair" in ask(engine, "Is there a Reparaturcafé?", "e", "en")


@pytest.mark.slow  # trains the classifier with a staff topic
def test_a_missing_translation_is_german_marked_as_german(engine: Engine) -> None:
    learn(engine, parse_topic(REPAIR))
    answer = ask(engine, "reparaturcafé", "a", "ar")
    assert GERMAN in answer and "Im Reparaturcafé reparieren" in answer


@pytest.mark.parametrize(("place", "sees"), [("لونن", True), ("هاينسبرغ", False)])
def test_the_arabic_kita_answer_of_kreis_unna_is_seen_there_only(engine: Engine, place: str,
                                                                 sees: bool) -> None:
    set_answer(engine.store, "kita", "05978", "ar", KITA_AR_UNNA, "kim")
    answer = ask(engine, f"روضة أطفال في {place}", "a", "ar")
    assert (KITA_AR_UNNA in answer) is sees
    assert "روضة" in answer


def test_a_german_district_answer_without_translation_follows_the_builtin_one(engine: Engine) -> None:
    set_answer(engine.store, "kita", "05978", "de", "Im Kreis Unna melden Sie Ihr Kind im Kita-Portal an.", "kim")
    answer = ask(engine, "Kita in Lünen", "e", "en")
    assert answer.index("From the first birthday") < answer.index(GERMAN) < answer.index("Kita-Portal")


@pytest.mark.slow  # trains the classifier with a staff topic
def test_a_removed_staff_topic_is_no_longer_answered(engine: Engine) -> None:
    learn(engine, parse_topic(REPAIR))
    engine.store.run("DELETE FROM staff_topics WHERE id = 'reparaturcafe'")
    assert "Im Reparaturcafé reparieren" not in ask(engine, "Gibt es in Bergkamen ein Reparaturcafé?")


def test_a_staff_topic_is_in_its_menu_by_name_and_its_button_answers(engine: Engine) -> None:
    save_topic(engine.store, parse_topic(REPAIR), "kim")
    ask(engine, "hallo")  # the next message reloads; no training needed for menus and buttons
    menu = engine.handle(Incoming(user_id="b", button="m:more")).messages[-1].buttons
    assert ("Reparaturcafé", "t:reparaturcafe") in [(b.label, b.data) for b in menu]
    assert [b.data for b in menu][-2:] == ["m", "lang"]  # "Back" and the language picker stay last
    pressed = engine.handle(Incoming(user_id="b", button="t:reparaturcafe"))
    assert "Im Reparaturcafé reparieren" in pressed.messages[0].text
