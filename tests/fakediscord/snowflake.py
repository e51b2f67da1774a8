"""Timestamp-based snowflake ids, so ``(id >> 22)`` gives a real creation time as on Discord.

discord.py derives ``created_at`` and shard routing (``(guild_id >> 22) % shard_count``) from ids,
so random integers would give nonsense dates and skewed sharding.
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1420070400000

_counter = itertools.count()


def new_snowflake(now_ms: int | None = None) -> int:
    """Return a fresh, process-unique snowflake for the current (or given) unix time in ms."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    increment = next(_counter) & 0xFFF
    worker = (next(_counter) >> 12) & 0x3FF  # spreads ids when >4096 are made in one millisecond
    return ((ms - DISCORD_EPOCH_MS) << 22) | (worker << 12) | increment


def snowflake_time(snowflake: int) -> datetime:
    """Creation time encoded in a snowflake (aware UTC)."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def iso_now() -> str:
    """ISO-8601 timestamp as Discord writes it in message payloads."""
    return datetime.now(UTC).isoformat()
