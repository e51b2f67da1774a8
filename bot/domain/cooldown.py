"""A per-key cooldown over an injected clock.

discord.py's built-in cooldown is consumed when the check runs, even if the command then fails on
bad input. Here the caller records a use as soon as it passes the check (so a double click cannot
slip through while the first is still working) and calls `forget` when the command then fails on
bad input, so a typo never costs a member their next question.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime, timedelta


class Cooldown:
    def __init__(self, period: timedelta) -> None:
        self.period = period
        self._last: dict[Hashable, datetime] = {}

    def retry_after(self, key: Hashable, now: datetime) -> float | None:
        """Seconds left before `key` may act again, or None when it may act now."""
        last = self._last.get(key)
        if last is None or self.period <= timedelta(0):
            return None
        left = (last + self.period - now).total_seconds()
        return left if left > 0 else None

    def forget(self, key: Hashable) -> None:
        """Undo a use that did not happen (the command failed before posting anything)."""
        self._last.pop(key, None)

    def record(self, key: Hashable, now: datetime) -> None:
        self._last[key] = now
        self._prune(now)

    def _prune(self, now: datetime) -> None:
        """Forget expired keys so a long-running bot's memory does not grow with every member."""
        if len(self._last) > 1024:
            cutoff = now - self.period
            self._last = {key: at for key, at in self._last.items() if at > cutoff}
