"""`lotse intents ...`: intent data that lives outside intents/ (the examples staff taught, the topics staff own)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def intents() -> None:
    """Intent data outside intents/: what staff taught in the review queue, and the topics staff own.

    Example: lotse intents import reparaturcafe.yaml
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
    from bot.store import store_for

    settings = current_settings()  # `lotse --db FILE intents ...` wins over LOTSE_DB
    examples = learned_examples(store_for(open_db(settings.db_path), settings.database_url))
    text = as_intent_yaml(examples, settings.default_lang)
    if str(file) == "-":
        click.echo(text, nl=False)
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    intents_count = len({e.intent for e in examples})
    click.echo(f"{len(examples)} learned examples of {intents_count} intents written to {file}")


@intents.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--who", default="import", show_default=True, help="Who the change is recorded for.")
def import_topics(files: tuple[Path, ...], who: str) -> None:
    """Add or replace staff topics from topic files (one YAML per topic: the fields of intents/<id>.yaml, plus
    answer: and sources: as in intents/answers/<id>.yaml, and optionally name:, menu:, district: and link:).
    The running bot learns them without a restart. Every problem of a file is listed; such a file is skipped.

    Example: lotse intents import reparaturcafe.yaml
    """
    from bot.cli import current_settings
    from bot.knowledge.files import TopicFileError, read_topic_file
    from bot.knowledge.store import save_topic
    from bot.nlu.intents import load_intents
    from bot.offers.db import open_db
    from bot.store import store_for

    settings = current_settings()
    db = store_for(open_db(settings.db_path), settings.database_url)  # PostgreSQL when LOTSE_DATABASE_URL is set
    builtin = set(load_intents(strict=False))
    failed = 0
    for path in files:
        try:
            topic = read_topic_file(path, builtin)
        except TopicFileError as exc:
            failed += 1
            click.echo(f"{path}: not imported:", err=True)
            for problem in exc.problems:
                click.echo(f"  {problem}", err=True)
            continue
        save_topic(db, topic, who)
        examples = sum(len(p) for p in topic.examples.values())
        click.echo(f"{path}: topic {topic.id} ({topic.name}) with {examples} examples and answers in "
                   f"{', '.join(sorted(topic.answer))}")
    if failed:
        raise SystemExit(1)


@intents.command("export-district")
@click.argument("ags")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_district(ags: str, directory: Path) -> None:
    """Write the staff topics of district AGS to DIRECTORY, one file per topic (<id>.yaml, with the district's
    answers), ready for `lotse intents import` elsewhere or to be contributed to intents/.

    Example: lotse intents export-district 05978 var/topics-unna
    """
    from bot.cli import current_settings
    from bot.knowledge.files import topic_document, topic_yaml
    from bot.knowledge.store import district_answers, staff_topics
    from bot.offers.db import open_db
    from bot.store import store_for

    settings = current_settings()
    db = store_for(open_db(settings.db_path), settings.database_url)
    own = district_answers(db)
    topics = [t for t in staff_topics(db).values() if t.district == ags]
    directory.mkdir(parents=True, exist_ok=True)
    for topic in topics:
        answers = {lang: text for (intent, code, lang), text in own.items() if intent == topic.id and code == ags}
        (directory / f"{topic.id}.yaml").write_text(topic_yaml(topic_document(topic, answers)), encoding="utf-8")
    click.echo(f"{len(topics)} topics of district {ags} written to {directory}")
