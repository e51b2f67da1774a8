"""Small builders the unit tests share: a one-question pack around the flags under test."""

from __future__ import annotations

from typing import Any

from bot.domain.model import Pack, Question, RedFlag


def pack_with(question: Question, *flags: RedFlag, **fields: Any) -> Pack:
    """A minimal pack holding `question` and `flags` (other Pack fields by keyword, e.g. flag_model)."""
    return Pack(
        id="p",
        title="P",
        about="a",
        stages=(),
        formats=(),
        screening=(),
        red_flags=flags,
        questions=(question,),
        **fields,
    )
