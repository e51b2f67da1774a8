"""Integrity of the labelled coaching evaluation set (tests/eval/answers.yaml) against the pack.

The set is the yardstick for coaching accuracy, so a silent mistake in it (an index past the end
of a pointer list, a typo in a flag id, a behavioural answer without STAR labels) would skew every
measurement taken with it. These tests read the pack YAML directly, not through the bot's loader,
so the yardstick does not depend on the code it measures. Labelling rules: tests/eval/README.md.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EVAL_PATH = ROOT / "tests" / "eval" / "answers.yaml"
PACK_PATH = ROOT / "content" / "senior-devops.yaml"

KEYS = {"id", "question", "split", "band", "answer", "covers", "question_flags", "global_flags", "star"}
STAR_KEYS = {"situation", "task", "action", "result", "quantified_result"}
STAR_PARTS = ("situation", "task", "action", "result")
SPLITS = {"tune", "test"}
BANDS = ("strong", "mixed", "weak")
MIN_WORDS, MAX_WORDS = 60, 250
# A run of this many words shared with a pointer/flag text counts as copying, not paraphrase.
COPY_NGRAM = 6


@cache
def _pack() -> dict[str, Any]:
    with PACK_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


@cache
def _answers() -> tuple[dict[str, Any], ...]:
    with EVAL_PATH.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, list), "answers.yaml must be a YAML list"
    return tuple(data)


def _questions() -> dict[str, dict[str, Any]]:
    return {q["id"]: q for q in _pack()["questions"]}


def _is_behavioural(question: dict[str, Any]) -> bool:
    return str(question["category"]).casefold().startswith("behavio")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:['’][a-z]+)?", text.casefold())


def _ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _ids() -> list[str]:
    return [str(entry.get("id")) for entry in _answers()]


def _entry(answer_id: str) -> dict[str, Any]:
    return next(e for e in _answers() if e.get("id") == answer_id)


# ---------------------------------------------------------------- per-answer structure


def test_ids_are_unique() -> None:
    counts = Counter(_ids())
    assert [i for i, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("answer_id", _ids())
def test_entry_shape_and_references(answer_id: str) -> None:
    entry = _entry(answer_id)
    assert set(entry) == KEYS, f"keys must be exactly {sorted(KEYS)}"
    question = _questions().get(entry["question"])
    assert question is not None, f"unknown question id {entry['question']!r}"
    assert entry["split"] in SPLITS
    assert entry["band"] in BANDS
    assert answer_id.startswith(f"{entry['question']}-{entry['band']}-"), "id must be <question>-<band>-<n>"
    assert isinstance(entry["answer"], str) and entry["answer"].strip()

    pointers = question.get("pointers") or []
    avoid = question.get("avoid") or []
    for field, limit in (("covers", len(pointers)), ("question_flags", len(avoid))):
        values = entry[field]
        assert isinstance(values, list) and all(type(v) is int for v in values), field
        assert values == sorted(set(values)), f"{field} must be sorted and without duplicates"
        assert all(0 <= v < limit for v in values), f"{field} index out of range (0..{limit - 1})"

    flag_ids = {flag["id"] for flag in _pack()["red_flags"]}
    flags = entry["global_flags"]
    assert isinstance(flags, list) and len(flags) == len(set(flags))
    assert set(flags) <= flag_ids, f"unknown global flags {set(flags) - flag_ids}"


@pytest.mark.parametrize("answer_id", _ids())
def test_star_present_iff_behavioural(answer_id: str) -> None:
    entry = _entry(answer_id)
    question = _questions()[entry["question"]]
    star = entry["star"]
    if not _is_behavioural(question):
        assert star is None
        return
    assert isinstance(star, dict) and set(star) == STAR_KEYS
    assert all(type(v) is bool for v in star.values())
    # A measurable outcome is still an outcome: quantified without a result is contradictory.
    assert not (star["quantified_result"] and not star["result"])


@pytest.mark.parametrize("answer_id", _ids())
def test_answer_length_is_interview_like(answer_id: str) -> None:
    count = len(_entry(answer_id)["answer"].split())
    assert MIN_WORDS <= count <= MAX_WORDS, f"{count} words"


@pytest.mark.parametrize("answer_id", _ids())
def test_answer_paraphrases_rather_than_copies(answer_id: str) -> None:
    """A copied pointer would make keyword matching look better than it is on real answers."""
    entry = _entry(answer_id)
    question = _questions()[entry["question"]]
    sources = [p["text"] for p in question.get("pointers") or []]
    sources += [a["text"] for a in question.get("avoid") or []]
    sources += [f["text"] for f in _pack()["red_flags"]]
    answer_grams = _ngrams(entry["answer"], COPY_NGRAM)
    for source in sources:
        shared = answer_grams & _ngrams(source, COPY_NGRAM)
        assert not shared, f"copies {' '.join(sorted(shared)[0])!r} from {source!r}"


@pytest.mark.parametrize("answer_id", _ids())
def test_labels_agree_with_band(answer_id: str) -> None:
    """Bands are a holistic judgement, but these bounds keep them consistent with the labels."""
    entry = _entry(answer_id)
    question = _questions()[entry["question"]]
    n_pointers = len(question.get("pointers") or [])
    covered = len(entry["covers"])
    flagged = bool(entry["question_flags"] or entry["global_flags"])
    star = entry["star"]
    if question["kind"] == "practice":
        assert entry["covers"] == [] and entry["question_flags"] == []
    if entry["band"] == "strong":
        assert not flagged, "a strong answer commits no red flag"
        if n_pointers:
            assert covered >= n_pointers - 1, "a strong answer covers all but at most one pointer"
        if star is not None:
            assert all(star[part] for part in STAR_PARTS), "a strong behavioural answer has full STAR"
    elif entry["band"] == "weak":
        if n_pointers:
            assert covered <= 1, "a weak answer covers at most one pointer"
    else:
        if n_pointers:
            assert covered >= 1, "a mixed answer covers at least one pointer"
            assert covered < n_pointers or flagged, "full coverage with no flag is strong, not mixed"


# ---------------------------------------------------------------- set-level composition


def test_set_size_and_question_coverage() -> None:
    answers = _answers()
    questions = _questions()
    per_question = Counter(e["question"] for e in answers)
    primaries = [q for q in questions.values() if q["kind"] == "primary"]
    assert len(answers) >= 72
    for q in primaries:
        assert per_question[q["id"]] >= 4, f"{q['id']} has only {per_question[q['id']]} answers"
    practice_counts = [per_question[q["id"]] for q in questions.values() if q["kind"] == "practice"]
    assert sum(1 for n in practice_counts if n) >= 8
    assert sum(practice_counts) >= 16
    assert all(n <= 2 for n in practice_counts)


def test_bands_are_roughly_thirds_and_vary_per_question() -> None:
    answers = _answers()
    bands = Counter(e["band"] for e in answers)
    for band in BANDS:
        assert abs(bands[band] - len(answers) / 3) <= 2, f"{band}: {bands[band]} of {len(answers)}"
    per_question: dict[str, set[str]] = defaultdict(set)
    for entry in answers:
        per_question[entry["question"]].add(entry["band"])
    for q in _questions().values():
        if q["kind"] == "primary":
            assert per_question[q["id"]] == set(BANDS), q["id"]
        elif q["id"] in per_question and len([e for e in answers if e["question"] == q["id"]]) == 2:
            assert len(per_question[q["id"]]) == 2, f"{q['id']}: both answers share a band"


def test_split_is_about_55_45_and_spread() -> None:
    answers = _answers()
    splits = Counter(e["split"] for e in answers)
    assert 0.50 <= splits["tune"] / len(answers) <= 0.60, splits
    for split in SPLITS:
        in_split = [e for e in answers if e["split"] == split]
        bands = Counter(e["band"] for e in in_split)
        for band in BANDS:
            assert bands[band] >= math.floor(len(in_split) * 0.28), f"{split} has {bands[band]} {band}"
    per_question: dict[str, set[str]] = defaultdict(set)
    for entry in answers:
        per_question[entry["question"]].add(entry["split"])
    for q in _questions().values():
        if q["kind"] == "primary":
            assert per_question[q["id"]] == SPLITS, f"{q['id']} is not in both splits"


def test_global_flags_each_appear_several_times() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for entry in _answers():
        for flag in entry["global_flags"]:
            seen[flag].add(entry["question"])
            counts[flag] += 1
    for flag in _pack()["red_flags"]:
        assert counts[flag["id"]] >= 3, f"{flag['id']} labelled only {counts[flag['id']]} times"
        assert len(seen[flag["id"]]) >= 2, f"{flag['id']} appears under one question only"


def test_every_avoid_flag_is_committed_by_a_weak_answer() -> None:
    committed: dict[str, set[int]] = defaultdict(set)
    for entry in _answers():
        if entry["band"] == "weak":
            committed[entry["question"]].update(entry["question_flags"])
    for q in _questions().values():
        if q["kind"] != "primary":
            continue
        for index in range(len(q.get("avoid") or [])):
            assert index in committed[q["id"]], f"{q['id']} avoid[{index}] never labelled on a weak answer"


def test_a_third_of_behavioural_answers_lack_star_parts() -> None:
    stars = [e["star"] for e in _answers() if e["star"] is not None]
    lacking = [s for s in stars if not all(s[part] for part in STAR_PARTS)]
    assert len(lacking) * 3 >= len(stars), f"{len(lacking)} of {len(stars)} lack a STAR part"
    # Each kind of gap the coach must detect is represented at least once.
    for part in STAR_PARTS:
        assert any(not s[part] for s in stars), f"no behavioural answer lacks {part}"
    assert any(s["result"] and not s["quantified_result"] for s in stars)
    assert any(s["quantified_result"] for s in stars)


def test_every_pointer_is_both_covered_and_missed_somewhere() -> None:
    """A pointer labelled always (or never) covered cannot tell a good detector from a constant one."""
    answers = _answers()
    for q in _questions().values():
        entries = [e for e in answers if e["question"] == q["id"]]
        for index in range(len(q.get("pointers") or [])):
            hits = sum(index in e["covers"] for e in entries)
            assert 0 < hits < len(entries), f"{q['id']} pointer {index}: covered in {hits}/{len(entries)}"
