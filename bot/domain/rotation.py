"""Which question to post next: fair rotation for the daily post, fresh questions for members.

Pure and deterministic given the ``random.Random`` passed in, so a scheduler can seed it (or keep
one per process) and tests can pin it.

Daily rotation works in *cycles* over the questions currently in scope: no question repeats until
every one of them has been posted in the guild since the last reset, then a new cycle starts. The
cycle is derived by replaying the guild's posting history against the *current* scope rather than
stored, so removing questions from a pack, adding new ones or changing the category mid-cycle
never leaves the rotation stuck: ids no longer in scope are ignored and new ids are simply unposted.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime

__all__ = ["choose_for_member", "choose_question", "current_cycle_posted"]


def _unique(candidates: Sequence[str]) -> list[str]:
    """Candidates in pack order without duplicates; an empty scope is a user-facing error."""
    ordered = list(dict.fromkeys(candidates))
    if not ordered:
        raise ValueError("There are no questions to choose from in this scope.")
    return ordered


def current_cycle_posted(candidates: Sequence[str], posted_history: Sequence[str]) -> set[str]:
    """Candidates already posted in the current cycle (replaying ``posted_history`` oldest first).

    A cycle resets the moment every candidate has been posted since the previous reset, so the
    result is always a strict subset of the candidates.
    """
    scope = set(_unique(candidates))
    seen: set[str] = set()
    for question_id in posted_history:
        if question_id not in scope:
            continue
        seen.add(question_id)
        if seen == scope:
            seen = set()
    return seen


def choose_question(
    candidates: Sequence[str],
    posted_history: Sequence[str],
    answered_counts: Mapping[str, int],
    rng: random.Random,
) -> str:
    """Pick the next daily question for a guild.

    ``candidates`` are question ids in pack order (already filtered by category), ``posted_history``
    the ids the daily scheduler posted in this guild oldest first, ``answered_counts`` how many
    distinct members answered each id. Among questions not yet posted in the current cycle, those
    fewest members have answered win; ties are broken by ``rng``. At the start of a new cycle the
    question posted last is held back (when there is another) so no question appears twice in a row.
    """
    ordered = _unique(candidates)
    posted = current_cycle_posted(ordered, posted_history)
    remaining = [q for q in ordered if q not in posted]
    if not posted and len(remaining) > 1 and posted_history:
        remaining = [q for q in remaining if q != posted_history[-1]]
    lowest = min(answered_counts.get(q, 0) for q in remaining)
    tied = [q for q in remaining if answered_counts.get(q, 0) == lowest]
    return rng.choice(tied)


def choose_for_member(
    candidates: Sequence[str],
    answered_by_member: Mapping[str, datetime],
    rng: random.Random,
) -> str:
    """Pick a question for ``/question`` with no options: something this member has not answered.

    ``answered_by_member`` maps question id to when the member last answered it. A random
    unanswered question is chosen; if they answered every one, the one answered longest ago
    (random among equals) so practice keeps circling back to the stalest material.
    """
    ordered = _unique(candidates)
    unanswered = [q for q in ordered if q not in answered_by_member]
    if unanswered:
        return rng.choice(unanswered)
    oldest = min(answered_by_member[q] for q in ordered)
    return rng.choice([q for q in ordered if answered_by_member[q] == oldest])
