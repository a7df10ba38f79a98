"""Settings for Lotse: `Settings.from_env()` is the only place that reads the environment.

Every value is checked once, when the command starts: a bad one raises `SettingsError` with one line that names
the variable and what is allowed (the CLI prints it and exits with status 2), instead of a traceback later or a
silent default. The database lives in a data directory: `LOTSE_DB` if set, else var/ in a source checkout, else
the platform's user data directory (~/.local/share/lotse on Linux).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import opening_hours

from bot import resources
from bot.i18n import LANGUAGES
from bot.sources.schedule import SyncJob, parse_jobs

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_GRAPH_API_URL = "https://graph.facebook.com/v22.0"  # Meta's Graph API, which serves the WhatsApp Cloud API
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_RESULTS = 10  # offers per answer: more does not fit on a phone screen
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a webhook secret_token
_DISTRICT = re.compile(r"\d{5}")  # a Kreis AGS, e.g. 05978

T = TypeVar("T")


class SettingsError(ValueError):
    """One setting is not usable; the message names the variable, its value and what is allowed."""


def data_dir() -> Path:
    """Where the database lives by default: var/ in a source checkout, else the user data directory."""
    root = resources.checkout()
    if root is not None:
        return root / "var"
    from platformdirs import user_data_path

    return user_data_path("lotse", appauthor=False)


def default_db_path() -> Path:
    """The database file when LOTSE_DB is not set."""
    return data_dir() / "lotse.db"


DEFAULT_TEAM = "Kommunales Integrationszentrum"
INBOX_CHAT = 0  # LOTSE_STAFF_CHAT=inbox: the team answers in the admin's inbox (bot/web/inbox), not on Telegram
_STAFF_CHAT = re.compile(r"LOTSE_STAFF_CHAT(?:_(\d{5}))?")


@dataclass(frozen=True)
class StaffDesk:
    """A team that answers handed-over conversations in a Telegram supergroup with topics.

    `district` is the district key (AGS) it serves, or None for every district without a desk of its own.
    `hours` is in OSM opening_hours syntax ("Mo-Fr 09:00-16:00; PH off"); None means always.
    """

    chat_id: int
    district: str | None = None
    team: str = DEFAULT_TEAM
    hours: str | None = None
    response_hours: int = 24


@dataclass(frozen=True)
class StaffConfig:
    """Every staff desk, and how long closed handoffs are kept."""

    desks: tuple[StaffDesk, ...] = ()
    retention_days: int = 90

    @property
    def inbox(self) -> bool:
        """Does a team answer in the admin's inbox (LOTSE_STAFF_CHAT=inbox)?"""
        return any(desk.chat_id == INBOX_CHAT for desk in self.desks)

    def usable(self, telegram: bool) -> StaffConfig | None:
        """The desks that can answer: Telegram groups need the bot, the inbox needs nothing."""
        desks = tuple(d for d in self.desks if telegram or d.chat_id == INBOX_CHAT)
        return StaffConfig(desks, self.retention_days) if desks else None


def _staff_from_env(get: Callable[[str], str | None], names: Iterable[str]) -> tuple[StaffDesk, ...]:
    """LOTSE_STAFF_CHAT and LOTSE_STAFF_CHAT_<AGS>, each with its own TEAM/HOURS/RESPONSE_HOURS or the general ones."""
    desks = []
    for name in sorted(names):
        match = _STAFF_CHAT.fullmatch(name)
        chat = get(name)
        if match is None or chat is None:
            continue
        district = match.group(1)
        suffix = f"_{district}" if district else ""

        def pick(base: str, suffix: str = suffix) -> str | None:
            return get(base + suffix) or get(base)

        if chat.lower() == "inbox":
            chat = str(INBOX_CHAT)
        elif not chat.lstrip("-").isdigit() or int(chat) == INBOX_CHAT:
            raise ValueError(f"{name} must be a Telegram chat id such as -1001234567890, or 'inbox' for the "
                             f"admin's team inbox, not {chat!r}")
        hours = pick("LOTSE_STAFF_HOURS")
        if hours is not None and not opening_hours.validate(hours):
            raise ValueError(f"LOTSE_STAFF_HOURS{suffix} is not valid opening_hours syntax: {hours!r} "
                             "(example: 'Mo-Fr 09:00-16:00; PH off')")
        response = pick("LOTSE_STAFF_RESPONSE_HOURS") or "24"
        try:
            response_hours = max(1, round(float(response)))
        except ValueError:
            raise ValueError(f"LOTSE_STAFF_RESPONSE_HOURS{suffix} must be a number of hours, "
                             f"not {response!r}") from None
        desks.append(StaffDesk(int(chat), district, pick("LOTSE_STAFF_TEAM") or DEFAULT_TEAM, hours, response_hours))
    return tuple(desks)


