"""Settings for Lotse: `Settings.from_env()` is the only place that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot import ROOT

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"


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
    admin_idle_minutes: int = 30

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
            admin_idle_minutes=int(get("LOTSE_ADMIN_IDLE_MINUTES") or base.admin_idle_minutes),
        )
