"""Result types of coaching: what the coach found in one answer, with evidence.

Kept apart from the analysis itself so adapters (embeds, the CLI, storage) depend only on the
shape of a result, never on how it was computed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.domain.model import FlagScope


@dataclass(frozen=True, slots=True)
class PointerResult:
    text: str
    covered: bool
    evidence: str | None
    advice: str | None = None


@dataclass(frozen=True, slots=True)
class FlagResult:
    id: str
    text: str
    scope: FlagScope
    evidence: str


STAR_PARTS = ("situation", "task", "action", "result")
# What a pack's learned STAR reader file holds (bot/domain/star_model.py; checked on load).
STAR_KIND = "logistic regression over STAR story cues (bot/domain/star_model.py)"
# What a pack's learned pointer reader file holds, and its one output (bot/domain/pointer_model.py).
POINTER_KIND = "logistic regression over pointer match cues (bot/domain/pointer_model.py)"
POINTER_OUTPUT = "covered"


@dataclass(frozen=True, slots=True)
class StarResult:
    situation: bool
    task: bool
    action: bool
    result: bool
    quantified_result: bool

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(part for part in STAR_PARTS if not getattr(self, part))


@dataclass(frozen=True, slots=True)
class CoachingReport:
    question_id: str
    question_text: str
    category: str
    pointers: tuple[PointerResult, ...]
    red_flags: tuple[FlagResult, ...]
    star: StarResult | None
    score: int
    summary: str

    @property
    def coverage(self) -> float | None:
        """Share of do-pointers covered, or None for a question without pointers."""
        if not self.pointers:
            return None
        return sum(p.covered for p in self.pointers) / len(self.pointers)

    def to_contract(self) -> dict[str, Any]:
        """The JSON shape of `python -m bot coach --format json` (a contract other tools rely on)."""
        return {
            "question": {"id": self.question_id, "text": self.question_text, "category": self.category},
            "pointers": [
                {"text": p.text, "covered": p.covered, "evidence": p.evidence} for p in self.pointers
            ],
            "red_flags": [{"text": f.text, "scope": f.scope, "evidence": f.evidence} for f in self.red_flags],
            "star": asdict(self.star) if self.star is not None else None,
            "score": self.score,
        }