@dataclass(frozen=True)
class WhatsAppConfig:
    """The WhatsApp Cloud API number Lotse answers on (all four secrets are needed; none is ever logged)."""

    token: str
    phone_id: str
    app_secret: str
    verify_token: str
    api_base_url: str = DEFAULT_GRAPH_API_URL
    # The approved template that tells a person, after WhatsApp's 24-hour window, that the team has answered.
    template: str = "team_answer"
    # The languages the template is approved in; the first is used for everyone else.
    template_langs: tuple[str, ...] = ("de",)

    def template_lang(self, lang: str) -> str:
        return lang if lang in self.template_langs else self.template_langs[0]


WHATSAPP_SECRETS = ("WHATSAPP_TOKEN", "WHATSAPP_PHONE_ID", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN")


@dataclass(frozen=True)
class Settings:
    """Everything that can be configured, with defaults that run the demo on a laptop."""

    db_path: Path = field(default_factory=default_db_path)
    #: LOTSE_DATABASE_URL: the shared state (sessions, handoffs, the team inbox, rate limits) in PostgreSQL, for
    #: several instances; None keeps it in the SQLite file with everything else.
    database_url: str | None = None
    #: Where the trained classifiers are kept (LOTSE_CACHE); None: a `cache` folder beside the database.
    cache: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    telegram_token: str | None = None
    telegram_api_base_url: str = DEFAULT_API_BASE_URL
    webhook_url: str | None = None
    webhook_secret: str | None = None
    default_lang: str = "de"
    default_district: str | None = None
    results: int = 3
    log_level: str = "INFO"
    admin_token: str | None = None
    staff: StaffConfig = field(default_factory=StaffConfig)
    retention_days: int = 90
    # Each Telegram chat and web chat session may send `rate_burst` messages at once, then `rate_per_minute`;
    # one address of the web chat (many people behind one router) `address_per_minute`, bursts of a third.
    rate_burst: int = 10
    rate_per_minute: float = 30.0
    address_per_minute: float = 300.0
    # All anonymous web chat traffic together (rotating addresses get past the per-address limit), and the new
    # sessions among it (each one a new row in the database); bursts of a third of a minute's allowance.
    web_per_minute: float = 3000.0
    new_sessions_per_minute: float = 120.0
    admin_idle_minutes: int = 30
    # Outside sources of offers (bot/sources/): where they are, and which syncs `lotse serve` runs how often.
    integreat_api: str = "https://cms.integreat-app.de"
    overpass_api: str = "https://overpass-api.de/api/interpreter"
    geocoder_url: str | None = None
    sync_jobs: tuple[SyncJob, ...] = ()
    sync_hours: float = 24.0
    whatsapp: WhatsAppConfig | None = None

    @property
    def cache_dir(self) -> Path:
        """The folder of the trained classifiers: LOTSE_CACHE, else beside the database, where Lotse may write."""
        return self.cache or self.db_path.parent / "cache"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check LOTSE_* and TELEGRAM_* variables; unset or empty means the default."""
        env = os.environ if env is None else env

        def get(name: str, check: Callable[[str, str], T], default: T) -> T:
            value = env.get(name, "").strip()
            return check(name, value) if value else default

        base = cls(db_path=Path("lotse.db"))  # the defaults, without looking for a data directory yet
        db = env.get("LOTSE_DB", "").strip()
        cache = env.get("LOTSE_CACHE", "").strip()
        return cls(
            db_path=Path(db).expanduser() if db else default_db_path(),
            cache=Path(cache).expanduser() if cache else None,
            database_url=get("LOTSE_DATABASE_URL", _database_url, None),
            host=get("LOTSE_HOST", _text, base.host),
            port=get("LOTSE_PORT", _port, base.port),
            telegram_token=get("TELEGRAM_BOT_TOKEN", _text, None),
            telegram_api_base_url=get("TELEGRAM_API_BASE_URL", _http_url, base.telegram_api_base_url),
            webhook_url=get("LOTSE_WEBHOOK_URL", _https_url, None),
            webhook_secret=get("LOTSE_WEBHOOK_SECRET", _secret, None),
            default_lang=get("LOTSE_DEFAULT_LANG", _lang, base.default_lang),
            default_district=get("LOTSE_DISTRICT", _district, None),
            results=get("LOTSE_RESULTS", _results, base.results),
            log_level=get("LOTSE_LOG_LEVEL", _log_level, base.log_level),
            admin_token=get("LOTSE_ADMIN_TOKEN", _text, None),
            retention_days=get("LOTSE_RETENTION_DAYS", _retention, base.retention_days),
            staff=_staff(env),
            rate_burst=get("LOTSE_RATE_BURST", _burst, base.rate_burst),
            rate_per_minute=get("LOTSE_RATE_PER_MINUTE", _rate, base.rate_per_minute),
            address_per_minute=get("LOTSE_ADDRESS_PER_MINUTE", _rate, base.address_per_minute),
            web_per_minute=get("LOTSE_WEB_PER_MINUTE", _rate, base.web_per_minute),
            new_sessions_per_minute=get("LOTSE_NEW_SESSIONS_PER_MINUTE", _rate, base.new_sessions_per_minute),
            admin_idle_minutes=get("LOTSE_ADMIN_IDLE_MINUTES", _idle, base.admin_idle_minutes),
            integreat_api=get("LOTSE_INTEGREAT_API", _http_url, base.integreat_api).rstrip("/"),
            overpass_api=get("LOTSE_OVERPASS_API", _http_url, base.overpass_api),
            geocoder_url=get("LOTSE_GEOCODER_URL", _http_url, None),
            sync_jobs=get("LOTSE_SYNC", _sync_jobs, ()),
            sync_hours=get("LOTSE_SYNC_HOURS", _sync_hours, base.sync_hours),
            whatsapp=_whatsapp(env),
        )


def _whatsapp(env: Mapping[str, str]) -> WhatsAppConfig | None:
    """The WhatsApp channel when its four secrets are set; some of them only is a mistake worth stopping for."""
    values = {name: env.get(name, "").strip() for name in WHATSAPP_SECRETS}
    missing = [name for name, value in values.items() if not value]
    if len(missing) == len(WHATSAPP_SECRETS):
        return None
    if missing:
        raise SettingsError(f"WhatsApp needs {', '.join(WHATSAPP_SECRETS)}; not set: {', '.join(missing)}")
    base = env.get("WHATSAPP_API_BASE_URL", "").strip()
    template = env.get("WHATSAPP_TEMPLATE", "").strip()
    template_lang = env.get("WHATSAPP_TEMPLATE_LANG", "").strip()
    return WhatsAppConfig(
        token=values["WHATSAPP_TOKEN"], phone_id=values["WHATSAPP_PHONE_ID"],
        app_secret=values["WHATSAPP_APP_SECRET"], verify_token=values["WHATSAPP_VERIFY_TOKEN"],
        api_base_url=_http_url("WHATSAPP_API_BASE_URL", base).rstrip("/") if base else DEFAULT_GRAPH_API_URL,
        template=template or WhatsAppConfig.template,
        template_langs=tuple(_lang("WHATSAPP_TEMPLATE_LANG", code.strip()) for code in template_lang.split(",")
                             if code.strip()) or ("de",),
    )


def _staff(env: Mapping[str, str]) -> StaffConfig:
    """The staff desks (LOTSE_STAFF_CHAT, LOTSE_STAFF_CHAT_<AGS> ...) and the retention of closed handoffs."""

    def get(name: str) -> str | None:
        return env.get(name, "").strip() or None

    try:
        desks = _staff_from_env(get, env.keys())
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    retention = get("LOTSE_RETENTION_DAYS")
    days = _retention("LOTSE_RETENTION_DAYS", retention) if retention else StaffConfig.retention_days
    return StaffConfig(desks, days)


def _retention(name: str, value: str) -> int:
    return _whole(name, value, 1, 3650, "days to keep review data and closed handoffs, a whole number from 1 to 3650")


def _burst(name: str, value: str) -> int:
    return _whole(name, value, 1, 1000, "messages one chat may send at once, a whole number from 1 to 1000")


def _rate(name: str, value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = float("nan")
    if not 0.1 <= rate <= 100_000:  # also false for nan
        raise _bad(name, value, "messages per minute, a number from 0.1 to 100000")
    return rate


def _idle(name: str, value: str) -> int:
    return _whole(name, value, 1, 24 * 60, "minutes without a request before an admin is signed out, 1 to 1440")


def _bad(name: str, value: str, allowed: str) -> SettingsError:
    return SettingsError(f"{name}={value!r} is not allowed: {allowed}")


def _text(_name: str, value: str) -> str:
    return value


def _whole(name: str, value: str, low: int, high: int, what: str) -> int:
    allowed = f"{what}, a whole number from {low} to {high}"
    try:
        number = int(value)
    except ValueError:
        raise _bad(name, value, allowed) from None
    if not low <= number <= high:
        raise _bad(name, value, allowed)
    return number


def _port(name: str, value: str) -> int:
    return _whole(name, value, 1, 65535, "a TCP port")


def _results(name: str, value: str) -> int:
    return _whole(name, value, 1, MAX_RESULTS, "offers per answer")


def _lang(name: str, value: str) -> str:
    if value not in LANGUAGES:
        raise _bad(name, value, "one of " + ", ".join(LANGUAGES))
    return value


def _log_level(name: str, value: str) -> str:
    if value.upper() not in LOG_LEVELS:
        raise _bad(name, value, "one of " + ", ".join(LOG_LEVELS))
    return value.upper()


def _district(name: str, value: str) -> str:
    from bot.engine.districts import default_districts

    known = default_districts().by_code
    if not _DISTRICT.fullmatch(value) or value not in known:
        choices = ", ".join(f"{code} ({d.name})" for code, d in sorted(known.items()))
        raise _bad(name, value, f"the five-digit key (AGS) of a Kreis in data/districts.yaml: {choices}")
    return value


def _sync_jobs(name: str, value: str) -> tuple[SyncJob, ...]:
    try:
        return parse_jobs(value)
    except ValueError as exc:
        raise _bad(name, value, f"{exc}; e.g. 'integreat:kreis-recklinghausen osm:05978'") from None


def _sync_hours(name: str, value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        hours = float("nan")
    if not 0.5 <= hours <= 24 * 30:
        raise _bad(name, value, "hours between two syncs, a number from 0.5 to 720")
    return hours


def _http_url(name: str, value: str) -> str:
    if not re.match(r"https?://[^\s/]+", value):
        raise _bad(name, value, "an http:// or https:// URL")
    return value


def _https_url(name: str, value: str) -> str:
    if not re.match(r"https://[^\s/]+", value):
        raise _bad(name, value, "the public https:// URL that reaches /telegram/webhook")
    return value


def _database_url(name: str, value: str) -> str:
    if not re.match(r"postgres(ql)?://\S*$", value):  # the value is not shown: it may hold a password
        raise SettingsError(f"{name} is not allowed: a postgresql:// URL, e.g. postgresql://lotse@db.internal/lotse "
                            "(value not shown)")
    return value


def _secret(name: str, value: str) -> str:
    if not _SECRET.fullmatch(value):
        raise SettingsError(f"{name} is not allowed: 1 to 256 characters A-Z a-z 0-9 _ - (value not shown)")
    return value
