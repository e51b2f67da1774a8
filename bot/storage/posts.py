"""Question posts: the bot's message (and thread) that asks one pack question."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.storage._convert import from_db_time, from_db_time_opt, to_db_time
from bot.storage._sql import Sql
from bot.storage.records import PostSource, QuestionPost


def _post(row: sqlite3.Row) -> QuestionPost:
    return QuestionPost(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        question_id=row["question_id"],
        source=row["source"],
        posted_by=row["posted_by"],
        is_private=bool(row["is_private"]),
        posted_at=from_db_time(row["posted_at"]),
        archived_at=from_db_time_opt(row["archived_at"]),
    )


class PostRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def create(
        self,
        *,
        guild_id: int,
        channel_id: int,
        message_id: int,
        question_id: str,
        source: PostSource,
        posted_at: datetime,
        thread_id: int | None = None,
        posted_by: int | None = None,
        is_private: bool = False,
    ) -> QuestionPost:
        """Record a posted question. A duplicate message_id/thread_id raises sqlite3.IntegrityError."""
        result = await self._sql.write(
            "INSERT INTO question_posts (guild_id, channel_id, message_id, thread_id, question_id, source, "
            "posted_by, is_private, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                channel_id,
                message_id,
                thread_id,
                question_id,
                source,
                posted_by,
                int(is_private),
                to_db_time(posted_at),
            ),
        )
        assert result.lastrowid is not None
        return await self._require(result.lastrowid)

    async def get(self, post_id: int) -> QuestionPost | None:
        row = await self._sql.fetchone("SELECT * FROM question_posts WHERE id = ?", (post_id,))
        return None if row is None else _post(row)

    async def by_thread(self, thread_id: int) -> QuestionPost | None:
        row = await self._sql.fetchone("SELECT * FROM question_posts WHERE thread_id = ?", (thread_id,))
        return None if row is None else _post(row)

    async def by_message(self, message_id: int) -> QuestionPost | None:
        row = await self._sql.fetchone("SELECT * FROM question_posts WHERE message_id = ?", (message_id,))
        return None if row is None else _post(row)

    async def latest_daily(
        self, guild_id: int, *, exclude_message_id: int | None = None
    ) -> QuestionPost | None:
        """The guild's newest daily post, other than the one of ``exclude_message_id`` if given.

        The scheduler asks for "the previous post" AFTER recording today's (a crash, or a nonce
        replay, may have recorded it already), so it excludes today's message instead of trusting
        the newest row to be yesterday's.
        """
        row = await self._sql.fetchone(
            "SELECT * FROM question_posts WHERE guild_id = ? AND source = 'daily' "
            "AND message_id IS NOT ? ORDER BY posted_at DESC, id DESC LIMIT 1",
            (guild_id, exclude_message_id),
        )
        return None if row is None else _post(row)

    async def set_thread(self, post_id: int, thread_id: int) -> QuestionPost | None:
        """Attach the answer thread, created after the question message was sent."""
        await self._sql.write("UPDATE question_posts SET thread_id = ? WHERE id = ?", (thread_id, post_id))
        return await self.get(post_id)

    async def archive(self, post_id: int, now: datetime) -> QuestionPost | None:
        await self._sql.write(
            "UPDATE question_posts SET archived_at = ? WHERE id = ? AND archived_at IS NULL",
            (to_db_time(now), post_id),
        )
        return await self.get(post_id)

    async def posted_question_ids(self, guild_id: int, source: PostSource = "daily") -> list[str]:
        """Question ids posted in this guild from ``source``, oldest first (repeats kept).

        The domain walks this list to find which questions the current rotation cycle used.
        """
        rows = await self._sql.fetchall(
            "SELECT question_id FROM question_posts WHERE guild_id = ? AND source = ? ORDER BY posted_at, id",
            (guild_id, source),
        )
        return [row["question_id"] for row in rows]

    async def _require(self, post_id: int) -> QuestionPost:
        post = await self.get(post_id)
        assert post is not None
        return post
