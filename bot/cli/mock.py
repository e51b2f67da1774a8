"""`python -m bot mock`: a mock interview in the terminal, coached after every answer.

Type each answer, then a line with a single `.` (or end of input) to submit it. An empty answer
skips the question. Works piped too: `python -m bot mock --count 2 < answers.txt`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TextIO

from bot.cli.coach import render_text
from bot.domain.coaching import coach
from bot.domain.packs import PackError, load_library
from bot.domain.sessions import MockInterview, plan_interview

END_OF_ANSWER = "."


def read_answer(stdin: TextIO) -> str | None:
    """Lines up to a lone `.`; None at end of input with nothing typed."""
    lines: list[str] = []
    for line in stdin:
        if line.rstrip("\n").strip() == END_OF_ANSWER:
            return "\n".join(lines)
        lines.append(line.rstrip("\n"))
    return "\n".join(lines) if lines else None


def mock_command(
    *,
    count: int,
    category: str | None,
    minutes: float,
    seed: int | None,
    content_dir: str,
    stdin: TextIO,
    out: TextIO,
    err: TextIO,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    try:
        library = load_library(content_dir)
    except PackError as error:
        print(str(error), file=err)
        return 1
    try:
        questions = plan_interview(library.all_questions, count, random.Random(seed), category=category)
    except ValueError as error:
        print(f"error: {error}", file=err)
        return 2
    session = MockInterview(questions, budget=timedelta(minutes=minutes))
    print(
        f"Mock interview: {len(questions)} questions, about {minutes:g} min each. "
        f"End each answer with a line containing only '{END_OF_ANSWER}'.\n",
        file=out,
    )
    while not session.finished:
        number = len(session.turns) + 1
        question = session.ask(clock())
        print(f"Q{number} [{question.category}] {question.text}\n> ", end="", file=out, flush=True)
        text = read_answer(stdin)
        if text is None:
            print("\n(end of input: interview stopped)", file=out)
            break
        if not text.strip():
            session.answer("", clock(), None)
            print("(skipped)\n", file=out)
            continue
        pack = library.pack_of(question.id)
        assert pack is not None
        turn = session.answer(text, clock(), coach(question, pack, text))
        took = int(turn.took.total_seconds())
        budget_note = " — over your time budget" if session.over_budget(turn) else ""
        print(f"\n(took {took // 60}m{took % 60:02d}s{budget_note})", file=out)
        print(render_text(turn.report) if turn.report else "", file=out)
    average = session.average_score()
    if average is not None:
        weakest = session.weakest()
        answered = sum(t.report is not None for t in session.turns)
        print(f"Average score: {average:.0f}/100 over {answered} answered questions.", file=out)
        if weakest is not None:
            print(f"Practise next: {weakest.question.text} (id {weakest.question.id})", file=out)
    return 0
