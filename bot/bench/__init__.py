"""`lotse bench`: performance benchmarks (not timed tests). Each area adds a module with a `run()` function.

`lotse bench` runs them all; `lotse bench nlu` (or offers, telegram, whatsapp, fuzz, instances) runs one. Each prints a
table, and the last line of the output is one JSON object with every measured number.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

# name -> module with `run(echo) -> dict` (prints its own table through echo, returns its numbers).
BENCHES = {
    "nlu": "bot.bench.nlu",
    "offers": "bot.bench.offers",
    "telegram": "bot.bench.telegram",
    "whatsapp": "bot.bench.whatsapp",
    "fuzz": "bot.bench.fuzz",
    "instances": "bot.bench.instances",
}


def _runner(name: str) -> Callable[..., dict[str, Any]]:
    module = importlib.import_module(BENCHES[name])
    run: Callable[..., dict[str, Any]] = module.run
    return run


@click.command()
@click.argument("names", nargs=-1, type=click.Choice(sorted(BENCHES)))
@click.option("--questions", type=click.Path(exists=True, dir_okay=False, path_type=Path), multiple=True,
              help="Eval file for the nlu benchmark, repeatable: each is measured in the same run (default: the "
                   "144 questions shipped in bot/bench/questions.yaml).")
def bench(names: tuple[str, ...], questions: tuple[Path, ...]) -> None:
    """Run performance benchmarks (all when none is named); the last line is JSON.

    Example: lotse bench nlu --questions my_questions.yaml --questions tests/data/eval_heldout.yaml
    """
    results: dict[str, Any] = {}
    for name in names or tuple(BENCHES):
        click.echo(f"== {name}")
        options = {"questions": questions} if name == "nlu" else {}
        results[name] = _runner(name)(click.echo, **options)
    click.echo(json.dumps(results if len(results) > 1 else next(iter(results.values())), ensure_ascii=False))
