"""Peer review rules that do not depend on Discord: who may review, which dimensions, valid input.

Kept pure so the rules are tested without a client and the cog only translates them into replies.
A Discord modal holds at most five top-level components, and the comment takes one, so a review
scores at most four dimensions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.errors import UserFacingError
from bot.domain.model import Pack, Question, RubricDimension
from bot.domain.packs import STAR_DIMENSION, rubric_for

MAX_SCORED_DIMENSIONS = 4
MIN_SCORE = 1
MAX_SCORE = 5
MIN_COMMENT_CHARS = 20
MAX_COMMENT_CHARS = 1000


def review_dimensions(pack: Pack, question: Question) -> tuple[RubricDimension, ...]:
    """The dimensions a reviewer scores for this question, never more than fit in one modal.

    `rubric_for` may return five when a pack authors four dimensions and the question is
    behavioural; STAR is what makes a behavioural review different, so it is kept and the pack's
    last dimension is dropped instead.
    """
    dims = rubric_for(pack, question)
    if len(dims) <= MAX_SCORED_DIMENSIONS:
        return dims
    has_star = any(d.id == STAR_DIMENSION.id for d in dims)
    if has_star:
        others = [d for d in dims if d.id != STAR_DIMENSION.id]
        return (*others[: MAX_SCORED_DIMENSIONS - 1], STAR_DIMENSION)
    return dims[:MAX_SCORED_DIMENSIONS]


def reviewability_problem(*, author_id: int, reviewer_id: int, answer_deleted: bool) -> str | None:
    """Why this member may not review this answer, or None when they may."""
    if answer_deleted:
        return "That answer was deleted, so it can't be reviewed any more."
    if author_id == reviewer_id:
        return (
            "You can't review your own answer. Press **Coach me** for private feedback on it, "
            "or use /review to find answers by others."
        )
    return None


@dataclass(frozen=True, slots=True)
class ReviewInput:
    """A validated submission: one score per dimension id and the trimmed comment."""

    scores: dict[str, int]
    comment: str


def parse_review(
    dimensions: Sequence[RubricDimension], raw_scores: Mapping[str, str | None], raw_comment: str
) -> ReviewInput:
    """Validate what the modal sent; raise UserFacingError naming every problem at once.

    Discord enforces `required` and `min_length` in its client, but a submission is still input
    from outside, so the bot checks again rather than trusting it.
    """
    problems: list[str] = []
    scores: dict[str, int] = {}
    for dim in dimensions:
        value = _score(raw_scores.get(dim.id))
        if value is None:
            problems.append(f"a score from {MIN_SCORE} to {MAX_SCORE} for **{dim.name}**")
        else:
            scores[dim.id] = value
    comment = raw_comment.strip()
    if len(comment) < MIN_COMMENT_CHARS:
        problems.append(f"a comment of at least {MIN_COMMENT_CHARS} characters (yours has {len(comment)})")
    elif len(comment) > MAX_COMMENT_CHARS:
        problems.append(f"a comment of at most {MAX_COMMENT_CHARS:,} characters (yours has {len(comment):,})")
    if problems:
        raise UserFacingError("Your review needs " + "; ".join(problems) + ". Nothing was saved.")
    return ReviewInput(scores=scores, comment=comment)


def _score(raw: str | None) -> int | None:
    if raw is None or not raw.strip().isdigit():
        return None
    value = int(raw.strip())
    return value if MIN_SCORE <= value <= MAX_SCORE else None


def score_bar(score: int) -> str:
    """Five-star text for a score, readable without colour or emoji support."""
    clamped = max(MIN_SCORE, min(MAX_SCORE, score))
    return "★" * clamped + "☆" * (MAX_SCORE - clamped)
