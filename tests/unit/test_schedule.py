"""Schedule arithmetic over fixed instants: DST gaps and folds, weekdays, grace, skips, parsing."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import (
    DailySchedule,
    Occurrence,
    PostNow,
    SkipMissed,
    decide,
    format_days,
    format_grace,
    grace_from_hours,
    local_due,
    next_due,
    occurrences_between,
    parse_days,
    parse_schedule,
    parse_time,
    parse_timezone,
    timezone_choices,
)

LONDON = "Europe/London"
NEW_YORK = "America/New_York"


def sched(hhmm: str, tz: str, days: str = "", grace_hours: float = 6) -> DailySchedule:
    return parse_schedule(hhmm, tz, days, grace_hours)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def wall(instant: datetime, tz: str) -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


# ---------------------------------------------------------------- local_due and DST


def test_london_0900_stays_0900_local_across_both_changes() -> None:
    s = sched("09:00", LONDON)
    # 2025: clocks go forward Sun 30 Mar, back Sun 26 Oct.
    assert local_due(s, date(2025, 3, 29)) == utc(2025, 3, 29, 9, 0)  # GMT
    assert local_due(s, date(2025, 3, 31)) == utc(2025, 3, 31, 8, 0)  # BST
    assert local_due(s, date(2025, 10, 25)) == utc(2025, 10, 25, 8, 0)
    assert local_due(s, date(2025, 10, 27)) == utc(2025, 10, 27, 9, 0)
    for d in (date(2025, 3, 30), date(2025, 10, 26)):
        assert wall(local_due(s, d), LONDON).endswith("09:00 " + ("BST" if d.month == 3 else "GMT"))


def test_new_york_0900_stays_0900_local_across_both_changes() -> None:
    s = sched("09:00", NEW_YORK)
    # 2025: forward Sun 9 Mar, back Sun 2 Nov.
    assert local_due(s, date(2025, 3, 8)) == utc(2025, 3, 8, 14, 0)
    assert local_due(s, date(2025, 3, 10)) == utc(2025, 3, 10, 13, 0)
    assert local_due(s, date(2025, 11, 1)) == utc(2025, 11, 1, 13, 0)
    assert local_due(s, date(2025, 11, 3)) == utc(2025, 11, 3, 14, 0)


def test_london_0130_on_spring_forward_day_posts_at_0200_local() -> None:
    s = sched("01:30", LONDON)
    due = local_due(s, date(2025, 3, 30))
    assert due == utc(2025, 3, 30, 1, 0)
    assert wall(due, LONDON) == "2025-03-30 02:00 BST"
    # The days around it are untouched.
    assert local_due(s, date(2025, 3, 29)) == utc(2025, 3, 29, 1, 30)
    assert local_due(s, date(2025, 3, 31)) == utc(2025, 3, 31, 0, 30)


def test_new_york_0230_on_spring_forward_day_posts_at_0300_local() -> None:
    s = sched("02:30", NEW_YORK)
    due = local_due(s, date(2025, 3, 9))
    assert due == utc(2025, 3, 9, 7, 0)
    assert wall(due, NEW_YORK) == "2025-03-09 03:00 EDT"


def test_midnight_that_does_not_exist_posts_when_clocks_jump() -> None:
    # Chile springs forward at local midnight: 2024-09-08 00:00 never happened, 01:00 -03 did.
    s = sched("00:00", "America/Santiago")
    due = local_due(s, date(2024, 9, 8))
    assert due == utc(2024, 9, 8, 4, 0)
    assert wall(due, "America/Santiago") == "2024-09-08 01:00 -03"


@pytest.mark.parametrize(
    ("tz", "day", "first"),
    [
        (NEW_YORK, date(2025, 11, 2), utc(2025, 11, 2, 5, 30)),  # 01:30 EDT, not 01:30 EST
        (LONDON, date(2025, 10, 26), utc(2025, 10, 26, 0, 30)),  # 01:30 BST, not 01:30 GMT
    ],
)
def test_ambiguous_0130_on_fall_back_day_posts_once_at_first_occurrence(
    tz: str, day: date, first: datetime
) -> None:
    s = sched("01:30", tz)
    assert local_due(s, day) == first
    posted = decide(s, first, handled=[day - timedelta(days=1)])
    assert posted.actions == (PostNow(day, first, late=False),)
    # An hour later the wall clock reads 01:30 again; the day is already handled.
    again = decide(s, first + timedelta(hours=1), handled=[day - timedelta(days=1), day])
    assert again.actions == ()
    assert again.sleep_until == local_due(s, day + timedelta(days=1))
    assert [
        o.local_date for o in occurrences_between(s, first - timedelta(hours=3), first + timedelta(hours=3))
    ] == [day]


def test_midnight_post_is_keyed_by_its_own_local_date() -> None:
    s = sched("00:00", LONDON)
    # 00:00 BST on 1 Apr is 23:00 UTC on 31 Mar.
    assert local_due(s, date(2025, 4, 1)) == utc(2025, 3, 31, 23, 0)
    assert next_due(s, utc(2025, 3, 31, 22, 0)) == Occurrence(date(2025, 4, 1), utc(2025, 3, 31, 23, 0))
    assert next_due(s, utc(2025, 3, 31, 23, 30)) == Occurrence(date(2025, 4, 2), utc(2025, 4, 1, 23, 0))


def test_2359_post_and_the_day_clocks_change() -> None:
    s = sched("23:59", NEW_YORK)
    assert local_due(s, date(2025, 3, 8)) == utc(2025, 3, 9, 4, 59)  # EST
    assert local_due(s, date(2025, 3, 9)) == utc(2025, 3, 10, 3, 59)  # EDT
    result = decide(s, utc(2025, 3, 9, 4, 59), handled=[date(2025, 3, 7)])
    assert result.actions == (PostNow(date(2025, 3, 8), utc(2025, 3, 9, 4, 59), late=False),)
    assert next_due(s, utc(2025, 3, 9, 5, 0)) == Occurrence(date(2025, 3, 9), utc(2025, 3, 10, 3, 59))


# ---------------------------------------------------------------- next_due and weekdays


def test_weekday_filter_skips_the_weekend() -> None:
    s = sched("09:00", LONDON, "mon-fri")
    friday_evening = utc(2025, 3, 7, 18, 0)
    assert next_due(s, friday_evening) == Occurrence(date(2025, 3, 10), utc(2025, 3, 10, 9, 0))
    week = occurrences_between(s, utc(2025, 3, 3), utc(2025, 3, 10))
    assert [o.local_date.weekday() for o in week] == [0, 1, 2, 3, 4]


def test_next_due_is_inclusive_of_now_and_moves_on_after() -> None:
    s = sched("09:00", LONDON)
    due = utc(2025, 1, 15, 9, 0)
    assert next_due(s, due) == Occurrence(date(2025, 1, 15), due)
    assert next_due(s, due + timedelta(microseconds=1)).local_date == date(2025, 1, 16)
    # A non-UTC aware now means the same instant.
    assert next_due(s, due.astimezone(ZoneInfo("Asia/Tokyo"))) == Occurrence(date(2025, 1, 15), due)


def test_next_due_on_a_single_weekday_is_up_to_a_week_away() -> None:
    s = sched("09:00", LONDON, "wed")
    assert next_due(s, utc(2025, 1, 15, 9, 1)) == Occurrence(date(2025, 1, 22), utc(2025, 1, 22, 9, 0))


@pytest.mark.parametrize("call", ["next_due", "decide", "between", "active_since"])
def test_naive_datetimes_are_rejected(call: str) -> None:
    s = sched("09:00", LONDON)
    naive = datetime(2025, 1, 15, 9, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        if call == "next_due":
            next_due(s, naive)
        elif call == "decide":
            decide(s, naive, handled=[])
        elif call == "between":
            occurrences_between(s, naive, utc(2025, 1, 16))
        else:
            decide(s, utc(2025, 1, 15, 9), handled=[], active_since=naive)


# ---------------------------------------------------------------- decide: grace, misses, skips

DUE = utc(2025, 1, 15, 9, 0)  # Wednesday; London is on GMT so local == UTC
WED = date(2025, 1, 15)


def test_on_time_post_and_sleep_until_next_day() -> None:
    s = sched("09:00", LONDON)
    result = decide(s, DUE + timedelta(seconds=30), handled=[date(2025, 1, 14)])
    assert result.actions == (PostNow(WED, DUE, late=False),)
    assert result.post == PostNow(WED, DUE, late=False)
    assert result.skip is None
    assert result.sleep_until == utc(2025, 1, 16, 9, 0)


def test_before_due_does_nothing_and_sleeps_until_due() -> None:
    s = sched("09:00", LONDON)
    result = decide(s, DUE - timedelta(hours=1), handled=[date(2025, 1, 14)])
    assert result.actions == ()
    assert result.sleep_until == DUE


@pytest.mark.parametrize(
    ("after", "late"),
    [(timedelta(minutes=1), False), (timedelta(minutes=10), True), (timedelta(hours=6), True)],
)
def test_within_grace_posts_once_marking_late(after: timedelta, late: bool) -> None:
    s = sched("09:00", LONDON, grace_hours=6)
    now = DUE + after
    tue = date(2025, 1, 14)
    assert decide(s, now, handled=[tue]).actions == (PostNow(WED, DUE, late=late),)
    assert decide(s, now, handled=[tue, WED]).actions == ()


def test_past_grace_skips_the_day_and_says_why() -> None:
    s = sched("09:00", LONDON, grace_hours=6)
    now = utc(2025, 1, 15, 16, 12)
    result = decide(s, now, handled=[date(2025, 1, 14)])
    assert len(result.actions) == 1
    skip = result.actions[0]
    assert isinstance(skip, SkipMissed)
    assert (skip.local_date, skip.due_at) == (WED, DUE)
    assert "09:00 Europe/London" in skip.reason
    assert "16:12" in skip.reason
    assert "6 h" in skip.reason
    assert result.sleep_until == utc(2025, 1, 16, 9, 0)
    # Once recorded, nothing more happens that day.
    assert decide(s, now, handled=[date(2025, 1, 14), WED]).actions == ()


def test_grace_zero_still_tolerates_a_short_wakeup_delay() -> None:
    s = sched("09:00", LONDON, grace_hours=0)
    assert decide(s, DUE + timedelta(minutes=1), handled=[]).actions == (PostNow(WED, DUE, late=False),)
    late = decide(s, DUE + timedelta(minutes=3), handled=[]).actions
    assert len(late) == 1
    assert isinstance(late[0], SkipMissed)


def test_down_for_a_week_posts_nothing_stale_and_records_one_skip() -> None:
    s = sched("09:00", LONDON, grace_hours=6)
    handled = {date(2025, 1, 8)}  # last run a week ago
    now = utc(2025, 1, 15, 20, 0)  # back Wednesday evening
    first = decide(s, now, handled)
    assert len(first.actions) == 1
    assert isinstance(first.actions[0], SkipMissed)
    assert first.actions[0].local_date == WED
    handled.add(WED)
    assert decide(s, now, handled).actions == ()
    assert decide(s, now + timedelta(minutes=5), handled).actions == ()


def test_back_within_grace_after_missing_yesterday_posts_today_and_logs_yesterday() -> None:
    s = sched("09:00", LONDON, grace_hours=6)
    now = utc(2025, 1, 15, 10, 0)  # down since before Tuesday's post
    result = decide(s, now, handled=[date(2025, 1, 13)])
    assert [type(a) for a in result.actions] == [SkipMissed, PostNow]
    assert result.skip is not None and result.skip.local_date == date(2025, 1, 14)
    assert result.post == PostNow(WED, DUE, late=True)
    assert decide(s, now, handled=[date(2025, 1, 13), date(2025, 1, 14), WED]).actions == ()


def test_nothing_older_than_an_existing_run_is_acted_on() -> None:
    s = sched("09:00", LONDON)
    # Today's run exists; yesterday has no row (e.g. a gap in storage) and must not be touched.
    assert decide(s, utc(2025, 1, 15, 10, 0), handled=[WED]).actions == ()


def test_with_a_full_day_of_grace_only_the_newest_day_posts() -> None:
    s = sched("09:00", LONDON, grace_hours=24)
    now = DUE  # Tuesday's post is exactly at the end of its 24 h window as Wednesday's falls due
    result = decide(s, now, handled=[date(2025, 1, 13)])
    assert result.post == PostNow(WED, DUE, late=False)
    assert result.skip is not None
    assert result.skip.local_date == date(2025, 1, 14)
    assert "Wed 15 Jan 2025" in result.skip.reason


def test_skip_date_counts_as_handled() -> None:
    s = sched("09:00", LONDON)
    result = decide(s, DUE + timedelta(minutes=1), handled=[], skip_dates=[WED])
    assert result.actions == ()
    assert result.sleep_until == utc(2025, 1, 16, 9, 0)


def test_sleep_until_jumps_over_future_skip_dates() -> None:
    s = sched("09:00", LONDON, "mon-fri")
    friday_evening = utc(2025, 1, 17, 18, 0)
    result = decide(s, friday_evening, handled=[date(2025, 1, 17)], skip_dates=[date(2025, 1, 20)])
    assert result.actions == ()
    assert result.sleep_until == utc(2025, 1, 21, 9, 0)  # Tuesday: Saturday, Sunday, Monday skipped


def test_schedule_set_after_todays_time_waits_for_tomorrow() -> None:
    s = sched("09:00", LONDON)
    set_at = utc(2025, 1, 15, 12, 0)
    result = decide(s, set_at + timedelta(seconds=1), handled=[], active_since=set_at)
    assert result.actions == ()
    assert result.sleep_until == utc(2025, 1, 16, 9, 0)
    # Without active_since the same state would post today's late.
    assert decide(s, set_at, handled=[]).post == PostNow(WED, DUE, late=True)


# ---------------------------------------------------------------- schedule construction


def test_schedule_normalises_zone_and_days_and_describes_itself() -> None:
    s = DailySchedule(time(9, 0), "europe/london", frozenset({0, 1, 2, 3, 4}), timedelta(hours=6))
    assert s.timezone == LONDON
    assert s == sched("09:00", "Europe/London", "weekdays")
    assert s.describe() == "09:00 Europe/London, Mon–Fri (grace 6 h)"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"days": frozenset()},
        {"days": frozenset({7})},
        {"grace": timedelta(hours=-1)},
        {"grace": timedelta(hours=25)},
        {"local_time": time(9, 0, tzinfo=UTC)},
        {"timezone": "Nowhere/Special"},
    ],
)
def test_schedule_rejects_invalid_fields(kwargs: dict[str, object]) -> None:
    fields: dict[str, object] = {"local_time": time(9, 0), "timezone": LONDON}
    fields.update(kwargs)
    with pytest.raises(ValueError):
        DailySchedule(**fields)  # type: ignore[arg-type]


def test_grace_hours_option() -> None:
    assert grace_from_hours(6) == timedelta(hours=6)
    assert grace_from_hours(1.5) == timedelta(minutes=90)
    with pytest.raises(ValueError, match="between 0 and 24 hours"):
        grace_from_hours(25)
    with pytest.raises(ValueError, match="between 0 and 24 hours"):
        grace_from_hours(-1)
    assert format_grace(timedelta(hours=6)) == "6 h"
    assert format_grace(timedelta(minutes=90)) == "1 h 30 min"
    assert format_grace(timedelta(0)) == "0 min"


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", time(9, 0)),
        ("9:00", time(9, 0)),
        (" 18:30 ", time(18, 30)),
        ("00:00", time(0)),
        ("23:59", time(23, 59)),
    ],
)
def test_parse_time_accepts(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text", ["24:00", "12:60", "9", "0900", "09:00:00", "9am", "9:5", "", "-1:00", "０９:００", "09.00"]
)
def test_parse_time_rejects_with_a_readable_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"HH:MM in 24-hour form, like 09:00"):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Europe/London", LONDON),
        ("europe/london", LONDON),
        ("AMERICA/NEW_YORK", NEW_YORK),
        ("america/new york", NEW_YORK),
        ("utc", "UTC"),
    ],
)
def test_parse_timezone_is_case_insensitive(text: str, key: str) -> None:
    assert parse_timezone(text).key == key


@pytest.mark.parametrize("text", ["Mars/Olympus_Mons", "", "../../etc/passwd", "localtime", "London"])
def test_parse_timezone_rejects_unknown_names_naming_them(text: str) -> None:
    with pytest.raises(ValueError, match="Unknown time zone") as info:
        parse_timezone(text)
    if text:
        assert text in str(info.value)


def test_timezone_choices_for_empty_input_start_with_common_zones() -> None:
    choices = timezone_choices("")
    assert choices[:3] == ["UTC", LONDON, NEW_YORK]
    assert len(choices) == 25
    assert len(set(choices)) == 25


def test_timezone_choices_match_prefix_then_city_then_substring() -> None:
    assert timezone_choices("london")[0] == LONDON
    assert timezone_choices("new y")[0] == NEW_YORK
    assert timezone_choices("Europe/Lo")[:1] == [LONDON]
    europe = timezone_choices("europe/", limit=10)
    assert len(europe) == 10
    assert all(name.startswith("Europe/") for name in europe)
    # A city match beats a mere substring match: "york" is a segment start only in New_York.
    assert timezone_choices("york")[0] == NEW_YORK
    assert timezone_choices("zzzz") == []
    assert len(timezone_choices("a", limit=100)) == 25
    for name in timezone_choices("america"):
        parse_timezone(name)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("mon,wed,fri", {0, 2, 4}),
        ("Mon, Wed, Fri", {0, 2, 4}),
        ("mon wed fri", {0, 2, 4}),
        ("sat-sun", {5, 6}),
        ("fri-mon", {4, 5, 6, 0}),
        ("sun-sun", {6}),
        ("Monday-Friday", {0, 1, 2, 3, 4}),
        ("TUESDAY,thurs", {1, 3}),
        ("Mon–Fri", {0, 1, 2, 3, 4}),
        ("", set(range(7))),
        ("daily", set(range(7))),
        ("Every day", set(range(7))),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("weekends", {5, 6}),
        ("weekdays,sat", {0, 1, 2, 3, 4, 5}),
    ],
)
def test_parse_days(text: str, days: set[int]) -> None:
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize(
    ("text", "message"), [("funday", "Unknown day 'funday'"), ("mon-", "Incomplete"), (",", "No days")]
)
def test_parse_days_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_days(text)


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (set(range(7)), "Every day"),
        ({0, 1, 2, 3, 4}, "Mon–Fri"),
        ({4, 5, 6, 0}, "Fri–Mon"),
        ({0, 2, 4}, "Mon, Wed, Fri"),
        ({5, 6}, "Sat, Sun"),
        ({6, 0}, "Sun, Mon"),
        ({0, 1, 2, 4}, "Mon–Wed, Fri"),
        ({3}, "Thu"),
    ],
)
def test_format_days(days: set[int], text: str) -> None:
    assert format_days(frozenset(days)) == text


def test_format_days_round_trips_every_weekday_set() -> None:
    for size in range(1, 8):
        for combo in itertools.combinations(range(7), size):
            days = frozenset(combo)
            assert parse_days(format_days(days)) == days
