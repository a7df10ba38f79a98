"""`lotse i18n check`: how complete each language is (UI catalog and answers), and what is wrong.

For translators and admins: run it after `make i18n` or after editing intents/answers/*.yaml. It prints one row per
language (translated UI messages, fuzzy ones, answers), then every problem (a missing translation, a placeholder
that differs from the msgid, an answer without sources, a phone number that is not on data/verified_numbers.yaml,
a topic whose button would show its id because it has no translated label), and exits with status 1 when there is
any.
"""

from __future__ import annotations

import re

import click
from babel.messages.pofile import read_po

from bot.engine.answers import load_answers, problems, unverified_numbers
from bot.engine.districts import default_districts
from bot.engine.topics import labels
from bot.i18n import LANGUAGES, LOCALES_DIR
from bot.nlu.intents import CATALOGUE, Intent, load_intents

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def catalog_problems(lang: str) -> tuple[int, int, int, list[str]]:
    """(translated, total, fuzzy, problems) of one language's UI catalog against lotse.pot."""
    with (LOCALES_DIR / "lotse.pot").open("rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    path = LOCALES_DIR / lang / "LC_MESSAGES" / "lotse.po"
    if not path.exists():
        return 0, len(wanted), 0, [f"{lang}: no catalog {path} (pybabel init, see README)"]
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    found: list[str] = []
    translated = fuzzy = 0
    have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    for key in sorted(wanted):
        msg = have.get(key)
        if msg is None:
            found.append(f"{lang}: {key!r} is not in the catalog (run `make i18n`)")
            continue
        forms = [str(f or "") for f in (msg.string if isinstance(msg.string, tuple | list) else (msg.string,))]
        if msg.fuzzy:
            fuzzy += 1
            found.append(f"{lang}: fuzzy {key!r}")
        if lang != "en" and not all(f.strip() for f in forms):
            found.append(f"{lang}: untranslated {key!r}")
            continue
        translated += 1
        ids = [str(i) for i in (msg.id if isinstance(msg.id, tuple | list) else (msg.id,))]
        wanted_ph = {p for i in ids for p in _PLACEHOLDER.findall(i)}
        for form in forms:
            if form and not set(_PLACEHOLDER.findall(form)) <= wanted_ph:
                found.append(f"{lang}: {key!r} has a placeholder the code does not fill: {form!r}")
            found.extend(f"{lang}: {key!r} shows unverified phone number {n!r}" for n in unverified_numbers(form))
    return translated, len(wanted), fuzzy, found


def label_problems(intents: dict[str, Intent], lang: str) -> list[str]:
    """Every topic can become a button ("Did you mean ...?", the menu): it needs a label, translated in `lang`."""
    if lang == "en":  # the labels are English msgids: only a missing label can be wrong here
        return [f"topic {i!r} has no `label:` in intents/{i}.yaml: its id would be shown"
                for i, intent in sorted(intents.items()) if intent.is_topic and not intent.label]
    found: list[str] = []
    path = LOCALES_DIR / lang / "LC_MESSAGES" / "lotse.po"
    if not path.exists():
        return found
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    for intent, label in labels(intents).items():
        msg = catalog.get(label)
        if msg is None or not str(msg.string or "").strip() or msg.fuzzy:
            found.append(f"{lang}: the button label {label!r} (topic {intent}) is not translated")
    return found


@click.group()
def i18n() -> None:
    """Translations and answers: completeness per language.

    Example: lotse i18n check
    """


@i18n.command()
def check() -> None:
    """Print completeness per language and every problem; exit 1 when anything is missing or wrong.

    Example: lotse i18n check
    """
    answers = load_answers()
    intents = load_intents(strict=False)
    found: list[str] = []
    click.echo(f"{'lang':<5} {'name':<18} {'UI':>9} {'fuzzy':>6} {'answers':>9}")
    for lang, name in LANGUAGES.items():
        translated, total, fuzzy, issues = catalog_problems(lang)
        found.extend(issues)
        found.extend(label_problems(intents, lang))
        written = sum(1 for intent in CATALOGUE if intent in answers and answers[intent].text.get(lang))
        click.echo(f"{lang:<5} {name:<18} {translated:>4}/{total:<4} {fuzzy:>6} {written:>4}/{len(CATALOGUE):<4}")
    found.extend(problems(answers, intents, LANGUAGES, default_districts().keys()))
    for line in found:
        click.echo(line, err=True)
    click.echo("all complete" if not found else f"{len(found)} problem(s)")
    raise SystemExit(1 if found else 0)
