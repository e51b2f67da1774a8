"""Storage methods the daily scheduler added, and the wrap-up / show embeds it sends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import discord

from bot.cogs import daily_render
from bot.cogs.scheduler import PostingError, _classify, domain_schedule, missing_posting_permissions
from bot.domain.model import Pack, Pointer, Question, RedFlag
from bot.storage import Database

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GUILD = 42
DAY = date(2026, 3, 2)


async def test_dates_since_and_last_posted(db: Database) -> None:
    old = await db.daily_runs.claim(GUILD, DAY, T0, T0)
    await db.daily_runs.mark_skipped(GUILD, DAY + timedelta(days=1), "skip", T0)
    await db.daily_runs.claim(GUILD + 1, DAY, T0, T0)  # other guild
    assert await db.daily_runs.dates_since(GUILD, DAY) == {DAY, DAY + timedelta(days=1)}
    assert await db.daily_runs.dates_since(GUILD, DAY + timedelta(days=1)) == {DAY + timedelta(days=1)}
    assert await db.daily_runs.last_posted(GUILD) is None
    post = await db.posts.create(
        guild_id=GUILD, channel_id=1, message_id=2, question_id="q", source="daily", posted_at=T0
    )
    await db.daily_runs.mark_posted(old.id, post.id, T0)  # type: ignore[union-attr]
    last = await db.daily_runs.last_posted(GUILD)
    assert last is not None and last.post_id == post.id


async def test_count_members_for_post_counts_distinct_live_answers(db: Database) -> None:
    post = await db.posts.create(
        guild_id=GUILD, channel_id=1, message_id=2, thread_id=3, question_id="q", source="daily", posted_at=T0
    )
    for member, message in ((10, 100), (10, 101), (11, 102), (12, 103)):
        await db.answers.record(
            guild_id=GUILD,
            post_id=post.id,
            question_id="q",
            category="Technical",
            channel_id=1,
            thread_id=3,
            message_id=message,
            member_id=member,
            text="answer",
            source="message",
            created_at=T0,
        )
    await db.answers.mark_deleted(103, T0)
    assert await db.answers.count_members_for_post(post.id) == 2


PACK = Pack(
    id="p",
    title="Pack",
    about="",
    stages=(),
    formats=(),
    screening=(),
    red_flags=(RedFlag("blame", "Blaming other teams", "global"),),
    questions=(),
)


def test_wrap_up_reveals_pointers_and_own_red_flags() -> None:
    question = Question(
        "q1",
        "primary",
        "Behavioural",
        "Tell me about an incident.",
        "Incident leadership matters.",
        pointers=(Pointer("Set up a bridge and assign roles"),),
        avoid=(RedFlag("q1-hero", "Avoid hero stories", "question"),),
    )
    embed = daily_render.wrap_up_embed(question, PACK, 3).to_dict()
    text = str(embed)
    assert "3 members answered" in text
    assert "Set up a bridge and assign roles" in text and "Avoid hero stories" in text
    assert "Blaming other teams" not in text


def test_wrap_up_of_a_practice_question_shows_why_and_pack_flags() -> None:
    question = Question("q2", "practice", "Technical", "Explain DNS.", "Fundamentals get probed.")
    text = str(daily_render.wrap_up_embed(question, PACK, 0).to_dict())
    assert "Fundamentals get probed." in text and "Blaming other teams" in text
    assert "Nobody answered" in text


def test_missing_permissions_are_named() -> None:
    perms = discord.Permissions(view_channel=True, send_messages=True, read_message_history=True)
    assert missing_posting_permissions(perms) == [
        "Send Messages in Threads",
        "Create Public Threads",
        "Embed Links",
    ]


def test_errors_are_classified_transient_or_permanent() -> None:
    assert _classify(TimeoutError(), "x").transient
    assert not _classify(ValueError("bug"), "x").transient
    original = PostingError("gone", transient=False)
    assert _classify(original, "x") is original


async def test_domain_schedule_from_record(db: Database) -> None:
    record = await db.schedules.upsert(
        GUILD,
        channel_id=1,
        local_time="07:45",
        timezone="America/New_York",
        now=T0,
        days=0b0011111,
        grace_hours=2,
    )
    schedule = domain_schedule(record)
    assert schedule.describe() == "07:45 America/New_York, Mon–Fri (grace 2 h)"
