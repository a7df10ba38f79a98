"""`lotse eval`: accuracy of the matcher on a YAML list of {t, l, i, p} questions."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.geo.gazetteer import fold
from bot.nlu.intents import OUT_OF_SCOPE
from bot.nlu.understand import NLU, default_nlu


@dataclass
class Report:
    """Per-question outcomes and their summary."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    times_ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The JSON object of DESIGN.md: n, top1, top3, per_lang, oos_precision, oos_recall, place_accuracy, ms."""
        n = len(self.rows)
        per_lang: dict[str, list[bool]] = defaultdict(list)
        for row in self.rows:
            per_lang[row["l"]].append(row["top1"])
        predicted_none = [r for r in self.rows if r["got"] == OUT_OF_SCOPE]
        actual_none = [r for r in self.rows if r["i"] == OUT_OF_SCOPE]
        with_place = [r for r in self.rows if r.get("p")]
        critical = [r for r in self.rows if r["critical"]]
        ordinary = [r for r in self.rows if not r["critical"]]
        near = [r for r in ordinary if r.get("k") == "near"]
        times = sorted(self.times_ms)

        def frac(hits: int, total: int) -> float:
            return round(hits / total, 4) if total else 1.0

        return {
            "n": n,
            "top1": frac(sum(r["top1"] for r in self.rows), n),
            "top3": frac(sum(r["top3"] for r in self.rows), n),
            "per_lang": {lang: frac(sum(v), len(v)) for lang, v in sorted(per_lang.items())},
            "oos_precision": frac(sum(r["i"] == OUT_OF_SCOPE for r in predicted_none), len(predicted_none)),
            "oos_recall": frac(sum(r["got"] == OUT_OF_SCOPE for r in actual_none), len(actual_none)),
            "place_accuracy": frac(sum(r["place_ok"] for r in with_place), len(with_place)),
            # People in danger caught (by intent or the danger flag), and other messages that raised the alarm.
            "critical_recall": frac(sum(r["alarm"] for r in critical), len(critical)),
            "false_alarm_rate": round(sum(r["alarm"] for r in ordinary) / len(ordinary), 4) if ordinary else 0.0,
            **({"near_miss_alarm_rate": round(sum(r["alarm"] for r in near) / len(near), 4)} if near else {}),
            "median_ms": round(statistics.median(times), 3) if times else 0.0,
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 3) if times else 0.0,
        }


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The questions of an eval file."""
    cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [c for c in cases if isinstance(c, dict) and "t" in c and "i" in c]


def evaluate(cases: list[dict[str, Any]], nlu: NLU | None = None) -> Report:
    """Run every case through the NLU and record hits, misses and time."""
    nlu = nlu or default_nlu()
    priority = {i.id for i in nlu.intents.values() if i.priority}
    nlu.warm_up()  # time questions with everything loaded, not the first one that trains a language model
    report = Report()
    for case in cases:
        start = time.perf_counter()
        result = nlu.understand(str(case["t"]))
        report.times_ms.append((time.perf_counter() - start) * 1000)
        ranked = [result.intent] + [i for i, _s in result.alternatives]
        expected_place = str(case["p"]) if case.get("p") else None
        got_place = result.place.name if result.place else None
        report.rows.append({
            "t": case["t"], "l": case.get("l", "?"), "i": case["i"], "got": result.intent, "lang": result.lang,
            "top1": result.intent == case["i"], "top3": case["i"] in ranked[:3],
            "critical": case["i"] in priority, "k": case.get("k"),
            "alarm": result.danger is not None or result.intent in priority,
            "lang_ok": result.lang == case.get("l"),
            "p": expected_place, "got_place": got_place,
            "place_ok": _same_place(nlu, expected_place, got_place),
        })
    return report


def _same_place(nlu: NLU, expected: str | None, got: str | None) -> bool:
    """The expected place names the town found: same name, or a spelling of it ("Haltern", "Cologne", a postcode)."""
    if expected is None or got is None:
        return False
    if fold(expected) == fold(got):
        return True
    found = nlu.places.find(expected)
    return found is not None and found.place.name == got


def format_table(report: Report) -> str:
    """A per-language table (intent top1/top3, detected language, place), then the misses."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in report.rows:
        groups[row["l"]].append(row)
    groups["all"] = report.rows

    def frac(rows: list[dict[str, Any]], key: str) -> str:
        return f"{sum(bool(r[key]) for r in rows) / len(rows):.3f}" if rows else "-"

    lines = [f"{'lang':<6}{'n':>5}{'top1':>8}{'top3':>8}{'lang ok':>9}{'place':>8}{'danger':>8}{'alarms':>8}"]
    for lang in [*sorted(k for k in groups if k != "all"), "all"]:
        rows = groups[lang]
        placed = [r for r in rows if r.get("p")]
        critical = [r for r in rows if r["critical"]]
        ordinary = [r for r in rows if not r["critical"]]
        lines.append(f"{lang:<6}{len(rows):>5}{frac(rows, 'top1'):>8}{frac(rows, 'top3'):>8}"
                     f"{frac(rows, 'lang_ok'):>9}{frac(placed, 'place_ok'):>8}{frac(critical, 'alarm'):>8}"
                     f"{frac(ordinary, 'alarm'):>8}")
    misses = [r for r in report.rows if not r["top1"]]
    if misses:
        lines.append("misses:")
        lines += [f"  [{r['l']}] {r['t']!r}: expected {r['i']}, got {r['got']}" for r in misses]
    missed = [r for r in report.rows if r["critical"] and not r["alarm"]]
    if missed:
        lines.append("danger missed:")
        lines += [f"  [{r['l']}] {r['t']!r}: expected {r['i']}, got {r['got']}" for r in missed]
    alarms = [r for r in report.rows if not r["critical"] and r["alarm"]]
    if alarms:
        lines.append("false alarms:")
        lines += [f"  [{r['l']}] {r['t']!r}: expected {r['i']}, got {r['got']}" for r in alarms]
    wrong_places = [r for r in report.rows if r.get("p") and not r["place_ok"]]
    if wrong_places:
        lines.append("places missed:")
        lines += [f"  [{r['l']}] {r['t']!r}: expected {r['p']}, got {r['got_place']}" for r in wrong_places]
    wrong_lang = [r for r in report.rows if not r["lang_ok"]]
    if wrong_lang:
        lines.append("language missed:")
        lines += [f"  [{r['l']}] {r['t']!r}: got {r['lang']}" for r in wrong_lang]
    return "\n".join(lines)
