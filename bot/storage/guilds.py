"""Per-guild settings (anonymous reviews, chosen content pack)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.storage._convert import from_db_time, to_db_time
from bot.storage._sql import Sql
from bot.storage.records import GuildSettings


def _settings(row: sqlite3.Row) -> GuildSettings:
    return GuildSettings(
        guild_id=row["guild_id"],
        anonymous_reviews=bool(row["anonymous_reviews"]),
        pack_id=row["pack_id"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


class GuildRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def get(self, guild_id: int) -> GuildSettings | None:
        """Stored settings, or None when the guild never changed a default."""
        row = await self._sql.fetchone("SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return None if row is None else _settings(row)

    async def ensure(self, guild_id: int, now: datetime) -> GuildSettings:
        """Create the defaults row if missing and return the settings."""
        stamp = to_db_time(now)
        await self._sql.write(
            "INSERT INTO guild_settings (guild_id, created_at, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO NOTHING",
            (guild_id, stamp, stamp),
        )
        return await self._require(guild_id)

    async def set_anonymous_reviews(self, guild_id: int, enabled: bool, now: datetime) -> GuildSettings:
        stamp = to_db_time(now)
        await self._sql.write(
            "INSERT INTO guild_settings (guild_id, anonymous_reviews, created_at, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
            "anonymous_reviews = excluded.anonymous_reviews, updated_at = excluded.updated_at",
            (guild_id, int(enabled), stamp, stamp),
        )
        return await self._require(guild_id)

    async def set_pack(self, guild_id: int, pack_id: str | None, now: datetime) -> GuildSettings:
        stamp = to_db_time(now)
        await self._sql.write(
            "INSERT INTO guild_settings (guild_id, pack_id, created_at, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
            "pack_id = excluded.pack_id, updated_at = excluded.updated_at",
            (guild_id, pack_id, stamp, stamp),
        )
        return await self._require(guild_id)

    async def _require(self, guild_id: int) -> GuildSettings:
        settings = await self.get(guild_id)
        assert settings is not None
        return settings
