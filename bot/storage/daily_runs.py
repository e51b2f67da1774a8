"""Daily runs: one row per (guild, local date), the scheduler's restart-safety key.

``claim`` is an INSERT ... ON CONFLICT DO NOTHING, so after a restart (or with two bot
processes by mistake) at most one caller gets the run and posts; the others get None.
A claim carries the claiming process's random token: a ``claimed`` row under another token was
left by a process that died mid-post, and :meth:`DailyRunRepository.adopt` lets exactly one
successor take it over (compare-and-swap on the token) to reconcile it.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from bot.storage._convert import from_db_time, from_db_time_opt, to_db_date, to_db_time
from bot.storage._sql import Sql
from bot.storage.records import DailyRun, RunStatus


def _run(row: sqlite3.Row) -> DailyRun:
    return DailyRun(
        id=row["id"],
        guild_id=row["guild_id"],
        local_date=date.fromisoformat(row["local_date"]),
        status=row["status"],
        due_at=from_db_time(row["due_at"]),
        claimed_at=from_db_time(row["claimed_at"]),
        posted_at=from_db_time_opt(row["posted_at"]),
        post_id=row["post_id"],
        reason=row["reason"],
        claim_token=row["claim_token"],
    )


class DailyRunRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def claim(
        self, guild_id: int, local_date: date, due_at: datetime, now: datetime, token: str | None = None
    ) -> DailyRun | None:
        """Claim the day's post; None when this (guild, date) already has a run of any status.

        ``token`` identifies the claiming process so a successor can tell a dead process's claim
        from a live one (None only for callers that predate tokens; those wait for staleness).
        """
        return await self._insert(guild_id, local_date, "claimed", due_at, now, None, token)

    async def mark_skipped(
        self, guild_id: int, local_date: date, reason: str, now: datetime, due_at: datetime | None = None
    ) -> DailyRun | None:
        """Record a deliberate skip under the same unique key; None when the date already has a run."""
        return await self._insert(guild_id, local_date, "skipped", due_at or now, now, reason, None)

    async def mark_posted(self, run_id: int, post_id: int, now: datetime) -> DailyRun | None:
        await self._sql.write(
            "UPDATE daily_runs SET status = 'posted', post_id = ?, posted_at = ?, reason = NULL WHERE id = ?",
            (post_id, to_db_time(now), run_id),
        )
        return await self._by_id(run_id)

    async def mark_failed(self, run_id: int, reason: str, now: datetime) -> DailyRun | None:
        """Mark a claimed run failed; ``now`` is accepted for symmetry (claimed_at already dates it)."""
        del now
        await self._sql.write(
            "UPDATE daily_runs SET status = 'failed', reason = ? WHERE id = ?", (reason, run_id)
        )
        return await self._by_id(run_id)

    async def get(self, guild_id: int, local_date: date) -> DailyRun | None:
        row = await self._sql.fetchone(
            "SELECT * FROM daily_runs WHERE guild_id = ? AND local_date = ?",
            (guild_id, to_db_date(local_date)),
        )
        return None if row is None else _run(row)

    async def last_run(self, guild_id: int) -> DailyRun | None:
        row = await self._sql.fetchone(
            "SELECT * FROM daily_runs WHERE guild_id = ? ORDER BY local_date DESC LIMIT 1", (guild_id,)
        )
        return None if row is None else _run(row)

    async def dates_since(self, guild_id: int, since: date) -> set[date]:
        """Local dates on or after ``since`` that already have a run of any status (the "handled" set)."""
        rows = await self._sql.fetchall(
            "SELECT local_date FROM daily_runs WHERE guild_id = ? AND local_date >= ?",
            (guild_id, to_db_date(since)),
        )
        return {date.fromisoformat(row["local_date"]) for row in rows}

    async def release(self, run_id: int) -> bool:
        """Delete a still-``claimed`` run so the scheduler may retry the day (after a transient error).

        Only a claimed row is removed: a run that was posted, skipped or failed is history.
        """
        result = await self._sql.write(
            "DELETE FROM daily_runs WHERE id = ? AND status = 'claimed'", (run_id,)
        )
        return result.rowcount == 1

    async def stale_claims(self, guild_id: int, claimed_before: datetime) -> list[DailyRun]:
        """Runs still ``claimed`` since before ``claimed_before``: a process died inside the send window."""
        rows = await self._sql.fetchall(
            "SELECT * FROM daily_runs WHERE guild_id = ? AND status = 'claimed' AND claimed_at < ? "
            "ORDER BY local_date",
            (guild_id, to_db_time(claimed_before)),
        )
        return [_run(row) for row in rows]

    async def claims_to_reconcile(self, guild_id: int, claimed_before: datetime) -> list[DailyRun]:
        """``claimed`` runs left unfinished: any with a token now, tokenless ones once stale.

        The scheduler calls this under its per-guild lock, and a guild is served by one process,
        so no attempt is in flight: a claim with a token (a dead process's, or our own attempt that
        ended early) is unfinished business. A claim without a token comes from an older bot that
        may still be running during a deploy, so it is only taken once older than ``claimed_before``.
        """
        rows = await self._sql.fetchall(
            "SELECT * FROM daily_runs WHERE guild_id = ? AND status = 'claimed' "
            "AND (claim_token IS NOT NULL OR claimed_at < ?) ORDER BY local_date",
            (guild_id, to_db_time(claimed_before)),
        )
        return [_run(row) for row in rows]

    async def adopt(self, run: DailyRun, token: str) -> DailyRun | None:
        """Take over a ``claimed`` run if it is still as ``run`` saw it; None if someone else did.

        Compare-and-swap on the old token: of two processes reconciling the same row (a deploy
        overlap), only one gets it. ``claimed_at`` is kept: it bounds the channel-history search.
        """
        result = await self._sql.write(
            "UPDATE daily_runs SET claim_token = ? WHERE id = ? AND status = 'claimed' AND claim_token IS ?",
            (token, run.id, run.claim_token),
        )
        return await self._by_id(run.id) if result.rowcount == 1 else None

    async def last_posted(self, guild_id: int) -> DailyRun | None:
        """The newest run that actually posted (``last_run`` may be a skip or failure)."""
        row = await self._sql.fetchone(
            "SELECT * FROM daily_runs WHERE guild_id = ? AND status = 'posted' "
            "ORDER BY local_date DESC LIMIT 1",
            (guild_id,),
        )
        return None if row is None else _run(row)

    async def _insert(
        self,
        guild_id: int,
        local_date: date,
        status: RunStatus,
        due_at: datetime,
        now: datetime,
        reason: str | None,
        token: str | None,
    ) -> DailyRun | None:
        result = await self._sql.write(
            "INSERT INTO daily_runs (guild_id, local_date, status, due_at, claimed_at, reason, claim_token) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, local_date) DO NOTHING",
            (guild_id, to_db_date(local_date), status, to_db_time(due_at), to_db_time(now), reason, token),
        )
        if result.rowcount != 1 or result.lastrowid is None:
            return None
        return await self._by_id(result.lastrowid)

    async def _by_id(self, run_id: int) -> DailyRun | None:
        row = await self._sql.fetchone("SELECT * FROM daily_runs WHERE id = ?", (run_id,))
        return None if row is None else _run(row)
