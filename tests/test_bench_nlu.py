"""`lotse bench nlu`: Lotse and the TF-IDF peer measured in one run on every eval file given (accuracy only)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.bench import nlu as nlu_bench
from bot.bench.peer import Peer
from bot.cli import cli
from bot.nlu.intents import Intent

# Verbatim intent examples, so both systems must know them; one label is wrong on purpose, so a file's top-1 is
# exactly 0.5 only when the benchmark really compares each answer with its own question's label.
HALF_RIGHT = """\
- {t: "ich suche eine Wohnung", l: de, i: housing}
- {t: "Kitaplatz für U3", l: de, i: school}
"""
ALL_RIGHT = """\
- {t: "wie wird das wetter", l: de, i: none}
"""

PEER_INTENTS = ("housing", "kita", "school", "none")  # the questions' intents, and one to confuse them with


class SmallPeer(Peer):
    """The peer on the German examples of PEER_INTENTS: these tests check what the benchmark measures and prints,
    not the peer's accuracy, which `lotse bench nlu` measures on every example (minutes of a core to train)."""

    @classmethod
    def from_intents(cls, intents: Mapping[str, Intent]) -> Peer:
        return cls.train((phrase, intent) for intent in PEER_INTENTS for phrase in intents[intent].examples["de"])


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, Path, Path]:
    folder = tmp_path_factory.mktemp("bench")
    half, whole = folder / "half.yaml", folder / "whole.yaml"
    half.write_text(HALF_RIGHT, encoding="utf-8")
    whole.write_text(ALL_RIGHT, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nlu_bench, "Peer", SmallPeer)
        result = CliRunner().invoke(cli, ["bench", "nlu", "--questions", str(half), "--questions", str(whole)])
    assert result.exit_code == 0, result.output
    return result.output, json.loads(result.output.strip().splitlines()[-1]), half, whole


@pytest.mark.slow
def test_every_file_is_measured_for_both(bench_run: tuple[str, dict, Path, Path]) -> None:
    _output, numbers, half, whole = bench_run
    files = {f["questions"]: f for f in numbers["files"]}
    assert list(files) == [str(half), str(whole)]
    assert (files[str(half)]["n"], files[str(whole)]["n"]) == (2, 1)
    assert (files[str(half)]["top1"], files[str(half)]["peer_top1"]) == (0.5, 0.5)
    assert (files[str(whole)]["top1"], files[str(whole)]["peer_top1"]) == (1.0, 1.0)
    for entry in files.values():
        assert {"median_ms", "p99_ms", "peer_median_ms", "peer_p99_ms"} <= entry.keys()


@pytest.mark.slow
def test_the_flat_keys_describe_the_first_file(bench_run: tuple[str, dict, Path, Path]) -> None:
    _output, numbers, half, _whole = bench_run
    assert numbers["questions"] == str(half)
    assert (numbers["n"], numbers["top1"], numbers["baseline_top1"]) == (2, 0.5, 0.5)
    assert numbers["startup_s"] > 0 and numbers["peak_rss_mb"] > 0
    assert numbers["examples"] > 1000


@pytest.mark.slow
def test_the_table_names_each_file(bench_run: tuple[str, dict, Path, Path]) -> None:
    output = bench_run[0]
    rows = {line.split()[0]: line.split() for line in output.splitlines() if line.startswith(("half", "whole"))}
    assert rows["half.yaml"][1:4] == ["2", "0.500", "0.500"]
    assert rows["whole.yaml"][1:4] == ["1", "1.000", "1.000"]


def test_lotse_and_the_peer_take_turns_on_each_question() -> None:
    # A machine that slows down for a minute must slow both sides of the comparison alike.
    calls: list[str] = []

    def ours(text: str) -> str:
        calls.append("lotse " + text)
        return "a"

    def theirs(text: str) -> str:
        calls.append("peer " + text)
        return "b"

    (our_answers, our_times), (peer_answers, peer_times) = nlu_bench._time([ours, theirs], ["q1", "q2"])
    turns = ["lotse q1", "peer q1"] * nlu_bench.ROUNDS + ["lotse q2", "peer q2"] * nlu_bench.ROUNDS
    assert calls == turns
    assert our_answers == ["a", "a"] and peer_answers == ["b", "b"]
    assert len(our_times) == len(peer_times) == 2
