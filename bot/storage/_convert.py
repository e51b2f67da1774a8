"""Conversions between Python values and their SQLite column encodings.

Timestamps are stored as UTC ISO-8601 text with microseconds and an explicit '+00:00' offset
(always the same width), rather than integer epochs: rows stay readable in the sqlite3 shell
and text order equals time order, so ORDER BY / MIN / MAX work on the column directly.
Naive datetimes are rejected instead of guessed: a wrong guess would silently shift streaks
and schedules by the host's UTC offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def to_db_time(value: datetime) -> str:
    """Encode an aware datetime as fixed-width UTC text ('2026-11-26T03:33:00.000000+00:00')."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: storage needs an aware UTC datetime")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def to_db_time_opt(value: datetime | None) -> str | None:
    return None if value is None else to_db_time(value)


def from_db_time(value: str) -> datetime:
    """Decode stored text back into an aware UTC datetime."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:  # defensive: a hand-edited row without offset is taken as UTC
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def from_db_time_opt(value: str | None) -> datetime | None:
    return None if value is None else from_db_time(value)


def to_db_date(value: date) -> str:
    """Local calendar dates (daily schedules) are 'YYYY-MM-DD' text; a datetime is refused."""
    if isinstance(value, datetime):
        raise TypeError("expected a date, got a datetime")
    return value.isoformat()


def from_db_date_opt(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
