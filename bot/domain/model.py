"""The content vocabulary every layer shares: packs, questions, pointers and red flags.

These are plain frozen dataclasses so the domain stays pure (no discord, no SQL) and a loaded
pack can be shared between the event loop and worker threads without copying.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.domain.flag_model import FlagModel

QuestionKind = Literal["primary", "practice"]
FlagScope = Literal["question", "global"]


@dataclass(frozen=True, slots=True)
class Signals:
    """How the coach recognises a pointer or red flag in an answer (authored in the pack YAML).

    `concepts` is a list of alternatives groups: a sentence matches the concept when it contains
    any phrase of the group. `require` is how many distinct concepts must match for the pointer
    to count as covered. The coaching module owns the exact semantics; see docs/pack-format.md.
    """

    concepts: tuple[tuple[str, ...], ...] = ()
    require: int = 1
    negative: tuple[str, ...] = ()
    # Added later, all optional (older callers keep working): how many consecutive sentences the
    # concepts may spread over (0 = the coach's default: 3 for pointers, 1 for red flags); the
    # question categories or ids a red flag pattern applies to (empty = every question); and
    # alternative patterns, each a Signals of its own, any of which raises a red flag.
    window: int = 0
    applies_to: tuple[str, ...] = ()
    patterns: tuple[Signals, ...] = ()
    # Red flags only: phrases that stop a sentence from evidencing the flag (a reason given in the
    # very sentence that lists the tools), where `negative` clears the flag from anywhere.
    negative_near: tuple[str, ...] = ()
    # Red flags only: a follow-up that withdraws the flag only when it comes after the evidence in
    # the answer ("I fixed it by hand that night; the next day I automated it"). Told before the
    # heroics ("I wrote a script... people just ping me and I run it"), it is no remedy for them.
    negative_after: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pointer:
    """A "do" prep pointer of a question, verbatim from the pack."""

    text: str
    advice: str | None = None
    signals: Signals = field(default_factory=Signals)
    # Behavioural questions only: covered exactly when the story measures its outcome (the STAR
    # quantified result), for pointers like "quantify the before/after" whose labels follow it.
    measured_result: bool = False
    # Behavioural questions only: the STAR parts the story must have before this pointer counts
    # ("STAR Action should explain why...": no step taken, nothing to explain; a full STAR recipe
    # needs all four). The signals still decide within a story that has them.
    star_parts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RedFlag:
    """Something an answer should not show: a question's own "Avoid ..." pointer or a pack-wide flag."""

    id: str
    text: str
    scope: FlagScope
    signals: Signals = field(default_factory=Signals)


@dataclass(frozen=True, slots=True)
class RubricDimension:
    """One scored dimension of peer review (1-5)."""

    id: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    kind: QuestionKind
    category: str
    text: str
    why: str
    pointers: tuple[Pointer, ...] = ()
    avoid: tuple[RedFlag, ...] = ()

    @property
    def is_behavioural(self) -> bool:
        return self.category.casefold().startswith("behavio")

    @property
    def is_practice(self) -> bool:
        return self.kind == "practice"


@dataclass(frozen=True, slots=True)
class Pack:
    id: str
    title: str
    about: str
    stages: tuple[str, ...]
    formats: tuple[str, ...]
    screening: tuple[str, ...]
    red_flags: tuple[RedFlag, ...]
    questions: tuple[Question, ...]
    rubric: tuple[RubricDimension, ...] = ()
    source: str = ""
    # An optional learned second reader for the pack-wide red flags (`<pack>.flags.json` beside the
    # pack file; bot/domain/flag_model.py): it can only add a flag the authored patterns missed.
    flag_model: FlagModel | None = None
    # An optional learned reader for STAR (`<pack>.star.json`; bot/domain/star_model.py): it weighs
    # the STAR rules' cues into the verdict on each part of a behavioural story.
    star_model: FlagModel | None = None
    # An optional learned reader for behavioural do-pointers (`<pack>.pointers.json`;
    # bot/domain/pointer_model.py): it weighs the pointer signals' match cues into the verdict.
    pointer_model: FlagModel | None = None

    def question(self, question_id: str) -> Question | None:
        for question in self.questions:
            if question.id == question_id:
                return question
        return None

    @property
    def categories(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for question in self.questions:
            seen.setdefault(question.category, None)
        return tuple(seen)
