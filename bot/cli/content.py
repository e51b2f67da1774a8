"""`python -m bot content validate [PATH]`: check packs exactly as the bot does at start-up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from bot.domain.packs import PackError, load_library, load_pack, pack_files


def _default_path() -> str:
    return os.environ.get("CONTENT_DIR") or "content"


def validate_command(path: str | None, out: TextIO) -> int:
    """Print one OK line per pack, or every problem as `file:line: message`; exit 0 or 1.

    A folder is validated as a library (ids unique across packs); a single file on its own.
    """
    target = Path(path or _default_path())
    if not target.exists():
        print(f"{target}:1: no such file or folder", file=out)
        return 1
    try:
        packs = load_library(target).packs if target.is_dir() else (load_pack(target),)
    except PackError as error:
        for problem in error.problems:
            print(problem, file=out)
        print(f"{len(error.problems)} problem(s) in {len(pack_files(target))} file(s)", file=out)
        return 1
    for pack in packs:
        primary = sum(not q.is_practice for q in pack.questions)
        practice = len(pack.questions) - primary
        print(
            f"{pack.source}: OK ({len(pack.questions)} questions, {primary} primary, {practice} practice)",
            file=out,
        )
    return 0
