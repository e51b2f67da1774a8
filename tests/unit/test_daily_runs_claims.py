"""Claim tokens (migration 0003) and claim channels (0004) on daily runs: which claims a scheduler
reconciles, where it looks for their post, and the compare-and-swap that keeps a process that lost
its claim from rewriting the day."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiosqlite

from bot.storage import Database
from bot.storage.migrator import DEFAULT_MIGRATIONS_DIR, migrate

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GUILD = 42
DAY = date(2026, 3, 2)


async def test_claim_stores_the_token_and_skips_have_none(db: Database) -> None:
    run = await db.daily_runs.claim(GUILD, DAY, T0, T0, "proc-a")
    assert run is not None and run.claim_token == "proc-a" and run.status == "claimed"
    skipped = await db.daily_runs.mark_skipped(GUILD, DAY + timedelta(days=1), "skip", T0)
    assert skipped is not None and skipped.claim_token is None
    legacy = await db.daily_runs.claim(GUILD + 1, DAY, T0, T0)
    assert legacy is not None and legacy.claim_token is None


async def test_claims_to_reconcile_own_at_once_foreign_after_grace_tokenless_once_stale(
    db: Database,
) -> None:
    own = await db.daily_runs.claim(GUILD, DAY, T0, T0 + timedelta(seconds=30), "me")
    foreign = await db.daily_runs.claim(GUILD, DAY + timedelta(days=1), T0, T0, "dead-proc")
    tokenless = await db.daily_runs.claim(GUILD, DAY + timedelta(days=2), T0, T0)
    done = await db.daily_runs.claim(GUILD, DAY + timedelta(days=3), T0, T0, "me")
    assert own and foreign and tokenless and done
    assert await db.daily_runs.mark_failed(done.id, "gone", T0, token="me")  # history, never reconciled
    await db.daily_runs.claim(GUILD + 1, DAY, T0, T0, "me")  # another guild

    async def pending(foreign_before: datetime, tokenless_before: datetime) -> list[int]:
        runs = await db.daily_runs.claims_to_reconcile(
            GUILD, token="me", foreign_before=foreign_before, tokenless_before=tokenless_before
        )
        return [r.id for r in runs]

    # Right after the claims: only our own (an attempt of ours that ended early).
    assert await pending(T0, T0) == [own.id]
    # Past the foreign grace: the other process's claim too, but not yet the tokenless one.
    assert await pending(T0 + timedelta(seconds=1), T0) == [own.id, foreign.id]
    assert await pending(T0 + timedelta(seconds=1), T0 + timedelta(seconds=1)) == [
        own.id,
        foreign.id,
        tokenless.id,
    ]


async def test_adopt_is_a_compare_and_swap_on_the_token(db: Database) -> None:
    run = await db.daily_runs.claim(GUILD, DAY, T0, T0, "dead-proc")
    assert run is not None
    mine = await db.daily_runs.adopt(run, "proc-b")
    assert mine is not None and mine.claim_token == "proc-b" and mine.claimed_at == run.claimed_at
    assert await db.daily_runs.adopt(run, "proc-c") is None  # proc-b got it first
    assert await db.daily_runs.mark_failed(run.id, "x", T0, token="proc-b") is not None
    assert await db.daily_runs.adopt(mine, "proc-c") is None  # only a still-claimed run

    legacy = await db.daily_runs.claim(GUILD, DAY + timedelta(days=1), T0, T0)
    assert legacy is not None
    adopted = await db.daily_runs.adopt(legacy, "proc-b")  # NULL token compares with IS
    assert adopted is not None and adopted.claim_token == "proc-b"


async def test_a_process_that_lost_its_claim_cannot_overwrite_the_day(db: Database) -> None:
    run = await db.daily_runs.claim(GUILD, DAY, T0, T0, "old-proc")
    assert run is not None
    assert await db.daily_runs.adopt(run, "new-proc") is not None  # a successor took it over
    post = await db.posts.create(
        guild_id=GUILD, channel_id=1, message_id=2, question_id="q", source="daily", posted_at=T0
    )
    # The old process is not dead after all: its finishing writes change nothing and say so.
    assert await db.daily_runs.mark_posted(run.id, post.id, T0, token="old-proc") is None
    assert await db.daily_runs.mark_failed(run.id, "late 503", T0, token="old-proc") is None
    still = await db.daily_runs.get(GUILD, DAY)
    assert still is not None and still.status == "claimed" and still.claim_token == "new-proc"

    posted = await db.daily_runs.mark_posted(run.id, post.id, T0, token="new-proc")
    assert posted is not None and posted.status == "posted" and posted.post_id == post.id
    # Once posted, a late "failed" from either process is refused: posted stays posted.
    assert await db.daily_runs.mark_failed(run.id, "late 503", T0, token="old-proc") is None
    assert await db.daily_runs.mark_failed(run.id, "again", T0, token="new-proc") is None
    final = await db.daily_runs.get(GUILD, DAY)
    assert final is not None and final.status == "posted" and final.reason is None


async def test_latest_daily_can_exclude_todays_message(db: Database) -> None:
    yesterday = await db.posts.create(
        guild_id=GUILD, channel_id=1, message_id=10, question_id="q1", source="daily", posted_at=T0
    )
    today = await db.posts.create(
        guild_id=GUILD,
        channel_id=1,
        message_id=11,
        question_id="q2",
        source="daily",
        posted_at=T0 + timedelta(days=1),
    )
    newest = await db.posts.latest_daily(GUILD)
    assert newest is not None and newest.id == today.id
    previous = await db.posts.latest_daily(GUILD, exclude_message_id=today.message_id)
    assert previous is not None and previous.id == yesterday.id
    assert await db.posts.latest_daily(GUILD + 1, exclude_message_id=11) is None


async def test_claim_stores_the_channel_it_was_claimed_for(db: Database) -> None:
    run = await db.daily_runs.claim(GUILD, DAY, T0, T0, "proc-a", channel_id=555)
    assert run is not None and run.channel_id == 555
    again = await db.daily_runs.get(GUILD, DAY)
    assert again is not None and again.channel_id == 555  # read back from the row, not echoed
    assert await db.daily_runs.claim(GUILD, DAY, T0, T0, "proc-b", channel_id=777) is None
    kept = await db.daily_runs.get(GUILD, DAY)
    assert kept is not None and kept.channel_id == 555 and kept.claim_token == "proc-a"
    legacy = await db.daily_runs.claim(GUILD, DAY + timedelta(days=1), T0, T0, "proc-a")
    assert legacy is not None and legacy.channel_id is None  # falls back to the schedule's channel
    skipped = await db.daily_runs.mark_skipped(GUILD, DAY + timedelta(days=2), "skip", T0)
    assert skipped is not None and skipped.channel_id is None
    adopted = await db.daily_runs.adopt(run, "proc-b")
    assert adopted is not None and adopted.channel_id == 555  # a takeover keeps where to look
    [pending] = await db.daily_runs.claims_to_reconcile(
        GUILD, token="proc-b", foreign_before=T0, tokenless_before=T0
    )
    assert pending.id == run.id and pending.channel_id == 555


async def test_move_claim_is_a_compare_and_swap_on_the_token(db: Database) -> None:
    run = await db.daily_runs.claim(GUILD, DAY, T0, T0, "me", channel_id=555)
    assert run is not None
    assert await db.daily_runs.move_claim(run.id, 777, token="someone-else") is None
    unchanged = await db.daily_runs.get(GUILD, DAY)
    assert unchanged is not None and unchanged.channel_id == 555
    moved = await db.daily_runs.move_claim(run.id, 777, token="me")
    assert moved is not None and moved.channel_id == 777 and moved.status == "claimed"
    assert await db.daily_runs.mark_failed(run.id, "gone", T0, token="me") is not None
    assert await db.daily_runs.move_claim(run.id, 888, token="me") is None  # only a still-claimed run
    final = await db.daily_runs.get(GUILD, DAY)
    assert final is not None and final.channel_id == 777


async def test_claims_made_before_migration_0004_have_no_channel(tmp_path: Path) -> None:
    """Upgrading a database with an unfinished claim keeps it, with channel_id NULL."""
    old = tmp_path / "old-migrations"
    old.mkdir()
    for name in ("0001_initial.sql", "0002_mock_sessions.sql", "0003_daily_claim_token.sql"):
        shutil.copy(DEFAULT_MIGRATIONS_DIR / name, old / name)
    path = tmp_path / "interview.db"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn, old) == 3
        await conn.execute(
            "INSERT INTO daily_runs (guild_id, local_date, status, due_at, claimed_at, claim_token) "
            "VALUES (?, ?, 'claimed', ?, ?, ?)",
            (
                GUILD,
                DAY.isoformat(),
                "2026-03-02T09:00:00.000000+00:00",
                "2026-03-02T09:00:00.000000+00:00",
                "p",
            ),
        )
    async with Database.open(path) as db:
        assert db.schema_version >= 4
        run = await db.daily_runs.get(GUILD, DAY)
        assert run is not None and run.status == "claimed" and run.claim_token == "p"
        assert run.channel_id is None
        claimed = await db.daily_runs.claim(GUILD, DAY + timedelta(days=1), T0, T0, "q", channel_id=9)
        assert claimed is not None and claimed.channel_id == 9
