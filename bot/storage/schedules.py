"""Daily question schedules, one per guild (configuration plus last error for admins)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from bot.storage._convert import from_db_date_opt, from_db_time, from_db_time_opt, to_db_date, to_db_time
from bot.storage._sql import Sql
from bot.storage.records import DailySchedule

ALL_DAYS = 0b1111111


def _schedule(row: sqlite3.Row) -> DailySchedule:
    return DailySchedule(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        local_time=row["local_time"],
        timezone=row["timezone"],
        role_id=row["role_id"],
        days=row["days"],
        category=row["category"],
        grace_hours=row["grace_hours"],
        enabled=bool(row["enabled"]),
        skip_date=from_db_date_opt(row["skip_date"]),
        last_error=row["last_error"],
        last_error_at=from_db_time_opt(row["last_error_at"]),
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


class ScheduleRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def upsert(
        self,
        guild_id: int,
        *,
        channel_id: int,
        local_time: str,
        timezone: str,
        now: datetime,
        role_id: int | None = None,
        days: int = ALL_DAYS,
        category: str | None = None,
        grace_hours: int = 6,
        enabled: bool = True,
    ) -> DailySchedule:
        """Create or reconfigure; skip_date and last_error are kept (the scheduler clears them)."""
        stamp = to_db_time(now)
        await self._sql.write(
            "INSERT INTO daily_schedules (guild_id, channel_id, local_time, timezone, role_id, days, "
            "category, grace_hours, enabled, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, "
            "local_time = excluded.local_time, timezone = excluded.timezone, role_id = excluded.role_id, "
            "days = excluded.days, category = excluded.category, grace_hours = excluded.grace_hours, "
            "enabled = excluded.enabled, updated_at = excluded.updated_at",
            (
                guild_id,
                channel_id,
                local_time,
                timezone,
                role_id,
                days,
                category,
                grace_hours,
                int(enabled),
                stamp,
                stamp,
            ),
        )
        return await self._require(guild_id)

    async def get(self, guild_id: int) -> DailySchedule | None:
        row = await self._sql.fetchone("SELECT * FROM daily_schedules WHERE guild_id = ?", (guild_id,))
        return None if row is None else _schedule(row)

    async def enabled(self) -> list[DailySchedule]:
        rows = await self._sql.fetchall("SELECT * FROM daily_schedules WHERE enabled = 1 ORDER BY guild_id")
        return [_schedule(row) for row in rows]

    async def disable(self, guild_id: int, now: datetime) -> DailySchedule | None:
        await self._sql.write(
            "UPDATE daily_schedules SET enabled = 0, updated_at = ? WHERE guild_id = ?",
            (to_db_time(now), guild_id),
        )
        return await self.get(guild_id)

    async def set_skip(self, guild_id: int, skip_date: date | None, now: datetime) -> DailySchedule | None:
        """Skip the post of one local date (None cancels the skip).

        Leaves ``updated_at`` alone: the scheduler acts only on occurrences due after the schedule
        was last *configured*, and a skip of tomorrow must not cancel today's pending late post.
        """
        del now  # kept for a uniform repository signature
        await self._sql.write(
            "UPDATE daily_schedules SET skip_date = ? WHERE guild_id = ?",
            (None if skip_date is None else to_db_date(skip_date), guild_id),
        )
        return await self.get(guild_id)

    async def record_error(self, guild_id: int, message: str, now: datetime) -> DailySchedule | None:
        await self._sql.write(
            "UPDATE daily_schedules SET last_error = ?, last_error_at = ? WHERE guild_id = ?",
            (message, to_db_time(now), guild_id),
        )
        return await self.get(guild_id)

    async def clear_error(self, guild_id: int) -> DailySchedule | None:
        await self._sql.write(
            "UPDATE daily_schedules SET last_error = NULL, last_error_at = NULL WHERE guild_id = ?",
            (guild_id,),
        )
        return await self.get(guild_id)

    async def _require(self, guild_id: int) -> DailySchedule:
        schedule = await self.get(guild_id)
        assert schedule is not None
        return schedule
