"""Daily question schedules: parsing admin input and the pure arithmetic of "when is it due?".

The model
---------
A guild's schedule says "post at HH:MM local time in this IANA zone on these weekdays". Everything
here is pure: no clock is read, every function takes an aware ``now`` and returns aware UTC instants,
so the scheduler (a cog) and the tests drive time explicitly.

* **Key = local date.** Each post is identified by the guild's *local calendar date* it belongs to,
  not by a UTC instant. Storage keeps one run row per (guild, local date) under a unique key, so a
  restart, a retry or two racing loops can never post the same day twice. A 09:00 post stays at
  09:00 on the wall clock across DST changes because it is recomputed per local date.
* **Gaps (spring forward).** A wall time that does not exist that day (02:30 while clocks jump
  02:00 -> 03:00) is due at the first valid instant after it: the moment the clocks jump (03:00).
  That keeps the post on its own day and as close to the asked time as the clock allows.
* **Folds (fall back).** A wall time that happens twice (01:30 while clocks go 02:00 -> 01:00) is
  due once, at its first occurrence (``fold=0``); the local-date key makes the second one a no-op.
* **Grace.** A post may go out late, once, if the bot was not running at the due instant and comes
  back within ``grace`` (default 6 h). Past that the day is skipped and the reason is recorded so an
  admin can see why no question appeared. Only occurrences of roughly the last day are looked at
  (:data:`LOOKBACK` + grace), so a bot that was down for a week posts nothing stale and records at
  most one skip, never a flood.

The scheduler loop built on this is: load schedules, call :func:`decide` per guild with the local
dates that already have a run row, perform (and record) its actions, then sleep until the earliest
``sleep_until`` or until a schedule changes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, available_timezones

__all__ = [
    "DEFAULT_GRACE",
    "LOOKBACK",
    "MAX_GRACE",
    "ON_TIME_SLACK",
    "Action",
    "DailySchedule",
    "Decision",
    "Occurrence",
    "PostNow",
    "SkipMissed",
    "days_from_mask",
    "days_to_mask",
    "decide",
    "format_days",
    "format_grace",
    "grace_from_hours",
    "local_due",
    "next_due",
    "occurrences_between",
    "on_shard",
    "parse_days",
    "parse_schedule",
    "parse_time",
    "parse_timezone",
    "timezone_choices",
]

ALL_DAYS: frozenset[int] = frozenset(range(7))
DEFAULT_GRACE = timedelta(hours=6)
# Beyond a day of grace occurrences would overlap one another; nobody needs it for a daily post.
MAX_GRACE = timedelta(hours=24)
# How far back decide() looks on top of the grace window: enough to notice yesterday's miss.
LOOKBACK = timedelta(days=1)
# A wake-up this close after the due instant still counts as on time (sleep jitter, slow startup),
# and it is the minimum window even with grace 0 so such a schedule can post at all.
ON_TIME_SLACK = timedelta(minutes=2)

_DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _require_aware(value: datetime, name: str) -> datetime:
    """Normalise an aware datetime to UTC; a naive one is a programming error, not a user error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime (got naive {value.isoformat()})")
    return value.astimezone(UTC)


# --------------------------------------------------------------------------------------------------
# Parsing admin input. Messages are written for the person who typed the command.
# --------------------------------------------------------------------------------------------------

_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_TIME_HELP = "Time must be HH:MM in 24-hour form, like 09:00 or 18:30."


def parse_time(text: str) -> time:
    """Parse a strict 24-hour ``HH:MM`` (a one-digit hour like ``9:00`` is accepted too)."""
    match = _TIME_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(_TIME_HELP)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"{text.strip()} is not a valid time. {_TIME_HELP}")
    return time(hour, minute)


# Names in the tz database that are not places a person would pick, or are system aliases.
_EXCLUDED_ZONES = frozenset({"Factory", "localtime", "posixrules"})
_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
_COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "Europe/Warsaw",
    "Europe/Kyiv",
    "America/Toronto",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Jakarta",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Africa/Lagos",
)


@functools.cache
def _zone_names() -> tuple[str, ...]:
    """All selectable IANA names, sorted; computed once because the tz database scan is slow."""
    return tuple(sorted(available_timezones() - _EXCLUDED_ZONES))


