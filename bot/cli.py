"""The `lotse` command: serve, chat, ask, eval, bench, offers, admin, i18n."""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.config import Settings, SettingsError
from bot.i18n import LANGUAGES

if TYPE_CHECKING:
    from bot.engine import Engine


class LazyGroup(click.Group):
    """A group whose subcommands live in other modules and are imported only when used (fast start-up)."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, _sep, attr = self.lazy[cmd_name].partition(":")
            command: click.Command = getattr(importlib.import_module(module_name), attr)
            return command
        return super().get_command(ctx, cmd_name)


# Subcommands owned by their areas: each module defines a click command or group.
LAZY_COMMANDS = {
    "offers": "bot.offers.cli:offers",
    "bench": "bot.bench:bench",
    "link": "bot.telegram.linkcli:link",
    "i18n": "bot.i18n_cli:i18n",
    "intents": "bot.intents_cli:intents",
    "admin": "bot.web.admin.cli:admin",
    "db": "bot.store.cli:db",
}


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS)
@click.version_option(package_name="lotse")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The SQLite database file (default LOTSE_DB, else var/lotse.db in a checkout, else the user "
                   "data directory).")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None) -> None:
    """Lotse: a multilingual help bot for newcomers in German districts.

    Settings come from LOTSE_* variables (see README); a bad one stops every command with exit status 2.

    Example: lotse --db /srv/lotse/lotse.db ask "Deutschkurs in Unna" --json
    """
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        click.echo(f"lotse: {err}", err=True)
        ctx.exit(2)
    if db_path is not None:
        settings = dataclasses.replace(settings, db_path=db_path)
    logging.basicConfig(level=settings.log_level, format=LOG_FORMAT, stream=sys.stderr)
    ctx.obj = settings


def current_settings() -> Settings:
    """The settings the `lotse` group checked at start (read from the environment outside a command)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(Settings) if ctx is not None else None
    return found if found is not None else Settings.from_env()


@cli.command()
@click.option("--demo/--no-demo", default=True, show_default=True,
              help="Fill an empty database with the real contact points and hotlines and example offers; "
                   "--no-demo writes only the real ones.")
def setup(demo: bool) -> None:
    """Create or migrate the database; fill it with the real contact points and national hotlines (and, unless
    --no-demo, marked example offers) when it has none (or only older demo data).

    Example: lotse setup --no-demo
    """
    from bot.offers.db import open_db
    from bot.offers.demo import DEMO_VERSION, build_demo, is_demo_only

    settings = current_settings()
    db = open_db(settings.db_path)
    count = db.execute("SELECT count(*) FROM offers").fetchone()[0]
    version = db.execute("SELECT value FROM meta WHERE key = 'demo_version'").fetchone()
    if count == 0 or (is_demo_only(db) and (version is None or version[0] != DEMO_VERSION)):
        count = build_demo(db, examples=demo)
        what = "demo database" if demo else "database with the real contact points and hotlines"
        click.echo(f"{what} created: {settings.db_path} ({count} offers)")
    else:
        click.echo(f"database ready: {settings.db_path} ({count} offers)")
    from bot.store import open_store, store_for
    from bot.store.copy import seed_offers
    from bot.web.admin.setup import print_setup_link

    if settings.database_url:  # the offers are read from PostgreSQL: it gets the file's when it has none
        with open_store(settings.database_url) as shared, open_store(f"sqlite:///{settings.db_path}") as own:
            if seeded := seed_offers(own, shared):
                click.echo(f"{seeded} offers copied into PostgreSQL, which had none")
    with store_for(db, settings.database_url) as store:
        print_setup_link(store, f"http://{settings.host}:{settings.port}", settings.admin_token is not None)
    from bot.nlu import default_nlu

    # Trains the intent classifier when intents/ changed (then cached), so the first message is answered at once.
    nlu = default_nlu()
    click.echo(f"understanding ready: {len(nlu.intents)} intents, {len(nlu.matcher.examples)} examples")


