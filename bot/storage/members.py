"""Member preferences, and the privacy operations: export and delete a member's data.

Deletion policy (``delete_member_data``), chosen so a member can leave without a trace while
other members' progress stays stable:
  * their answers are deleted outright (not soft-deleted), which cascades to the coaching
    results, red flags, and the reviews (with scores) other members wrote about those answers;
  * reviews they *wrote* are anonymised: reviewer_id becomes NULL and the comment is blanked,
    the scores stay so the authors' received averages do not change;
  * question posts they triggered keep existing but lose ``posted_by``; moderation records
    naming them (``reviews.removed_by``) lose the id;
  * their member settings rows are deleted.
Messages already sent to Discord are outside the database and not touched here.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from bot.storage._convert import from_db_time, to_db_time
from bot.storage._sql import Sql
from bot.storage.records import DeletionReport, MemberSettings


def _member(row: sqlite3.Row) -> MemberSettings:
    return MemberSettings(
        guild_id=row["guild_id"],
        member_id=row["member_id"],
        timezone=row["timezone"],
        leaderboard_opt_out=bool(row["leaderboard_opt_out"]),
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


class MemberRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def get(self, guild_id: int, member_id: int) -> MemberSettings | None:
        row = await self._sql.fetchone(
            "SELECT * FROM members WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
        )
        return None if row is None else _member(row)

    async def set_timezone(
        self, guild_id: int, member_id: int, timezone: str | None, now: datetime
    ) -> MemberSettings:
        stamp = to_db_time(now)
        await self._sql.write(
            "INSERT INTO members (guild_id, member_id, timezone, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id, member_id) DO UPDATE SET timezone = excluded.timezone, "
            "updated_at = excluded.updated_at",
            (guild_id, member_id, timezone, stamp, stamp),
        )
        return await self._require(guild_id, member_id)

    async def set_leaderboard_opt_out(
        self, guild_id: int, member_id: int, opt_out: bool, now: datetime
    ) -> MemberSettings:
        stamp = to_db_time(now)
        await self._sql.write(
            "INSERT INTO members (guild_id, member_id, leaderboard_opt_out, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, member_id) DO UPDATE SET "
            "leaderboard_opt_out = excluded.leaderboard_opt_out, updated_at = excluded.updated_at",
            (guild_id, member_id, int(opt_out), stamp, stamp),
        )
        return await self._require(guild_id, member_id)

    async def delete_member_data(self, member_id: int, guild_id: int | None = None) -> DeletionReport:
        """Delete/anonymise the member's data in one guild, or in every guild when guild_id is None."""
        # "? IS NULL OR guild_id = ?" keeps one parameterised statement for both scopes.
        scope = (guild_id, guild_id)
        async with self._sql.transaction() as tx:
            answers = await tx.execute(
                "DELETE FROM answers WHERE member_id = ? AND (? IS NULL OR guild_id = ?)", (member_id, *scope)
            )
            reviews = await tx.execute(
                "UPDATE reviews SET reviewer_id = NULL, comment = '' "
                "WHERE reviewer_id = ? AND (? IS NULL OR guild_id = ?)",
                (member_id, *scope),
            )
            await tx.execute(
                "UPDATE reviews SET removed_by = NULL WHERE removed_by = ? AND (? IS NULL OR guild_id = ?)",
                (member_id, *scope),
            )
            posts = await tx.execute(
                "UPDATE question_posts SET posted_by = NULL "
                "WHERE posted_by = ? AND (? IS NULL OR guild_id = ?)",
                (member_id, *scope),
            )
            # Mock interview sessions are the member's own record (turns cascade with them).
            await tx.execute(
                "DELETE FROM mock_sessions WHERE member_id = ? AND (? IS NULL OR guild_id = ?)",
                (member_id, *scope),
            )
            members = await tx.execute(
                "DELETE FROM members WHERE member_id = ? AND (? IS NULL OR guild_id = ?)", (member_id, *scope)
            )
        return DeletionReport(
            answers_deleted=answers.rowcount,
            reviews_anonymised=reviews.rowcount,
            posts_unlinked=posts.rowcount,
            member_rows_deleted=members.rowcount,
        )

    async def export_member_data(self, member_id: int) -> dict[str, Any]:
        """Everything stored about the member, in every guild, as JSON-able data.

        Reviews they received are included without the reviewers' ids (other people's data).
        """
        settings = await self._sql.fetchall(
            "SELECT guild_id, timezone, leaderboard_opt_out, created_at, updated_at FROM members "
            "WHERE member_id = ? ORDER BY guild_id",
            (member_id,),
        )
        answers = await self._sql.fetchall(
            "SELECT a.id, a.guild_id, a.question_id, a.category, a.channel_id, a.thread_id, a.message_id, "
            "a.text, a.source, a.created_at, a.edited_at, a.deleted_at, c.score, c.coverage, "
            "c.pointers_total, c.pointers_covered, c.star, "
            "(SELECT json_group_array(f.flag_id) FROM answer_red_flags f WHERE f.answer_id = a.id) "
            "AS red_flags "
            "FROM answers a LEFT JOIN coaching_results c ON c.answer_id = a.id "
            "WHERE a.member_id = ? ORDER BY a.created_at, a.id",
            (member_id,),
        )
        given = await self._sql.fetchall(
            "SELECT r.id, r.guild_id, r.answer_id, r.comment, r.anonymous, r.created_at, r.updated_at, "
            "r.removed_at, (SELECT json_group_object(s.dimension_id, s.score) FROM review_scores s "
            "WHERE s.review_id = r.id) AS scores FROM reviews r WHERE r.reviewer_id = ? ORDER BY r.id",
            (member_id,),
        )
        received = await self._sql.fetchall(
            "SELECT r.id, r.guild_id, r.answer_id, r.comment, r.created_at, r.updated_at, r.removed_at, "
            "(SELECT json_group_object(s.dimension_id, s.score) FROM review_scores s "
            "WHERE s.review_id = r.id) AS scores FROM reviews r JOIN answers a ON a.id = r.answer_id "
            "WHERE a.member_id = ? ORDER BY r.id",
            (member_id,),
        )
        posts = await self._sql.fetchall(
            "SELECT id, guild_id, channel_id, message_id, thread_id, question_id, source, is_private, "
            "posted_at "
            "FROM question_posts WHERE posted_by = ? ORDER BY id",
            (member_id,),
        )
        mocks = await self._sql.fetchall(
            "SELECT s.id, s.guild_id, s.thread_id, s.question_ids, s.budget_seconds, s.status, s.started_at, "
            "s.ended_at, (SELECT json_group_array(json_object('position', t.position, 'question_id', "
            "t.question_id, 'asked_at', t.asked_at, 'answer_id', t.answer_id, 'answered_at', t.answered_at)) "
            "FROM mock_turns t WHERE t.session_id = s.id) AS turns "
            "FROM mock_sessions s WHERE s.member_id = ? ORDER BY s.id",
            (member_id,),
        )
        return {
            "member_id": member_id,
            "mock_interviews": [
                {
                    **dict(row),
                    "question_ids": json.loads(row["question_ids"]),
                    "turns": json.loads(row["turns"]),
                }
                for row in mocks
            ],
            "settings": [
                {**dict(row), "leaderboard_opt_out": bool(row["leaderboard_opt_out"])} for row in settings
            ],
            "answers": [_answer_export(row) for row in answers],
            "reviews_given": [_review_export(row) for row in given],
            "reviews_received": [_review_export(row) for row in received],
            "question_posts": [{**dict(row), "is_private": bool(row["is_private"])} for row in posts],
        }

    async def _require(self, guild_id: int, member_id: int) -> MemberSettings:
        member = await self.get(guild_id, member_id)
        assert member is not None
        return member


def _answer_export(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["star"] = None if row["star"] is None else json.loads(row["star"])
    data["red_flags"] = sorted(json.loads(row["red_flags"])) if row["red_flags"] else []
    return data


def _review_export(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["scores"] = json.loads(row["scores"]) if row["scores"] else {}
    if "anonymous" in data:
        data["anonymous"] = bool(data["anonymous"])
    return data
