"""A learned reader for the do-pointers of behavioural questions: weighs the rules' match cues.

Why: on behavioural questions the authored pointer signals stay near 0.84 accuracy on writers they
were never tuned on (docs/coaching.md, round 13), against 0.90 on the files they were tuned on. The
hard pointers are judgements about substance in a story ("why this toil and not another", "a
genuine trade-off", "the engineer's growth"), where a matched phrase in a told step means more than
one in a passing remark, and where the shape of the story (no result, most of it hypothetical)
says whether the substance can be there at all. This reader weighs those cues per pointer: whether
the rules covered it, how many of its concepts matched and where (a step taken, the first or last
sentence, only in a hypothetical), and which STAR parts the story has. Never the words themselves.

Same pure-Python linear model as the flag and STAR readers (flag_model.py), one output,
`covered`, stored beside the pack as `<pack>.pointers.json` and trained on the tune split by
`python -m bot content train`. The pointer's identity is a cue, so the reader learns how far to
trust each pointer's signals. It can take a pointer away, and it can grant one only where a
sentence of the answer matched the pointer's concepts, which it then quotes.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.coaching_match import Hit
from bot.domain.coaching_star import told_action
from bot.domain.coaching_types import POINTER_KIND, POINTER_OUTPUT, StarResult
from bot.domain.flag_model import Example, FlagModel, TrainingSettings, train
from bot.domain.text import Sentence

# Threshold from leave-one-file-out cross-validation over the tuning files (bench/pointer_model_cv.py).
POINTER_SETTINGS = TrainingSettings(epochs=40, learning_rate=0.1, l2=0.01, min_df=3, seed=0, threshold=0.5)


def pointer_id(question_id: str, index: int) -> str:
    return f"{question_id}#{index}"


def pointer_cues(
    pointer: str,
    covered: bool,
    told_hits: Sequence[Hit],
    all_hits: Sequence[Hit],
    sents: Sequence[Sentence],
    told: int,
    star: StarResult,
) -> frozenset[str]:
    """The named yes/no cues the reader weighs for one pointer of one answer (`told`: how many of
    its sentences are not hypothetical, counted once per answer by the caller)."""
    n = len(sents)
    concepts = len(frozenset().union(*(h.concepts for h in told_hits))) if told_hits else 0
    cues = {
        f"pointer:{pointer}": True,
        "rules": covered,
        f"pointer:{pointer}&rules": covered,
        f"concepts:{min(concepts, 3)}": True,
        f"sentences:{min(len(told_hits), 3)}": True,
        "hit:only-hypothetical": len(all_hits) > len(told_hits),
        "hit:step": any(told_action(h.sentence) for h in told_hits),
        "hit:specific": any(h.specific for h in told_hits),
        "hit:first": bool(told_hits) and told_hits[0].sentence.index == 0,
        "hit:last": bool(told_hits) and told_hits[-1].sentence.index == n - 1,
        "star:situation": star.situation,
        "star:task": star.task,
        "star:action": star.action,
        "star:result": star.result,
        "star:quantified": star.quantified_result,
        "length:long": n >= 8,
        "length:short": n <= 3,
        "hypothetical:most": n - told >= n / 2,
    }
    return frozenset(name for name, present in cues.items() if present)


def train_pointers(examples: Sequence[Example], pack_id: str = "") -> FlagModel:
    """Fit the pointer reader (deterministic: the same answers give byte-identical weights)."""
    return train(examples, (POINTER_OUTPUT,), POINTER_SETTINGS, pack_id=pack_id, kind=POINTER_KIND)


def strongest(told_hits: Sequence[Hit]) -> Sentence | None:
    """The sentence that matched most of the pointer's concepts (the quote for a granted pointer)."""
    if not told_hits:
        return None
    return max(told_hits, key=lambda h: (len(h.concepts), h.strength, -h.sentence.index)).sentence
