"""Integrity of the labelled coaching evaluation sets (tests/eval/*.yaml) against the pack.

The sets are the yardstick for coaching accuracy, so a silent mistake in them (an index past the end
of a pointer list, a typo in a flag id, a behavioural answer without STAR labels) would skew every
measurement taken with them. These tests read the pack YAML directly, not through the bot's loader,
so the yardstick does not depend on the code it measures. Labelling rules: tests/eval/README.md.

Every `tests/eval/*.yaml` file gets the per-answer checks and the generic composition checks; ids are
unique across files so results can be reported per answer without naming the file. Each file also has
its own size targets: `answers.yaml` (the first set), `answers_more.yaml` (the second, independently
written set, which stresses red flags and near-misses harder), `answers_c.yaml` (the third, a held-out
set written in other words than the pack: synonyms, hedging, jargon, and practice questions no other set
covers) and `answers_d.yaml` (the fourth, tuning-only: paraphrase breadth and keyword name-drops). Rules
that need both splits are applied only to the files that mix them (BOTH_SPLIT_FILES).
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
EVAL_DIR = ROOT / "tests" / "eval"
BASE_FILE = "answers.yaml"
MORE_FILE = "answers_more.yaml"
THIRD_FILE = "answers_c.yaml"
FOURTH_FILE = "answers_d.yaml"
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


def _eval_files() -> list[str]:
    return sorted(path.name for path in EVAL_DIR.glob("*.yaml"))


@cache
def _answers(name: str) -> tuple[dict[str, Any], ...]:
    with (EVAL_DIR / name).open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, list), f"{name} must be a YAML list"
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


def _all_ids() -> list[tuple[str, str]]:
    """(file, id) for every answer in every set, for parametrising the per-answer checks."""
    return [(name, str(entry.get("id"))) for name in _eval_files() for entry in _answers(name)]


def _entry(name: str, answer_id: str) -> dict[str, Any]:
    return next(e for e in _answers(name) if e.get("id") == answer_id)


def _lacks_star_part(star: dict[str, bool]) -> bool:
    return not all(star[part] for part in STAR_PARTS)


# ---------------------------------------------------------------- per-answer structure


def test_both_sets_are_present() -> None:
    assert {BASE_FILE, MORE_FILE, THIRD_FILE} <= set(_eval_files())


def test_ids_are_unique_across_all_sets() -> None:
    counts = Counter(answer_id for _, answer_id in _all_ids())
    assert [i for i, n in counts.items() if n > 1] == []


@pytest.mark.parametrize(("name", "answer_id"), _all_ids())
def test_entry_shape_and_references(name: str, answer_id: str) -> None:
    entry = _entry(name, answer_id)
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


@pytest.mark.parametrize(("name", "answer_id"), _all_ids())
def test_star_present_iff_behavioural(name: str, answer_id: str) -> None:
    entry = _entry(name, answer_id)
    question = _questions()[entry["question"]]
    star = entry["star"]
    if not _is_behavioural(question):
        assert star is None
        return
    assert isinstance(star, dict) and set(star) == STAR_KEYS
    assert all(type(v) is bool for v in star.values())
    # A measurable outcome is still an outcome: quantified without a result is contradictory.
    assert not (star["quantified_result"] and not star["result"])


@pytest.mark.parametrize(("name", "answer_id"), _all_ids())
def test_answer_length_is_interview_like(name: str, answer_id: str) -> None:
    count = len(_entry(name, answer_id)["answer"].split())
    assert MIN_WORDS <= count <= MAX_WORDS, f"{count} words"


@pytest.mark.parametrize(("name", "answer_id"), _all_ids())
def test_answer_paraphrases_rather_than_copies(name: str, answer_id: str) -> None:
    """A copied pointer would make keyword matching look better than it is on real answers."""
    entry = _entry(name, answer_id)
    question = _questions()[entry["question"]]
    sources = [p["text"] for p in question.get("pointers") or []]
    sources += [a["text"] for a in question.get("avoid") or []]
    sources += [f["text"] for f in _pack()["red_flags"]]
    answer_grams = _ngrams(entry["answer"], COPY_NGRAM)
    for source in sources:
        shared = answer_grams & _ngrams(source, COPY_NGRAM)
        assert not shared, f"copies {' '.join(sorted(shared)[0])!r} from {source!r}"


@pytest.mark.parametrize(("name", "answer_id"), _all_ids())
def test_labels_agree_with_band(name: str, answer_id: str) -> None:
    """Bands are a holistic judgement, but these bounds keep them consistent with the labels."""
    entry = _entry(name, answer_id)
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


# ---------------------------------------------------------------- composition shared by every set


# Behavioural-only files (STAR-focused sets) cover only the behavioural questions: the rules about
# every primary question apply to the questions they are about.
BEHAVIOURAL_ONLY_FILES = {
    "answers_v.yaml",
    "answers_w.yaml",
    "answers_x.yaml",
    "answers_y.yaml",
    "answers_z.yaml",
    "answers_aa.yaml",
    "answers_ab.yaml",
    "answers_ac.yaml",
    "answers_ad.yaml",
    "answers_af.yaml",
    "answers_ah.yaml",
    "answers_ai.yaml",
    "answers_aj.yaml",
    "answers_ak.yaml",
    "answers_al.yaml",
    "answers_am.yaml",
}


def _in_scope(name: str) -> list[dict[str, Any]]:
    questions = list(_questions().values())
    if name in BEHAVIOURAL_ONLY_FILES:
        return [q for q in questions if _is_behavioural(q)]
    return questions


@pytest.mark.parametrize("name", _eval_files())
def test_bands_are_roughly_thirds_and_vary_per_question(name: str) -> None:
    answers = _answers(name)
    bands = Counter(e["band"] for e in answers)
    for band in BANDS:
        assert abs(bands[band] - len(answers) / 3) <= 2, f"{band}: {bands[band]} of {len(answers)}"
    per_question: dict[str, set[str]] = defaultdict(set)
    for entry in answers:
        per_question[entry["question"]].add(entry["band"])
    counts = Counter(e["question"] for e in answers)
    for q in _in_scope(name):
        if q["kind"] == "primary":
            assert counts[q["id"]] >= 2, f"{q['id']}: every primary question is answered at least twice"
        if counts[q["id"]] >= 3 and q["kind"] == "primary":
            assert per_question[q["id"]] == set(BANDS), q["id"]
        elif counts[q["id"]] == 2:
            assert len(per_question[q["id"]]) == 2, f"{q['id']}: both answers share a band"


@pytest.mark.parametrize("name", _eval_files())
def test_splits_are_spread_over_bands(name: str) -> None:
    """Generic: a split that a file uses holds every band. A file may sit entirely in one split."""
    answers = _answers(name)
    for split in SPLITS:
        in_split = [e for e in answers if e["split"] == split]
        bands = Counter(e["band"] for e in in_split)
        for band in BANDS:
            assert bands[band] >= math.floor(len(in_split) * 0.28), f"{split} has {bands[band]} {band}"


# Sets that mix tune and test answers, so every primary question must appear in both splits. Sets
# written for one split only (the tuning-only fourth set, for instance) are deliberately not listed.
BOTH_SPLIT_FILES = (BASE_FILE, MORE_FILE, THIRD_FILE)


@pytest.mark.parametrize("name", BOTH_SPLIT_FILES)
def test_every_primary_question_is_in_both_splits(name: str) -> None:
    answers = _answers(name)
    per_question: dict[str, set[str]] = defaultdict(set)
    for entry in answers:
        per_question[entry["question"]].add(entry["split"])
    for q in _questions().values():
        if q["kind"] == "primary":
            assert per_question[q["id"]] == SPLITS, f"{q['id']} is not in both splits"


@pytest.mark.parametrize("name", _eval_files())
def test_global_flags_each_appear_several_times(name: str) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for entry in _answers(name):
        for flag in entry["global_flags"]:
            seen[flag].add(entry["question"])
            counts[flag] += 1
    for flag in _pack()["red_flags"]:
        assert counts[flag["id"]] >= 3, f"{flag['id']} labelled only {counts[flag['id']]} times"
        assert len(seen[flag["id"]]) >= 2, f"{flag['id']} appears under one question only"


@pytest.mark.parametrize("name", _eval_files())
def test_every_avoid_flag_is_committed_by_a_weak_answer(name: str) -> None:
    committed: dict[str, set[int]] = defaultdict(set)
    for entry in _answers(name):
        if entry["band"] == "weak":
            committed[entry["question"]].update(entry["question_flags"])
    for q in _in_scope(name):
        if q["kind"] != "primary":
            continue
        for index in range(len(q.get("avoid") or [])):
            assert index in committed[q["id"]], f"{q['id']} avoid[{index}] never labelled on a weak answer"


@pytest.mark.parametrize("name", _eval_files())
def test_a_third_of_behavioural_answers_lack_star_parts(name: str) -> None:
    stars = [e["star"] for e in _answers(name) if e["star"] is not None]
    lacking = [s for s in stars if _lacks_star_part(s)]
    assert len(lacking) * 3 >= len(stars), f"{len(lacking)} of {len(stars)} lack a STAR part"
    # Each kind of gap the coach must detect is represented at least once.
    for part in STAR_PARTS:
        assert any(not s[part] for s in stars), f"no behavioural answer lacks {part}"
    assert any(s["result"] and not s["quantified_result"] for s in stars)
    assert any(s["quantified_result"] for s in stars)


@pytest.mark.parametrize("name", _eval_files())
def test_every_pointer_is_both_covered_and_missed_somewhere(name: str) -> None:
    """A pointer labelled always (or never) covered cannot tell a good detector from a constant one."""
    answers = _answers(name)
    for q in _in_scope(name):
        entries = [e for e in answers if e["question"] == q["id"]]
        for index in range(len(q.get("pointers") or [])):
            hits = sum(index in e["covers"] for e in entries)
            assert 0 < hits < len(entries), f"{q['id']} pointer {index}: covered in {hits}/{len(entries)}"


# ---------------------------------------------------------------- first set (answers.yaml)


def test_base_set_size_and_question_coverage() -> None:
    answers = _answers(BASE_FILE)
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


def test_base_set_split_is_about_55_45() -> None:
    answers = _answers(BASE_FILE)
    splits = Counter(e["split"] for e in answers)
    assert 0.50 <= splits["tune"] / len(answers) <= 0.60, splits


# ---------------------------------------------------------------- second set (answers_more.yaml)

# Answers that name a flag's topic only to reject it, or admit a gap honestly. They must stay
# unflagged: a detector that fires on the topic word alone should lose precision on them.
# Each maps to a phrase that must remain in the answer, so the trap can't be edited away silently.
NEAR_MISSES = {
    "incident-leadership-strong-b1": "getting away from that hero culture",
    "cicd-kubernetes-pipeline-strong-b1": "try not to just list tools",
    "migration-cutover-strong-b1": "rollback was the first thing we designed",
    "secrets-management-strong-b1": "security isn't something i hand off",
    "cloud-cost-optimisation-strong-b1": "cost isn't finance's problem",
    "legacy-platform-strong-b1": "propose a rewrite on day three",
    "observability-strategy-strong-b2": "not going to put an alert on every cpu graph",
    "terraform-state-strong-b1": "moved away from one giant state",
    "slos-error-budgets-mixed-b1": "feature work just continued",
    "outage-you-caused-mixed-b1": "it was my change, nobody else's",
    "architecture-disagreement-strong-b1": "so i lost that one",
    "tool-fragmentation-strong-b1": "on-call included",
}


def test_more_set_ids_carry_the_b_suffix() -> None:
    for entry in _answers(MORE_FILE):
        assert re.fullmatch(r".+-(strong|mixed|weak)-b\d+", entry["id"]), entry["id"]


def test_more_set_size_and_question_coverage() -> None:
    answers = _answers(MORE_FILE)
    questions = _questions()
    per_question = Counter(e["question"] for e in answers)
    assert len(answers) == 90
    for q in questions.values():
        if q["kind"] == "primary":
            assert 4 <= per_question[q["id"]] <= 5, f"{q['id']}: {per_question[q['id']]} answers"
    practice_counts = [per_question[q["id"]] for q in questions.values() if q["kind"] == "practice"]
    assert sum(1 for n in practice_counts if n) >= 8
    assert all(n <= 2 for n in practice_counts)


def test_more_set_split_is_even() -> None:
    splits = Counter(e["split"] for e in _answers(MORE_FILE))
    assert splits["tune"] == splits["test"] == 45, splits


def test_more_set_global_flags_are_plentiful_and_in_both_splits() -> None:
    answers = _answers(MORE_FILE)
    for flag in _pack()["red_flags"]:
        carriers = [e for e in answers if flag["id"] in e["global_flags"]]
        assert len(carriers) >= 8, f"{flag['id']} labelled {len(carriers)} times"
        assert len({e["question"] for e in carriers}) >= 5, f"{flag['id']} under too few questions"
        assert {e["split"] for e in carriers} == SPLITS, f"{flag['id']} missing from a split"


def test_more_set_commits_every_avoid_entry_at_least_twice_in_both_splits() -> None:
    answers = _answers(MORE_FILE)
    for q in _questions().values():
        for index in range(len(q.get("avoid") or [])):
            carriers = [e for e in answers if e["question"] == q["id"] and index in e["question_flags"]]
            assert len(carriers) >= 2, f"{q['id']} avoid[{index}] committed {len(carriers)} times"
            assert {e["split"] for e in carriers} == SPLITS, f"{q['id']} avoid[{index}] missing from a split"


def test_more_set_has_enough_incomplete_star_stories() -> None:
    stars = [e["star"] for e in _answers(MORE_FILE) if e["star"] is not None]
    lacking = [s for s in stars if _lacks_star_part(s)]
    assert len(lacking) >= 0.4 * len(stars), f"{len(lacking)} of {len(stars)} lack a STAR part"


@pytest.mark.parametrize(("answer_id", "phrase"), sorted(NEAR_MISSES.items()))
def test_more_set_near_misses_stay_unflagged(answer_id: str, phrase: str) -> None:
    entry = _entry(MORE_FILE, answer_id)
    assert phrase in " ".join(entry["answer"].casefold().split()), "the trap phrase was edited away"
    assert entry["global_flags"] == [] and entry["question_flags"] == []


# ---------------------------------------------------------------- third set (answers_c.yaml)

# Practice questions that neither earlier set covers; the third set must measure them.
THIRD_NEW_PRACTICE = {"self-service-platform", "measuring-platform-team", "dev-teams-ownership", "dr-testing"}
# The third set's answers are held to a tighter length, like a spoken answer of one to two minutes.
THIRD_MAX_WORDS = 220

# Traps of the third set: each names a flag's topic only to reject it, or uses its keyword innocently,
# or admits a gap honestly (or, for the toil answer, fixes by hand once and then builds the systemic fix,
# which the hero-culture rule does not flag). Each must stay unflagged, with its phrase intact.
THIRD_NEAR_MISSES = {
    "incident-leadership-strong-c1": "grab a shell on the nodes myself",
    "toil-automation-strong-c1": "i fixed it myself at 2am",
    "cicd-kubernetes-pipeline-strong-c1": "keep the product names out of it",
    "iac-multi-environment-strong-c1": "one big terraform root for everything and it bit us",
    "latency-5xx-diagnosis-strong-c2": "whether the problem's even on us",
    "legacy-platform-strong-c1": "that conversation can wait a few months",
    "slos-error-budgets-mixed-c2": "feature work just carries on",
    "cloud-cost-optimisation-strong-c1": "not something to hand over to finance",
    "blameless-culture-strong-c1": "blameless doesn't mean nobody owns the action items",
    "dev-teams-ownership-strong-c1": "quietly keep carrying their service for them",
    "outage-you-caused-strong-c1": "it was my change",
    "zero-downtime-migrations-strong-c1": "to rename a column",
}


def test_third_set_ids_carry_the_c_suffix() -> None:
    for entry in _answers(THIRD_FILE):
        assert re.fullmatch(r".+-(strong|mixed|weak)-c\d+", entry["id"]), entry["id"]


def test_third_set_size_and_question_coverage() -> None:
    answers = _answers(THIRD_FILE)
    questions = _questions()
    per_question = Counter(e["question"] for e in answers)
    assert len(answers) == 80
    for q in questions.values():
        if q["kind"] == "primary":
            assert 4 <= per_question[q["id"]] <= 5, f"{q['id']}: {per_question[q['id']]} answers"
    practice = {q["id"] for q in questions.values() if q["kind"] == "practice"}
    covered_practice = {q for q in practice if per_question[q]}
    assert len(covered_practice) >= 6
    assert covered_practice >= THIRD_NEW_PRACTICE, THIRD_NEW_PRACTICE - covered_practice
    assert all(per_question[q] <= 2 for q in practice)


def test_third_set_split_is_even() -> None:
    splits = Counter(e["split"] for e in _answers(THIRD_FILE))
    assert splits["tune"] == splits["test"] == 40, splits


@pytest.mark.parametrize("answer_id", [e["id"] for e in _answers(THIRD_FILE)])
def test_third_set_answers_stay_spoken_length(answer_id: str) -> None:
    count = len(_entry(THIRD_FILE, answer_id)["answer"].split())
    assert MIN_WORDS <= count <= THIRD_MAX_WORDS, f"{count} words"


def test_third_set_global_flags_are_spread_and_in_both_splits() -> None:
    answers = _answers(THIRD_FILE)
    for flag in _pack()["red_flags"]:
        carriers = [e for e in answers if flag["id"] in e["global_flags"]]
        assert len(carriers) >= 6, f"{flag['id']} labelled {len(carriers)} times"
        assert len({e["question"] for e in carriers}) >= 4, f"{flag['id']} under too few questions"
        assert {e["split"] for e in carriers} == SPLITS, f"{flag['id']} missing from a split"


def test_third_set_commits_every_avoid_entry_in_both_splits() -> None:
    answers = _answers(THIRD_FILE)
    for q in _questions().values():
        for index in range(len(q.get("avoid") or [])):
            splits = {
                e["split"] for e in answers if e["question"] == q["id"] and index in e["question_flags"]
            }
            assert splits == SPLITS, f"{q['id']} avoid[{index}] committed only in {sorted(splits)}"


def test_third_set_behavioural_answers_are_often_incomplete_and_vary_in_results() -> None:
    stars = [e["star"] for e in _answers(THIRD_FILE) if e["star"] is not None]
    lacking = [s for s in stars if _lacks_star_part(s)]
    assert len(lacking) >= 0.4 * len(stars), f"{len(lacking)} of {len(stars)} lack a STAR part"
    feeling_only = [s for s in stars if s["result"] and not s["quantified_result"]]
    assert len(feeling_only) >= 5, f"only {len(feeling_only)} feeling-only results"
    assert sum(s["quantified_result"] for s in stars) >= 5


def test_third_set_has_enough_near_misses() -> None:
    assert len(THIRD_NEAR_MISSES) >= 8


@pytest.mark.parametrize(("answer_id", "phrase"), sorted(THIRD_NEAR_MISSES.items()))
def test_third_set_near_misses_stay_unflagged(answer_id: str, phrase: str) -> None:
    entry = _entry(THIRD_FILE, answer_id)
    assert phrase in " ".join(entry["answer"].casefold().split()), "the trap phrase was edited away"
    assert entry["global_flags"] == [] and entry["question_flags"] == []


# ---------------------------------------------------------------- fourth set (answers_d.yaml)

# Traps of the fourth set: a flag's topic named and rejected, or its keyword used innocently. Each must
# stay unflagged, with its phrase intact, so a detector that fires on the topic word loses precision.
FOURTH_NEAR_MISSES = {
    "incident-leadership-strong-d1": "tempted to ssh in myself",
    "toil-automation-strong-d1": "it wasn't going to live on my laptop",
    "architecture-disagreement-strong-d1": "the group went the other way and i got behind it",
    "cicd-kubernetes-pipeline-strong-d1": "not rattle off product names",
    "latency-5xx-diagnosis-strong-d2": "not our code, it's still our pager",
    "iac-multi-environment-strong-d1": "one state file for every account and it hurt",
    "observability-strategy-strong-d1": "i wouldn't page anyone on a cpu graph",
    "cve-base-image-strong-d1": "toss over the wall to the security team",
    "legacy-platform-strong-d1": "it's tempting to say rewrite it",
    "cloud-cost-optimisation-strong-d1": "the bill isn't finance's homework",
    "blameless-culture-strong-d1": "blameless isn't the same as nobody's on the hook",
    "outage-you-caused-strong-d1": "the bad push was mine",
    "secrets-management-strong-d1": "rotation isn't something i'd leave to the security team",
    "deployment-strategies-strong-d1": "rather than all at once",
}

# Name-drops: the answer uses a pointer's keyword (or lists it) with nothing behind it, so the pointer
# is labelled not covered (labelling rules 1 and 2). (answer id, phrase that must stay, pointer index).
FOURTH_NAME_DROPS = (
    ("incident-leadership-mixed-d3", "stakeholders were kept informed", 2),
    ("mentoring-weak-d5", "pairing and code review and that kind of thing, runbooks, blameless", 2),
    ("cicd-kubernetes-pipeline-mixed-d3", "rollback too of course", 1),
    ("latency-5xx-diagnosis-weak-d5", "logs and metrics and traces, the usual", 1),
    ("iac-multi-environment-weak-d5", "drift detection, least privilege, secrets", 1),
    ("observability-strategy-weak-d5", "slos too", 1),
    ("cve-base-image-mixed-d3", "wouldn't spend long figuring out whether we're actually exposed", 0),
    ("legacy-platform-mixed-d3", "add some monitoring at some point", 0),
    ("slos-error-budgets-weak-d4", "error budgets i know about from the google book", 1),
    ("cloud-cost-optimisation-mixed-d3", "spot instances are an option as well", 0),
    ("cloud-cost-optimisation-weak-d5", "right-sizing and all that", 0),
    ("architecture-disagreement-mixed-d2", "looking back i'd have built a quick proof of concept", 1),
)
# Words shared by two answers to the same question: a run this long means one was templated on the
# other, which would defeat the set's purpose of wording each concept differently.
FOURTH_SHARED_RUN = 5


def test_fourth_set_is_present_and_ids_carry_the_d_suffix() -> None:
    assert FOURTH_FILE in _eval_files()
    for entry in _answers(FOURTH_FILE):
        assert re.fullmatch(r".+-(strong|mixed|weak)-d\d+", entry["id"]), entry["id"]


def test_fourth_set_size_and_question_coverage() -> None:
    answers = _answers(FOURTH_FILE)
    questions = _questions()
    per_question = Counter(e["question"] for e in answers)
    assert len(answers) == 90
    for q in questions.values():
        if q["kind"] == "primary":
            assert per_question[q["id"]] == 5, f"{q['id']}: {per_question[q['id']]} answers"
    practice = [q["id"] for q in questions.values() if q["kind"] == "practice"]
    assert sum(1 for q in practice if per_question[q]) >= 8
    assert all(per_question[q] in (0, 2) for q in practice), "practice questions get 2 answers each"


def test_fourth_set_is_tuning_only_with_even_bands() -> None:
    """The fourth set may be tuned against, so none of it may pass for held-out data."""
    answers = _answers(FOURTH_FILE)
    assert {e["split"] for e in answers} == {"tune"}
    assert Counter(e["band"] for e in answers) == {band: 30 for band in BANDS}


def test_fourth_set_global_flags_are_plentiful_and_spread() -> None:
    answers = _answers(FOURTH_FILE)
    for flag in _pack()["red_flags"]:
        carriers = [e for e in answers if flag["id"] in e["global_flags"]]
        assert len(carriers) >= 8, f"{flag['id']} labelled {len(carriers)} times"
        assert len({e["question"] for e in carriers}) >= 5, f"{flag['id']} under too few questions"


def test_fourth_set_commits_every_avoid_entry_at_least_twice() -> None:
    answers = _answers(FOURTH_FILE)
    for q in _questions().values():
        for index in range(len(q.get("avoid") or [])):
            carriers = [e for e in answers if e["question"] == q["id"] and index in e["question_flags"]]
            assert len(carriers) >= 2, f"{q['id']} avoid[{index}] committed {len(carriers)} times"


def test_fourth_set_covers_every_pointer_at_least_three_times() -> None:
    """Three covering answers per pointer is the minimum for three different wordings of it."""
    answers = _answers(FOURTH_FILE)
    for q in _questions().values():
        for index in range(len(q.get("pointers") or [])):
            hits = sum(1 for e in answers if e["question"] == q["id"] and index in e["covers"])
            assert hits >= 3, f"{q['id']} pointer {index} covered only {hits} times"


def test_fourth_set_answers_to_one_question_are_worded_independently() -> None:
    by_question: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in _answers(FOURTH_FILE):
        by_question[entry["question"]].append(entry)
    for entries in by_question.values():
        for i, first in enumerate(entries):
            for second in entries[i + 1 :]:
                shared = _ngrams(first["answer"], FOURTH_SHARED_RUN) & _ngrams(
                    second["answer"], FOURTH_SHARED_RUN
                )
                assert not shared, f"{first['id']} and {second['id']} share {sorted(shared)[0]}"


def test_fourth_set_behavioural_answers_are_often_incomplete_and_vary_in_results() -> None:
    stars = [e["star"] for e in _answers(FOURTH_FILE) if e["star"] is not None]
    lacking = [s for s in stars if _lacks_star_part(s)]
    assert len(lacking) >= 0.4 * len(stars), f"{len(lacking)} of {len(stars)} lack a STAR part"
    feeling_only = [s for s in stars if s["result"] and not s["quantified_result"]]
    assert len(feeling_only) >= 5, f"only {len(feeling_only)} feeling-only results"
    assert sum(s["quantified_result"] for s in stars) >= 5


def test_fourth_set_has_enough_traps() -> None:
    assert len(FOURTH_NEAR_MISSES) >= 10
    assert len(FOURTH_NAME_DROPS) >= 10


@pytest.mark.parametrize(("answer_id", "phrase"), sorted(FOURTH_NEAR_MISSES.items()))
def test_fourth_set_near_misses_stay_unflagged(answer_id: str, phrase: str) -> None:
    entry = _entry(FOURTH_FILE, answer_id)
    assert phrase in " ".join(entry["answer"].casefold().split()), "the trap phrase was edited away"
    assert entry["global_flags"] == [] and entry["question_flags"] == []


@pytest.mark.parametrize(("answer_id", "phrase", "pointer"), FOURTH_NAME_DROPS)
def test_fourth_set_name_drops_stay_uncovered(answer_id: str, phrase: str, pointer: int) -> None:
    entry = _entry(FOURTH_FILE, answer_id)
    assert phrase in " ".join(entry["answer"].casefold().split()), "the name-drop was edited away"
    assert pointer not in entry["covers"], "a keyword with nothing behind it does not cover a pointer"


# Single-split files: a test file must never drift into tuning unseen (and a tuning file into the
# headline). M was written as a test set and moved to tuning after one measurement (its header and
# docs/coaching.md say so).
SINGLE_SPLIT_FILES = {
    "answers_d.yaml": "tune",
    "answers_e.yaml": "test",
    "answers_f.yaml": "test",
    "answers_g.yaml": "test",
    "answers_h.yaml": "tune",
    "answers_i.yaml": "test",
    "answers_j.yaml": "tune",
    "answers_k.yaml": "test",
    "answers_l.yaml": "tune",
    "answers_m.yaml": "tune",
    "answers_n.yaml": "test",
    "answers_o.yaml": "test",
    "answers_p.yaml": "tune",
    "answers_q.yaml": "test",
    "answers_r.yaml": "test",
    "answers_s.yaml": "tune",
    "answers_t.yaml": "test",
    "answers_u.yaml": "test",
    "answers_v.yaml": "tune",
    "answers_w.yaml": "tune",
    "answers_x.yaml": "test",
    "answers_y.yaml": "test",
    "answers_z.yaml": "test",
    "answers_aa.yaml": "tune",
    "answers_ab.yaml": "tune",
    "answers_ac.yaml": "tune",
    "answers_ad.yaml": "test",
    "answers_ae.yaml": "test",
    "answers_af.yaml": "test",
    "answers_ag.yaml": "test",
    "answers_ah.yaml": "tune",
    "answers_ai.yaml": "tune",
    "answers_aj.yaml": "tune",
    "answers_ak.yaml": "tune",
    "answers_al.yaml": "tune",
    "answers_am.yaml": "test",
    "answers_an.yaml": "test",
}


@pytest.mark.parametrize(("name", "split"), sorted(SINGLE_SPLIT_FILES.items()))
def test_single_split_files_keep_their_split(name: str, split: str) -> None:
    splits = {entry["split"] for entry in _answers(name)}
    assert splits == {split}, f"{name} must be all {split}, found {sorted(splits)}"


@pytest.mark.parametrize("name", sorted(f"answers_{x}.yaml" for x in "lmnopqrstu"))
def test_round_nine_sets_cover_every_primary_question_per_band_and_practice(name: str) -> None:
    entries = _answers(name)
    questions = _questions()
    primary = {qid for qid, q in questions.items() if q.get("pointers")}
    per_band = {(e["question"], e["band"]) for e in entries if e["question"] in primary}
    assert per_band == {(qid, band) for qid in primary for band in BANDS}
    practice = {e["question"] for e in entries if e["question"] not in primary}
    assert len(practice) >= 7, f"only {len(practice)} practice questions"
