"""Cross-validate the learned pointer reader on the tune split: each tuning file's behavioural answers
are read by a model trained on the other tuning files (leave one file out).

    python bench/pointer_model_cv.py [--thresholds 0.4,0.5,0.6] [--fresh FILE,FILE]

Prints, per threshold, do-pointer accuracy on behavioural questions for the rules alone and with
the reader, in total and for `--fresh` files held out together (honest when they were written after
the pointer signals last changed). This is how the threshold in `bot/domain/pointer_model.py` is
chosen: on tuning files only, never on the test split.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli.train import TRAINING_SPLIT, pointer_examples  # noqa: E402
from bot.domain.coaching_types import POINTER_OUTPUT  # noqa: E402
from bot.domain.flag_model import Example  # noqa: E402
from bot.domain.packs import load_library  # noqa: E402
from bot.domain.pointer_model import train_pointers  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from coaching import eval_files, load_items  # noqa: E402
from folds import folds, held_out_together  # noqa: E402


def _read(
    train_on: list[Example], read: list[Example], thresholds: list[float], counts: Counter[str]
) -> None:
    model = train_pointers(train_on)
    for example in read:
        cues = set(example.grams)
        labelled = POINTER_OUTPUT in example.flags
        counts["n"] += 1
        counts["rules"] += ("rules" in cues) == labelled
        for t in thresholds:
            # As the coach: the reader grants a pointer only where a told sentence matched its concepts.
            granted = model.probability(POINTER_OUTPUT, cues) >= t and (
                "rules" in cues or "concepts:0" not in cues
            )
            counts[f"{t:.2f}"] += granted == labelled


def _line(counts: Counter[str], thresholds: list[float]) -> str:
    n = counts["n"] or 1
    cells = "  ".join(f"{t:.2f} {counts[f'{t:.2f}'] / n:.3f}" for t in thresholds)
    return f"rules {counts['rules'] / n:.3f}  {cells}  (n={counts['n']})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--thresholds", default="0.4,0.5,0.6")
    parser.add_argument("--fresh", default="", help="comma-separated tuning files to hold out together")
    args = parser.parse_args(argv)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    library = load_library(ROOT / "content")
    items = [
        (f, i) for f, i in load_items(eval_files(ROOT / "tests" / "eval")) if i["split"] == TRAINING_SPLIT
    ]
    per_file: dict[str, list[Example]] = {}
    for pack in library.packs:
        for name in sorted({f for f, _ in items}):
            examples, _ = pointer_examples([i for f, i in items if f == name], pack)
            if examples:
                per_file.setdefault(name, []).extend(examples)
    total: Counter[str] = Counter()
    print(
        f"leave-one-file-out over {len(per_file)} tuning files; do-pointer accuracy on behavioural questions"
    )
    for held_out, rest, held in folds(per_file):
        counts: Counter[str] = Counter()
        _read(rest, held, thresholds, counts)
        total.update(counts)
        print(f"{held_out:<20} {_line(counts, thresholds)}")
    print(f"{'total':<20} {_line(total, thresholds)}")
    if args.fresh:
        fresh = set(args.fresh.split(","))
        counts = Counter[str]()
        _read(*held_out_together(per_file, fresh), thresholds, counts)
        print(f"{'fresh':<20} {_line(counts, thresholds)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