@cli.command()
@click.option("--host", help="Address to listen on (default LOTSE_HOST or 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default LOTSE_PORT or 8080).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the web chat (and the Telegram bot when TELEGRAM_BOT_TOKEN is set).

    Example: LOTSE_PORT=8081 lotse serve
    """
    from aiohttp import web

    from bot.server import StartRefused, create_server
    from bot.web.health import database_problem

    settings = current_settings()
    host, port = host or settings.host, port or settings.port
    # A database that cannot be written would fail every answer: say so in one line instead of starting.
    try:
        settings.db_path.parent.mkdir(parents=True, exist_ok=True)
        problem = database_problem(settings.db_path)
    except OSError as exc:
        problem = f"its folder cannot be made ({exc.strerror})"
    if problem is not None:
        raise click.ClickException(f"cannot use the database {settings.db_path}: {problem}")
    app = create_server(settings)
    click.echo(f"database: {settings.db_path}")
    from bot.offers.db import open_db
    from bot.store import store_for
    from bot.web.admin.setup import print_setup_link

    setup_db = open_db(settings.db_path)
    with store_for(setup_db, settings.database_url) as store:
        print_setup_link(store, f"http://{host}:{port}", settings.admin_token is not None, fresh=False)
    setup_db.close()
    click.echo(f"Lotse web chat: open http://{host}:{port}/ (Ctrl+C to stop)")
    if settings.telegram_token:
        click.echo(f"Telegram bot: on, via {settings.telegram_api_base_url}")
    try:
        # Said once the socket listens, so that a supervisor (or a test) can wait for it instead of polling.
        web.run_app(app, host=host, port=port, access_log=None,
                    print=lambda _message: click.echo(f"listening on http://{host}:{port}/"))
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except StartRefused as exc:
        raise click.ClickException(str(exc)) from None


def _engine() -> Engine:
    from bot.engine import Engine
    from bot.offers.db import open_db

    settings = current_settings()
    return Engine(open_db(settings.db_path), default_lang=settings.default_lang, results=settings.results,
                  default_district=settings.default_district, retention_days=settings.retention_days)


@cli.command()
@click.argument("text")
@click.option("--lang", type=click.Choice(list(LANGUAGES)),
              help="Language hint, e.g. de or ar.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (intent, score, lang, place, ...).")
def ask(text: str, lang: str | None, as_json: bool) -> None:
    """Show what Lotse understands of TEXT.

    Example: lotse ask "Deutschkurs in Unna" --json
    """
    from bot.nlu import default_nlu

    result = default_nlu().understand(text, lang_hint=lang)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    data = result.to_json()
    place = data["place"]["name"] if data["place"] else "-"
    how = "from the text" if result.lang_confident else "hint or default"
    click.echo(f"intent {data['intent']} ({data['score']:.2f}{', ambiguous' if result.ambiguous else ''}), "
               f"language {data['lang']} ({how}), place {place}")
    for alt in data["alternatives"]:
        click.echo(f"  or {alt['intent']} ({alt['score']:.2f})")


@cli.command()
@click.option("--lang", help="Language to start in.")
def chat(lang: str | None) -> None:
    """Talk to the engine in the terminal (empty line or Ctrl+D ends).

    Example: lotse chat --lang en
    """
    from bot.engine import Incoming

    engine = _engine()
    user = "cli:terminal"
    while True:
        try:
            line = input("> ")
        except EOFError:
            break
        if not line.strip():
            break
        reply = engine.handle(Incoming(user, button=line[1:], lang_hint=lang) if line.startswith("!")
                              else Incoming(user, text=line, lang_hint=lang))
        for message in reply.messages:
            click.echo(message.text)
            for place in message.places:
                click.echo(f"  - {place.name} ({place.distance_km:.1f} km) {place.address}")
            if message.buttons:
                click.echo("  [" + " | ".join(f"{b.label} = !{b.data}" for b in message.buttons) + "]")


@cli.command(name="eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def eval_cmd(file: Path) -> None:
    """Measure intent, language-wise accuracy and place extraction on a YAML file of questions.

    Example: lotse eval tests/data/eval_heldout.yaml
    """
    from bot.nlu.evaluate import evaluate, format_table, load_cases

    report = evaluate(load_cases(file))
    click.echo(format_table(report))
    click.echo(json.dumps(report.summary(), ensure_ascii=False))


def main() -> None:
    """Entry point of the `lotse` script."""
    cli(prog_name="lotse")


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)
