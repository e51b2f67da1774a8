"""Guild settings, daily schedules and daily runs (restart safety), on a real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Database

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
GUILD = 100
DAY = date(2026, 11, 2)


async def test_guild_settings_defaults_and_updates(db: Database) -> None:
    assert await db.guilds.get(GUILD) is None
    ensured = await db.guilds.ensure(GUILD, T0)
    assert (ensured.anonymous_reviews, ensured.pack_id) == (False, None)
    assert await db.guilds.ensure(GUILD, T0 + timedelta(days=1)) == ensured  # no overwrite
    later = T0 + timedelta(hours=1)
    anon = await db.guilds.set_anonymous_reviews(GUILD, True, later)
    assert anon.anonymous_reviews is True and anon.updated_at == later and anon.created_at == T0
    packed = await db.guilds.set_pack(GUILD, "senior-devops", later)
    assert packed.pack_id == "senior-devops" and packed.anonymous_reviews is True
    fresh = await db.guilds.set_pack(7, "x", later)  # creates the row when missing
    assert fresh.anonymous_reviews is False and fresh.created_at == later


async def test_schedule_upsert_get_enabled_disable(db: Database) -> None:
    created = await db.schedules.upsert(
        GUILD, channel_id=10, local_time="09:30", timezone="Europe/Berlin", now=T0, days=0b0011111, role_id=5
    )
    assert created.enabled and created.grace_hours == 6 and created.category is None
    assert created.runs_on(0) and not created.runs_on(6)
    await db.schedules.upsert(200, channel_id=20, local_time="18:00", timezone="UTC", now=T0)
    await db.schedules.set_skip(GUILD, DAY, T0)
    await db.schedules.record_error(GUILD, "Missing Access", T0)
    later = T0 + timedelta(hours=1)
    updated = await db.schedules.upsert(
        GUILD,
        channel_id=11,
        local_time="10:00",
        timezone="Asia/Tokyo",
        now=later,
        category="Linux",
        grace_hours=2,
    )
    assert (updated.channel_id, updated.local_time, updated.timezone) == (11, "10:00", "Asia/Tokyo")
    assert updated.days == 0b1111111 and updated.role_id is None  # reconfigured, not merged
    assert updated.skip_date == DAY and updated.last_error == "Missing Access"  # kept
    assert updated.created_at == T0 and updated.updated_at == later
    assert [s.guild_id for s in await db.schedules.enabled()] == [GUILD, 200]
    disabled = await db.schedules.disable(200, later)
    assert disabled is not None and disabled.enabled is False
    assert [s.guild_id for s in await db.schedules.enabled()] == [GUILD]
    assert await db.schedules.get(404) is None


async def test_schedule_skip_and_errors(db: Database) -> None:
    await db.schedules.upsert(GUILD, channel_id=10, local_time="09:30", timezone="UTC", now=T0)
    skipped = await db.schedules.set_skip(GUILD, DAY, T0)
    assert skipped is not None and skipped.skip_date == DAY
    cleared = await db.schedules.set_skip(GUILD, None, T0)
    assert cleared is not None and cleared.skip_date is None
    failed = await db.schedules.record_error(GUILD, "Forbidden", T0 + timedelta(minutes=1))
    assert failed is not None and failed.last_error == "Forbidden"
    assert failed.last_error_at == T0 + timedelta(minutes=1)
    ok = await db.schedules.clear_error(GUILD)
    assert ok is not None and ok.last_error is None and ok.last_error_at is None


async def test_schedule_rejects_malformed_time(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await db.schedules.upsert(GUILD, channel_id=10, local_time="9:30", timezone="UTC", now=T0)
    with pytest.raises(sqlite3.IntegrityError):
        await db.schedules.upsert(GUILD, channel_id=10, local_time="09:30", timezone="UTC", now=T0, days=0)


async def test_claim_is_once_per_guild_and_local_date(db: Database) -> None:
    due = T0 + timedelta(hours=1)
    run = await db.daily_runs.claim(GUILD, DAY, due, T0)
    assert run is not None
    assert (run.status, run.local_date, run.due_at, run.claimed_at) == ("claimed", DAY, due, T0)
    assert await db.daily_runs.claim(GUILD, DAY, due, T0 + timedelta(minutes=1)) is None
    assert await db.daily_runs.mark_skipped(GUILD, DAY, "too late", T0) is None
    other_guild = await db.daily_runs.claim(200, DAY, due, T0)
    next_day = await db.daily_runs.claim(GUILD, DAY + timedelta(days=1), due + timedelta(days=1), T0)
    assert other_guild is not None and next_day is not None

    post = await db.posts.create(
        guild_id=GUILD, channel_id=10, message_id=1, question_id="q1", source="daily", posted_at=due
    )
    posted = await db.daily_runs.mark_posted(run.id, post.id, due)
    assert posted is not None and (posted.status, posted.post_id, posted.posted_at) == (
        "posted",
        post.id,
        due,
    )
    assert await db.daily_runs.get(GUILD, DAY) == posted
    last = await db.daily_runs.last_run(GUILD)
    assert last is not None and last.local_date == DAY + timedelta(days=1)


async def test_skipped_and_failed_runs(db: Database) -> None:
    skipped = await db.daily_runs.mark_skipped(GUILD, DAY, "admin skip", T0)
    assert skipped is not None and skipped.status == "skipped" and skipped.reason == "admin skip"
    assert skipped.due_at == T0
    assert await db.daily_runs.claim(GUILD, DAY, T0, T0) is None  # a skipped date is never posted
    run = await db.daily_runs.claim(GUILD, DAY + timedelta(days=1), T0, T0)
    assert run is not None
    failed = await db.daily_runs.mark_failed(run.id, "Missing Permissions", T0)
    assert failed is not None and (failed.status, failed.reason) == ("failed", "Missing Permissions")
    assert await db.daily_runs.get(GUILD, date(2030, 1, 1)) is None
    assert await db.daily_runs.last_run(404) is None


async def test_concurrent_claims_from_two_connections_yield_one_winner(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    async with Database.open(path) as first, Database.open(path) as second:
        results = await asyncio.gather(
            *(db.daily_runs.claim(GUILD, DAY, T0, T0) for db in (first, second, first, second))
        )
    assert sum(run is not None for run in results) == 1
