"""Peer reviews of answers: one per (answer, reviewer), scored per rubric dimension.

A moderator-removed review keeps its row (moderation trail) but leaves every average, count and
queue. Because the answer then reappears in the reviewer's queue, a new submission by the same
reviewer replaces the removed one as a fresh review (``created`` is True, removal cleared).
Reviews of soft-deleted answers no longer count towards the author's received averages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime

from bot.storage._convert import from_db_time, from_db_time_opt, to_db_time
from bot.storage._sql import Sql
from bot.storage.answers import answer_from_row
from bot.storage.records import QueueEntry, Review, ReviewAverages


class ReviewRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def upsert(
        self,
        answer_id: int,
        reviewer_id: int,
        guild_id: int,
        scores: Mapping[str, int],
        comment: str,
        anonymous: bool,
        now: datetime,
    ) -> tuple[Review, bool]:
        """Create or replace the reviewer's review of an answer; returns (review, created)."""
        bad = {dim: score for dim, score in scores.items() if not 1 <= score <= 5}
        if bad:
            raise ValueError(f"review scores must be 1-5, got {bad}")
        stamp = to_db_time(now)
        async with self._sql.transaction() as tx:
            existing = await tx.fetchone(
                "SELECT id, removed_at FROM reviews WHERE answer_id = ? AND reviewer_id = ?",
                (answer_id, reviewer_id),
            )
            if existing is None:
                result = await tx.execute(
                    "INSERT INTO reviews (answer_id, reviewer_id, guild_id, comment, anonymous, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (answer_id, reviewer_id, guild_id, comment, int(anonymous), stamp, stamp),
                )
                assert result.lastrowid is not None
                review_id = result.lastrowid
            elif existing["removed_at"] is not None:  # a fresh review replaces the removed one
                review_id = existing["id"]
                await tx.execute(
                    "UPDATE reviews SET comment = ?, anonymous = ?, created_at = ?, updated_at = ?, "
                    "removed_at = NULL, removed_by = NULL, message_id = NULL WHERE id = ?",
                    (comment, int(anonymous), stamp, stamp, review_id),
                )
            else:
                review_id = existing["id"]
                await tx.execute(
                    "UPDATE reviews SET comment = ?, anonymous = ?, updated_at = ? WHERE id = ?",
                    (comment, int(anonymous), stamp, review_id),
                )
            await tx.execute("DELETE FROM review_scores WHERE review_id = ?", (review_id,))
            for dimension_id, score in scores.items():
                await tx.execute(
                    "INSERT INTO review_scores (review_id, dimension_id, score) VALUES (?, ?, ?)",
                    (review_id, dimension_id, score),
                )
        created = existing is None or existing["removed_at"] is not None
        return await self._require(review_id), created

    async def get(self, review_id: int) -> Review | None:
        row = await self._sql.fetchone("SELECT * FROM reviews WHERE id = ?", (review_id,))
        return None if row is None else await self._review(row)

    async def set_message(self, review_id: int, message_id: int) -> Review | None:
        """Remember the bot's reply that shows this review (for edits and moderation)."""
        await self._sql.write("UPDATE reviews SET message_id = ? WHERE id = ?", (message_id, review_id))
        return await self.get(review_id)

    async def get_by_message(self, message_id: int) -> Review | None:
        row = await self._sql.fetchone("SELECT * FROM reviews WHERE message_id = ?", (message_id,))
        return None if row is None else await self._review(row)

    async def get_for(self, answer_id: int, reviewer_id: int) -> Review | None:
        row = await self._sql.fetchone(
            "SELECT * FROM reviews WHERE answer_id = ? AND reviewer_id = ?", (answer_id, reviewer_id)
        )
        return None if row is None else await self._review(row)

    async def remove(self, review_id: int, moderator_id: int, now: datetime) -> Review | None:
        """Moderator removal; idempotent (the first removal's time and moderator are kept)."""
        await self._sql.write(
            "UPDATE reviews SET removed_at = ?, removed_by = ? WHERE id = ? AND removed_at IS NULL",
            (to_db_time(now), moderator_id, review_id),
        )
        return await self.get(review_id)

    async def received_averages(self, guild_id: int, member_id: int) -> ReviewAverages:
        rows = await self._sql.fetchall(
            "SELECT s.dimension_id, AVG(s.score) AS average FROM review_scores s "
            "JOIN reviews r ON r.id = s.review_id JOIN answers a ON a.id = r.answer_id "
            "WHERE a.guild_id = ? AND a.member_id = ? AND a.deleted_at IS NULL AND r.removed_at IS NULL "
            "GROUP BY s.dimension_id ORDER BY s.dimension_id",
            (guild_id, member_id),
        )
        count = await self._sql.fetchone(
            "SELECT COUNT(*) FROM reviews r JOIN answers a ON a.id = r.answer_id "
            "WHERE a.guild_id = ? AND a.member_id = ? AND a.deleted_at IS NULL AND r.removed_at IS NULL",
            (guild_id, member_id),
        )
        return ReviewAverages(
            averages={row["dimension_id"]: float(row["average"]) for row in rows},
            count=int(count[0]) if count is not None else 0,
        )

    async def given_count(self, guild_id: int, member_id: int) -> int:
        """Non-removed reviews the member wrote in this guild (also of since-deleted answers)."""
        row = await self._sql.fetchone(
            "SELECT COUNT(*) FROM reviews WHERE guild_id = ? AND reviewer_id = ? AND removed_at IS NULL",
            (guild_id, member_id),
        )
        return int(row[0]) if row is not None else 0

    async def count_for_answer(self, answer_id: int) -> int:
        row = await self._sql.fetchone(
            "SELECT COUNT(*) FROM reviews WHERE answer_id = ? AND removed_at IS NULL", (answer_id,)
        )
        return int(row[0]) if row is not None else 0

    async def queue(self, guild_id: int, member_id: int, limit: int = 10) -> list[QueueEntry]:
        """Answers the member could review: fewest reviews first, then oldest first.

        Answers given in private practice threads are never offered: others cannot see them.
        """
        rows = await self._sql.fetchall(
            "SELECT a.*, (SELECT COUNT(*) FROM reviews r WHERE r.answer_id = a.id AND r.removed_at IS NULL) "
            "AS review_count FROM answers a "
            "WHERE a.guild_id = ? AND a.member_id != ? AND a.deleted_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM reviews mine WHERE mine.answer_id = a.id "
            "AND mine.reviewer_id = ? AND mine.removed_at IS NULL) "
            "AND NOT EXISTS (SELECT 1 FROM question_posts p WHERE p.id = a.post_id AND p.is_private = 1) "
            "ORDER BY review_count ASC, a.created_at ASC, a.id ASC LIMIT ?",
            (guild_id, member_id, member_id, limit),
        )
        return [QueueEntry(answer_from_row(row), row["review_count"]) for row in rows]

    async def _review(self, row: sqlite3.Row) -> Review:
        scores = await self._sql.fetchall(
            "SELECT dimension_id, score FROM review_scores WHERE review_id = ? ORDER BY dimension_id",
            (row["id"],),
        )
        return Review(
            id=row["id"],
            answer_id=row["answer_id"],
            reviewer_id=row["reviewer_id"],
            guild_id=row["guild_id"],
            scores={score["dimension_id"]: score["score"] for score in scores},
            comment=row["comment"],
            anonymous=bool(row["anonymous"]),
            message_id=row["message_id"],
            created_at=from_db_time(row["created_at"]),
            updated_at=from_db_time(row["updated_at"]),
            removed_at=from_db_time_opt(row["removed_at"]),
            removed_by=row["removed_by"],
        )

    async def _require(self, review_id: int) -> Review:
        review = await self.get(review_id)
        assert review is not None
        return review
