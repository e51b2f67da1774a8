"""Cross-validate the learned flag reader on the tune split: each tuning file is coached with a model
trained on the other tuning files (leave one file out), through the real coach.

    python bench/flag_model_cv.py [--thresholds 0.3,0.5,0.7] [--no-veto]

Prints, per threshold, pack-wide red-flag precision/recall for the authored patterns alone and with
the learned reader, and the reader's own figures. This is how the threshold in
`content/<pack>.flags.json` is chosen: on tuning files only, never on the test split.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bot.domain.coaching as coaching  # noqa: E402
from bot.cli.train import TRAINING_SPLIT, training_examples  # noqa: E402
from bot.domain.coaching import coach  # noqa: E402
from bot.domain.flag_model import train  # noqa: E402
from bot.domain.packs import load_library  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from coaching import eval_files, load_items  # noqa: E402


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7")
    parser.add_argument(
        "--no-veto", action="store_true", help="let the model ignore the flags' own negatives"
    )
    args = parser.parse_args(argv)
    coaching.LEARNED_HONOURS_VETO = not args.no_veto
    library = load_library(ROOT / "content")
    (pack,) = library.packs
    items = [
        (f, i) for f, i in load_items(eval_files(ROOT / "tests" / "eval")) if i["split"] == TRAINING_SPLIT
    ]
    files = sorted({f for f, _ in items})
    thresholds = [float(t) for t in args.thresholds.split(",")]
    counts = {t: Counter[str]() for t in thresholds}
    question_ids = {q.id for q in pack.questions}
    for held_out in files:
        train_items = [i for f, i in items if f != held_out]
        model = train(training_examples(train_items, question_ids), [flag.id for flag in pack.red_flags])
        for threshold in thresholds:
            settings = replace(model.settings, threshold=threshold)
            with_model = replace(pack, flag_model=replace(model, settings=settings))
            alone = replace(pack, flag_model=None)
            for f, item in items:
                if f != held_out:
                    continue
                question = library.question(item["question"])
                assert question is not None
                labelled = set(item.get("global_flags") or ())
                got = {r.id for r in coach(question, with_model, item["answer"]).red_flags}
                base = {r.id for r in coach(question, alone, item["answer"]).red_flags}
                for flag in pack.red_flags:
                    y = flag.id in labelled
                    c = counts[threshold]
                    c["tp"] += flag.id in got and y
                    c["fp"] += flag.id in got and not y
                    c["fn"] += flag.id not in got and y
                    c["tp0"] += flag.id in base and y
                    c["fp0"] += flag.id in base and not y
                    c["fn0"] += flag.id not in base and y
                    c["added_tp"] += flag.id in got and flag.id not in base and y
                    c["added_fp"] += flag.id in got and flag.id not in base and not y
        print(f"held out {held_out}", file=sys.stderr)
    print(
        f"leave-one-file-out over {len(files)} tuning files ({len(items)} answers); vetoes {not args.no_veto}"
    )
    for t in thresholds:
        c = counts[t]
        patterns = (
            f"{_ratio(c['tp0'], c['tp0'] + c['fp0']):.3f} / {_ratio(c['tp0'], c['tp0'] + c['fn0']):.3f}"
        )
        combined = f"{_ratio(c['tp'], c['tp'] + c['fp']):.3f} / {_ratio(c['tp'], c['tp'] + c['fn']):.3f}"
        added = f"reader added {c['added_tp']} true, {c['added_fp']} false"
        print(f"threshold {t:.2f}: patterns {patterns}  with reader {combined}  ({added})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
