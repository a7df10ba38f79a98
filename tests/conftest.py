"""Shared fixtures: the classifiers trained once per session, a demo database in memory and an engine over it.

`--database=postgresql` (or LOTSE_TEST_DATABASE=postgresql, as `make test-postgres` runs it) puts the database
fixtures on PostgreSQL: the engine's shared state and offers in a fresh schema of a throwaway cluster (the demo
offers copied in), and `database_url` on PostgreSQL only. Without it they are on SQLite (and `database_url` on
both engines)."""

from __future__ import annotations

import compileall
import itertools
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pgcluster
import pytest
from demodb import demo_db
from inboxdesk import Desk, Server, hand_over_on_whatsapp, running, staff
from sqlite_utils import Database

from bot.bench.fakebotapi import FakeBotAPI
from bot.bench.fakegraphapi import FakeGraphAPI
from bot.config import Settings
from bot.engine import Engine
from bot.nlu import NLU, default_nlu
from bot.store import Store
from bot.telegram.runner import TelegramBot

#: One folder of trained classifiers for the whole run, the checkout's own (`make setup` fills it too): a server
#: started in a fresh data directory, in this process or as `lotse serve`, loads them instead of training again.
CACHE = Path(__file__).resolve().parent.parent / "var" / "cache"

#: What default_nlu() trains, as two programs: the danger detector, and the intent classifier (the NLU is given a
#: stand-in for the danger detector, so this one does not train it as well).
FILL_CACHE = (
    "from bot.config import Settings; from bot.nlu.danger import DangerDetector; "
    "from bot.nlu.intents import load_intents; "
    "DangerDetector(load_intents(strict=False), Settings.from_env().cache_dir)",
    "from bot.config import Settings; from bot.geo.gazetteer import default_gazetteer; "
    "from bot.nlu.intents import load_intents; from bot.nlu.understand import NLU; "
    "NLU(load_intents(strict=False), default_gazetteer(), Settings.from_env().cache_dir, danger=True)",
)


ENGINES = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--database", choices=ENGINES, default=None,
                     help="the engine of the database fixtures (default LOTSE_TEST_DATABASE, else sqlite)")


