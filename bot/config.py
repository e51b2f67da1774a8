"""Settings from environment variables, with an optional `.env` file underneath.

The environment always wins over `.env`, so a container's `env_file` and a shell export behave the
same way. The token has no default and is never part of `repr()` or logs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_BASE_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str = field(repr=False)
    database_path: Path = Path("data/interview.db")
    content_dir: Path = Path("content")
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    api_base_url: str = DEFAULT_API_BASE_URL
    gateway_url: str = DEFAULT_GATEWAY_URL
    question_cooldown_seconds: float = 120.0
    shard_id: int | None = None
    shard_count: int | None = None
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, require_token: bool = True) -> Settings:
        """Read settings; `require_token=False` serves commands that never connect (validate, coach, db)."""
        env = dict(read_dotenv(Path(".env")))
        env.update(os.environ if environ is None else environ)
        token = env.get("DISCORD_TOKEN", "").strip()
        if require_token and not token:
            raise SettingsError(
                "DISCORD_TOKEN is not set. Put the bot token from the Discord developer portal in the "
                "environment or in .env (see .env.example)."
            )
        shard_id = _optional_int(env, "SHARD_ID")
        shard_count = _optional_int(env, "SHARD_COUNT")
        if (shard_id is None) != (shard_count is None):
            raise SettingsError("SHARD_ID and SHARD_COUNT must be set together (or neither).")
        if shard_id is not None and shard_count is not None and not 0 <= shard_id < shard_count:
            raise SettingsError("SHARD_ID must be between 0 and SHARD_COUNT - 1.")
        log_level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
        if log_level not in LOG_LEVELS:
            raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}.")
        cooldown = _optional_float(env, "QUESTION_COOLDOWN_SECONDS")
        metrics_port = _optional_int(env, "METRICS_PORT")
        if metrics_port is not None and not 0 < metrics_port < 65536:
            raise SettingsError("METRICS_PORT must be a TCP port between 1 and 65535.")
        return cls(
            token=token,
            database_path=Path(env.get("DATABASE_PATH") or "data/interview.db"),
            content_dir=Path(env.get("CONTENT_DIR") or "content"),
            dev_guild_id=_optional_int(env, "DEV_GUILD_ID"),
            log_level=log_level,
            api_base_url=(env.get("DISCORD_API_BASE_URL") or DEFAULT_API_BASE_URL).rstrip("/"),
            gateway_url=env.get("DISCORD_GATEWAY_URL") or DEFAULT_GATEWAY_URL,
            question_cooldown_seconds=120.0 if cooldown is None else cooldown,
            shard_id=shard_id,
            shard_count=shard_count,
            metrics_port=metrics_port,
            metrics_host=env.get("METRICS_HOST") or "127.0.0.1",
        )


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a minimal `.env`: KEY=VALUE lines, `#` comments, optional quotes, optional `export`."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def _optional_int(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}.") from None


def _optional_float(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}.") from None
    if value < 0:
        raise SettingsError(f"{name} cannot be negative.")
    return value
