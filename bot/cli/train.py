"""`python -m bot content train`: fit a pack's learned readers (flags, STAR) from labelled answers.

The labelled answers are the evaluation files (tests/eval/*.yaml, format in tests/eval/README.md),
so this is a developer's tool run from a checkout (the Docker image carries the model, not the data);
only entries with `split: tune` are used, so the test split stays a measurement. Training is
deterministic: `--check` retrains and compares with the committed model file, so the file in git
is verifiably what the labelled data and the code produce (CI and the test suite run it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

import yaml

from bot.domain.coaching import story_pointer_cues
from bot.domain.coaching_star import analyse_star
from bot.domain.coaching_types import POINTER_OUTPUT, STAR_PARTS
from bot.domain.flag_model import PRUNE_BELOW, Example, FlagModel, answer_grams, train
from bot.domain.model import Pack
from bot.domain.packs import PackError, flag_model_path, load_pack, pointer_model_path, star_model_path
from bot.domain.pointer_model import train_pointers
from bot.domain.star_model import reads_as_story, star_example, train_star
from bot.domain.text import sentences

TRAINING_SPLIT = "tune"


def labelled_answers(source: Path) -> list[dict[str, Any]]:
    """Every entry of a labelled YAML file, or of every `*.yaml` file in a folder (sorted by name)."""
    files = sorted(source.glob("*.yaml")) if source.is_dir() else [source]
    entries: list[dict[str, Any]] = []
    for file in files:
        loaded = yaml.safe_load(file.read_text(encoding="utf-8")) or []
        if not isinstance(loaded, list):
            raise ValueError(f"{file}: expected a list of labelled answers")
        entries.extend(entry for entry in loaded if isinstance(entry, dict))
    return entries


def training_examples(entries: list[dict[str, Any]], question_ids: set[str]) -> list[Example]:
    """The tuning answers on this pack's questions, as n-grams and their global flag labels."""
    return [
        Example(
            grams=frozenset(answer_grams(sentences(str(entry["answer"])))),
            flags=frozenset(entry.get("global_flags") or ()),
        )
        for entry in entries
        if entry.get("split") == TRAINING_SPLIT
        and entry.get("question") in question_ids
        and isinstance(entry.get("answer"), str)
    ]


def star_examples(entries: list[dict[str, Any]], behavioural_ids: set[str]) -> list[Example]:
    """The tuning answers to this pack's behavioural questions, as story cues and their STAR labels."""
    examples = []
    for entry in entries:
        star = entry.get("star")
        if (
            entry.get("split") != TRAINING_SPLIT
            or entry.get("question") not in behavioural_ids
            or not isinstance(star, dict)
            or not isinstance(entry.get("answer"), str)
        ):
            continue
        sents = sentences(str(entry["answer"]))
        if reads_as_story(sents):  # the reader is only used on such stories, so only learns from them
            examples.append(star_example(sents, analyse_star(sents), [p for p in STAR_PARTS if star.get(p)]))
    return examples


def pointer_examples(entries: list[dict[str, Any]], pack: Pack) -> tuple[list[Example], int]:
    """One example per do-pointer of each tuning answer to a behavioural question (pointers decided
    by the measured result excepted), and how many answers they came from."""
    examples: list[Example] = []
    answers = 0
    for entry in entries:
        question = pack.question(str(entry.get("question")))
        if (
            entry.get("split") != TRAINING_SPLIT
            or question is None
            or not question.is_behavioural
            or not question.pointers
            or not isinstance(entry.get("answer"), str)
        ):
            continue
        sents = sentences(str(entry["answer"]))
        if not sents:
            continue
        covers = set(entry.get("covers") or ())
        answers += 1
        readings = story_pointer_cues(question, sents, analyse_star(sents).result)
        for index, (pointer, (_, cues, _)) in enumerate(zip(question.pointers, readings, strict=True)):
            if not pointer.measured_result:
                label = frozenset({POINTER_OUTPUT} if index in covers else ())
                examples.append(Example(grams=cues, flags=label))
    return examples, answers


def _trained_models(
    pack: Pack, pack_file: Path, entries: list[dict[str, Any]]
) -> list[tuple[Path, FlagModel | None, int]]:
    """(file, model, examples) for each learned reader; None when the answers cannot train it."""
    flags = training_examples(entries, {q.id for q in pack.questions})
    stories = star_examples(entries, {q.id for q in pack.questions if q.is_behavioural})
    pointed, answers = pointer_examples(entries, pack)
    return [
        (
            flag_model_path(pack_file),
            train(flags, [flag.id for flag in pack.red_flags], pack_id=pack.id) if flags else None,
            len(flags),
        ),
        (star_model_path(pack_file), train_star(stories, pack_id=pack.id) if stories else None, len(stories)),
        (
            pointer_model_path(pack_file),
            train_pointers(pointed, pack_id=pack.id) if pointed else None,
            answers,
        ),
    ]


def train_command(pack_path: str, examples_path: str, check: bool, out: TextIO) -> int:
    """Write (or with `check`, compare) the pack's learned readers (`<pack>.flags.json`,
    `<pack>.star.json`, `<pack>.pointers.json`); exit 0, or 1 on a problem or a mismatch."""
    pack_file = Path(pack_path)
    try:
        pack = load_pack(pack_file, with_models=False)  # a broken model file is what train repairs
    except PackError as error:
        for problem in error.problems:
            print(problem, file=out)
        return 1
    source = Path(examples_path)
    if not source.exists():
        print(f"{source}: no such file or folder", file=out)
        return 1
    try:
        entries = labelled_answers(source)
    except (ValueError, yaml.YAMLError) as error:
        print(f"{error}", file=out)
        return 1
    models = _trained_models(pack, pack_file, entries)
    if all(model is None for _, model, _ in models):
        print(f"{source}: no '{TRAINING_SPLIT}' answers for the questions of {pack_file}", file=out)
        return 1
    problems = 0
    for target, model, examples in models:
        if model is None:
            if target.exists():  # a reader the labelled answers no longer back: never kept quietly
                print(f"{target}: these answers cannot retrain it; delete it or add some", file=out)
                problems += 1
            continue
        text = model.to_json()
        if check:
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current != text:
                state = "missing" if current is None else "out of date"
                print(f"{target}: {state}; run `python -m bot content train` and commit it", file=out)
                problems += 1
            else:
                print(f"{target}: up to date ({examples} training answers)", file=out)
            continue
        target.write_text(text, encoding="utf-8")
        weights = sum(abs(w) >= PRUNE_BELOW for m in model.flags.values() for w in m.weights.values())
        outputs = len(model.flags)
        print(f"{target}: trained on {examples} answers, {outputs} outputs, {weights} weights", file=out)
    return 1 if problems else 0
