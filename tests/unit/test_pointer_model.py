"""The learned pointer reader: how the coach uses it on behavioural questions, and its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.coaching import coach
from bot.domain.coaching_types import POINTER_KIND, POINTER_OUTPUT
from bot.domain.flag_model import FlagModel, FlagWeights
from bot.domain.model import Pointer, Question, Signals
from bot.domain.packs import PackError, load_pack, pointer_model_path
from bot.domain.pointer_model import POINTER_SETTINGS
from tests.unit.builders import pack_with

ROOT = Path(__file__).resolve().parents[2]

BENCHMARK = Pointer(
    text="Bring data, not opinion.",
    signals=Signals(concepts=(("benchmark*",), ("numbers", "hard numbers")), require=2),
)
QUESTION = Question(id="b", kind="primary", category="Behavioural", text="B?", why="w", pointers=(BENCHMARK,))


def _reader(bias: float, **weights: float) -> FlagModel:
    return FlagModel(
        flags={POINTER_OUTPUT: FlagWeights(bias=bias, weights=dict(weights))},
        settings=POINTER_SETTINGS,
        kind=POINTER_KIND,
        pack_id="p",
    )


STEP = (
    "Last year the architects wanted every build in a fresh virtual machine. I ran a benchmark of a hundred "
    "builds each way before the review."
)
ASIDE = (
    "Last year the architects wanted every build in a fresh virtual machine. Benchmarks and hard numbers "
    "matter."
)


def test_the_reader_grants_a_pointer_told_as_a_step_and_quotes_it() -> None:
    """The rules want two concepts; the reader has learned that one told as a step is enough."""
    rules = pack_with(QUESTION)
    assert not coach(QUESTION, rules, STEP).pointers[0].covered
    read = coach(QUESTION, pack_with(QUESTION, pointer_model=_reader(-3.0, **{"hit:step": 6.0})), STEP)
    assert read.pointers[0].covered
    assert read.pointers[0].evidence == "I ran a benchmark of a hundred builds each way before the review."


def test_the_reader_takes_away_a_pointer_named_only_in_passing() -> None:
    rules = pack_with(QUESTION)
    assert coach(QUESTION, rules, ASIDE).pointers[0].covered
    read = coach(QUESTION, pack_with(QUESTION, pointer_model=_reader(-3.0, **{"hit:step": 6.0})), ASIDE)
    assert not read.pointers[0].covered and read.pointers[0].evidence is None


def test_the_reader_never_grants_a_pointer_nothing_in_the_answer_matched() -> None:
    always = pack_with(QUESTION, pointer_model=_reader(5.0))
    answer = (
        "Last year the architects wanted every build in a fresh virtual machine, and I argued against it."
    )
    assert not coach(QUESTION, always, answer).pointers[0].covered


def test_technical_questions_are_left_to_the_signals() -> None:
    technical = Question(
        id="t", kind="primary", category="Technical", text="T?", why="w", pointers=(BENCHMARK,)
    )
    never = pack_with(technical, pointer_model=_reader(-9.0))
    assert coach(technical, never, ASIDE).pointers[0].covered


def test_a_pointer_reader_beside_a_pack_is_loaded_and_checked(tmp_path: Path) -> None:
    pack_file = tmp_path / "pack.yaml"
    pack_file.write_text(
        (ROOT / "content" / "senior-devops.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert load_pack(pack_file).pointer_model is None
    reader_file = pointer_model_path(pack_file)
    assert reader_file.name == "pack.pointers.json"
    good = _reader(0.0).to_json().replace('"pack": "p"', '"pack": "senior-devops"')
    reader_file.write_text(good, encoding="utf-8")
    assert load_pack(pack_file).pointer_model is not None
    two_outputs = good.replace('"covered"', '"granted"')
    reader_file.write_text(two_outputs, encoding="utf-8")
    with pytest.raises(PackError) as error:
        load_pack(pack_file)
    assert any(
        "pack.pointers.json:1: a pointer reader has one output, 'covered'" in p for p in error.value.problems
    )
    reader_file.write_text(good.replace(POINTER_KIND, "something else"), encoding="utf-8")
    with pytest.raises(PackError) as error:
        load_pack(pack_file)
    assert any("pack.pointers.json:1: this file holds a 'something else'" in p for p in error.value.problems)


def test_the_shipped_pack_carries_its_pointer_reader() -> None:
    pack = load_pack(ROOT / "content" / "senior-devops.yaml")
    assert pack.pointer_model is not None and set(pack.pointer_model.flags) == {POINTER_OUTPUT}
