"""Mock interview sessions and their turns: the whole state of a `/mock` run, so restarts resume it.

Concurrency rules live in SQL rather than in memory: a partial unique index allows one active
session per (guild, member), a turn is claimed by the first answer with ``answer_id IS NULL``,
and advancing checks the expected ``current_index`` so two racing handlers cannot both move on.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.storage._convert import from_db_time, from_db_time_opt, to_db_time
from bot.storage._sql import Sql
from bot.storage.records import MockSession, MockStatus, MockTurn


def _turn(row: sqlite3.Row) -> MockTurn:
    return MockTurn(
        session_id=row["session_id"],
        position=row["position"],
        question_id=row["question_id"],
        post_id=row["post_id"],
        asked_at=from_db_time(row["asked_at"]),
        answer_id=row["answer_id"],
        answered_at=from_db_time_opt(row["answered_at"]),
    )


def _session(row: sqlite3.Row, turns: Sequence[MockTurn]) -> MockSession:
    return MockSession(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        thread_id=row["thread_id"],
        member_id=row["member_id"],
        question_ids=tuple(json.loads(row["question_ids"])),
        budget=timedelta(seconds=row["budget_seconds"]),
        current_index=row["current_index"],
        status=row["status"],
        intro_message_id=row["intro_message_id"],
        started_at=from_db_time(row["started_at"]),
        ended_at=from_db_time_opt(row["ended_at"]),
        turns=tuple(turns),
    )


class MockSessionRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def create(
        self,
        *,
        guild_id: int,
        channel_id: int,
        thread_id: int,
        member_id: int,
        question_ids: Sequence[str],
        budget: timedelta,
        first_post_id: int,
        started_at: datetime,
        intro_message_id: int | None = None,
    ) -> MockSession | None:
        """Record a session together with its first asked question (turn 0), atomically.

        Returns None when the member already has an active session in this guild (the unique
        index decides, so two concurrent starts cannot both succeed).
        """
        if not question_ids:
            raise ValueError("a mock session needs at least one question")
        seconds = int(budget.total_seconds())
        if seconds <= 0:
            raise ValueError("the time budget must be positive")
        async with self._sql.transaction() as tx:
            result = await tx.execute(
                "INSERT INTO mock_sessions (guild_id, channel_id, thread_id, member_id, question_ids, "
                "budget_seconds, intro_message_id, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (
                    guild_id,
                    channel_id,
                    thread_id,
                    member_id,
                    json.dumps(list(question_ids)),
                    seconds,
                    intro_message_id,
                    to_db_time(started_at),
                ),
            )
            if result.rowcount != 1 or result.lastrowid is None:
                return None
            session_id = result.lastrowid
            await tx.execute(
                "INSERT INTO mock_turns (session_id, position, question_id, post_id, asked_at) "
                "VALUES (?, 0, ?, ?, ?)",
                (session_id, question_ids[0], first_post_id, to_db_time(started_at)),
            )
        return await self.get(session_id)

    async def get(self, session_id: int) -> MockSession | None:
        row = await self._sql.fetchone("SELECT * FROM mock_sessions WHERE id = ?", (session_id,))
        return None if row is None else await self._with_turns(row)

    async def by_thread(self, thread_id: int) -> MockSession | None:
        row = await self._sql.fetchone("SELECT * FROM mock_sessions WHERE thread_id = ?", (thread_id,))
        return None if row is None else await self._with_turns(row)

    async def active_for(self, guild_id: int, member_id: int) -> MockSession | None:
        """The member's unfinished session in this guild, if any."""
        row = await self._sql.fetchone(
            "SELECT * FROM mock_sessions WHERE guild_id = ? AND member_id = ? AND status = 'active'",
            (guild_id, member_id),
        )
        return None if row is None else await self._with_turns(row)

    async def by_post(self, post_id: int) -> MockSession | None:
        """The session that asked this question post (any status)."""
        row = await self._sql.fetchone(
            "SELECT s.* FROM mock_sessions s JOIN mock_turns t ON t.session_id = s.id WHERE t.post_id = ?",
            (post_id,),
        )
        return None if row is None else await self._with_turns(row)

    async def current_post_id(self, thread_id: int) -> int | None:
        """The question post an answer in this thread belongs to: the active session's current turn."""
        row = await self._sql.fetchone(
            "SELECT t.post_id FROM mock_sessions s JOIN mock_turns t "
            "ON t.session_id = s.id AND t.position = s.current_index "
            "WHERE s.thread_id = ? AND s.status = 'active'",
            (thread_id,),
        )
        return None if row is None else row["post_id"]

    async def record_answer(
        self, session_id: int, position: int, answer_id: int, answered_at: datetime
    ) -> bool:
        """Claim turn ``position`` for an answer; False when another answer already counted for it."""
        result = await self._sql.write(
            "UPDATE mock_turns SET answer_id = ?, answered_at = ? "
            "WHERE session_id = ? AND position = ? AND answered_at IS NULL",
            (answer_id, to_db_time(answered_at), session_id, position),
        )
        return result.rowcount == 1

    async def advance(
        self, session_id: int, position: int, question_id: str, post_id: int, asked_at: datetime
    ) -> MockSession | None:
        """Record the next asked question and make it current; None unless ``position`` is next.

        The check on ``current_index = position - 1`` makes a repeated or racing call a no-op.
        """
        async with self._sql.transaction() as tx:
            moved = await tx.execute(
                "UPDATE mock_sessions SET current_index = ? "
                "WHERE id = ? AND status = 'active' AND current_index = ?",
                (position, session_id, position - 1),
            )
            if moved.rowcount != 1:
                return None
            await tx.execute(
                "INSERT INTO mock_turns (session_id, position, question_id, post_id, asked_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (session_id, position, question_id, post_id, to_db_time(asked_at)),
            )
        return await self.get(session_id)

    async def end(self, session_id: int, status: MockStatus, now: datetime) -> bool:
        """Finish or stop an active session; False if it had already ended."""
        if status == "active":
            raise ValueError("end() takes 'finished' or 'stopped'")
        result = await self._sql.write(
            "UPDATE mock_sessions SET status = ?, ended_at = ? WHERE id = ? AND status = 'active'",
            (status, to_db_time(now), session_id),
        )
        return result.rowcount == 1

    async def set_intro_message(self, session_id: int, message_id: int) -> None:
        await self._sql.write(
            "UPDATE mock_sessions SET intro_message_id = ? WHERE id = ?", (message_id, session_id)
        )

    async def _with_turns(self, row: sqlite3.Row) -> MockSession:
        turns = await self._sql.fetchall(
            "SELECT * FROM mock_turns WHERE session_id = ? ORDER BY position", (row["id"],)
        )
        return _session(row, [_turn(t) for t in turns])
