"""Measure the coach against every labelled set in tests/eval/*.yaml (their union).

    python bench/coaching.py [--split tune|test|all] [--file] [--errors] [--no-model]
                             [--content DIR] [--eval PATH]

Prints do-pointer accuracy and F1 (covered class), red-flag precision/recall (question and global),
STAR part accuracy and recall on missing parts, quantified-result accuracy, mean score per band and
median/p99 analysis time, for the union of the sets; `--file` adds the same figures per file.

`--no-model` leaves out the pack's learned readers (`<pack>.flags.json`, `<pack>.star.json`,
`<pack>.pointers.json`): the authored signals and STAR rules alone. The learned readers are
trained on the tune split only, so their tune figures are fitted ones.

`--errors` lists individual disagreements and is refused unless `--split tune`: the test split may
be measured (totals) but never read answer by answer, or it stops being a held-out measurement.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain.coaching import coach  # noqa: E402
from bot.domain.coaching_types import STAR_PARTS  # noqa: E402
from bot.domain.packs import load_library  # noqa: E402


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.total if self.total else float("nan")

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    def f1(self) -> float:
        p, r = self.precision(), self.recall()
        return 2 * p * r / (p + r) if p + r else 0.0

    def negative_recall(self) -> float:
        """Recall of the False class (for STAR: missing parts detected as missing)."""
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else float("nan")


@dataclass
class Results:
    pointers: Counts = field(default_factory=Counts)
    question_flags: Counts = field(default_factory=Counts)
    global_flags: Counts = field(default_factory=Counts)
    star: Counts = field(default_factory=Counts)
    star_parts: dict[str, Counts] = field(default_factory=lambda: {part: Counts() for part in STAR_PARTS})
    quantified: Counts = field(default_factory=Counts)
    scores: dict[str, list[int]] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def evaluate(items: list[dict[str, Any]], content: Path, use_model: bool = True) -> Results:
    library = load_library(content)
    res = Results()
    for item in items:
        question = library.question(item["question"])
        pack = library.pack_of(item["question"])
        assert question is not None and pack is not None, item["id"]
        if not use_model:
            pack = replace(pack, flag_model=None, star_model=None, pointer_model=None)  # the rules alone
        start = time.perf_counter()
        report = coach(question, pack, item["answer"])
        res.times.append(time.perf_counter() - start)
        res.scores.setdefault(item["band"], []).append(report.score)
        covers = set(item.get("covers") or [])
        for index, pointer in enumerate(report.pointers):
            res.pointers.add(pointer.covered, index in covers)
            if pointer.covered != (index in covers):
                res.errors.append(
                    f"{item['id']}: pointer {index} predicted {pointer.covered} ({pointer.evidence!r})"
                )
        found = {f.id for f in report.red_flags}
        evidence = {f.id: f.evidence for f in report.red_flags}
        labelled_q = {f"{question.id}/avoid-{i}" for i in item.get("question_flags") or []}
        for flag in question.avoid:
            res.question_flags.add(flag.id in found, flag.id in labelled_q)
            if (flag.id in found) != (flag.id in labelled_q):
                res.errors.append(
                    f"{item['id']}: {flag.id} predicted {flag.id in found} ({evidence.get(flag.id)!r})"
                )
        labelled_g = set(item.get("global_flags") or [])
        for flag in pack.red_flags:
            res.global_flags.add(flag.id in found, flag.id in labelled_g)
            if (flag.id in found) != (flag.id in labelled_g):
                res.errors.append(
                    f"{item['id']}: {flag.id} predicted {flag.id in found} ({evidence.get(flag.id)!r})"
                )
        star = item.get("star")
        if star and report.star is not None:
            for part in STAR_PARTS:
                predicted = bool(getattr(report.star, part))
                res.star.add(predicted, bool(star[part]))
                res.star_parts[part].add(predicted, bool(star[part]))
                if predicted != bool(star[part]):
                    res.errors.append(f"{item['id']}: star.{part} predicted {predicted}")
            res.quantified.add(report.star.quantified_result, bool(star["quantified_result"]))
            if report.star.quantified_result != bool(star["quantified_result"]):
                res.errors.append(f"{item['id']}: star.quantified predicted {report.star.quantified_result}")
    return res


def render(res: Results, split: str, n: int, label: str = "") -> str:
    times = sorted(res.times)
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))] if times else float("nan")
    median = statistics.median(times) * 1000 if times else float("nan")
    lines = [
        f"{label}split={split} answers={n}",
        f"do-pointers        accuracy {res.pointers.accuracy():.3f}  F1(covered) {res.pointers.f1():.3f}"
        f"  P {res.pointers.precision():.3f} R {res.pointers.recall():.3f}  (n={res.pointers.total})",
        _flags("question flags", res.question_flags),
        _flags("global flags", res.global_flags),
        _flags("all red flags", _merge(res)),
        f"STAR parts         accuracy {res.star.accuracy():.3f}"
        f"  recall(missing) {res.star.negative_recall():.3f}"
        f"  (n={res.star.total}, missing={res.star.tn + res.star.fp})",
        "  per part         "
        + "  ".join(
            f"{part[0].upper()} {c.accuracy():.3f}"
            f" ({c.tn}/{c.tn + c.fp} missing found, {c.fn} present called missing)"
            for part, c in res.star_parts.items()
        ),
        f"quantified result  accuracy {res.quantified.accuracy():.3f}  (n={res.quantified.total})",
        "mean score         "
        + "  ".join(
            f"{band} {statistics.mean(res.scores[band]):.1f}"
            for band in ("strong", "mixed", "weak")
            if res.scores.get(band)
        ),
        f"analysis time      median {median:.2f} ms  p99 {p99 * 1000:.2f} ms",
    ]
    return "\n".join(lines)


def _flags(name: str, c: Counts) -> str:
    return (
        f"{name:<19}precision {c.precision():.3f}  recall {c.recall():.3f}  (tp={c.tp} fp={c.fp} fn={c.fn})"
    )


def _merge(res: Results) -> Counts:
    q, g = res.question_flags, res.global_flags
    return Counts(tp=q.tp + g.tp, fp=q.fp + g.fp, fn=q.fn + g.fn, tn=q.tn + g.tn)


def eval_files(path: Path) -> list[Path]:
    """The labelled sets a path names: one YAML file, or every *.yaml of a folder (sorted)."""
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


def load_items(files: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    """(file name, entry) for every labelled answer of every file; ids must be unique across files."""
    out: list[tuple[str, dict[str, Any]]] = []
    seen: dict[str, str] = {}
    for file in files:
        for item in yaml.safe_load(file.read_text(encoding="utf-8")) or []:
            if item["id"] in seen:
                raise SystemExit(f"{file.name}: id {item['id']} already in {seen[item['id']]}")
            seen[item["id"]] = file.name
            out.append((file.name, item))
    return out


def _load_times(content: Path) -> tuple[float, float]:
    """Seconds to load the content folder the first time in this process, and once more unchanged."""
    start = time.perf_counter()
    load_library(content)
    first = time.perf_counter() - start
    start = time.perf_counter()
    load_library(content)
    return first, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=("tune", "test", "all"), default="test")
    parser.add_argument("--errors", action="store_true", help="list every disagreement (tune split only)")
    parser.add_argument("--file", action="store_true", help="also print the figures per eval file")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument(
        "--eval", type=Path, default=ROOT / "tests" / "eval", help="a labelled YAML file or a folder of them"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timing repetitions (median over all runs)")
    parser.add_argument(
        "--no-model",
        action="store_true",
        help="the authored rules alone (leave out the learned readers)",
    )
    args = parser.parse_args(argv)
    if args.errors and args.split != "tune":
        parser.error("--errors is only allowed with --split tune: test answers are measured, never read")
    files = eval_files(args.eval)
    items = [(name, i) for name, i in load_items(files) if args.split == "all" or i["split"] == args.split]
    chosen = [i for _, i in items]
    load_first, load_cached = _load_times(args.content)
    res = evaluate(chosen, args.content, not args.no_model)
    for _ in range(max(0, args.repeat - 1)):
        res.times.extend(evaluate(chosen, args.content, not args.no_model).times)
    names = ", ".join(f.name for f in files)
    print(render(res, args.split, len(chosen), label=f"[all: {names}] "))
    print(f"pack load          first {load_first * 1000:.0f} ms  unchanged {load_cached * 1000:.2f} ms")
    if args.file:
        for file in files:
            subset = [i for name, i in items if name == file.name]
            if subset:
                print()
                sub = evaluate(subset, args.content, not args.no_model)
                print(render(sub, args.split, len(subset), label=f"[{file.name}] "))
    if args.errors:
        print("\n".join(["", "disagreements:", *res.errors]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