@functools.cache
def _zone_index() -> dict[str, str]:
    return {_fold_zone(name): name for name in _zone_names()}


def _fold_zone(text: str) -> str:
    """Case- and spacing-insensitive form of a zone name ("new york" matches "New_York")."""
    return "_".join(text.strip().split()).casefold()


def parse_timezone(name: str) -> ZoneInfo:
    """Resolve an IANA zone name, case-insensitively; only names from the tz database are accepted.

    Looking names up in the known set (rather than handing user text to ``ZoneInfo``) also keeps
    paths and other odd input away from the filesystem lookup.
    """
    canonical = _zone_index().get(_fold_zone(name))
    if canonical is None:
        shown = name.strip()[:64] or "(empty)"
        raise ValueError(
            f"Unknown time zone {shown!r}. Use an IANA name like Europe/London, America/New_York or UTC."
        )
    return ZoneInfo(canonical)


def _is_regional(name: str) -> bool:
    return name == "UTC" or name.split("/", 1)[0] in _AREAS


def timezone_choices(prefix: str, limit: int = 25) -> list[str]:
    """Zone names for slash-command autocomplete (Discord shows at most 25).

    Empty input lists common zones. Otherwise matches rank: exact name, name prefix, a later
    ``/``-segment prefix ("london" -> Europe/London), then any substring; within a rank, current
    ``Area/City`` names come before legacy aliases (``US/Eastern``, ``GB``) and common zones first.
    """
    limit = max(0, min(limit, 25))
    names = _zone_names()
    known = set(names)
    query = _fold_zone(prefix)
    if not query:
        common = [name for name in _COMMON_ZONES if name in known]
        rest = [name for name in names if name not in common and _is_regional(name)]
        return (common + rest)[:limit]
    common_rank = {name: i for i, name in enumerate(_COMMON_ZONES)}
    ranked: list[tuple[int, int, int, str]] = []
    for name in names:
        folded = name.casefold()
        if folded == query:
            tier = 0
        elif folded.startswith(query):
            tier = 1
        elif any(segment.startswith(query) for segment in folded.split("/")[1:]):
            tier = 2
        elif query in folded:
            tier = 3
        else:
            continue
        ranked.append((tier, 0 if _is_regional(name) else 1, common_rank.get(name, len(common_rank)), name))
    ranked.sort()
    return [entry[3] for entry in ranked[:limit]]


