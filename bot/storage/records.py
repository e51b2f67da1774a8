"""Frozen dataclasses returned by the repositories (never aiosqlite rows).

All datetimes are aware UTC; local calendar dates are ``datetime.date``; Discord ids are int.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from bot.domain.coaching_types import StarResult
from bot.domain.model import FlagScope

PostSource = Literal["command", "daily", "practice", "mock"]
AnswerSource = Literal["message", "modal"]
RunStatus = Literal["claimed", "posted", "skipped", "failed"]
MockStatus = Literal["active", "finished", "stopped"]


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    anonymous_reviews: bool
    pack_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class QuestionPost:
    id: int
    guild_id: int
    channel_id: int
    message_id: int
    thread_id: int | None
    question_id: str
    source: PostSource
    posted_by: int | None
    is_private: bool
    posted_at: datetime
    archived_at: datetime | None


@dataclass(frozen=True, slots=True)
class Answer:
    id: int
    guild_id: int
    post_id: int | None
    question_id: str
    category: str
    channel_id: int | None
    thread_id: int | None
    message_id: int | None
    member_id: int
    text: str
    source: AnswerSource
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None

    @property
    def jump_channel_id(self) -> int | None:
        """The channel a jump link needs: the thread when the answer lives in one."""
        return self.thread_id if self.thread_id is not None else self.channel_id


@dataclass(frozen=True, slots=True)
class SavedRedFlag:
    flag_id: str
    scope: FlagScope


@dataclass(frozen=True, slots=True)
class CoachingResult:
    answer_id: int
    score: int
    coverage: float | None
    pointers_total: int
    pointers_covered: int
    red_flags: tuple[SavedRedFlag, ...]
    star: StarResult | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    answer_id: int
    reviewer_id: int | None  # None once the reviewer's data was deleted
    guild_id: int
    scores: dict[str, int]
    comment: str
    anonymous: bool
    message_id: int | None
    created_at: datetime
    updated_at: datetime
    removed_at: datetime | None
    removed_by: int | None

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


@dataclass(frozen=True, slots=True)
class ReviewAverages:
    """Average score per rubric dimension over ``count`` non-removed reviews."""

    averages: dict[str, float] = field(default_factory=dict)
    count: int = 0


@dataclass(frozen=True, slots=True)
class QueueEntry:
    answer: Answer
    review_count: int


@dataclass(frozen=True, slots=True)
class DailySchedule:
    guild_id: int
    channel_id: int
    local_time: str  # 'HH:MM' in ``timezone``
    timezone: str  # IANA name
    role_id: int | None
    days: int  # bit i set = weekday i runs (Monday = 0, like date.weekday())
    category: str | None
    grace_hours: int
    enabled: bool
    skip_date: date | None
    last_error: str | None
    last_error_at: datetime | None
    created_at: datetime
    updated_at: datetime

    def runs_on(self, weekday: int) -> bool:
        return bool(self.days & (1 << weekday))


@dataclass(frozen=True, slots=True)
class DailyRun:
    id: int
    guild_id: int
    local_date: date
    status: RunStatus
    due_at: datetime
    claimed_at: datetime
    posted_at: datetime | None
    post_id: int | None
    reason: str | None
    #: the claiming scheduler process's random token; None for claims made before migration 0003
    claim_token: str | None = None
    #: the channel the day was claimed for (reconciliation searches it even if /daily set moved the
    #: schedule since); None for skips and for claims made before migration 0004
    channel_id: int | None = None


@dataclass(frozen=True, slots=True)
class MemberSettings:
    guild_id: int
    member_id: int
    timezone: str | None
    leaderboard_opt_out: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RecentAnswer:
    """What a progress view needs for a jump link and a score badge."""

    id: int
    question_id: str
    channel_id: int | None  # thread id when the answer is in a thread, else the channel
    message_id: int | None
    created_at: datetime
    score: int | None
    private: bool = False  # given in a private practice thread: shown to its author only


@dataclass(frozen=True, slots=True)
class ProgressSummary:
    answered_by_category: dict[str, int]  # distinct questions answered (non-deleted) per category
    answered_total: int
    average_coverage: float | None  # over the latest live answer per question (uncoached ones skipped)
    top_red_flags: tuple[tuple[str, int], ...]  # (flag id, count), most frequent first, max 3
    recent_answers: tuple[RecentAnswer, ...]  # newest first, max 5
    reviews_received: ReviewAverages
    reviews_given: int


@dataclass(frozen=True, slots=True)
class DeletionReport:
    answers_deleted: int
    reviews_anonymised: int
    posts_unlinked: int
    member_rows_deleted: int


@dataclass(frozen=True, slots=True)
class LeaderboardRow:
    member_id: int
    questions: int  # distinct questions answered in the period
    answers: int


@dataclass(frozen=True, slots=True)
class MockTurn:
    """One asked question of a mock interview; ``answer_id`` is the first answer that counted."""

    session_id: int
    position: int
    question_id: str
    post_id: int | None
    asked_at: datetime
    answer_id: int | None
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class MockSession:
    """A timed mock interview in a private thread; ``turns`` are the questions asked so far."""

    id: int
    guild_id: int
    channel_id: int
    thread_id: int
    member_id: int
    question_ids: tuple[str, ...]
    budget: timedelta
    current_index: int
    status: MockStatus
    intro_message_id: int | None
    started_at: datetime
    ended_at: datetime | None
    turns: tuple[MockTurn, ...] = ()

    @property
    def current_turn(self) -> MockTurn | None:
        """The turn waiting for (or just given) an answer; None before the first question is recorded."""
        return next((t for t in self.turns if t.position == self.current_index), None)

    @property
    def is_last_question(self) -> bool:
        return self.current_index >= len(self.question_ids) - 1
