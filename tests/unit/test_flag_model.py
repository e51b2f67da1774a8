"""The learned flag reader: training, its file, loading beside a pack, and how the coach uses it."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.cli.train import train_command
from bot.domain.coaching import coach
from bot.domain.flag_model import Example, FlagModel, ModelFileError, TrainingSettings, answer_grams, train
from bot.domain.model import Pack, Question, RedFlag, Signals
from bot.domain.packs import PackError, flag_model_path, load_pack
from bot.domain.text import sentences
from tests.unit.builders import pack_with

ROOT = Path(__file__).resolve().parents[2]

DISOWNING = [
    "Once it is deployed the ops team look after it and I go back to my tickets.",
    "Production is the ops team's world, I hand it over and move on to the next feature.",
    "If it breaks at night the ops team handle it, I go back to my tickets in the morning.",
    "I hand the release over to the ops team and move on, they look after production.",
]
OWNING = [
    "I carry the pager for the services I ship and I join the incident call when they break.",
    "We run what we build, so I am on call for it and I fix what I broke.",
    "When my release breaks production I lead the rollback and write the postmortem.",
    "I am on the rota for our service and I keep its dashboards and alerts healthy.",
]


def _example(text: str, *flags: str) -> Example:
    return Example(grams=frozenset(answer_grams(sentences(text))), flags=frozenset(flags))


def _toy_model() -> FlagModel:
    examples = [_example(t, "no-ownership") for t in DISOWNING] + [_example(t) for t in OWNING]
    return train(examples, ["no-ownership"], TrainingSettings(min_df=2, epochs=30))


def _pack(model: FlagModel | None) -> tuple[Question, Pack]:
    question = Question(id="t", kind="practice", category="Technical", text="T?", why="w")
    flag = RedFlag(
        id="no-ownership",
        text="No ownership",
        scope="global",
        signals=Signals(negative=("i am on call",), patterns=(Signals(concepts=(("not my job",),)),)),
    )
    return question, pack_with(question, flag, flag_model=model)


def test_training_separates_the_examples_and_is_deterministic() -> None:
    model = _toy_model()
    disowning = answer_grams(sentences("Once it is deployed the ops team look after it and I move on."))
    owning = answer_grams(sentences("I am on call for what we build and I fix what I broke."))
    assert model.raises("no-ownership", disowning)
    assert not model.raises("no-ownership", owning)
    assert model.probability("unknown-flag", disowning) == 0.0
    assert _toy_model().to_json() == model.to_json()  # same examples and settings, same file


def test_the_model_file_round_trips_and_bad_files_are_refused() -> None:
    model = _toy_model()
    again = FlagModel.from_json(model.to_json())
    assert again.settings == model.settings and again.flags.keys() == model.flags.keys()
    grams = answer_grams(sentences("The ops team handle production, I move on to my tickets."))
    assert again.probability("no-ownership", grams) == pytest.approx(
        model.probability("no-ownership", grams), abs=1e-2
    )
    with pytest.raises(ModelFileError, match="not JSON") as broken:
        FlagModel.from_json('{\n "format": 1,\n "settings": oops\n}')
    assert broken.value.line == 3
    with pytest.raises(ValueError, match="format"):
        FlagModel.from_json('{"format": 99}')
    with pytest.raises(ValueError, match="malformed"):
        FlagModel.from_json('{"format": 1, "settings": {}}')


def test_the_coach_adds_a_learned_flag_with_the_sentence_that_carries_it() -> None:
    question, pack = _pack(_toy_model())
    answer = "We shipped the new billing service on time. Once it is deployed the ops team look after it."
    found = coach(question, pack, answer).red_flags
    assert [(f.id, f.evidence) for f in found] == [
        ("no-ownership", "Once it is deployed the ops team look after it.")
    ]
    # without the model the authored patterns alone see nothing here
    assert coach(question, replace(pack, flag_model=None), answer).red_flags == ()


def test_the_learned_reader_never_removes_a_flag_nor_quotes_a_rejection() -> None:
    question, pack = _pack(_toy_model())
    owned = "We build what we ship. Honestly, production is not my job, it never was."
    assert [f.id for f in coach(question, pack, owned).red_flags] == ["no-ownership"]  # the pattern
    rejected = "We moved away from handing releases over to the ops team and moving on."
    assert coach(question, pack, rejected).red_flags == ()


def test_an_answer_showing_the_opposite_stops_the_learned_reader_too() -> None:
    question, pack = _pack(_toy_model())
    handed_over = "Once it is deployed the ops team look after it."
    assert [f.id for f in coach(question, pack, handed_over).red_flags] == ["no-ownership"]
    owned = "Once it is deployed the ops team look after it, and I am on call for it with them."
    assert coach(question, pack, owned).red_flags == ()


def test_a_model_beside_a_pack_is_loaded_and_checked(tmp_path: Path) -> None:
    pack_file = tmp_path / "pack.yaml"
    pack_file.write_text(
        (ROOT / "content" / "senior-devops.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert load_pack(pack_file).flag_model is None
    model_file = flag_model_path(pack_file)
    assert model_file.name == "pack.flags.json"
    model_file.write_text(_toy_model().to_json(), encoding="utf-8")
    assert load_pack(pack_file).flag_model is not None
    stranger = replace(_toy_model(), flags={"made-up-flag": _toy_model().flags["no-ownership"]})
    model_file.write_text(stranger.to_json(), encoding="utf-8")
    with pytest.raises(PackError) as error:
        load_pack(pack_file)
    assert any(
        "pack.flags.json:1: model for unknown red flag(s) made-up-flag" in p for p in error.value.problems
    )
    model_file.write_text('{\n "format": 1,\n oops\n}', encoding="utf-8")
    with pytest.raises(PackError) as error:
        load_pack(pack_file)
    assert any("pack.flags.json:3: not JSON" in p for p in error.value.problems)
    model_file.write_text(replace(_toy_model(), pack_id="another-pack").to_json(), encoding="utf-8")
    with pytest.raises(PackError) as error:
        load_pack(pack_file)
    assert any("trained for pack 'another-pack'" in p for p in error.value.problems)


def test_train_writes_the_model_and_check_reports_an_outdated_one(tmp_path: Path) -> None:
    pack_file = tmp_path / "pack.yaml"
    pack_file.write_text(
        (ROOT / "content" / "senior-devops.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    examples = tmp_path / "labelled.yaml"
    entries = [
        {
            "id": f"a{i}",
            "question": "incident-leadership",
            "split": "tune",
            "answer": text,
            "global_flags": flags,
        }
        for i, (text, flags) in enumerate(
            [(t, ["no-ownership"]) for t in DISOWNING] + [(t, []) for t in OWNING]
        )
    ]
    entries.append({"id": "held", "question": "incident-leadership", "split": "test", "answer": "Held out."})
    examples.write_text(yaml.safe_dump(entries), encoding="utf-8")
    out = io.StringIO()
    assert train_command(str(pack_file), str(examples), check=True, out=out) == 1
    assert "pack.flags.json: missing" in out.getvalue()
    out = io.StringIO()
    assert train_command(str(pack_file), str(examples), check=False, out=out) == 0
    assert "trained on 8 answers" in out.getvalue()  # the test-split answer is never trained on
    assert train_command(str(pack_file), str(examples), check=True, out=io.StringIO()) == 0
    model_file = flag_model_path(pack_file)
    model_file.write_text(
        model_file.read_text(encoding="utf-8").replace('"seed": 0', '"seed": 1'), encoding="utf-8"
    )
    out = io.StringIO()
    assert train_command(str(pack_file), str(examples), check=True, out=out) == 1
    assert "pack.flags.json: out of date" in out.getvalue()
    # A broken file does not stop a retrain, which repairs it.
    model_file.write_text("{ oops", encoding="utf-8")
    assert train_command(str(pack_file), str(examples), check=False, out=io.StringIO()) == 0
    assert train_command(str(pack_file), str(examples), check=True, out=io.StringIO()) == 0
    assert train_command(str(pack_file), str(tmp_path / "missing"), check=False, out=io.StringIO()) == 1


def test_the_committed_model_is_what_the_labelled_tuning_answers_produce() -> None:
    """The model file in git is derived data: retraining must reproduce it byte for byte."""
    out = io.StringIO()
    code = train_command(
        str(ROOT / "content" / "senior-devops.yaml"), str(ROOT / "tests" / "eval"), check=True, out=out
    )
    assert code == 0, out.getvalue()


def test_the_shipped_reader_finds_a_handover_the_authored_signals_miss() -> None:
    pack = load_pack(ROOT / "content" / "senior-devops.yaml")
    question = pack.question("cloud-cost-optimisation")
    assert question is not None and pack.flag_model is not None
    handed_over = (
        "I would right-size the big instances and move the batch jobs to spot. As for who watches the bill "
        "month to month, that sits with the finance people, they send us a budget number each quarter and we "
        "just try to stay under it, the rest is their world."
    )
    patterns_only = replace(pack, flag_model=None)
    assert coach(question, patterns_only, handed_over).red_flags == ()
    found = {f.id: f.evidence for f in coach(question, pack, handed_over).red_flags}
    assert found == {
        "someone-elses-problem": "As for who watches the bill month to month, that sits with the finance "
        "people, they send us a budget number each quarter and we just try to stay under it, the rest is "
        "their world."
    }
    owned = (
        "I would right-size the big instances and move the batch jobs to spot. I review the bill every month "
        "with the finance partner and each team sees its own cost next to its traffic."
    )
    assert coach(question, pack, owned).red_flags == ()


def test_a_follow_up_told_after_the_heroics_stops_the_learned_reader_too() -> None:
    """The reader obeys `negative_after` as the patterns do: a remedy remedies what it follows."""
    examples = [
        _example("I fixed it myself at night, I am the one who always fixes it.", "hero-culture"),
        _example("Nobody else knows the system so I fixed it myself again at night.", "hero-culture"),
        _example("I fixed it myself at night and the team slept.", "hero-culture"),
        _example("We share the rota and the runbook covers the fix."),
        _example("The team shares the pages and we automated the fix."),
        _example("We wrote a runbook so anyone can fix it."),
    ]
    model = train(examples, ["hero-culture"], TrainingSettings(min_df=2, epochs=30))
    pattern = Signals(concepts=(("single handed*",),), negative_after=("automated",))
    flag = RedFlag(id="hero-culture", text="Hero", scope="global", signals=Signals(patterns=(pattern,)))
    question = Question(id="t", kind="practice", category="Technical", text="T?", why="w")
    pack = replace(_pack(model)[1], red_flags=(flag,), questions=(question,))
    heroics = "I fixed it myself at night, nobody else knows the system."
    assert [f.id for f in coach(question, pack, heroics).red_flags] == ["hero-culture"]
    followed_up = heroics + " The week after, we automated the restart for good."
    assert coach(question, pack, followed_up).red_flags == ()


def test_the_learned_reader_keeps_to_the_questions_a_flag_applies_to() -> None:
    question, pack = _pack(_toy_model())
    (flag,) = pack.red_flags
    limited = replace(flag, signals=replace(flag.signals, applies_to=("behavioural",)))
    pack = replace(pack, red_flags=(limited,))
    answer = "Once it is deployed the ops team look after it."
    assert coach(question, pack, answer).red_flags == ()  # a Technical question
