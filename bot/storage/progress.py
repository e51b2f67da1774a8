"""Read-only progress queries for one member in one guild (the /progress view).

Totals per category come from the content pack, not from here: storage only knows what was
answered. Only live (non-deleted) answers count everywhere.
"""

from __future__ import annotations

from datetime import datetime

from bot.storage._convert import from_db_time, to_db_time
from bot.storage._sql import Sql
from bot.storage.records import LeaderboardRow, ProgressSummary, RecentAnswer
from bot.storage.reviews import ReviewRepository

TOP_FLAGS = 3
RECENT = 5


class ProgressRepository:
    def __init__(self, sql: Sql, reviews: ReviewRepository) -> None:
        self._sql = sql
        self._reviews = reviews

    async def summary(self, guild_id: int, member_id: int, *, public_only: bool = False) -> ProgressSummary:
        """The member's progress; `public_only` leaves out answers given in private threads.

        Someone else looking a member up must not learn about their private practice or mock
        interviews, not even as counts.
        """
        key = (guild_id, member_id)
        # Queries with "? = 0 OR NOT EXISTS (... is_private ...)" take this flag: 1 leaves out answers
        # given in private threads (one query serves both views).
        filtered = (*key, int(public_only))
        categories = await self._sql.fetchall(
            "SELECT category, COUNT(DISTINCT question_id) AS answered FROM answers a "
            "WHERE guild_id = ? AND member_id = ? AND deleted_at IS NULL "
            "AND (? = 0 OR NOT EXISTS (SELECT 1 FROM question_posts pp "
            "WHERE pp.id = a.post_id AND pp.is_private = 1)) "
            "GROUP BY category ORDER BY category",
            filtered,
        )
        total = await self._sql.fetchone(
            "SELECT COUNT(DISTINCT question_id) FROM answers a "
            "WHERE guild_id = ? AND member_id = ? AND deleted_at IS NULL "
            "AND (? = 0 OR NOT EXISTS (SELECT 1 FROM question_posts pp "
            "WHERE pp.id = a.post_id AND pp.is_private = 1))",
            filtered,
        )
        # Coverage of the member's latest answer to each question: re-answering replaces, not averages.
        coverage = await self._sql.fetchone(
            "WITH latest AS (SELECT id, ROW_NUMBER() OVER (PARTITION BY question_id "
            "ORDER BY created_at DESC, id DESC) AS rn FROM answers "
            "WHERE guild_id = ? AND member_id = ? AND deleted_at IS NULL) "
            "SELECT AVG(c.coverage) FROM latest JOIN coaching_results c ON c.answer_id = latest.id "
            "WHERE latest.rn = 1",
            key,
        )
        # Red flags over every live answer: a habit shows up across attempts.
        flags = await self._sql.fetchall(
            "SELECT f.flag_id, COUNT(*) AS n FROM answer_red_flags f JOIN answers a ON a.id = f.answer_id "
            "WHERE a.guild_id = ? AND a.member_id = ? AND a.deleted_at IS NULL "
            "GROUP BY f.flag_id ORDER BY n DESC, f.flag_id LIMIT ?",
            (*key, TOP_FLAGS),
        )
        recent = await self._sql.fetchall(
            "SELECT a.id, a.question_id, COALESCE(a.thread_id, a.channel_id) AS channel_id, a.message_id, "
            "a.created_at, c.score, COALESCE(p.is_private, 0) AS private FROM answers a "
            "LEFT JOIN coaching_results c ON c.answer_id = a.id "
            "LEFT JOIN question_posts p ON p.id = a.post_id "
            "WHERE a.guild_id = ? AND a.member_id = ? AND a.deleted_at IS NULL "
            "AND (? = 0 OR NOT EXISTS (SELECT 1 FROM question_posts pp "
            "WHERE pp.id = a.post_id AND pp.is_private = 1)) "
            "ORDER BY a.created_at DESC, a.id DESC LIMIT ?",
            (*filtered, RECENT),
        )
        return ProgressSummary(
            answered_by_category={row["category"]: row["answered"] for row in categories},
            answered_total=int(total[0]) if total is not None else 0,
            average_coverage=None if coverage is None or coverage[0] is None else float(coverage[0]),
            top_red_flags=tuple((row["flag_id"], row["n"]) for row in flags),
            recent_answers=tuple(
                RecentAnswer(
                    id=row["id"],
                    question_id=row["question_id"],
                    channel_id=row["channel_id"],
                    message_id=row["message_id"],
                    created_at=from_db_time(row["created_at"]),
                    score=row["score"],
                    private=bool(row["private"]),
                )
                for row in recent
            ),
            reviews_received=await self._reviews.received_averages(guild_id, member_id),
            reviews_given=await self._reviews.given_count(guild_id, member_id),
        )

    async def latest_attempts(self, guild_id: int, member_id: int) -> dict[str, tuple[datetime, int | None]]:
        """Per question: when the member last answered it and that answer's coaching score."""
        rows = await self._sql.fetchall(
            "WITH latest AS (SELECT id, question_id, created_at, ROW_NUMBER() OVER (PARTITION BY question_id "
            "ORDER BY created_at DESC, id DESC) AS rn FROM answers "
            "WHERE guild_id = ? AND member_id = ? AND deleted_at IS NULL) "
            "SELECT latest.question_id, latest.created_at, c.score FROM latest "
            "LEFT JOIN coaching_results c ON c.answer_id = latest.id WHERE latest.rn = 1",
            (guild_id, member_id),
        )
        return {row["question_id"]: (from_db_time(row["created_at"]), row["score"]) for row in rows}

    async def leaderboard(self, guild_id: int, since: datetime, limit: int = 10) -> list[LeaderboardRow]:
        """Most active members since `since`: distinct questions answered, then answers.

        Members who opted out are left out entirely. Scores are private coaching data, so they are
        never part of a ranking; answers in private threads are not counted either.
        """
        rows = await self._sql.fetchall(
            "SELECT a.member_id, COUNT(DISTINCT a.question_id) AS questions, COUNT(*) AS answers "
            "FROM answers a LEFT JOIN members m ON m.guild_id = a.guild_id AND m.member_id = a.member_id "
            "WHERE a.guild_id = ? AND a.deleted_at IS NULL AND a.created_at >= ? "
            "AND (? = 0 OR NOT EXISTS (SELECT 1 FROM question_posts pp "
            "WHERE pp.id = a.post_id AND pp.is_private = 1)) "
            "AND COALESCE(m.leaderboard_opt_out, 0) = 0 "
            "GROUP BY a.member_id ORDER BY questions DESC, answers DESC, MIN(a.created_at) LIMIT ?",
            (guild_id, to_db_time(since), 1, limit),
        )
        return [LeaderboardRow(row["member_id"], row["questions"], row["answers"]) for row in rows]

    async def score_history(
        self, guild_id: int, member_id: int, limit: int = 30
    ) -> list[tuple[datetime, int]]:
        """The member's most recent coached answers as (time, score), oldest first, for charts."""
        rows = await self._sql.fetchall(
            "SELECT a.created_at, c.score FROM answers a JOIN coaching_results c ON c.answer_id = a.id "
            "WHERE a.guild_id = ? AND a.member_id = ? AND a.deleted_at IS NULL "
            "ORDER BY a.created_at DESC, a.id DESC LIMIT ?",
            (guild_id, member_id, limit),
        )
        return [(from_db_time(row["created_at"]), row["score"]) for row in reversed(rows)]
