"""Answers members give to a question (a thread message or a modal the bot re-posts)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.storage._convert import from_db_time, from_db_time_opt, to_db_time
from bot.storage._sql import Sql
from bot.storage.records import Answer, AnswerSource


def answer_from_row(row: sqlite3.Row) -> Answer:
    return Answer(
        id=row["id"],
        guild_id=row["guild_id"],
        post_id=row["post_id"],
        question_id=row["question_id"],
        category=row["category"],
        channel_id=row["channel_id"],
        thread_id=row["thread_id"],
        message_id=row["message_id"],
        member_id=row["member_id"],
        text=row["text"],
        source=row["source"],
        created_at=from_db_time(row["created_at"]),
        edited_at=from_db_time_opt(row["edited_at"]),
        deleted_at=from_db_time_opt(row["deleted_at"]),
    )


class AnswerRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def record(
        self,
        *,
        guild_id: int,
        question_id: str,
        category: str,
        member_id: int,
        text: str,
        source: AnswerSource,
        created_at: datetime,
        post_id: int | None = None,
        channel_id: int | None = None,
        thread_id: int | None = None,
        message_id: int | None = None,
    ) -> Answer:
        """Store a new answer. ``category`` is the question's pack category (progress groups by it)."""
        result = await self._sql.write(
            "INSERT INTO answers (guild_id, post_id, question_id, category, channel_id, thread_id, "
            "message_id, member_id, text, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                post_id,
                question_id,
                category,
                channel_id,
                thread_id,
                message_id,
                member_id,
                text,
                source,
                to_db_time(created_at),
            ),
        )
        assert result.lastrowid is not None
        answer = await self.get(result.lastrowid)
        assert answer is not None
        return answer

    async def get(self, answer_id: int) -> Answer | None:
        row = await self._sql.fetchone("SELECT * FROM answers WHERE id = ?", (answer_id,))
        return None if row is None else answer_from_row(row)

    async def by_message(self, message_id: int) -> Answer | None:
        row = await self._sql.fetchone("SELECT * FROM answers WHERE message_id = ?", (message_id,))
        return None if row is None else answer_from_row(row)

    async def update_text(self, message_id: int, text: str, now: datetime) -> Answer | None:
        """Apply an edit; None when no live (non-deleted) answer has this message."""
        result = await self._sql.write(
            "UPDATE answers SET text = ?, edited_at = ? WHERE message_id = ? AND deleted_at IS NULL",
            (text, to_db_time(now), message_id),
        )
        return await self.by_message(message_id) if result.rowcount else None

    async def mark_deleted(self, message_id: int, now: datetime) -> Answer | None:
        """Soft-delete (the row stays for moderation); None when unknown or already deleted."""
        result = await self._sql.write(
            "UPDATE answers SET deleted_at = ? WHERE message_id = ? AND deleted_at IS NULL",
            (to_db_time(now), message_id),
        )
        return await self.by_message(message_id) if result.rowcount else None

    async def answered_question_ids(self, guild_id: int, member_id: int) -> set[str]:
        rows = await self._sql.fetchall(
            "SELECT DISTINCT question_id FROM answers "
            "WHERE guild_id = ? AND member_id = ? AND deleted_at IS NULL",
            (guild_id, member_id),
        )
        return {row["question_id"] for row in rows}

    async def last_answered(self, guild_id: int, member_id: int) -> dict[str, datetime]:
        """When the member last answered each question (live answers only), for "what next" choices."""
        rows = await self._sql.fetchall(
            "SELECT question_id, MAX(created_at) AS last_at FROM answers "
            "WHERE guild_id = ? AND member_id = ? AND deleted_at IS NULL GROUP BY question_id",
            (guild_id, member_id),
        )
        return {row["question_id"]: from_db_time(row["last_at"]) for row in rows}

    async def recent(self, guild_id: int, member_id: int, limit: int = 5) -> list[Answer]:
        """The member's newest live answers, newest first."""
        rows = await self._sql.fetchall(
            "SELECT * FROM answers WHERE guild_id = ? AND member_id = ? AND deleted_at IS NULL "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            (guild_id, member_id, limit),
        )
        return [answer_from_row(row) for row in rows]

    async def count_by_question(self, guild_id: int) -> dict[str, int]:
        """Distinct members with a live answer per question (questions nobody answered are absent)."""
        rows = await self._sql.fetchall(
            "SELECT question_id, COUNT(DISTINCT member_id) AS members FROM answers "
            "WHERE guild_id = ? AND deleted_at IS NULL GROUP BY question_id",
            (guild_id,),
        )
        return {row["question_id"]: row["members"] for row in rows}

    async def count_members_for_post(self, post_id: int) -> int:
        """Distinct members with a live answer to one question post (the daily wrap-up's count)."""
        row = await self._sql.fetchone(
            "SELECT COUNT(DISTINCT member_id) AS members FROM answers "
            "WHERE post_id = ? AND deleted_at IS NULL",
            (post_id,),
        )
        return 0 if row is None else int(row["members"])

    async def answer_dates(self, guild_id: int, member_id: int) -> list[datetime]:
        """When the member answered (live answers, oldest first), for streaks in their time zone."""
        rows = await self._sql.fetchall(
            "SELECT created_at FROM answers WHERE guild_id = ? AND member_id = ? AND deleted_at IS NULL "
            "ORDER BY created_at",
            (guild_id, member_id),
        )
        return [from_db_time(row["created_at"]) for row in rows]
