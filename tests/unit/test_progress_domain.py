from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.packs import load_library
from bot.domain.progress import LastAttempt, practice_plan, review_interval, streak

LIBRARY = load_library(Path(__file__).resolve().parents[2] / "content")
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


def days_ago(*days: float) -> list[datetime]:
    return [NOW - timedelta(days=d) for d in days]


def test_streak_counts_consecutive_days_and_best_run() -> None:
    result = streak(days_ago(0, 1, 1.2, 2, 5, 6, 7, 8), NOW, UTC_ZONE)
    assert (result.current, result.best, result.answered_today) == (3, 4, True)


def test_streak_survives_until_today_ends_then_breaks() -> None:
    assert streak(days_ago(1, 2), NOW, UTC_ZONE).current == 2  # today still open
    assert streak(days_ago(2, 3), NOW, UTC_ZONE).current == 0
    assert streak([], NOW, UTC_ZONE) == streak([], NOW, UTC_ZONE)
    assert streak([], NOW, UTC_ZONE).best == 0


def test_streak_uses_the_members_local_days() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")  # UTC+9
    # 16:00 UTC on day 1 is already day 2 in Tokyo; 14:00 UTC on day 2 is day 2 too.
    moments = [datetime(2026, 6, 1, 16, 0, tzinfo=UTC), datetime(2026, 6, 2, 14, 0, tzinfo=UTC)]
    now = datetime(2026, 6, 2, 15, 30, tzinfo=UTC)  # 00:30 on day 3 in Tokyo
    assert streak(moments, now, UTC_ZONE).current == 2
    in_tokyo = streak(moments, now, tokyo)
    assert (in_tokyo.current, in_tokyo.answered_today) == (1, False)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        streak([], datetime(2026, 1, 1), UTC_ZONE)


def test_review_interval_grows_with_the_score() -> None:
    intervals = [review_interval(score).days for score in (None, 10, 60, 80, 95)]
    assert intervals == [1, 1, 3, 7, 21]


def test_plan_puts_unanswered_primary_first_then_due_weakest_then_practice() -> None:
    primary = [q for q in LIBRARY.all_questions if not q.is_practice]
    attempts = {q.id: LastAttempt(NOW - timedelta(days=30), 90) for q in primary[2:]}
    attempts[primary[5].id] = LastAttempt(NOW - timedelta(days=2), 30)  # weak, due after 1 day
    attempts[primary[6].id] = LastAttempt(NOW - timedelta(hours=2), 20)  # weak but just answered
    plan = practice_plan(LIBRARY.all_questions, attempts, NOW, limit=4)
    assert [s.question_id for s in plan[:2]] == [primary[0].id, primary[1].id]
    assert plan[2].question_id == primary[5].id and "last score 30/100" in plan[2].reason
    assert plan[3].question_id == primary[2].id  # answered well a month ago: due again
    assert all(s.question_id != primary[6].id for s in plan)


def test_plan_is_empty_when_everything_is_fresh() -> None:
    attempts = {q.id: LastAttempt(NOW - timedelta(hours=1), 95) for q in LIBRARY.all_questions}
    assert practice_plan(LIBRARY.all_questions, attempts, NOW) == []