def engine_under_test(config: pytest.Config) -> str:
    """The engine the database fixtures use: --database, else LOTSE_TEST_DATABASE ("postgres" will do)."""
    chosen = config.getoption("--database") or os.environ.get("LOTSE_TEST_DATABASE", "sqlite")
    return "postgresql" if str(chosen).startswith("postgres") else "sqlite"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        on_postgres = engine_under_test(metafunc.config) == "postgresql"
        metafunc.parametrize("database_url", ["postgresql"] if on_postgres else list(ENGINES), indirect=True)


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("LOTSE_CACHE", str(CACHE))  # inherited by every `lotse` subprocess of the tests
    if not hasattr(config, "workerinput"):
        # The package compiled once: with PYTHONDONTWRITEBYTECODE set (as on some CI machines) Python never writes
        # what it compiles, and each of the tests' `lotse` processes would compile all of bot/ again (a second).
        compileall.compile_dir(CACHE.parent.parent / "bot", quiet=1)
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        # Under pytest-xdist the controller fills the cache before any worker starts, so the workers load the
        # classifiers instead of each training them at the same time. In child processes, one per classifier side
        # by side (each trains on one core): the controller only hands out tests and need not hold the models.
        children = [subprocess.Popen([sys.executable, "-c", code]) for code in FILL_CACHE]
        failed = [child.args for child in children if child.wait() != 0]
        if failed:
            raise pytest.UsageError(f"the classifiers could not be trained: {failed}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with a slow test first, each file's tests in their own order: under pytest-xdist the long files start
    while the many quick ones fill the other workers, instead of one of them running alone at the end."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


@pytest.fixture(scope="session", autouse=True)
def trained_nlu() -> NLU:
    """The intent and danger classifiers, trained (or loaded from the cache) before the first test starts."""
    return default_nlu()


@pytest.fixture
def db() -> Database:
    """A fresh in-memory database with the demo offers (tests/demodb.py)."""
    return demo_db()


@pytest.fixture
def shared(request: pytest.FixtureRequest, db: Database) -> Iterator[Store | None]:
    """The engine's shared state: None on SQLite (the demo database itself), else a fresh PostgreSQL database
    holding the schema and a copy of the demo offers (made from `demo_template`)."""
    if engine_under_test(request.config) == "sqlite":
        yield None
        return
    import psycopg

    from bot.store import open_store

    cluster, template = request.getfixturevalue("postgres_cluster"), request.getfixturevalue("demo_template")
    name = f"test_{os.getpid()}_{next(_schemas)}"
    with psycopg.connect(cluster, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        with open_store(database(cluster, name)) as store:
            yield store
    finally:
        with psycopg.connect(cluster, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def database(cluster: str, name: str) -> str:
    """The URL of another database of the cluster."""
    return cluster.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def demo_template(postgres_cluster: str) -> str:
    """A database migrated and holding the demo offers, made once: each test's own is a copy of its files
    (`CREATE DATABASE ... TEMPLATE`, a fraction of a second), not a migration and a copy of the offers (seconds)."""
    import psycopg

    from bot.store import as_store, open_store
    from bot.store.copy import copy

    name = f"demo_{os.getpid()}"
    with psycopg.connect(postgres_cluster, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    demo = demo_db()
    with open_store(database(postgres_cluster, name)) as store:
        copy(as_store(demo), store)
    return name


@pytest.fixture
def engine(db: Database, shared: Store | None) -> Engine:
    """The engine over the demo database, answering in German unless told otherwise."""
    return Engine(db, default_lang="de", store=shared)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """The fake Telegram Bot API server (bot/bench/fakebotapi.py), on a free port of 127.0.0.1."""
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotAPI, engine: Engine) -> AsyncIterator[TelegramBot]:
    """The real PTB Application over the engine, polling the fake Bot API (no command registration)."""
    settings = Settings(telegram_token=api.token, telegram_api_base_url=api.base_url)
    async with TelegramBot(settings, engine, poll_timeout=5, commands=False) as running:
        yield running
        api.drain()


@pytest.fixture
async def graph_api() -> AsyncIterator[FakeGraphAPI]:
    """The fake WhatsApp Cloud API (bot/bench/fakegraphapi.py), on a free port of 127.0.0.1."""
    async with FakeGraphAPI() as server:
        yield server


@pytest.fixture
async def inbox_server(tmp_path: Path, graph_api: FakeGraphAPI) -> AsyncIterator[Server]:
    """`lotse serve` with the team inbox as the staff desk and WhatsApp (tests/inboxdesk.py)."""
    async with running(tmp_path, graph_api) as server:
        yield server


@pytest.fixture
async def handed_over(inbox_server: Server) -> AsyncIterator[Desk]:
    """Ahmad asked on WhatsApp for a person and wrote to the team; anna is signed in to the inbox."""
    async with aiohttp.ClientSession() as http:
        number = await hand_over_on_whatsapp(inbox_server, http)
    async with staff(inbox_server.url, "anna") as (anna, csrf):
        yield Desk(inbox_server, number, anna, csrf)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster for the whole run (bot/bench/pgcluster.py); its URL."""
    with pgcluster.cluster() as url:
        yield url


_schemas = itertools.count()


@pytest.fixture
def pg_url(postgres_cluster: str) -> Iterator[str]:
    """A URL whose tables land in a fresh schema of the cluster, dropped after the test."""
    import psycopg

    name = f"test_{os.getpid()}_{next(_schemas)}"
    with psycopg.connect(postgres_cluster, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    yield f"{postgres_cluster}?options=-csearch_path%3D{name}"
    with psycopg.connect(postgres_cluster, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The shared state's database on each engine: a SQLite file, and a schema of the throwaway PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lotse.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def stores(database_url: str) -> Iterator[tuple[Store, Store]]:
    """Two instances' stores on one database."""
    from bot.store import open_store

    with open_store(database_url) as one, open_store(database_url) as two:
        yield one, two
