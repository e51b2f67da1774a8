"""The latest coaching result per answer, with its red flags in a child table.

Only the summary is stored (score, coverage, counts, flag ids, STAR): the full report can be
recomputed from the answer text and the pack, and storing evidence would duplicate member text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.domain.coaching_types import CoachingReport, StarResult
from bot.domain.model import FlagScope
from bot.storage._convert import from_db_time, to_db_time
from bot.storage._sql import Sql
from bot.storage.records import CoachingResult, SavedRedFlag


def _star_to_json(star: StarResult | None) -> str | None:
    if star is None:
        return None
    return json.dumps(
        {
            "situation": star.situation,
            "task": star.task,
            "action": star.action,
            "result": star.result,
            "quantified_result": star.quantified_result,
        },
        sort_keys=True,
    )


def _star_from_json(text: str | None) -> StarResult | None:
    if text is None:
        return None
    data = json.loads(text)
    return StarResult(
        situation=bool(data["situation"]),
        task=bool(data["task"]),
        action=bool(data["action"]),
        result=bool(data["result"]),
        quantified_result=bool(data["quantified_result"]),
    )


class CoachingRepository:
    def __init__(self, sql: Sql) -> None:
        self._sql = sql

    async def save(
        self,
        answer_id: int,
        *,
        score: int,
        coverage: float | None,
        pointers_total: int,
        pointers_covered: int,
        red_flags: Sequence[tuple[str, FlagScope]],
        star: StarResult | None,
        now: datetime,
    ) -> CoachingResult:
        """Store (or replace) the coaching of an answer and its red flags atomically."""
        async with self._sql.transaction() as tx:
            await tx.execute(
                "INSERT INTO coaching_results (answer_id, score, coverage, pointers_total, pointers_covered, "
                "star, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (answer_id) DO UPDATE SET "
                "score = excluded.score, coverage = excluded.coverage, "
                "pointers_total = excluded.pointers_total, pointers_covered = excluded.pointers_covered, "
                "star = excluded.star, created_at = excluded.created_at",
                (
                    answer_id,
                    score,
                    coverage,
                    pointers_total,
                    pointers_covered,
                    _star_to_json(star),
                    to_db_time(now),
                ),
            )
            await tx.execute("DELETE FROM answer_red_flags WHERE answer_id = ?", (answer_id,))
            for flag_id, scope in dict(red_flags).items():  # one row per flag id
                await tx.execute(
                    "INSERT INTO answer_red_flags (answer_id, flag_id, scope) VALUES (?, ?, ?)",
                    (answer_id, flag_id, scope),
                )
        result = await self.get(answer_id)
        assert result is not None
        return result

    async def save_report(self, answer_id: int, report: CoachingReport, now: datetime) -> CoachingResult:
        """Convenience: store the summary of a domain ``CoachingReport``."""
        return await self.save(
            answer_id,
            score=report.score,
            coverage=report.coverage,
            pointers_total=len(report.pointers),
            pointers_covered=sum(p.covered for p in report.pointers),
            red_flags=[(flag.id, flag.scope) for flag in report.red_flags],
            star=report.star,
            now=now,
        )

    async def get(self, answer_id: int) -> CoachingResult | None:
        row = await self._sql.fetchone("SELECT * FROM coaching_results WHERE answer_id = ?", (answer_id,))
        if row is None:
            return None
        flags = await self._sql.fetchall(
            "SELECT flag_id, scope FROM answer_red_flags WHERE answer_id = ? ORDER BY flag_id", (answer_id,)
        )
        return CoachingResult(
            answer_id=row["answer_id"],
            score=row["score"],
            coverage=row["coverage"],
            pointers_total=row["pointers_total"],
            pointers_covered=row["pointers_covered"],
            red_flags=tuple(SavedRedFlag(flag["flag_id"], flag["scope"]) for flag in flags),
            star=_star_from_json(row["star"]),
            created_at=from_db_time(row["created_at"]),
        )
