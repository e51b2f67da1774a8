"""Leave-one-file-out folds over labelled examples grouped by the file they came from.

The learned readers are cross-validated by file, not by answer: answers in one file share a writer,
so a fold that trains on some of a writer's answers and tests on the rest would flatter the reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

E = TypeVar("E")


def folds(per_file: dict[str, list[E]]) -> Iterator[tuple[str, list[E], list[E]]]:
    """(held-out file, training examples from every other file, the held-out file's examples)."""
    for held_out in sorted(per_file):
        rest = [e for name, examples in per_file.items() if name != held_out for e in examples]
        yield held_out, rest, per_file[held_out]


def held_out_together(per_file: dict[str, list[E]], names: set[str]) -> tuple[list[E], list[E]]:
    """(training examples from the other files, the named files' examples): a fresh-writer check."""
    rest = [e for name, examples in per_file.items() if name not in names for e in examples]
    return rest, [e for name in sorted(names) for e in per_file.get(name, [])]
