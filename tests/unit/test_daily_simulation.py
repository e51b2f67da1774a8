"""The scheduler's pure core driven over months of simulated time with a clock passed in.

``simulate`` does what ``DailyScheduler`` does per guild, minus Discord: call ``decide`` with the
dates already handled, record each action under its local date (a duplicate key would be a double
post), then jump to ``sleep_until`` (plus a little wake-up jitter) or an earlier coarse tick.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.rotation import choose_question
from bot.domain.schedule import (
    DailySchedule,
    PostNow,
    SkipMissed,
    days_from_mask,
    days_to_mask,
    decide,
    on_shard,
    parse_schedule,
)


def simulate(
    schedule: DailySchedule,
    start: datetime,
    end: datetime,
    *,
    tick: timedelta = timedelta(hours=5),
    jitter: timedelta = timedelta(seconds=1),
    down: tuple[datetime, datetime] | None = None,
) -> tuple[dict[date, datetime], dict[date, str]]:
    posts: dict[date, datetime] = {}
    skips: dict[date, str] = {}
    now = start
    while now < end:
        if down is not None and down[0] <= now < down[1]:
            now = down[1]
            continue
        decision = decide(schedule, now, set(posts) | set(skips), active_since=start)
        for action in decision.actions:
            assert action.local_date not in posts and action.local_date not in skips, "double action"
            if isinstance(action, PostNow):
                posts[action.local_date] = now
            elif isinstance(action, SkipMissed):
                skips[action.local_date] = action.reason
        assert decision.sleep_until > now
        now = min(decision.sleep_until + jitter, now + tick)
    return posts, skips


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


YEAR_START = datetime(2026, 3, 1, tzinfo=UTC)
YEAR_END = datetime(2026, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York"])
def test_0900_posts_once_a_day_at_0900_local_across_both_dst_changes(zone: str) -> None:
    posts, skips = simulate(parse_schedule("09:00", zone), YEAR_START, YEAR_END)
    assert not skips
    expected_days = (YEAR_END - YEAR_START).days
    assert abs(len(posts) - expected_days) <= 1
    for day, posted in posts.items():
        wall = local(posted, zone)
        assert wall.date() == day
        assert (wall.hour, wall.minute) == (9, 0), f"{day}: posted at {wall}"
    offsets = {local(p, zone).utcoffset() for p in posts.values()}
    assert len(offsets) == 2  # the simulation really crossed the DST changes


def test_london_spring_forward_gap_posts_at_the_first_valid_minute() -> None:
    posts, _ = simulate(
        parse_schedule("01:30", "Europe/London"),
        datetime(2026, 3, 27, tzinfo=UTC),
        datetime(2026, 3, 31, tzinfo=UTC),
    )
    gap_day = local(posts[date(2026, 3, 29)], "Europe/London")
    assert (gap_day.hour, gap_day.minute) == (2, 0)  # 01:30 does not exist; clocks jump 01:00 -> 02:00
    next_day = local(posts[date(2026, 3, 30)], "Europe/London")
    assert (next_day.hour, next_day.minute) == (1, 30)


def test_new_york_fall_back_ambiguous_time_posts_once_at_first_occurrence() -> None:
    posts, _ = simulate(
        parse_schedule("01:30", "America/New_York"),
        datetime(2026, 10, 31, tzinfo=UTC),
        datetime(2026, 11, 3, tzinfo=UTC),
        tick=timedelta(minutes=7),
    )
    fold_day = posts[date(2026, 11, 1)]
    assert local(fold_day, "America/New_York").utcoffset() == timedelta(hours=-4)  # EDT, first 01:30
    assert sorted(posts) == [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)]


def test_london_fall_back_with_fine_ticks_never_doubles() -> None:
    posts, _ = simulate(
        parse_schedule("01:15", "Europe/London"),
        datetime(2026, 10, 24, tzinfo=UTC),
        datetime(2026, 10, 27, tzinfo=UTC),
        tick=timedelta(minutes=3),
    )
    assert sorted(posts) == [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)]


def test_midnight_post_is_keyed_by_the_day_it_starts() -> None:
    posts, _ = simulate(
        parse_schedule("00:00", "America/New_York"),
        datetime(2026, 3, 6, tzinfo=UTC),
        datetime(2026, 3, 11, tzinfo=UTC),
    )
    for day, posted in posts.items():
        wall = local(posted, "America/New_York")
        assert (wall.date(), wall.hour, wall.minute) == (day, 0, 0)
    assert date(2026, 3, 8) in posts  # the spring-forward Sunday (change at 02:00) still posts at 00:00


def test_weekday_filter_posts_only_on_chosen_days() -> None:
    posts, _ = simulate(
        parse_schedule("18:30", "Europe/London", "mon,wed,fri"),
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 3, 29, tzinfo=UTC),
    )
    assert {d.weekday() for d in posts} == {0, 2, 4}
    assert len(posts) == 12


def test_down_through_post_time_posts_late_within_grace_and_skips_past_it() -> None:
    schedule = parse_schedule("09:00", "Europe/London", grace_hours=3)
    start = datetime(2026, 3, 2, 6, tzinfo=UTC)
    posts, skips = simulate(
        schedule, start, datetime(2026, 3, 5, tzinfo=UTC), down=(start, datetime(2026, 3, 2, 11, tzinfo=UTC))
    )
    assert posts[date(2026, 3, 2)] == datetime(2026, 3, 2, 11, tzinfo=UTC)  # two hours late, once
    posts, skips = simulate(
        schedule, start, datetime(2026, 3, 5, tzinfo=UTC), down=(start, datetime(2026, 3, 2, 13, tzinfo=UTC))
    )
    assert date(2026, 3, 2) not in posts and "grace" in skips[date(2026, 3, 2)]
    assert date(2026, 3, 3) in posts


def test_rotation_cycles_without_repeats_favouring_unanswered() -> None:
    ids = [f"q{i}" for i in range(6)]
    answered = {"q0": 5, "q1": 3, "q2": 0, "q3": 0, "q4": 1, "q5": 0}
    rng = random.Random(7)
    history: list[str] = []
    for _ in range(18):
        history.append(choose_question(ids, history, answered, rng))
    for cycle in range(3):
        chunk = history[cycle * 6 : cycle * 6 + 6]
        assert sorted(chunk) == ids  # every question once per cycle
        assert set(chunk[:3]) == {"q2", "q3", "q5"}  # nobody answered these: they go first
        assert chunk[3:] == ["q4", "q1", "q0"]  # then by how many members answered
    assert all(a != b for a, b in itertools.pairwise(history))


def test_days_mask_round_trips() -> None:
    assert days_to_mask({0, 1, 2, 3, 4}) == 0b0011111
    assert days_from_mask(0b1000001) == frozenset({0, 6})
    for mask in range(1, 128):
        assert days_to_mask(days_from_mask(mask)) == mask
    with pytest.raises(ValueError, match="0-6"):
        days_to_mask({7})


def test_shard_filter_splits_guilds_between_processes() -> None:
    guilds = [(n << 22) | 12345 for n in range(40)]
    for guild_id in guilds:
        owners = [shard for shard in range(4) if on_shard(guild_id, shard, 4)]
        assert owners == [(guild_id >> 22) % 4]  # exactly one process posts for each guild
        assert on_shard(guild_id, None, None) and on_shard(guild_id, 0, 1)
