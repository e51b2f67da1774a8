"""Claim tokens on daily runs (migration 0003): which claims a scheduler reconciles, and the
compare-and-swap that keeps a process that lost its claim from rewriting the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.storage import Database

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
