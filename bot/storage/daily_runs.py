"""Daily runs: one row per (guild, local date), the scheduler's restart-safety key.

``claim`` is an INSERT ... ON CONFLICT DO NOTHING, so after a restart (or with two bot
processes by mistake) at most one caller gets the run and posts; the others get None.
A claim carries the claiming process's random token. Every write that ends or takes over a claim
(:meth:`~DailyRunRepository.mark_posted`, :meth:`~DailyRunRepository.mark_failed`,
:meth:`~DailyRunRepository.adopt`) is a compare-and-swap on ``status = 'claimed'`` and that token,
and returns None when the row did not change: a process whose claim was taken over (a deploy
overlap, a successor that thought it dead) can then never overwrite the successor's ``posted``
with its own ``failed``, and learns that it lost.

A claim also records the channel it is about to post in (``channel_id``, migration 0004): after a
crash the post is searched for THERE, even if ``/daily set`` has moved the schedule since, so a post
that went out in the old channel is found instead of being sent again in the new one.
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
        channel_id=row["channel_id"],
    )


class DailyRunRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def claim(
        self,
        guild_id: int,
        local_date: date,
        due_at: datetime,
        now: datetime,
        token: str | None = None,
        *,
        channel_id: int | None = None,
    ) -> DailyRun | None:
        """Claim the day's post; None when this (guild, date) already has a run of any status.

        ``token`` identifies the claiming process so a successor can tell a dead process's claim
        from a live one (None only for callers that predate tokens; those wait for staleness).
        ``channel_id`` is the channel the post is about to go to: a successor reconciling the claim
        searches that channel, not whatever the schedule names by then.
        """
        return await self._insert(guild_id, local_date, "claimed", due_at, now, None, token, channel_id)

    async def mark_skipped(
        self, guild_id: int, local_date: date, reason: str, now: datetime, due_at: datetime | None = None
    ) -> DailyRun | None:
        """Record a deliberate skip under the same unique key; None when the date already has a run."""
        return await self._insert(guild_id, local_date, "skipped", due_at or now, now, reason, None, None)

    async def mark_posted(
        self, run_id: int, post_id: int, now: datetime, *, token: str | None = None
    ) -> DailyRun | None:
        """Finish a claim we hold as posted; None if the run is no longer ``claimed`` under ``token``.

        ``token`` is the holder's claim token (None matches only a tokenless claim). None back means
        another process adopted the run meanwhile: the caller must not report the day as its own.
        """
        result = await self._sql.write(
            "UPDATE daily_runs SET status = 'posted', post_id = ?, posted_at = ?, reason = NULL "
            "WHERE id = ? AND status = 'claimed' AND claim_token IS ?",
            (post_id, to_db_time(now), run_id, token),
        )
        return await self._by_id(run_id) if result.rowcount == 1 else None

    async def mark_failed(
        self, run_id: int, reason: str, now: datetime, *, token: str | None = None
    ) -> DailyRun | None:
        """Finish a claim we hold as failed; None if the run is no longer ``claimed`` under ``token``.

        ``now`` is accepted for symmetry (claimed_at already dates the run). The guard is what keeps
        a process that lost its claim from turning a successor's ``posted`` into ``failed``.
        """
        del now
        result = await self._sql.write(
            "UPDATE daily_runs SET status = 'failed', reason = ? "
            "WHERE id = ? AND status = 'claimed' AND claim_token IS ?",
            (reason, run_id, token),
        )
        return await self._by_id(run_id) if result.rowcount == 1 else None

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

    async def claims_to_reconcile(
        self, guild_id: int, *, token: str, foreign_before: datetime, tokenless_before: datetime
    ) -> list[DailyRun]:
        """``claimed`` runs left unfinished that the process holding ``token`` should reconcile now.

        * our own token: at once. The scheduler calls this under its per-guild lock, so our own
          claim still ``claimed`` here is an attempt of ours that ended early (a transient error);
        * another process's token: once claimed before ``foreign_before``. A guild is served by one
          process, so that process most likely died; but during a deploy the old process may still
          be finishing its send, so its claim gets a short grace before anyone reads the channel;
        * no token (an older bot, which may still be running): once claimed before ``tokenless_before``.
        """
        rows = await self._sql.fetchall(
            "SELECT * FROM daily_runs WHERE guild_id = ? AND status = 'claimed' AND ("
            "claim_token = ? OR (claim_token IS NOT NULL AND claimed_at < ?) "
            "OR (claim_token IS NULL AND claimed_at < ?)) ORDER BY local_date",
            (guild_id, token, to_db_time(foreign_before), to_db_time(tokenless_before)),
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

    async def move_claim(self, run_id: int, channel_id: int, *, token: str) -> DailyRun | None:
        """Point a claim we hold at another channel; None if it is no longer ``claimed`` under ``token``.

        Used when reconciliation found no post in the claimed channel and is about to post the day
        in the schedule's current one: the claim must name the channel of the send now under way,
        or a crash during it would be reconciled against the old channel and post the day twice.
        """
        result = await self._sql.write(
            "UPDATE daily_runs SET channel_id = ? WHERE id = ? AND status = 'claimed' AND claim_token IS ?",
            (channel_id, run_id, token),
        )
        return await self._by_id(run_id) if result.rowcount == 1 else None

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
        channel_id: int | None,
    ) -> DailyRun | None:
        result = await self._sql.write(
            "INSERT INTO daily_runs "
            "(guild_id, local_date, status, due_at, claimed_at, reason, claim_token, channel_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, local_date) DO NOTHING",
            (
                guild_id,
                to_db_date(local_date),
                status,
                to_db_time(due_at),
                to_db_time(now),
                reason,
                token,
                channel_id,
            ),
        )
        if result.rowcount != 1 or result.lastrowid is None:
            return None
        return await self._by_id(result.lastrowid)

    async def _by_id(self, run_id: int) -> DailyRun | None:
        row = await self._sql.fetchone("SELECT * FROM daily_runs WHERE id = ?", (run_id,))
        return None if row is None else _run(row)
