"""Mock interview sessions: a planned run of questions, each with a time budget.

Pure state and arithmetic (time is passed in), shared by the terminal mode (`python -m bot mock`)
and, on the roadmap, timed mock interviews in private Discord threads.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.coaching_types import CoachingReport
from bot.domain.model import Question

DEFAULT_BUDGET = timedelta(minutes=4)
# A real loop mixes formats: open with behavioural, then design/troubleshooting, then judgement.
CATEGORY_ORDER = ("Behavioural", "Technical", "Situational", "Competency", "Culture fit")


def plan_interview(
    questions: Sequence[Question],
    count: int,
    rng: random.Random,
    *,
    category: str | None = None,
    answered: frozenset[str] = frozenset(),
) -> tuple[Question, ...]:
    """Pick `count` questions, mixing categories like a real loop and preferring unanswered ones.

    Primary questions come before practice ones (they carry pointers to coach against).
    """
    if count < 1:
        raise ValueError("A mock interview needs at least one question.")
    pool = [q for q in questions if category is None or q.category.casefold() == category.casefold()]
    if not pool:
        raise ValueError(f"There are no questions in category {category!r}.")
    by_category: dict[str, list[Question]] = {}
    for question in pool:
        by_category.setdefault(question.category, []).append(question)
    for group in by_category.values():
        rng.shuffle(group)
        group.sort(key=lambda q: (q.id in answered, q.is_practice))
    order = sorted(
        by_category, key=lambda c: CATEGORY_ORDER.index(c) if c in CATEGORY_ORDER else len(CATEGORY_ORDER)
    )
    chosen: list[Question] = []
    while len(chosen) < min(count, len(pool)):
        for name in order:
            if by_category[name] and len(chosen) < count:
                chosen.append(by_category[name].pop(0))
    return tuple(chosen)


@dataclass(frozen=True, slots=True)
class Turn:
    question: Question
    answer: str
    started_at: datetime
    answered_at: datetime
    report: CoachingReport | None

    @property
    def took(self) -> timedelta:
        return self.answered_at - self.started_at


@dataclass
class MockInterview:
    """One candidate's run through planned questions; `ask()` then `answer()` per question."""

    questions: tuple[Question, ...]
    budget: timedelta = DEFAULT_BUDGET
    turns: list[Turn] = field(default_factory=list)
    _asked_at: datetime | None = None

    @property
    def current(self) -> Question | None:
        index = len(self.turns)
        return self.questions[index] if index < len(self.questions) else None

    @property
    def finished(self) -> bool:
        return self.current is None

    def ask(self, now: datetime) -> Question:
        question = self.current
        if question is None:
            raise ValueError("The interview is over.")
        _require_aware(now)
        self._asked_at = now
        return question

    def answer(self, text: str, now: datetime, report: CoachingReport | None) -> Turn:
        question = self.current
        if question is None or self._asked_at is None:
            raise ValueError("No question is waiting for an answer.")
        _require_aware(now)
        turn = Turn(question, text, self._asked_at, now, report)
        self.turns.append(turn)
        self._asked_at = None
        return turn

    def over_budget(self, turn: Turn) -> bool:
        return turn.took > self.budget

    def average_score(self) -> float | None:
        scores = [t.report.score for t in self.turns if t.report is not None]
        return sum(scores) / len(scores) if scores else None

    def weakest(self) -> Turn | None:
        """The turn to practise next: lowest score (ties: the earlier one)."""
        scored = [t for t in self.turns if t.report is not None]
        return min(scored, key=lambda t: t.report.score if t.report else 0) if scored else None


@dataclass(frozen=True, slots=True)
class TurnOutcome:
    """One question of a finished (or stopped) mock as the scorecard shows it, from stored results.

    ``took`` is None when the question was never answered; ``score`` is None when there is no
    coaching to show (unanswered, or the answer was deleted).
    """

    question: Question
    took: timedelta | None
    score: int | None
    pointers_covered: int = 0
    pointers_total: int = 0
    red_flags: int = 0

    def over_budget(self, budget: timedelta) -> bool:
        return self.took is not None and self.took > budget


def average_outcome_score(outcomes: Sequence[TurnOutcome]) -> float | None:
    scores = [o.score for o in outcomes if o.score is not None]
    return sum(scores) / len(scores) if scores else None


def weakest_outcome(outcomes: Sequence[TurnOutcome]) -> TurnOutcome | None:
    """What to practise next: the lowest scored question (ties: the earlier one), as in the terminal."""
    scored = [o for o in outcomes if o.score is not None]
    return min(scored, key=lambda o: o.score if o.score is not None else 0) if scored else None


def format_duration(span: timedelta) -> str:
    """'3m05s': compact enough for a scorecard line, exact enough to compare with the budget."""
    seconds = max(0, int(span.total_seconds()))
    return f"{seconds // 60}m{seconds % 60:02d}s"


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