_DAY_SPELLINGS = (
    ("mon", "monday"),
    ("tue", "tues", "tuesday"),
    ("wed", "weds", "wednesday"),
    ("thu", "thur", "thurs", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
    ("sun", "sunday"),
)
_DAY_NAMES: dict[str, int] = {name: index for index, names in enumerate(_DAY_SPELLINGS) for name in names}
_DAY_GROUPS: dict[str, frozenset[int]] = {
    "daily": ALL_DAYS,
    "everyday": ALL_DAYS,
    "every day": ALL_DAYS,
    "all": ALL_DAYS,
    "weekdays": frozenset(range(5)),
    "weekday": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
    "weekend": frozenset({5, 6}),
}
_DAYS_HELP = "Use day names like mon,wed,fri, a range like mon-fri, or daily, weekdays or weekends."


def _day(token: str, original: str) -> int:
    try:
        return _DAY_NAMES[token]
    except KeyError:
        raise ValueError(f"Unknown day {token!r} in {original!r}. {_DAYS_HELP}") from None


def parse_days(text: str) -> frozenset[int]:
    """Parse a weekday selection into weekday numbers (0 = Monday), case-insensitively.

    Accepts ``mon-fri``, ``mon,wed,fri`` (commas and/or spaces), wrap-around ranges like ``fri-mon``,
    full names, and ``daily`` / ``every day`` / empty (all days), ``weekdays``, ``weekends``.
    """
    original = text.strip()
    normalised = " ".join(original.casefold().replace("–", "-").replace("—", "-").split())
    if normalised in ("", "every day"):
        return ALL_DAYS
    days: set[int] = set()
    for raw in re.split(r"[,\s]+", normalised):
        token = raw.strip()
        if not token:
            continue
        if token in _DAY_GROUPS:
            days |= _DAY_GROUPS[token]
        elif "-" in token:
            start_text, _, end_text = token.partition("-")
            if not start_text or not end_text:
                raise ValueError(f"Incomplete day range {token!r}. {_DAYS_HELP}")
            start, end = _day(start_text, original), _day(end_text, original)
            days.update((start + offset) % 7 for offset in range((end - start) % 7 + 1))
        else:
            days.add(_day(token, original))
    if not days:
        raise ValueError(f"No days given. {_DAYS_HELP}")
    return frozenset(days)


def format_days(days: Iterable[int]) -> str:
    """Canonical, human form of a weekday set: "Every day", "Mon–Fri", "Fri–Mon", "Mon, Wed, Fri".

    Runs of three or more days become a range (wrapping over Sunday), shorter runs are listed.
    The output parses back to the same set with :func:`parse_days`.
    """
    selected = frozenset(days)
    if not selected:
        return "No days"
    if selected == ALL_DAYS:
        return "Every day"
    if not selected <= ALL_DAYS:
        raise ValueError(f"weekday numbers must be 0-6, got {sorted(selected)}")
    # Start just after a gap so a run crossing Sunday -> Monday stays one run.
    start = next(d for d in range(7) if d in selected and (d - 1) % 7 not in selected)
    runs: list[list[int]] = []
    for offset in range(7):
        day = (start + offset) % 7
        if day not in selected:
            continue
        if runs and (runs[-1][-1] + 1) % 7 == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{_DAY_ABBR[run[0]]}–{_DAY_ABBR[run[-1]]}")
        else:
            parts.extend(_DAY_ABBR[d] for d in run)
    return ", ".join(parts)


def days_to_mask(days: Iterable[int]) -> int:
    """Weekday set as the storage bitmask (bit i = weekday i, Monday = 0, like ``date.weekday()``)."""
    mask = 0
    for day in days:
        if not 0 <= day <= 6:
            raise ValueError(f"weekday numbers must be 0-6, got {day}")
        mask |= 1 << day
    return mask


def days_from_mask(mask: int) -> frozenset[int]:
    """Inverse of :func:`days_to_mask`; bits above Sunday are ignored."""
    return frozenset(day for day in range(7) if mask & (1 << day))


def on_shard(guild_id: int, shard_id: int | None, shard_count: int | None) -> bool:
    """Whether this process owns ``guild_id``: Discord's ``(guild_id >> 22) % shard_count`` rule.

    A process that is not sharded (either value None) owns every guild. Used by the daily scheduler
    so a deployment split over several processes posts each guild's question exactly once.
    """
    if shard_id is None or shard_count is None or shard_count <= 1:
        return True
    return (guild_id >> 22) % shard_count == shard_id


def grace_from_hours(hours: float) -> timedelta:
    """Validate the admin's ``grace_hours`` option (0 to 24, fractions allowed)."""
    if not 0 <= hours <= MAX_GRACE / timedelta(hours=1):
        raise ValueError(
            f"Grace must be between 0 and {MAX_GRACE // timedelta(hours=1)} hours (got {hours:g})."
        )
    return timedelta(hours=hours)


def format_grace(grace: timedelta) -> str:
    """Short human form of a grace window: "6 h", "90 min", "1 h 30 min"."""
    minutes = round(grace / timedelta(minutes=1))
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return f"{rest} min"


# --------------------------------------------------------------------------------------------------
# The schedule and its occurrences.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DailySchedule:
    """A guild's daily post schedule: wall-clock time in an IANA zone on some weekdays.

    ``timezone`` is normalised to the canonical tz database spelling and ``days`` to a frozenset,
    so two schedules built from differently-typed input compare equal.
    """

    local_time: time
    timezone: str
    days: frozenset[int] = ALL_DAYS
    grace: timedelta = DEFAULT_GRACE

    def __post_init__(self) -> None:
        if self.local_time.tzinfo is not None:
            raise ValueError("local_time must be a naive wall-clock time; the zone is given separately")
        object.__setattr__(self, "timezone", parse_timezone(self.timezone).key)
        days = frozenset(self.days)
        if not days or not days <= ALL_DAYS:
            raise ValueError(f"days must be a non-empty subset of 0-6 (0 = Monday), got {sorted(days)}")
        object.__setattr__(self, "days", days)
        if not timedelta(0) <= self.grace <= MAX_GRACE:
            raise ValueError(f"grace must be between 0 and {MAX_GRACE}, got {self.grace}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def describe(self) -> str:
        """One line for confirmations and `/daily show`: "09:00 Europe/London, Mon–Fri (grace 6 h)"."""
        return (
            f"{self.local_time:%H:%M} {self.timezone}, {format_days(self.days)} "
            f"(grace {format_grace(self.grace)})"
        )


def parse_schedule(
    time_text: str, timezone_name: str, days_text: str = "", grace_hours: float = 6
) -> DailySchedule:
    """Build a schedule from the raw `/daily set` options; any ValueError message is user-facing."""
    return DailySchedule(
        local_time=parse_time(time_text),
        timezone=parse_timezone(timezone_name).key,
        days=parse_days(days_text),
        grace=grace_from_hours(grace_hours),
    )


class Occurrence(NamedTuple):
    """One scheduled post: the local date it is keyed by and its due instant in UTC."""

    local_date: date
    due_at: datetime


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def local_due(schedule: DailySchedule, local_date: date) -> datetime:
    """The UTC instant of ``local_date``'s post (weekdays are not checked here).

    Ambiguous wall times resolve to the first occurrence; non-existent ones to the first instant
    after the gap, i.e. the moment the clocks jump.
    """
    zone = schedule.zone
    naive = datetime.combine(local_date, schedule.local_time)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == naive:
        return first
    # In a gap: the two folds bracket the transition; binary-search the first instant whose
    # wall-clock reading is at or past the requested time (to the second; transitions are on minutes).
    offsets = [naive.replace(tzinfo=zone, fold=f).utcoffset() or timedelta(0) for f in (0, 1)]
    lo = (naive - max(offsets)).replace(tzinfo=UTC)  # wall clock still before the gap
    hi = (naive - min(offsets)).replace(tzinfo=UTC)  # wall clock already past it
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) // 2
        if _wall(mid, zone) >= naive:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


def _local_today(schedule: DailySchedule, instant: datetime) -> date:
    return instant.astimezone(schedule.zone).date()


def occurrences_between(schedule: DailySchedule, start: datetime, end: datetime) -> list[Occurrence]:
    """Scheduled occurrences with ``start <= due_at < end``, oldest first."""
    start = _require_aware(start, "start")
    end = _require_aware(end, "end")
    result: list[Occurrence] = []
    # One day of margin each side: a gap can push a due instant past midnight local time.
    day = _local_today(schedule, start) - timedelta(days=1)
    last = _local_today(schedule, end) + timedelta(days=1)
    while day <= last:
        if day.weekday() in schedule.days:
            due = local_due(schedule, day)
            if start <= due < end:
                result.append(Occurrence(day, due))
        day += timedelta(days=1)
    return result


def next_due(schedule: DailySchedule, now: datetime) -> Occurrence:
    """The earliest occurrence that is not yet past: ``due_at >= now``, on a scheduled weekday."""
    now = _require_aware(now, "now")
    day = _local_today(schedule, now) - timedelta(days=1)
    # Any weekday set recurs within a week; the extra days cover the margin and odd gaps.
    for _ in range(10):
        if day.weekday() in schedule.days:
            due = local_due(schedule, day)
            if due >= now:
                return Occurrence(day, due)
        day += timedelta(days=1)
    raise AssertionError("unreachable: a non-empty weekday set recurs within a week")


# --------------------------------------------------------------------------------------------------
# The scheduler's pure core.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostNow:
    """Post the question for ``local_date`` now; ``late`` when past :data:`ON_TIME_SLACK` after due."""

    local_date: date
    due_at: datetime
    late: bool


@dataclass(frozen=True)
class SkipMissed:
    """Record ``local_date`` as skipped (no post) with an admin-readable ``reason``."""

    local_date: date
    due_at: datetime
    reason: str


Action = PostNow | SkipMissed


@dataclass(frozen=True)
class Decision:
    """What the scheduler should do for one guild right now.

    ``actions`` holds at most one skip and one post, skip first (it is the older day). Each must be
    recorded under its (guild, local date) key before acting, or the next call returns it again.
    ``sleep_until`` is when the next not-yet-handled occurrence becomes due.
    """

    actions: tuple[Action, ...]
    sleep_until: datetime

    @property
    def post(self) -> PostNow | None:
        return next((a for a in self.actions if isinstance(a, PostNow)), None)

    @property
    def skip(self) -> SkipMissed | None:
        return next((a for a in self.actions if isinstance(a, SkipMissed)), None)


def _when(instant: datetime, zone: ZoneInfo, reference_day: date) -> str:
    local = instant.astimezone(zone)
    if local.date() == reference_day:
        return f"{local:%H:%M}"
    return f"{_DAY_ABBR[local.weekday()]} {local.day} {local:%b} {local:%H:%M}"


def _missed_reason(schedule: DailySchedule, occurrence: Occurrence, now: datetime) -> str:
    day = occurrence.local_date
    return (
        f"Not posted: the bot was offline from the due time {schedule.local_time:%H:%M} {schedule.timezone} "
        f"on {_DAY_ABBR[day.weekday()]} {day.day} {day:%b %Y} until {_when(now, schedule.zone, day)}, "
        f"past the grace window ({format_grace(schedule.grace)})."
    )


def _superseded_reason(schedule: DailySchedule, newer: Occurrence) -> str:
    day = newer.local_date
    return (
        f"Not posted: it was still waiting when the next post "
        f"({_DAY_ABBR[day.weekday()]} {day.day} {day:%b %Y}) became due, so only that one was posted."
    )


def decide(
    schedule: DailySchedule,
    now: datetime,
    handled: Iterable[date],
    *,
    skip_dates: Iterable[date] = (),
    active_since: datetime | None = None,
) -> Decision:
    """Decide what to post or record for one guild at ``now``.

    ``handled`` are local dates that already have a run row (claimed, posted or skipped);
    ``skip_dates`` are dates an admin chose to skip and count as handled. Occurrences due before
    ``active_since`` (when the schedule was set or last changed) are ignored, so setting a 09:00
    schedule at noon does not post today's question late or log a miss for yesterday.

    Occurrences due within ``LOOKBACK + grace`` are walked newest first and the walk stops at the
    first handled one, since nothing older than an existing run may be acted on. The newest unhandled
    one is posted if within its window (``max(grace, ON_TIME_SLACK)``), otherwise recorded as missed;
    one older unhandled occurrence may additionally be recorded as missed or superseded.
    """
    now = _require_aware(now, "now")
    done = frozenset(handled) | frozenset(skip_dates)
    window_start = now - (LOOKBACK + schedule.grace)
    if active_since is not None:
        window_start = max(window_start, _require_aware(active_since, "active_since"))
    due = occurrences_between(schedule, window_start, now + timedelta(microseconds=1))
    post_window = max(schedule.grace, ON_TIME_SLACK)

    post: PostNow | None = None
    skip: SkipMissed | None = None
    for occurrence in reversed(due):
        if occurrence.local_date in done:
            break
        lateness = now - occurrence.due_at
        if post is None and lateness <= post_window:
            post = PostNow(occurrence.local_date, occurrence.due_at, late=lateness > ON_TIME_SLACK)
            continue
        if post is not None and lateness <= post_window:
            reason = _superseded_reason(schedule, Occurrence(post.local_date, post.due_at))
        else:
            reason = _missed_reason(schedule, occurrence, now)
        skip = SkipMissed(occurrence.local_date, occurrence.due_at, reason)
        break

    actions: tuple[Action, ...] = tuple(a for a in (skip, post) if a is not None)
    return Decision(actions=actions, sleep_until=_next_unhandled(schedule, now, done))


def _next_unhandled(schedule: DailySchedule, now: datetime, done: frozenset[date]) -> datetime:
    """Due instant of the first future occurrence that is not already handled or skipped."""
    cursor = now + timedelta(microseconds=1)
    # ``done`` is finite, so this ends after at most len(done) + 1 scheduled occurrences.
    for _ in range(len(done) + 2):
        occurrence = next_due(schedule, cursor)
        if occurrence.local_date not in done:
            return occurrence.due_at
        cursor = occurrence.due_at + timedelta(microseconds=1)
    raise AssertionError("unreachable: more skipped dates than iterations")
