"""Streaks and "what to practise next": pure arithmetic over a member's answer history.

Streaks count calendar days in the member's own time zone (an answer at 23:30 in Tokyo belongs to
that Tokyo day, not to the UTC day). Practice suggestions use spaced repetition: a question comes
back after an interval that grows with how well it was last answered, so weak answers return soon
and strong ones rarely; never-answered primary questions come first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.model import Question

# Score bands -> days until a question is due again (a coarse Leitner schedule).
REVIEW_INTERVALS: tuple[tuple[int, int], ...] = ((50, 1), (70, 3), (85, 7), (101, 21))


@dataclass(frozen=True, slots=True)
class Streak:
    current: int
    best: int
    answered_today: bool


def streak(answered_at: Iterable[datetime], now: datetime, zone: ZoneInfo) -> Streak:
    """Consecutive local days with an answer, ending today (or yesterday, if today is still open)."""
    _require_aware(now)
    days = sorted({_local_date(moment, zone) for moment in answered_at})
    today = _local_date(now, zone)
    best = run = 0
    previous: date | None = None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    answered_today = bool(days) and days[-1] == today
    alive = bool(days) and (today - days[-1]) <= timedelta(days=1)
    return Streak(current=run if alive else 0, best=best, answered_today=answered_today)


@dataclass(frozen=True, slots=True)
class LastAttempt:
    """The member's latest live answer to one question."""

    answered_at: datetime
    score: int | None


@dataclass(frozen=True, slots=True)
class Suggestion:
    question_id: str
    reason: str
    due_at: datetime | None


def review_interval(score: int | None) -> timedelta:
    if score is None:
        return timedelta(days=1)
    for ceiling, days in REVIEW_INTERVALS:
        if score < ceiling:
            return timedelta(days=days)
    return timedelta(days=REVIEW_INTERVALS[-1][1])


def practice_plan(
    questions: Sequence[Question],
    attempts: Mapping[str, LastAttempt],
    now: datetime,
    limit: int = 3,
) -> list[Suggestion]:
    """What to practise next, most useful first.

    Order: never-answered primary questions (they carry pointers to coach against), then answered
    questions whose review is due (lowest last score first), then never-answered practice questions.
    Questions answered well and not yet due are left alone.
    """
    _require_aware(now)
    fresh_primary: list[Suggestion] = []
    due: list[tuple[int, datetime, Suggestion]] = []
    fresh_practice: list[Suggestion] = []
    for question in questions:
        attempt = attempts.get(question.id)
        if attempt is None:
            target = fresh_practice if question.is_practice else fresh_primary
            target.append(Suggestion(question.id, "not answered yet", None))
            continue
        due_at = attempt.answered_at + review_interval(attempt.score)
        if due_at <= now:
            score = attempt.score if attempt.score is not None else 0
            reason = (
                f"last score {attempt.score}/100, due for another go"
                if attempt.score is not None
                else "due for another go"
            )
            due.append((score, due_at, Suggestion(question.id, reason, due_at)))
    due.sort(key=lambda item: (item[0], item[1]))
    ordered = fresh_primary + [item[2] for item in due] + fresh_practice
    return ordered[:limit]


def _local_date(moment: datetime, zone: ZoneInfo) -> date:
    _require_aware(moment)
    return moment.astimezone(zone).date()


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
