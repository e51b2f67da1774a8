"""A learned second reader for the pack-wide red flags: logistic regression over word n-grams.

Why: authored flag patterns are precise, but each lexical round carried about one flag per 120
answers to writers the coach had never seen (docs/coaching.md, rounds 7-10): people disown
production or hand security away in more ways than a phrase list can hold. A linear model over
the words and short phrases of an answer, trained on the labelled tuning answers, reads those
ways in bulk. It only ever *adds* a flag the patterns missed, at a threshold chosen by
leave-one-file-out cross-validation on the tuning files, and it quotes the sentence that carries
most of its weight, so every flag still has evidence a member can check.

Pure Python and deterministic: the same examples and settings give the same weights (seeded
shuffle, fixed order), so the committed model file can be checked against a fresh training run.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.text import BOUNDARY, Sentence

FORMAT = 1
MAX_N = 3  # unigrams, bigrams and trigrams of the normalised tokens
DIGITS = 4  # weights are stored rounded: enough for the decision, small on disk
PRUNE_BELOW = 0.02  # smaller weights are left out of the file (changes 1 decision in ~10,000)


@dataclass(frozen=True, slots=True)
class TrainingSettings:
    """How a model is trained (stored in the model file, so a retrain can be compared)."""

    epochs: int = 20
    learning_rate: float = 0.3
    l2: float = 0.01
    min_df: int = 3  # an n-gram must occur in this many training answers to be a feature
    seed: int = 0
    threshold: float = 0.5


NGRAM_KIND = "logistic regression over word 1-3-grams (bot/domain/flag_model.py)"


class ModelFileError(ValueError):
    """A model file that cannot be read, with the line it goes wrong on (1 when not known)."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class FlagWeights:
    bias: float
    weights: dict[str, float]


