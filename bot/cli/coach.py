"""`python -m bot coach`: coach one answer without Discord (text report or the JSON contract)."""

from __future__ import annotations

import json
from typing import TextIO

from bot.domain.coaching import coach
from bot.domain.coaching_types import CoachingReport
from bot.domain.packs import PackError, load_library

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_UNKNOWN_QUESTION = 2


def coach_command(
    question: str,
    answer_file: str,
    fmt: str,
    content_dir: str,
    stdin: TextIO,
    out: TextIO,
    err: TextIO,
) -> int:
    """Coach the answer in `answer_file` (`-` = stdin) to `question` (an id or its exact text).

    Exit codes: 0 report printed, 1 bad input (packs, file, empty answer), 2 unknown question.
    """
    try:
        library = load_library(content_dir)
    except PackError as error:
        for problem in error.problems:
            print(problem, file=err)
        return EXIT_BAD_INPUT
    found = library.find(question)
    if found is None:
        closest = library.closest_ids(question)
        hint = f" Closest ids: {', '.join(closest)}" if closest else ""
        print(f"error: unknown question {question!r}.{hint}", file=err)
        return EXIT_UNKNOWN_QUESTION
    try:
        answer = stdin.read() if answer_file == "-" else _read(answer_file)
    except OSError as error:
        print(f"error: cannot read {answer_file}: {error.strerror or error}", file=err)
        return EXIT_BAD_INPUT
    if not answer.strip():
        print("error: the answer is empty", file=err)
        return EXIT_BAD_INPUT
    pack = library.pack_of(found.id)
    assert pack is not None  # find() only returns questions of loaded packs
    report = coach(found, pack, answer)
    if fmt == "json":
        json.dump(report.to_contract(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(render_text(report))
    return EXIT_OK


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def render_text(report: CoachingReport) -> str:
    """A readable report: ✓/✗ per pointer with evidence or advice, flags, STAR, score, summary."""
    lines = [f"Question [{report.question_id}] ({report.category}): {report.question_text}", ""]
    if report.pointers:
        lines.append("Pointers:")
        for p in report.pointers:
            if p.covered:
                lines.append(f"  ✓ {p.text}")
                lines.append(f'      evidence: "{p.evidence}"')
            else:
                lines.append(f"  ✗ {p.text}")
                lines.append(f"      add: {p.advice or p.text}")
    else:
        lines.append("Pointers: none for this practice question.")
    lines.append("")
    if report.red_flags:
        lines.append("Red flags:")
        for f in report.red_flags:
            lines.append(f"  ! [{f.scope}] {f.text}")
            lines.append(f'      evidence: "{f.evidence}"')
    else:
        lines.append("Red flags: none found.")
    if report.star is not None:
        star = report.star
        marks = " ".join(
            f"{name} {'✓' if getattr(star, name) else '✗'}"
            for name in ("situation", "task", "action", "result", "quantified_result")
        )
        lines += ["", f"STAR: {marks}"]
    lines += ["", f"Score: {report.score}/100", f"Summary: {report.summary}", ""]
    return "\n".join(lines)
