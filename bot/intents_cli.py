"""`lotse intents ...`: intent data that lives outside intents/ (the examples staff taught)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def intents() -> None:
    """Intent data: export what staff taught in the review queue.

    Example: lotse intents export-learned var/learned.yaml
    """


@intents.command("export-learned")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_learned(file: Path) -> None:
    """Write the learned examples to FILE as intent YAML (one document per intent), ready to merge into
    intents/<id>.yaml; "-" writes to standard output.

    Example: lotse intents export-learned var/learned.yaml
    """
    from bot.cli import current_settings
    from bot.engine.learning import as_intent_yaml, learned_examples
    from bot.offers.db import open_db

    settings = current_settings()  # `lotse --db FILE intents ...` wins over LOTSE_DB
    examples = learned_examples(open_db(settings.db_path))
    text = as_intent_yaml(examples, settings.default_lang)
    if str(file) == "-":
        click.echo(text, nl=False)
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    intents_count = len({e.intent for e in examples})
    click.echo(f"{len(examples)} learned examples of {intents_count} intents written to {file}")
