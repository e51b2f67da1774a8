"""The learned STAR reader: its cues, training, its file beside a pack, and how the coach uses it."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.cli.train import train_command
from bot.domain.coaching import coach
from bot.domain.coaching_star import StarEvidence, analyse_star
from bot.domain.coaching_types import STAR_KIND, STAR_PARTS, StarResult
from bot.domain.flag_model import NGRAM_KIND, Example, FlagModel
from bot.domain.packs import PackError, load_pack, star_model_path
from bot.domain.star_model import read_story, story_features, train_star
from bot.domain.text import sentences

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "content" / "senior-devops.yaml"

HYPOTHETICAL = (
    "I haven't led one yet. The way I'd run it, I would get everyone on a call and I would make sure "
    "someone owns the updates to the business. Then I'd focus on getting service back before the root "
    "cause, and I would run a blameless review afterwards with clear owners for every action, and I "
    "would send a short summary to the whole company the same week."
)
TOLD = (
    "Last year our checkout API started failing for a third of users during the evening peak, and support "
    "was flooded. I was the incident commander that night. I paged the database team, posted updates for "
    "support every twenty minutes, and we failed over to the replica while the database team looked at "
    "the primary. Errors dropped to zero within ten minutes, and the retro added a replica lag alert."
)
LESSON_CLOSE = (
    "Our deploys kept breaking the login page last spring, and every time it happened customers were "
    "locked out for a while. I was on call that week. I rolled the release back, paged the owning team "
    "and wrote up the timeline for them. "
    "The big lesson for me was to check the canary dashboards before anything else, every single time, "
    "however small the release looks."
)


def _toy_reader() -> FlagModel:
    """A reader that has learned one thing: a story closing on a lesson has told no outcome."""
    closes_on_lesson = frozenset({"rule:result", "lesson:closing", "episode"})
    tells_outcome = frozenset({"rule:result", "episode", "outcome:last"})
    every_part = frozenset(STAR_PARTS)
    examples = [Example(grams=closes_on_lesson, flags=every_part - {"result"}) for _ in range(6)]
    examples += [Example(grams=tells_outcome, flags=every_part) for _ in range(6)]
    return train_star(examples, pack_id="senior-devops")


def test_cues_describe_the_shape_of_the_story() -> None:
    hypothetical = sentences(HYPOTHETICAL)
    cues = story_features(hypothetical, analyse_star(hypothetical))
    assert {"hypothetical:most", "hypothetical:last", "steps:none"} <= cues
    assert "hypothetical:first" not in cues  # "I haven't led one yet" is a fact, not a plan
    assert "rule:action" not in cues
    told = sentences(TOLD)
    cues = story_features(told, analyse_star(told))
    assert {"rule:situation", "rule:task", "rule:action", "rule:result", "rule:quantified", "episode"} <= cues
    assert not {"hypothetical:some", "steps:none", "lesson:closing"} & cues
    closing = sentences(LESSON_CLOSE)
    assert "lesson:closing" in story_features(closing, analyse_star(closing))
    assert story_features([], analyse_star(told)) == frozenset()


def test_the_reader_decides_each_part_and_a_dropped_result_takes_its_figure_with_it() -> None:
    reader = _toy_reader()
    story = sentences(LESSON_CLOSE)
    # Rules that (wrongly) kept a measured result: the reader overrules them on the result only.
    rules = StarEvidence(
        result=StarResult(situation=True, task=True, action=True, result=True, quantified_result=True),
        quotes={"situation": "s", "task": "t", "action": "a", "result": "r", "quantified_result": "r"},
    )
    read = read_story(reader, story, rules)
    assert read.result == StarResult(True, True, True, result=False, quantified_result=False)
    assert read.quotes == {"situation": "s", "task": "t", "action": "a"}
    told = sentences(TOLD)
    kept = read_story(reader, told, analyse_star(told))
    assert kept.result.result and kept.result.quantified_result


def test_a_story_told_under_its_own_star_headings_is_left_to_the_rules() -> None:
    """Bullets under "Task:" and "Result:" are unlike every story the reader learned from."""
    reader = _toy_reader()
    bullets = sentences(
        "- Situation: checkout API failing for thirty percent of users at the evening peak last March\n"
        "- Task: I was the incident commander for the whole outage\n"
        "- Action: paged the database team, posted updates every twenty minutes, failed over to the replica\n"
        "- Result: errors to zero in ten minutes, forty minutes end to end, a canary stage after the retro\n"
        "- Lesson: check replica lag before any failover; we alert on it now and drill it every quarter"
    )
    rules = analyse_star(bullets)
    assert read_story(reader, bullets, rules) is rules


def test_a_line_or_two_is_left_to_the_rules() -> None:
    """The reader learned from stories of 60-250 words; a short reply in a thread is not one."""
    reader = _toy_reader()
    short = sentences(
        "I rolled the release back and paged the owning team. The lesson was to check the canary."
    )
    rules = StarEvidence(
        result=StarResult(situation=False, task=False, action=True, result=True, quantified_result=False),
        quotes={"action": "a", "result": "r"},
    )
    assert read_story(reader, short, rules) is rules


def test_training_is_deterministic_and_the_file_says_what_it_reads() -> None:
    text = _toy_reader().to_json()
    assert text == _toy_reader().to_json()
    loaded = FlagModel.from_json(text)
    assert loaded.kind == STAR_KIND and set(loaded.flags) == set(STAR_PARTS)
    assert loaded.settings.threshold == _toy_reader().settings.threshold


def test_a_star_reader_beside_a_pack_is_loaded_and_checked(tmp_path: Path) -> None:
    pack_file = tmp_path / "pack.yaml"
    pack_file.write_text(PACK.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_pack(pack_file).star_model is None
    star_file = star_model_path(pack_file)
    assert star_file.name == "pack.star.json"
    star_file.write_text(_toy_reader().to_json(), encoding="utf-8")
    assert load_pack(pack_file).star_model is not None
    stranger = replace(_toy_reader(), flags={**_toy_reader().flags, "tone": _toy_reader().flags["result"]})
    broken = {
        stranger.to_json(): "pack.star.json:1: model for unknown STAR part(s) tone",
        replace(
            _toy_reader(), pack_id="another-pack"
        ).to_json(): "pack.star.json:1: trained for pack 'another-pack'",
        "{\n oops": "pack.star.json:2: not JSON",
        # A file missing a part would call that part missing in every story.
        replace(_toy_reader(), flags={"situation": _toy_reader().flags["situation"]}).to_json(): (
            "pack.star.json:1: no weights for STAR part(s) task, action, result"
        ),
        _toy_reader()
        .to_json()
        .replace('"threshold": 0.55', '"threshold": NaN'): "threshold must be between 0 and 1",
        _toy_reader().to_json().replace('"bias": ', '"bias": Infinity, "was": ', 1): "malformed weights",
        replace(_toy_reader(), kind=NGRAM_KIND).to_json(): "this file holds a 'logistic regression over word",
    }
    for text, problem in broken.items():
        star_file.write_text(text, encoding="utf-8")
        with pytest.raises(PackError) as error:
            load_pack(pack_file)
        assert any(problem in p for p in error.value.problems), error.value.problems


def test_train_writes_the_star_reader_from_labelled_tuning_stories_only(tmp_path: Path) -> None:
    pack_file = tmp_path / "pack.yaml"
    pack_file.write_text(PACK.read_text(encoding="utf-8"), encoding="utf-8")
    full = {"situation": True, "task": True, "action": True, "result": True, "quantified_result": True}
    hypothetical = {
        "situation": False,
        "task": False,
        "action": False,
        "result": False,
        "quantified_result": False,
    }
    entries = [
        {"id": f"t{i}", "question": "incident-leadership", "split": "tune", "answer": TOLD, "star": full}
        for i in range(4)
    ] + [
        {
            "id": f"h{i}",
            "question": "incident-leadership",
            "split": "tune",
            "answer": HYPOTHETICAL,
            "star": hypothetical,
        }
        for i in range(4)
    ]
    # Never trained on: the test split, and technical questions (no story to read).
    entries.append(
        {"id": "x", "question": "incident-leadership", "split": "test", "answer": TOLD, "star": full}
    )
    entries.append(
        {"id": "y", "question": "cicd-kubernetes-pipeline", "split": "tune", "answer": TOLD, "star": None}
    )
    examples = tmp_path / "labelled.yaml"
    examples.write_text(yaml.safe_dump(entries), encoding="utf-8")
    out = io.StringIO()
    assert train_command(str(pack_file), str(examples), check=True, out=out) == 1
    assert "pack.star.json: missing" in out.getvalue()
    out = io.StringIO()
    assert train_command(str(pack_file), str(examples), check=False, out=out) == 0
    assert "pack.star.json: trained on 8 answers, 4 outputs" in out.getvalue()
    assert train_command(str(pack_file), str(examples), check=True, out=io.StringIO()) == 0
    reader = load_pack(pack_file).star_model
    assert reader is not None and reader.trained_on == 8
    pack = load_pack(pack_file)
    question = pack.question("incident-leadership")
    assert question is not None
    # Mostly plans, one step told in passing: the rules credit the step, the reader (which has learned
    # that a story of plans has no parts) does not. So the trained reader is the one in use.
    plans = HYPOTHETICAL.replace(
        "I haven't led one yet.", "I haven't led one yet, but last year I paged our DBA."
    )
    assert coach(question, replace(pack, star_model=None), plans).star.action  # type: ignore[union-attr]
    assert coach(question, pack, plans).star == StarResult(False, False, False, False, False)
    # A reader the answers can no longer train is reported, not kept quietly.
    technical_only = tmp_path / "technical.yaml"
    technical_only.write_text(yaml.safe_dump([entries[-1]]), encoding="utf-8")
    out = io.StringIO()
    assert train_command(str(pack_file), str(technical_only), check=True, out=out) == 1
    assert "pack.star.json: these answers cannot retrain it" in out.getvalue()


def test_the_shipped_reader_hears_an_outcome_the_rules_miss() -> None:
    """ "By the end of it he was reviewing other people's changes" has no outcome word the rules know;
    the shipped reader weighs that the story's steps are told and a sentence follows the last one."""
    pack = load_pack(PACK)
    question = pack.question("mentoring")
    assert question is not None and pack.star_model is not None
    story = (
        "What I did was sit with him three mornings a week for about six weeks, mostly on his own "
        "tickets. I was his buddy through the onboarding scheme at the bank. I had him write up every fix "
        "he made twice as a runbook, and I went through his pull requests with a short checklist we "
        "agreed on. By the end of it he was reviewing other people's changes on his own and running the "
        "Friday releases."
    )
    rules = coach(question, replace(pack, star_model=None), story).star
    assert rules is not None and not rules.result
    star = coach(question, pack, story).star
    assert star is not None and star.result and star.action and not star.quantified_result
