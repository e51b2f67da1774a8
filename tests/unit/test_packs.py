"""Pack loading and validation: every shipped pack loads, and every rule reports file:line."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from bot.cli.content import validate_command
from bot.domain.packs import (
    STAR_DIMENSION,
    PackError,
    default_rubric,
    load_library,
    load_pack,
    rubric_for,
)

CONTENT = Path(__file__).resolve().parents[2] / "content"

VALID = """\
id: mini
title: Mini pack
about: A tiny pack for tests.
stages: [Screen]
formats: [Behavioral STAR]
screening:
- Ownership of outcomes
- Trade-off reasoning
- Mentorship
red_flags:
- id: hero-culture
  text: Hero culture
  signals:
    concepts:
    - [by myself, single handed*]
questions:
- id: incident-story
  kind: primary
  category: Behavioural
  text: Tell me about an incident you led.
  why: Leadership matters.
  pointers:
  - text: Name your role.
    advice: Say you were the incident commander.
    signals:
      require: 1
      concepts:
      - [incident commander, coordinat*]
      negative: [not my job]
  avoid:
  - text: Avoid solo heroics.
- id: practice-one
  kind: practice
  category: Technical
  text: How would you debug a crashing pod?
  why: Routine work.
"""


def write(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PackError) as info:
        load_pack(path)
    assert isinstance(info.value, ValueError)
    return info.value.problems


@pytest.mark.parametrize("path", sorted(CONTENT.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_pack_validates(path: Path) -> None:
    pack = load_pack(path)
    assert pack.questions
    primary = [q for q in pack.questions if q.kind == "primary"]
    assert all(q.pointers for q in primary)


def test_library_loads_content_folder() -> None:
    library = load_library(CONTENT)
    ids = [q.id for q in library.all_questions]
    assert len(ids) == len(set(ids))
    assert library.question("incident-leadership") is not None


def test_senior_devops_maps_into_dataclasses() -> None:
    pack = load_pack(CONTENT / "senior-devops.yaml")
    assert pack.id == "senior-devops"
    assert len(pack.questions) == 28
    assert sum(q.kind == "primary" for q in pack.questions) == 14
    question = pack.question("incident-leadership")
    assert question is not None and question.is_behavioural
    assert question.pointers[0].text.startswith("Pick an incident where you held")
    assert question.avoid[0].id == "incident-leadership/avoid-0"
    assert question.avoid[0].scope == "question"
    assert {f.scope for f in pack.red_flags} == {"global"}
    assert "hero-culture" in {f.id for f in pack.red_flags}
    # Every pointer and flag of the shipped pack has authored signals (or follows the measured STAR
    # result) and advice.
    for q in pack.questions:
        for pointer in q.pointers:
            assert (pointer.signals.concepts or pointer.measured_result) and pointer.advice, (
                q.id,
                pointer.text,
            )
        for flag in q.avoid:
            assert flag.signals.concepts or flag.signals.patterns, flag.id
    assert all(f.signals.concepts or f.signals.patterns for f in pack.red_flags)
    assert pack.question("cve-base-image") is not None
    cve = pack.question("cve-base-image")
    assert cve is not None and cve.avoid == ()


def test_valid_minimal_pack(tmp_path: Path) -> None:
    pack = load_pack(write(tmp_path, VALID))
    assert [q.id for q in pack.questions] == ["incident-story", "practice-one"]
    pointer = pack.questions[0].pointers[0]
    assert pointer.advice == "Say you were the incident commander."
    assert pointer.signals.concepts == (("incident commander", "coordinat*"),)
    assert pointer.signals.negative == ("not my job",)
    assert pack.questions[1].pointers == ()


def test_broken_yaml_reports_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "id: x\ntitle: [unclosed\nabout: y\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:")
    line = int(problem.split(":")[1])
    assert line in (2, 3, 4)
    assert "invalid YAML" in problem


def test_all_problems_are_collected_with_lines(tmp_path: Path) -> None:
    broken = (
        VALID.replace("kind: practice", "kind: homework")
        .replace("  - text: Avoid solo heroics.", "  - text: Don't be a hero.")
        .replace("  why: Routine work.", "  why: Routine work.\n  pointrs: []")
    )
    path = write(tmp_path, broken)
    problems = problems_of(path)
    text = "\n".join(problems)
    assert "'kind' must be one of primary, practice" in text
    assert "'avoid' entries must start with 'Avoid'" in text
    assert "unknown key 'pointrs' (did you mean 'pointers'?)" in text
    lines = broken.splitlines()
    for problem in problems:
        file, line, _ = problem.split(":", 2)
        assert file == str(path)
        assert 1 <= int(line) <= len(lines)
    kind_problem = next(p for p in problems if "'kind'" in p)
    assert lines[int(kind_problem.split(":")[1]) - 1].strip() == "kind: homework"


def test_pointer_shape_is_checked(tmp_path: Path) -> None:
    broken = VALID.replace("  - text: Name your role.", "  - Name your role.\n  - tex: typo")
    broken = broken.replace("    advice: Say you were the incident commander.\n", "").replace(
        "    signals:\n      require: 1\n      concepts:\n      - [incident commander, coordinat*]\n"
        "      negative: [not my job]\n",
        "",
    )
    problems = problems_of(write(tmp_path, broken))
    assert any(
        "question 'incident-story': 'pointers' must be a list of mappings with 'text'" in p for p in problems
    )


def test_primary_needs_a_pointer_practice_does_not(tmp_path: Path) -> None:
    broken = VALID.replace("kind: practice", "kind: primary")
    problems = problems_of(write(tmp_path, broken))
    assert any("question 'practice-one': primary questions need at least one pointer" in p for p in problems)


def test_ids_must_be_slugs_and_unique(tmp_path: Path) -> None:
    broken = VALID.replace("id: practice-one", "id: incident-story").replace("id: mini", "id: Mini Pack")
    problems = "\n".join(problems_of(write(tmp_path, broken)))
    assert "duplicate question id" in problems
    assert "'Mini Pack' must match" in problems


def test_missing_required_keys(tmp_path: Path) -> None:
    broken = VALID.replace("  why: Routine work.\n", "").replace("title: Mini pack\n", "")
    problems = "\n".join(problems_of(write(tmp_path, broken)))
    assert "pack: missing required key 'title'" in problems
    assert "question: missing required key 'why'" in problems


def test_types_are_checked(tmp_path: Path) -> None:
    broken = VALID.replace("stages: [Screen]", "stages: Screen").replace(
        "text: How would you debug a crashing pod?", "text: 42"
    )
    problems = "\n".join(problems_of(write(tmp_path, broken)))
    assert "'stages' must be a non-empty list of strings" in problems
    assert "'text' must be a non-empty string" in problems


def test_red_flag_ids_checked(tmp_path: Path) -> None:
    broken = VALID.replace(
        "- id: hero-culture\n  text: Hero culture", "- id: hero culture!\n  text: Hero culture"
    )
    problems = "\n".join(problems_of(write(tmp_path, broken)))
    assert "red flag: id 'hero culture!' must match" in problems


def test_signals_are_checked(tmp_path: Path) -> None:
    broken = (
        VALID.replace("      require: 1", "      require: 3")
        .replace("      negative: [not my job]", "      negative: [not my job]\n      negtive: [x]")
        .replace("[by myself, single handed*]", "[by myself, '*all', '... gap']")
    )
    problems = "\n".join(problems_of(write(tmp_path, broken)))
    assert "'signals.require' must be an integer from 1 to the number of concepts (1)" in problems
    assert "unknown key 'negtive'" in problems
    assert "'*' is only allowed at the end of a word" in problems
    assert "must not start or end with '...'" in problems


def test_rubric_is_validated(tmp_path: Path) -> None:
    broken = VALID.replace(
        "questions:\n", "rubric:\n- id: one\n  name: One\n  description: D\nquestions:\n", 1
    )
    problems = "\n".join(problems_of(write(tmp_path, broken)))
    assert "'rubric' must be a list of 3-4 mappings" in problems


def test_library_rejects_ids_shared_across_packs(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, VALID.replace("id: mini", "id: mini-two"), "b.yaml")
    with pytest.raises(PackError) as info:
        load_library(tmp_path)
    assert any("question id 'incident-story' already used by" in p for p in info.value.problems)


def test_library_lookup(tmp_path: Path) -> None:
    library = load_library(CONTENT)
    question = library.question("cve-base-image")
    assert question is not None
    assert library.find(question.text.upper()) == question
    assert library.find("  cve-base-image ") == question
    assert library.find("nope") is None
    assert library.closest_ids("cve-base-imag")[0] == "cve-base-image"
    assert library.closest_ids("incident leadership", n=2)[0] == "incident-leadership"
    assert len(library.closest_ids("x", n=3)) <= 3


def test_rubrics() -> None:
    pack = load_pack(CONTENT / "senior-devops.yaml")
    assert len(default_rubric(pack)) == 3  # authored in the YAML
    behavioural = pack.question("incident-leadership")
    technical = pack.question("observability-strategy")
    assert behavioural is not None and technical is not None
    assert rubric_for(pack, behavioural)[-1] == STAR_DIMENSION
    assert STAR_DIMENSION not in rubric_for(pack, technical)


def test_default_rubric_condenses_screening() -> None:
    pack = load_pack(CONTENT / "senior-devops.yaml")
    bare = dataclasses.replace(pack, rubric=())
    dims = default_rubric(bare)
    assert len(dims) == 3
    joined = " ".join(d.description for d in dims)
    assert all(item in joined for item in pack.screening)


def test_validate_command_ok_and_errors(tmp_path: Path) -> None:
    import io

    out = io.StringIO()
    assert validate_command(str(CONTENT / "senior-devops.yaml"), out) == 0
    assert out.getvalue().strip().endswith("OK (28 questions, 14 primary, 14 practice)")
    out = io.StringIO()
    assert validate_command(str(CONTENT), out) == 0
    bad = write(tmp_path, VALID.replace("kind: practice", "kind: homework"))
    out = io.StringIO()
    assert validate_command(str(bad), out) == 1
    assert f"{bad}:" in out.getvalue() and "'kind' must be one of" in out.getvalue()
    out = io.StringIO()
    assert validate_command(str(tmp_path / "missing"), out) == 1


def test_validate_command_defaults_to_content_dir_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import io

    write(tmp_path, VALID)
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path))
    out = io.StringIO()
    assert validate_command(None, out) == 0
    assert "OK (2 questions, 1 primary, 1 practice)" in out.getvalue()


LEXICON_PACK = VALID.replace(
    "red_flags:\n",
    "lexicon:\n  solo: [by myself, on my own]\n  fix: [fixed, restarted]\nred_flags:\n",
    1,
).replace("    - [by myself, single handed*]", "    - ['@solo', 'i @fix ... @solo']")


def test_lexicon_names_expand_into_phrases(tmp_path: Path) -> None:
    pack = load_pack(write(tmp_path, LEXICON_PACK))
    (concept,) = pack.red_flags[0].signals.concepts
    assert concept == (
        "by myself",
        "on my own",
        "i fixed ... by myself",
        "i fixed ... on my own",
        "i restarted ... by myself",
        "i restarted ... on my own",
    )


def test_lexicon_problems_are_reported_with_lines(tmp_path: Path) -> None:
    broken = LEXICON_PACK.replace("'i @fix ... @solo'", "'i @fixes'").replace(
        "  fix: [fixed, restarted]", "  fix: [fixed, '@solo']\n  Bad Name: [x]"
    )
    problems = problems_of(write(tmp_path, broken))
    text = "\n".join(problems)
    assert "unknown lexicon name '@fixes' (did you mean '@fix'?)" in text
    assert "lexicon 'fix': phrases may not reference other lexicon names" in text
    assert "lexicon: name 'Bad Name' must match" in text
    assert all(p.split(":")[1].isdigit() for p in problems)  # every problem has file:line


def test_lexicon_expansion_is_bounded(tmp_path: Path) -> None:
    words = ", ".join(f"w{i}" for i in range(80))
    broken = LEXICON_PACK.replace("  fix: [fixed, restarted]", f"  fix: [{words}]").replace(
        "'i @fix ... @solo'", "'@fix @fix'"
    )
    assert any("expands to 6400 phrases (limit 5000)" in p for p in problems_of(write(tmp_path, broken)))


def test_flag_patterns_window_applies_to_and_negative_near(tmp_path: Path) -> None:
    text = VALID.replace(
        "  signals:\n    concepts:\n    - [by myself, single handed*]\n",
        "  signals:\n"
        "    negative: [runbook]\n"
        "    patterns:\n"
        "    - concepts: [[by myself]]\n"
        "      applies_to: [Behavioural]\n"
        "      negative_near: [because]\n"
        "      negative_after: [automated]\n"
        "    - require: 2\n"
        "      window: 2\n"
        "      concepts: [[3am], [restarted]]\n",
    )
    flag = load_pack(write(tmp_path, text)).red_flags[0]
    assert flag.signals.concepts == () and flag.signals.negative == ("runbook",)
    first, second = flag.signals.patterns
    assert first.applies_to == ("behavioural",) and first.negative_near == ("because",)
    assert first.negative_after == ("automated",)
    assert second.window == 2 and second.require == 2
    broken = text.replace("      window: 2\n", "      window: 99\n      patterns: []\n")
    problems = "\n".join(problems_of(write(tmp_path, broken, "broken.yaml")))
    assert "'signals.window' must be an integer from 1 to 10" in problems
    assert "unknown key 'patterns'" in problems  # patterns do not nest


def test_expansion_problems_are_still_found_without_expanding_every_combination(tmp_path: Path) -> None:
    # "ab*" is a two-letter prefix: only one lexicon phrase makes the expansion invalid.
    broken = LEXICON_PACK.replace("  fix: [fixed, restarted]", "  fix: [fixed, restarted, ab]").replace(
        "'i @fix ... @solo'", "'i @fix*'"
    )
    problems = "\n".join(problems_of(write(tmp_path, broken)))
    assert "phrase 'i ab*': a prefix before '*' needs at least 3 letters" in problems


def test_unchanged_pack_file_is_loaded_once_and_a_changed_one_again(tmp_path: Path) -> None:
    path = write(tmp_path, LEXICON_PACK)
    first = load_pack(path)
    assert load_pack(path) is first  # same text: parsed and validated once
    path.write_text(LEXICON_PACK.replace("[fixed, restarted]", "[fixed, rebooted]"), encoding="utf-8")
    changed = load_pack(path)
    assert changed is not first
    assert "i rebooted ... by myself" in changed.red_flags[0].signals.concepts[0]


def test_measured_result_is_read_and_only_allowed_on_behavioural_questions(tmp_path: Path) -> None:
    text = VALID.replace(
        "  - text: Name your role.\n",
        "  - text: Quantify the before and after.\n    measured_result: true\n  - text: Name your role.\n",
    )
    pack = load_pack(write(tmp_path, text))
    question = pack.question("incident-story")
    assert question is not None and [p.measured_result for p in question.pointers] == [True, False]
    technical = text.replace("  category: Behavioural\n", "  category: Technical\n", 1)
    assert any(
        "'measured_result' needs a Behavioural question" in p
        for p in problems_of(write(tmp_path, technical, "t.yaml"))
    )
    wrong = text.replace("measured_result: true", "measured_result: sometimes")
    assert any(
        "'measured_result' must be true or false" in p for p in problems_of(write(tmp_path, wrong, "w.yaml"))
    )


def test_star_parts_are_read_checked_and_only_allowed_on_behavioural_questions(tmp_path: Path) -> None:
    text = VALID.replace(
        "  - text: Name your role.\n",
        "  - text: Explain why you chose it.\n    star_parts: [action, result]\n  - text: Name your role.\n",
    )
    question = load_pack(write(tmp_path, text)).question("incident-story")
    assert question is not None and [p.star_parts for p in question.pointers] == [("action", "result"), ()]
    technical = text.replace("  category: Behavioural\n", "  category: Technical\n", 1)
    assert any(
        "'star_parts' needs a Behavioural question" in p
        for p in problems_of(write(tmp_path, technical, "t.yaml"))
    )
    unknown = text.replace("star_parts: [action, result]", "star_parts: [action, outcome]")
    assert any(
        "'star_parts' has unknown part(s) outcome; use situation, task, action, result" in p
        for p in problems_of(write(tmp_path, unknown, "u.yaml"))
    )
    scalar = text.replace("star_parts: [action, result]", "star_parts: action")
    assert any(
        "'star_parts' must be a non-empty list" in p for p in problems_of(write(tmp_path, scalar, "s.yaml"))
    )
