"""The `python -m bot coach` contract: JSON shape for every question, exit codes, stdin."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli.coach import coach_command
from bot.domain.packs import load_pack

CONTENT = Path(__file__).resolve().parents[2] / "content"
PACK = load_pack(CONTENT / "senior-devops.yaml")

ANSWER = (
    "At my last company our checkout API went down for 40% of customers. I was the incident commander, "
    "so I paged the database team and we rolled back the deploy. I posted updates to support and "
    "leadership every 30 minutes. MTTR was 45 minutes and the blameless retro produced a canary for config."
)


def run(
    question: str, answer: str = ANSWER, fmt: str = "json", tmp: Path | None = None
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = coach_command(
        question=question,
        answer_file="-",
        fmt=fmt,
        content_dir=str(CONTENT),
        stdin=io.StringIO(answer),
        out=out,
        err=err,
    )
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("question", PACK.questions, ids=lambda q: q.id)
def test_contract_for_every_question(question) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(question.id)
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"question", "pointers", "red_flags", "star", "score"}
    assert data["question"] == {"id": question.id, "text": question.text, "category": question.category}
    assert [p["text"] for p in data["pointers"]] == [p.text for p in question.pointers]
    for pointer in data["pointers"]:
        assert set(pointer) == {"text", "covered", "evidence"}
        assert isinstance(pointer["covered"], bool)
        if pointer["covered"]:
            assert isinstance(pointer["evidence"], str) and 0 < len(pointer["evidence"]) <= 200
        else:
            assert pointer["evidence"] is None
    known = {f.text: "question" for f in question.avoid} | {f.text: "global" for f in PACK.red_flags}
    for flag in data["red_flags"]:
        assert set(flag) == {"text", "scope", "evidence"}
        assert known[flag["text"]] == flag["scope"]
        assert flag["evidence"]
    if question.is_behavioural:
        assert set(data["star"]) == {"situation", "task", "action", "result", "quantified_result"}
        assert all(isinstance(v, bool) for v in data["star"].values())
    else:
        assert data["star"] is None
    assert isinstance(data["score"], int) and 0 <= data["score"] <= 100


def test_exact_question_text_is_accepted() -> None:
    question = PACK.questions[0]
    code, out, _ = run(question.text)
    assert code == 0
    assert json.loads(out)["question"]["id"] == question.id


def test_unknown_question_exits_2_with_closest_ids() -> None:
    code, out, err = run("incident-leader")
    assert code == 2
    assert out == ""
    assert "incident-leadership" in err


def test_answer_from_file_and_stdin_agree(tmp_path: Path) -> None:
    path = tmp_path / "answer.txt"
    path.write_text(ANSWER, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = coach_command("incident-leadership", str(path), "json", str(CONTENT), io.StringIO(""), out, err)
    assert code == 0
    assert json.loads(out.getvalue()) == json.loads(run("incident-leadership")[1])


def test_stdin_answer_is_coached() -> None:
    code, out, _ = run("incident-leadership")
    data = json.loads(out)
    assert code == 0
    assert data["pointers"][0]["covered"] is True
    assert "incident commander" in data["pointers"][0]["evidence"]


def test_empty_answer_and_missing_file_exit_1(tmp_path: Path) -> None:
    assert run("incident-leadership", answer="   \n")[0] == 1
    out, err = io.StringIO(), io.StringIO()
    code = coach_command(
        "incident-leadership", str(tmp_path / "nope.txt"), "json", str(CONTENT), io.StringIO(""), out, err
    )
    assert code == 1 and "cannot read" in err.getvalue()


def test_text_format_is_readable() -> None:
    code, out, _ = run("incident-leadership", fmt="text")
    assert code == 0
    assert "✓" in out and "Score:" in out and "Summary:" in out and "STAR:" in out
    code, out, _ = run("cve-base-image", answer="We would patch it.", fmt="text")
    assert "✗" in out and "add:" in out


def test_main_entry_point_wires_coach(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.__main__ import main

    path = tmp_path / "a.txt"
    path.write_text(ANSWER, encoding="utf-8")
    monkeypatch.setenv("CONTENT_DIR", str(CONTENT))
    code = main(
        ["coach", "--question", "incident-leadership", "--answer-file", str(path), "--format", "json"]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["question"]["id"] == "incident-leadership"
