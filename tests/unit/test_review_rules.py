"""Peer review rules without Discord: dimensions that fit a modal, who may review, input validation."""

from __future__ import annotations

import pytest

from bot.domain.errors import UserFacingError
from bot.domain.model import Pack, Question, RubricDimension
from bot.domain.packs import STAR_DIMENSION
from bot.domain.review_rules import (
    MAX_SCORED_DIMENSIONS,
    parse_review,
    review_dimensions,
    reviewability_problem,
    score_bar,
)


def dim(n: int) -> RubricDimension:
    return RubricDimension(id=f"dim-{n}", name=f"Dimension {n}", description=f"What {n} means.")


def question(category: str) -> Question:
    return Question(id="q", kind="primary", category=category, text="Tell me about...", why="Because.")


def pack(rubric: tuple[RubricDimension, ...] = ()) -> Pack:
    return Pack(
        id="p",
        title="Pack",
        about="About.",
        stages=("Screen",),
        formats=("Panel",),
        screening=("Ownership of outcomes", "Trade-off reasoning", "Mentorship of others"),
        red_flags=(),
        questions=(question("Technical"),),
        rubric=rubric,
    )


def test_default_rubric_has_three_dimensions_and_star_for_behavioural() -> None:
    technical = review_dimensions(pack(), question("Technical"))
    behavioural = review_dimensions(pack(), question("Behavioural"))
    assert len(technical) == 3 and STAR_DIMENSION not in technical
    assert behavioural == (*technical, STAR_DIMENSION)


def test_authored_four_dimensions_plus_star_keep_star_and_fit_one_modal() -> None:
    authored = (dim(1), dim(2), dim(3), dim(4))
    behavioural = review_dimensions(pack(authored), question("Behavioral"))
    assert len(behavioural) == MAX_SCORED_DIMENSIONS
    assert behavioural == (dim(1), dim(2), dim(3), STAR_DIMENSION)
    assert review_dimensions(pack(authored), question("Technical")) == authored


def test_reviewability() -> None:
    assert reviewability_problem(author_id=1, reviewer_id=2, answer_deleted=False) is None
    own = reviewability_problem(author_id=1, reviewer_id=1, answer_deleted=False)
    assert own is not None and "own answer" in own
    gone = reviewability_problem(author_id=1, reviewer_id=2, answer_deleted=True)
    assert gone is not None and "deleted" in gone


def test_parse_review_accepts_scores_and_trims_the_comment() -> None:
    dims = (dim(1), dim(2), dim(3))
    parsed = parse_review(
        dims, {"dim-1": "1", "dim-2": " 5 ", "dim-3": "3"}, "  Solid answer, add numbers next time.  "
    )
    assert parsed.scores == {"dim-1": 1, "dim-2": 5, "dim-3": 3}
    assert parsed.comment == "Solid answer, add numbers next time."


@pytest.mark.parametrize("bad", [None, "", "0", "6", "x", "-1", "4.5"])
def test_parse_review_rejects_a_missing_or_out_of_range_score(bad: str | None) -> None:
    with pytest.raises(UserFacingError) as info:
        parse_review((dim(1), dim(2)), {"dim-1": "3", "dim-2": bad}, "A comment that is long enough.")
    assert "Dimension 2" in info.value.message and "Dimension 1" not in info.value.message


def test_parse_review_names_every_problem_at_once() -> None:
    with pytest.raises(UserFacingError) as info:
        parse_review((dim(1),), {}, "   too short        ")
    message = info.value.message
    assert "Dimension 1" in message and "at least 20 characters (yours has 9)" in message
    assert message.endswith("Nothing was saved.")


def test_parse_review_rejects_an_overlong_comment() -> None:
    with pytest.raises(UserFacingError, match="at most 1,000"):
        parse_review((dim(1),), {"dim-1": "2"}, "x" * 1001)
    assert parse_review((dim(1),), {"dim-1": "2"}, "x" * 1000).comment == "x" * 1000


def test_score_bar() -> None:
    assert score_bar(1) == "★☆☆☆☆"
    assert score_bar(5) == "★★★★★"
    assert score_bar(9) == "★★★★★"
