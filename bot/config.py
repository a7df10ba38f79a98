"""Settings for Lotse: `Settings.from_env()` is the only place that reads the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import opening_hours

from bot import ROOT

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_TEAM = "Kommunales Integrationszentrum"
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

        if not chat.lstrip("-").isdigit():
            raise ValueError(f"{name} must be a Telegram chat id such as -1001234567890, not {chat!r}")
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
class Settings:
    """Everything that can be configured, with defaults that run the demo on a laptop."""

    db_path: Path = ROOT / "var" / "lotse.db"
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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read LOTSE_* and TELEGRAM_* variables; unset or empty means the default."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        base = cls()
        return cls(
            db_path=Path(get("LOTSE_DB") or base.db_path),
            host=get("LOTSE_HOST") or base.host,
            port=int(get("LOTSE_PORT") or base.port),
            telegram_token=get("TELEGRAM_BOT_TOKEN"),
            telegram_api_base_url=get("TELEGRAM_API_BASE_URL") or base.telegram_api_base_url,
            webhook_url=get("LOTSE_WEBHOOK_URL"),
            webhook_secret=get("LOTSE_WEBHOOK_SECRET"),
            default_lang=get("LOTSE_DEFAULT_LANG") or base.default_lang,
            default_district=get("LOTSE_DISTRICT"),
            results=int(get("LOTSE_RESULTS") or base.results),
            log_level=(get("LOTSE_LOG_LEVEL") or base.log_level).upper(),
            admin_token=get("LOTSE_ADMIN_TOKEN"),
            staff=StaffConfig(_staff_from_env(get, env.keys()),
                              int(get("LOTSE_RETENTION_DAYS") or StaffConfig.retention_days)),
        )
