"""`lotse bench nlu`: accuracy and latency of the NLU against a standard TF-IDF peer; start-up time and memory.

- start-up and peak memory: a fresh `python -m bot ask "..." --json` in a subprocess (wall time, and the peak
  RSS of that child from its own rusage), after a first such start has filled the classifier cache: the start of
  every day, not the one start after a change of intents/ that trains;
- the peer (bot/bench/peer.py): scikit-learn word + character TF-IDF into a logistic regression, trained in this
  run on the same intents/ examples (raw text, all languages, "none" a class like any other);
- per eval file: every question through Lotse's `understand()` and through the peer, everything loaded and warmed
  up, the two taking turns on each question; top-1 accuracy of both, and median and p99 milliseconds per message of
  both.
The eval files are given with `lotse bench nlu --questions FILE` (repeatable; any file of {t, l, i, p} questions),
else the package's own bot/bench/questions.yaml (144 questions in twelve languages, shipped with Lotse).
The JSON keeps one flat record for the first file (the default file when none is given; the peer's numbers also
under the older baseline_* keys) and adds "files": one record per file.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot import resources
from bot.bench.peer import Peer
from bot.nlu.evaluate import load_cases
from bot.nlu.understand import NLU, default_nlu

QUESTIONS = resources.package_file("bench", "questions.yaml")
ROUNDS = 3  # every question is timed this many times; the median of the rounds is its latency
PEER = "tfidf word 1-2 + char_wb 2-5, logistic regression C=10"


def _cases(path: Path, nlu: NLU) -> tuple[str, list[dict[str, Any]]]:
    if path.exists():
        return str(path), load_cases(path)
    # An installed Lotse without its question file still measures itself, on its own examples.
    cases = [{"t": p, "l": lang, "i": intent.id} for intent in nlu.intents.values()
             for lang, phrases in intent.examples.items() for p in phrases[::5]]
    return "intent examples (every fifth)", cases


def _ask_child(cwd: str) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one fresh `lotse ask` process, from its own rusage (os.wait4)."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "bot", "ask", "Deutschkurs in Lünen", "--json"], cwd=cwd,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if child.returncode != 0:
        raise RuntimeError(f"`lotse ask` failed with exit status {child.returncode}")
    return wall, usage.ru_maxrss / 1024  # KiB on Linux


def _startup() -> tuple[float, float]:
    """Start-up time and peak RSS of `lotse ask` as on every day: a first start fills the classifier cache.

    Measured before this process grows: a child started from a big process can inherit its peak RSS.
    """
    with tempfile.TemporaryDirectory() as cwd:  # anywhere: an installed Lotse needs no checkout
        _ask_child(cwd)
        return _ask_child(cwd)


def _time(fns: Sequence[Callable[[str], str]], texts: list[str]) -> list[tuple[list[str], list[float]]]:
    """Each function's answers and latencies (the median of ROUNDS per question). The functions take turns on each
    question, round by round: on shared hardware a neighbour can slow this machine by a third for a minute, and
    timing one whole file after the other would hand that minute to one side of the comparison."""
    answers: list[list[str]] = [[] for _fn in fns]
    times: list[list[float]] = [[] for _fn in fns]
    for text in texts:
        rounds: list[list[float]] = [[] for _fn in fns]
        last: list[str] = ["" for _fn in fns]
        for _ in range(ROUNDS):
            for k, fn in enumerate(fns):
                start = time.perf_counter()
                last[k] = fn(text)
                rounds[k].append((time.perf_counter() - start) * 1000)
        for k in range(len(fns)):
            answers[k].append(last[k])
            times[k].append(statistics.median(rounds[k]))
    return list(zip(answers, times, strict=True))


def _p99(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


def _accuracy(got: list[str], expected: list[str]) -> float:
    return round(sum(a == b for a, b in zip(got, expected, strict=True)) / len(expected), 4) if expected else 0.0


def _ms(times: list[float], prefix: str) -> dict[str, float]:
    if not times:
        return {f"{prefix}median_ms": 0.0, f"{prefix}p99_ms": 0.0, f"{prefix}mean_ms": 0.0}
    return {f"{prefix}median_ms": round(statistics.median(times), 3), f"{prefix}p99_ms": round(_p99(times), 3),
            f"{prefix}mean_ms": round(statistics.fmean(times), 3)}


def measure_file(path: Path, nlu: NLU, peer: Peer) -> dict[str, Any]:
    """Top-1 and latency of Lotse and of the peer on one eval file."""
    source, cases = _cases(path, nlu)
    texts = [str(c["t"]) for c in cases]
    expected = [str(c["i"]) for c in cases]
    (ours, our_times), (theirs, their_times) = _time([lambda t: nlu.understand(t).intent, peer.predict], texts)
    return {"questions": source, "n": len(cases), "top1": _accuracy(ours, expected), **_ms(our_times, ""),
            "peer_top1": _accuracy(theirs, expected), **_ms(their_times, "peer_")}


def _table(files: list[dict[str, Any]]) -> list[str]:
    width = max(len(Path(f["questions"]).name) for f in files) + 2
    lines = [f"{'file':<{width}}{'n':>5}{'lotse top1':>12}{'peer top1':>11}"
             f"{'lotse ms med/p99':>18}{'peer ms med/p99':>17}"]
    for f in files:
        lines.append(f"{Path(f['questions']).name:<{width}}{f['n']:>5}{f['top1']:>12.3f}{f['peer_top1']:>11.3f}"
                     f"{f['median_ms']:>10.2f}/{f['p99_ms']:<7.2f}{f['peer_median_ms']:>9.2f}/{f['peer_p99_ms']:<7.2f}")
    return lines


def run(echo: Callable[[str], None], questions: Sequence[Path] | Path | None = None) -> dict[str, Any]:
    """Measure, print a table through echo, return the numbers."""
    paths = [questions] if isinstance(questions, Path) else list(questions or ()) or [QUESTIONS]
    startup_s, peak_mb = _startup()
    build_start = time.perf_counter()
    nlu = default_nlu()
    build_s = time.perf_counter() - build_start
    nlu.warm_up()
    train_start = time.perf_counter()
    peer = Peer.from_intents(nlu.intents)
    peer_train_s = time.perf_counter() - train_start
    peer.predict("warm up")
    examples = sum(len(ps) for i in nlu.intents.values() for ps in i.examples.values())
    files = [measure_file(path, nlu, peer) for path in paths]

    first = files[0]
    result: dict[str, Any] = {
        **first, "examples": examples, "peer": PEER,
        # the names of the first version of this benchmark, whose baseline was a naive fuzzy matcher
        "baseline_top1": first["peer_top1"], "baseline_median_ms": first["peer_median_ms"],
        "baseline_p99_ms": first["peer_p99_ms"], "baseline_mean_ms": first["peer_mean_ms"],
        "speedup_median": round(first["peer_median_ms"] / max(first["median_ms"], 1e-6), 1),
        "speedup_mean": round(first["peer_mean_ms"] / max(first["mean_ms"], 1e-6), 1),
        "startup_s": round(startup_s, 3), "build_s": round(build_s, 3), "peak_rss_mb": round(peak_mb, 1),
        "peer_train_s": round(peer_train_s, 3), "files": files,
    }
    echo(f"{examples} example phrases; peer: {PEER} (trained in {peer_train_s:.1f} s)")
    for line in _table(files):
        echo(line)
    echo(f"start-up of `lotse ask`: {startup_s:.2f} s, peak RSS {peak_mb:.0f} MB; NLU build in-process {build_s:.2f} s")
    return result
