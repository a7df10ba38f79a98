"""`lotse bench nlu`: latency, start-up time and memory of the NLU, against a naive rapidfuzz baseline.

- start-up and peak memory: a fresh `python -m bot ask "..." --json` in a subprocess (wall time, and the peak
  RSS of that child from getrusage(RUSAGE_CHILDREN));
- latency: every dev question through `understand()` with everything loaded (after a warm-up), median and p99;
- baseline: the same questions with rapidfuzz `process.extractOne(text, all_example_phrases, scorer=WRatio)`,
  "none" below the skeleton's cut-off of 72; accuracy and speed side by side, and the ratio.
The questions are an eval file given with `lotse bench nlu --questions FILE` (any file of {t, l, i, p} questions),
else the package's own bot/bench/questions.yaml (144 questions in twelve languages, shipped with Lotse).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils

from bot import resources
from bot.nlu.evaluate import load_cases
from bot.nlu.understand import default_nlu

QUESTIONS = resources.package_file("bench", "questions.yaml")
BASELINE_CUTOFF = 72.0
ROUNDS = 3  # every question is timed this many times; the median of the rounds is its latency


def _cases(questions: Path | None) -> tuple[str, list[dict[str, Any]]]:
    path = questions or QUESTIONS
    if path.exists():
        return str(path), load_cases(path)
    nlu = default_nlu()
    cases = [{"t": p, "l": lang, "i": intent.id} for intent in nlu.intents.values()
             for lang, phrases in intent.examples.items() for p in phrases[::5]]
    return "intent examples (every fifth)", cases


def _startup() -> tuple[float, float]:
    """Wall time and peak RSS (MB) of a fresh `lotse ask` process."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as cwd:  # anywhere: an installed Lotse needs no checkout
        subprocess.run([sys.executable, "-m", "bot", "ask", "Deutschkurs in Lünen", "--json"], cwd=cwd,
                       check=True, capture_output=True)
    wall = time.perf_counter() - start
    # ru_maxrss is in KiB on Linux: the largest child so far, which is this one (the only child we start).
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, peak


def _time(fn: Callable[[str], str], texts: list[str]) -> tuple[list[str], list[float]]:
    answers: list[str] = []
    times: list[float] = []
    for text in texts:
        rounds = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            answer = fn(text)
            rounds.append((time.perf_counter() - start) * 1000)
        answers.append(answer)
        times.append(statistics.median(rounds))
    return answers, times


def _p99(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run(echo: Callable[[str], None], questions: Path | None = None) -> dict[str, Any]:
    """Measure, print a table through echo, return the numbers."""
    startup_s, peak_mb = _startup()
    source, cases = _cases(questions)
    build_start = time.perf_counter()
    nlu = default_nlu()
    build_s = time.perf_counter() - build_start
    texts = [str(c["t"]) for c in cases]
    expected = [str(c["i"]) for c in cases]
    nlu.warm_up()
    ours, our_times = _time(lambda t: nlu.understand(t).intent, texts)

    phrases = [p for i in nlu.intents.values() for ps in i.examples.values() for p in ps]
    owners = [i.id for i in nlu.intents.values() for ps in i.examples.values() for _p in ps]

    def naive(text: str) -> str:
        hit = process.extractOne(text, phrases, scorer=fuzz.WRatio, processor=utils.default_process)
        return owners[hit[2]] if hit and hit[1] >= BASELINE_CUTOFF else "none"

    theirs, their_times = _time(naive, texts)
    n = len(cases)
    top1 = sum(a == b for a, b in zip(ours, expected, strict=True)) / n if n else 0.0
    base_top1 = sum(a == b for a, b in zip(theirs, expected, strict=True)) / n if n else 0.0
    result: dict[str, Any] = {
        "questions": source, "n": n, "examples": len(phrases),
        "top1": round(top1, 4), "median_ms": round(statistics.median(our_times), 3),
        "p99_ms": round(_p99(our_times), 3), "mean_ms": round(statistics.fmean(our_times), 3),
        "baseline_top1": round(base_top1, 4), "baseline_median_ms": round(statistics.median(their_times), 3),
        "baseline_p99_ms": round(_p99(their_times), 3), "baseline_mean_ms": round(statistics.fmean(their_times), 3),
        "startup_s": round(startup_s, 3), "build_s": round(build_s, 3), "peak_rss_mb": round(peak_mb, 1),
    }
    result["speedup_median"] = round(result["baseline_median_ms"] / max(result["median_ms"], 1e-6), 1)
    result["speedup_mean"] = round(result["baseline_mean_ms"] / max(result["mean_ms"], 1e-6), 1)
    echo(f"questions: {source} ({n}); {len(phrases)} example phrases")
    echo(f"{'':<10}{'top1':>8}{'median ms':>11}{'p99 ms':>9}{'mean ms':>9}")
    echo(f"{'lotse':<10}{top1:>8.3f}{result['median_ms']:>11.3f}{result['p99_ms']:>9.3f}{result['mean_ms']:>9.3f}")
    echo(f"{'baseline':<10}{base_top1:>8.3f}{result['baseline_median_ms']:>11.3f}"
         f"{result['baseline_p99_ms']:>9.3f}{result['baseline_mean_ms']:>9.3f}")
    echo(f"speed-up: {result['speedup_median']}x (median), {result['speedup_mean']}x (mean)")
    echo(f"start-up of `lotse ask`: {startup_s:.2f} s, peak RSS {peak_mb:.0f} MB; NLU build in-process {build_s:.2f} s")
    return result
