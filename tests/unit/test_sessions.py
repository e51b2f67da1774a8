import io
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.mock import mock_command, read_answer
from bot.domain.packs import load_library
from bot.domain.sessions import MockInterview, plan_interview

CONTENT = Path(__file__).resolve().parents[2] / "content"
LIBRARY = load_library(CONTENT)
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def test_plan_mixes_categories_prefers_primary_and_unanswered() -> None:
    plan = plan_interview(LIBRARY.all_questions, 5, random.Random(3))
    assert [q.category for q in plan] == [
        "Behavioural",
        "Technical",
        "Situational",
        "Competency",
        "Culture fit",
    ]
    assert all(not q.is_practice for q in plan)
    answered = frozenset(
        q.id for q in LIBRARY.all_questions if q.category == "Behavioural" and not q.is_practice
    )
    again = plan_interview(LIBRARY.all_questions, 1, random.Random(3), answered=answered)
    assert again[0].is_practice and again[0].category == "Behavioural"


def test_plan_respects_category_and_caps_at_pool_size() -> None:
    plan = plan_interview(LIBRARY.all_questions, 50, random.Random(1), category="culture FIT")
    assert {q.id for q in plan} == {"blameless-culture", "dev-teams-ownership"}
    with pytest.raises(ValueError, match="no questions in category"):
        plan_interview(LIBRARY.all_questions, 1, random.Random(1), category="Astrology")
    with pytest.raises(ValueError, match="at least one"):
        plan_interview(LIBRARY.all_questions, 0, random.Random(1))


def test_session_times_each_turn_against_the_budget() -> None:
    questions = plan_interview(LIBRARY.all_questions, 2, random.Random(2))
    session = MockInterview(questions, budget=timedelta(minutes=3))
    session.ask(T0)
    first = session.answer("text", T0 + timedelta(minutes=2), None)
    session.ask(T0 + timedelta(minutes=2))
    second = session.answer("text", T0 + timedelta(minutes=6), None)
    assert not session.over_budget(first) and session.over_budget(second)
    assert session.finished
    with pytest.raises(ValueError):
        session.ask(T0)
    with pytest.raises(ValueError):
        MockInterview(questions).ask(datetime(2026, 1, 1))  # naive


def test_read_answer_stops_at_a_lone_dot() -> None:
    stream = io.StringIO("line one\nline two\n.\nnext\n")
    assert read_answer(stream) == "line one\nline two"
    assert read_answer(stream) == "next"
    assert read_answer(stream) is None


def test_mock_command_coaches_each_answer_and_names_what_to_practise() -> None:
    answers = (
        "I was the incident commander for a payments outage; I paged the database team, ran the bridge and "
        "updated stakeholders every 20 minutes. MTTR was 35 minutes; the retro gave us a canary stage.\n.\n"
        "\n.\n"
    )
    out, err = io.StringIO(), io.StringIO()
    ticks = iter(T0 + timedelta(minutes=m) for m in (0, 5, 5, 6))
    code = mock_command(
        count=2,
        category=None,
        minutes=4,
        seed=7,
        content_dir=str(CONTENT),
        stdin=io.StringIO(answers),
        out=out,
        err=err,
        clock=lambda: next(ticks),
    )
    text = out.getvalue()
    assert code == 0, err.getvalue()
    assert "Q1 [Behavioural]" in text and "Q2 [Technical]" in text
    assert "took 5m00s — over your time budget" in text
    assert "Score:" in text and "(skipped)" in text
    assert "over 1 answered questions" in text and "Practise next:" in text


def test_mock_command_rejects_unknown_category() -> None:
    err = io.StringIO()
    code = mock_command(
        count=2,
        category="Astrology",
        minutes=4,
        seed=1,
        content_dir=str(CONTENT),
        stdin=io.StringIO(""),
        out=io.StringIO(),
        err=err,
    )
    assert code == 2 and "Astrology" in err.getvalue()


def test_turn_outcomes_summarise_average_weakest_and_over_budget() -> None:
    from bot.domain.sessions import (
        TurnOutcome,
        average_outcome_score,
        format_duration,
        weakest_outcome,
    )

    questions = plan_interview(load_library(CONTENT).all_questions, 3, random.Random(1))
    budget = timedelta(minutes=4)
    fast = TurnOutcome(questions[0], timedelta(minutes=2), 70, 3, 5, 0)
    slow = TurnOutcome(questions[1], timedelta(minutes=4, seconds=1), 40, 1, 5, 2)
    skipped = TurnOutcome(questions[2], None, None)
    assert not fast.over_budget(budget) and slow.over_budget(budget) and not skipped.over_budget(budget)
    assert TurnOutcome(questions[0], budget, 10).over_budget(budget) is False, "exactly on budget is fine"
    assert average_outcome_score([fast, slow, skipped]) == 55
    assert weakest_outcome([fast, slow, skipped]) is slow
    assert weakest_outcome([TurnOutcome(questions[0], None, 40), slow]).question is questions[0]
    assert average_outcome_score([skipped]) is None and weakest_outcome([skipped]) is None
    assert format_duration(timedelta(minutes=3, seconds=5)) == "3m05s"
