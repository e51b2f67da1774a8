"""Claim tokens on daily runs (migration 0003): which unfinished claims a scheduler must reconcile."""

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


async def test_claims_to_reconcile_takes_tokened_claims_now_and_tokenless_once_stale(db: Database) -> None:
    tokened = await db.daily_runs.claim(GUILD, DAY, T0, T0, "dead-proc")
    tokenless = await db.daily_runs.claim(GUILD, DAY + timedelta(days=1), T0, T0 + timedelta(minutes=1))
    done = await db.daily_runs.claim(GUILD, DAY + timedelta(days=2), T0, T0, "dead-proc")
    assert tokened and tokenless and done
    await db.daily_runs.mark_failed(done.id, "gone", T0)  # history, never reconciled
    await db.daily_runs.claim(GUILD + 1, DAY, T0, T0, "other-guild")

    fresh = await db.daily_runs.claims_to_reconcile(GUILD, claimed_before=T0)
    assert [r.id for r in fresh] == [tokened.id]
    stale = await db.daily_runs.claims_to_reconcile(GUILD, claimed_before=T0 + timedelta(minutes=2))
    assert [r.id for r in stale] == [tokened.id, tokenless.id]


async def test_adopt_is_a_compare_and_swap_on_the_token(db: Database) -> None:
    run = await db.daily_runs.claim(GUILD, DAY, T0, T0, "dead-proc")
    assert run is not None
    mine = await db.daily_runs.adopt(run, "proc-b")
    assert mine is not None and mine.claim_token == "proc-b" and mine.claimed_at == run.claimed_at
    assert await db.daily_runs.adopt(run, "proc-c") is None  # proc-b got it first
    await db.daily_runs.mark_failed(run.id, "x", T0)
    assert await db.daily_runs.adopt(mine, "proc-c") is None  # only a still-claimed run

    legacy = await db.daily_runs.claim(GUILD, DAY + timedelta(days=1), T0, T0)
    assert legacy is not None
    adopted = await db.daily_runs.adopt(legacy, "proc-b")  # NULL token compares with IS
    assert adopted is not None and adopted.claim_token == "proc-b"