@dataclass(frozen=True, slots=True)
class FlagModel:
    """Per flag id, a bias and n-gram weights; a flag is raised at probability >= threshold."""

    flags: dict[str, FlagWeights]
    settings: TrainingSettings = field(default_factory=TrainingSettings)
    trained_on: int = 0  # answers
    pack_id: str = ""  # the pack it was trained for (checked on load)
    # What the inputs are: the same linear model also reads a story's STAR cues (star_model.py).
    kind: str = NGRAM_KIND

    def probability(self, flag_id: str, grams: set[str]) -> float:
        model = self.flags.get(flag_id)
        if model is None:
            return 0.0
        # sorted: the same sum in the same order on every run (sets iterate in hash order)
        return _sigmoid(model.bias + sum(model.weights.get(g, 0.0) for g in sorted(grams)))

    def raises(self, flag_id: str, grams: set[str]) -> bool:
        return self.probability(flag_id, grams) >= self.settings.threshold

    def evidence(self, flag_id: str, sents: Sequence[Sentence]) -> Sentence | None:
        """The sentence carrying most of the flag's weight (None when no sentence leans towards it)."""
        model = self.flags.get(flag_id)
        if model is None:
            return None
        best: tuple[float, Sentence] | None = None
        for sentence in sents:
            weight = sum(model.weights.get(g, 0.0) for g in sorted(sentence_grams(sentence)))
            if weight > 0 and (best is None or weight > best[0]):
                best = (weight, sentence)
        return best[1] if best is not None else None

    def to_json(self) -> str:
        flags = {
            flag_id: {
                "bias": round(m.bias, DIGITS),
                "weights": {
                    g: round(w, DIGITS) for g, w in sorted(m.weights.items()) if abs(w) >= PRUNE_BELOW
                },
            }
            for flag_id, m in sorted(self.flags.items())
        }
        settings = {
            "epochs": self.settings.epochs,
            "learning_rate": self.settings.learning_rate,
            "l2": self.settings.l2,
            "min_df": self.settings.min_df,
            "seed": self.settings.seed,
            "threshold": self.settings.threshold,
        }
        document = {
            "format": FORMAT,
            "kind": self.kind,
            "trained_on": self.trained_on,
            "pack": self.pack_id,
            "settings": settings,
            "flags": flags,
        }
        return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> FlagModel:
        """Parse a model file; raises ModelFileError (a ValueError) saying what and where."""
        try:
            document: Any = json.loads(text)
        except json.JSONDecodeError as error:
            raise ModelFileError(f"not JSON: {error.msg}", error.lineno) from error
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ModelFileError(f"not a flag model of format {FORMAT}")
        try:
            raw_settings = document["settings"]
            settings = TrainingSettings(
                epochs=int(raw_settings["epochs"]),
                learning_rate=float(raw_settings["learning_rate"]),
                l2=float(raw_settings["l2"]),
                min_df=int(raw_settings["min_df"]),
                seed=int(raw_settings["seed"]),
                threshold=float(raw_settings["threshold"]),
            )
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise ModelFileError(f"malformed settings ({error!r})") from error
        if not 0.0 < settings.threshold < 1.0:  # also false for NaN: a probability threshold
            raise ModelFileError(f"threshold must be between 0 and 1, not {settings.threshold}")
        flags: dict[str, FlagWeights] = {}
        for flag_id, body in (document.get("flags") or {}).items():
            try:
                flags[str(flag_id)] = FlagWeights(
                    bias=_finite(body["bias"]),
                    weights={str(g): _finite(w) for g, w in body["weights"].items()},
                )
            except (KeyError, TypeError, AttributeError, ValueError) as error:
                raise ModelFileError(f"malformed weights for flag {flag_id!r} ({error!r})") from error
        return cls(
            flags=flags,
            settings=settings,
            trained_on=int(document.get("trained_on", 0)),
            pack_id=str(document.get("pack", "")),
            kind=str(document.get("kind", NGRAM_KIND)),
        )


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled answer: its n-grams and the pack-wide flags a senior interviewer gave it."""

    grams: frozenset[str]
    flags: frozenset[str]


def sentence_grams(sentence: Sentence) -> set[str]:
    words = [t for t in sentence.tokens if t != BOUNDARY]
    grams: set[str] = set()
    for i in range(len(words)):
        for n in range(1, MAX_N + 1):
            if i + n <= len(words):
                grams.add(" ".join(words[i : i + n]))
    return grams


def answer_grams(sents: Iterable[Sentence]) -> set[str]:
    grams: set[str] = set()
    for sentence in sents:
        grams |= sentence_grams(sentence)
    return grams


def train(
    examples: Sequence[Example],
    flag_ids: Sequence[str],
    settings: TrainingSettings | None = None,
    pack_id: str = "",
    kind: str = NGRAM_KIND,
) -> FlagModel:
    """Fit one L2-regularised logistic regression per flag by seeded stochastic gradient descent."""
    settings = settings or TrainingSettings()
    frequency = Counter(g for example in examples for g in example.grams)
    vocabulary = {g for g, count in frequency.items() if count >= settings.min_df}
    rows = [(sorted(g for g in example.grams if g in vocabulary), example.flags) for example in examples]
    flags: dict[str, FlagWeights] = {}
    for flag_id in sorted(flag_ids):
        weights: dict[str, float] = {}
        bias = 0.0
        rng = random.Random(settings.seed)
        order = list(range(len(rows)))
        for _ in range(settings.epochs):
            rng.shuffle(order)
            for index in order:
                grams, labels = rows[index]
                target = 1.0 if flag_id in labels else 0.0
                z = bias + sum(weights.get(g, 0.0) for g in grams)
                gradient = _sigmoid(z) - target
                bias -= settings.learning_rate * gradient * 0.1
                for g in grams:
                    w = weights.get(g, 0.0)
                    weights[g] = w - settings.learning_rate * (gradient + settings.l2 * w)
        flags[flag_id] = FlagWeights(bias=bias, weights=weights)
    return FlagModel(flags=flags, settings=settings, trained_on=len(examples), pack_id=pack_id, kind=kind)


def _finite(value: Any) -> float:
    """A weight from a model file: a finite number (JSON allows NaN and Infinity; a model must not)."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
