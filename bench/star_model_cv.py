"""Cross-validate the learned STAR reader on the tune split: each tuning file's stories are read by a
model trained on the other tuning files (leave one file out).

    python bench/star_model_cv.py [--thresholds 0.5,0.55,0.6,0.65,0.7] [--fresh FILE,FILE]

Prints, per threshold, STAR part accuracy and missing-part recall for the rules alone and with the
learned reader, per held-out file and in total. `--fresh` adds a second check: train on every
tuning file except the named ones and read those, which is honest when the named files were
written after the STAR rules last changed (the rules were not tuned on them either). This is how
the threshold in `bot/domain/star_model.py` is chosen: on tuning files only, never on the test split.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli.train import TRAINING_SPLIT  # noqa: E402
from bot.domain.coaching_star import analyse_star  # noqa: E402
from bot.domain.coaching_types import STAR_PARTS  # noqa: E402
from bot.domain.flag_model import Example  # noqa: E402
from bot.domain.packs import load_library  # noqa: E402
from bot.domain.star_model import (  # noqa: E402
    ACCURACY_TARGET,
    MISSING_RECALL_TARGET,
    reads_as_story,
    star_example,
    train_star,
)
from bot.domain.text import sentences  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from coaching import eval_files, load_items  # noqa: E402
from folds import folds, held_out_together  # noqa: E402


def _stories(items: list[tuple[str, dict[str, object]]], behavioural: set[str]) -> dict[str, list[Example]]:
    """Per tuning file, its behavioural stories as (cues, parts present) examples."""
    out: dict[str, list[Example]] = {}
    for name, item in items:
        star = item.get("star")
        if item["split"] != TRAINING_SPLIT or item["question"] not in behavioural:
            continue
        if not isinstance(star, dict):
            continue
        sents = sentences(str(item["answer"]))
        if not reads_as_story(sents):  # as `content train`: the reader never reads these
            continue
        parts = [p for p in STAR_PARTS if star.get(p)]
        out.setdefault(name, []).append(star_example(sents, analyse_star(sents), parts))
    return out


def _score(counts: Counter[str], key: str, present: bool, labelled: bool) -> None:
    counts[f"{key}:ok"] += present == labelled
    counts[f"{key}:n"] += 1
    counts[f"{key}:missing"] += not labelled
    counts[f"{key}:found"] += not labelled and not present


def _figures(counts: Counter[str], key: str) -> tuple[float, float]:
    n, missing = counts[f"{key}:n"], counts[f"{key}:missing"]
    accuracy = counts[f"{key}:ok"] / n if n else float("nan")
    recall = counts[f"{key}:found"] / missing if missing else float("nan")
    return accuracy, recall


def _line(counts: Counter[str], key: str) -> str:
    accuracy, recall = _figures(counts, key)
    return f"{accuracy:.3f} / {recall:.3f}"


def _room(counts: Counter[str], key: str) -> float:
    """How far the tighter of the two targets is cleared (negative: one is missed)."""
    accuracy, recall = _figures(counts, key)
    return min(accuracy - ACCURACY_TARGET, recall - MISSING_RECALL_TARGET)


def _read(
    train_on: list[Example], read: list[Example], thresholds: list[float], counts: Counter[str]
) -> None:
    model = train_star(train_on)
    for example in read:
        cues = set(example.grams)
        for part in STAR_PARTS:
            labelled = part in example.flags
            _score(counts, "rules", f"rule:{part}" in cues, labelled)
            for t in thresholds:
                _score(counts, f"{t:.2f}", model.probability(part, cues) >= t, labelled)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--thresholds", default="0.5,0.55,0.6,0.65,0.7")
    parser.add_argument("--fresh", default="", help="comma-separated tuning files to hold out together")
    args = parser.parse_args(argv)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    library = load_library(ROOT / "content")
    behavioural = {q.id for pack in library.packs for q in pack.questions if q.is_behavioural}
    stories = _stories(load_items(eval_files(ROOT / "tests" / "eval")), behavioural)
    total: Counter[str] = Counter()
    print(f"leave-one-file-out over {len(stories)} tuning files ({sum(map(len, stories.values()))} stories)")
    print("accuracy / missing-part recall: rules, then the reader at each threshold")
    for held_out, rest, held in folds(stories):
        counts: Counter[str] = Counter()
        _read(rest, held, thresholds, counts)
        total.update(counts)
        cells = "  ".join(f"{t:.2f} {_line(counts, f'{t:.2f}')}" for t in thresholds)
        print(f"{held_out:<20} rules {_line(counts, 'rules')}  {cells}")
    cells = "  ".join(f"{t:.2f} {_line(total, f'{t:.2f}')}" for t in thresholds)
    print(f"{'total':<20} rules {_line(total, 'rules')}  {cells}")
    chosen = max(thresholds, key=lambda t: (_room(total, f"{t:.2f}"), t))
    room = _room(total, f"{chosen:.2f}")
    print(f"chosen threshold {chosen:.2f}: most room on the tighter target ({room:+.3f})")
    if args.fresh:
        fresh = set(args.fresh.split(","))
        counts = Counter[str]()
        _read(*held_out_together(stories, fresh), thresholds, counts)
        cells = "  ".join(f"{t:.2f} {_line(counts, f'{t:.2f}')}" for t in thresholds)
        print(f"{'fresh ' + ','.join(sorted(fresh)):<20} rules {_line(counts, 'rules')}  {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
