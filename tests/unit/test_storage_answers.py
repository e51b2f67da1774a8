"""Question posts, answers, coaching results and progress queries on a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.coaching_types import CoachingReport, FlagResult, PointerResult, StarResult
from bot.storage import Database
from bot.storage.records import Answer

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
GUILD = 100
ALICE, BOB, CAROL = 1, 2, 3


_message_ids = iter(range(10_000, 20_000))


async def answer(
    db: Database,
    member: int,
    question: str,
    minutes: int,
    *,
    category: str = "Linux",
    guild: int = GUILD,
    thread: int | None = 555,
) -> Answer:
    return await db.answers.record(
        guild_id=guild,
        question_id=question,
        category=category,
        member_id=member,
        text=f"answer by {member} to {question}",
        source="message",
        created_at=T0 + timedelta(minutes=minutes),
        channel_id=444,
        thread_id=thread,
        message_id=next(_message_ids),
    )


async def coach(
    db: Database, answer_id: int, *, score: int, coverage: float | None, flags: list[str]
) -> None:
    await db.coaching.save(
        answer_id,
        score=score,
        coverage=coverage,
        pointers_total=4,
        pointers_covered=0 if coverage is None else round(coverage * 4),
        red_flags=[(flag, "global") for flag in flags],
        star=None,
        now=T0,
    )


async def test_posts_lookups_and_daily_rotation(db: Database) -> None:
    first = await db.posts.create(
        guild_id=GUILD, channel_id=10, message_id=1001, question_id="q1", source="daily", posted_at=T0
    )
    await db.posts.create(
        guild_id=GUILD,
        channel_id=10,
        message_id=1002,
        question_id="q9",
        source="command",
        posted_at=T0 + timedelta(hours=1),
        posted_by=ALICE,
        is_private=True,
    )
    second = await db.posts.create(
        guild_id=GUILD,
        channel_id=10,
        message_id=1003,
        question_id="q2",
        source="daily",
        posted_at=T0 + timedelta(days=1),
    )
    await db.posts.create(
        guild_id=999,
        channel_id=11,
        message_id=1004,
        question_id="q3",
        source="daily",
        posted_at=T0 + timedelta(days=2),
    )
    threaded = await db.posts.set_thread(first.id, 2001)
    assert threaded is not None and threaded.thread_id == 2001
    assert await db.posts.by_thread(2001) == threaded
    assert (await db.posts.by_message(1003)) == second
    latest = await db.posts.latest_daily(GUILD)
    assert latest is not None and latest.id == second.id
    assert await db.posts.posted_question_ids(GUILD) == ["q1", "q2"]
    assert await db.posts.posted_question_ids(GUILD, "command") == ["q9"]
    archived = await db.posts.archive(first.id, T0 + timedelta(days=3))
    assert archived is not None and archived.archived_at == T0 + timedelta(days=3)
    with pytest.raises(sqlite3.IntegrityError):
        await db.posts.create(
            guild_id=GUILD, channel_id=10, message_id=1001, question_id="q1", source="daily", posted_at=T0
        )


async def test_answer_record_edit_delete(db: Database) -> None:
    recorded = await answer(db, ALICE, "q1", 0)
    assert recorded.deleted_at is None and recorded.edited_at is None
    assert recorded.jump_channel_id == 555
    assert await db.answers.get(recorded.id) == recorded
    assert recorded.message_id is not None
    edited = await db.answers.update_text(recorded.message_id, "better answer", T0 + timedelta(minutes=5))
    assert edited is not None and edited.text == "better answer"
    assert edited.edited_at == T0 + timedelta(minutes=5)
    deleted = await db.answers.mark_deleted(recorded.message_id, T0 + timedelta(minutes=6))
    assert deleted is not None and deleted.deleted_at == T0 + timedelta(minutes=6)
    # Deleted answers can be neither edited nor deleted again, and leave member queries.
    assert await db.answers.update_text(recorded.message_id, "ghost", T0) is None
    assert await db.answers.mark_deleted(recorded.message_id, T0) is None
    assert await db.answers.answered_question_ids(GUILD, ALICE) == set()
    assert await db.answers.recent(GUILD, ALICE) == []
    assert await db.answers.by_message(999_999) is None


async def test_answered_ids_recent_and_counts_exclude_deleted(db: Database) -> None:
    a1 = await answer(db, ALICE, "q1", 0)
    await answer(db, ALICE, "q1", 1)  # same question twice: one member
    await answer(db, ALICE, "q2", 2)
    await answer(db, BOB, "q1", 3)
    gone = await answer(db, CAROL, "q2", 4)
    await answer(db, CAROL, "q3", 5, guild=999)
    assert gone.message_id is not None
    await db.answers.mark_deleted(gone.message_id, T0)

    assert await db.answers.answered_question_ids(GUILD, ALICE) == {"q1", "q2"}
    assert await db.answers.count_by_question(GUILD) == {"q1": 2, "q2": 1}
    recent = await db.answers.recent(GUILD, ALICE, limit=2)
    assert [a.question_id for a in recent] == ["q2", "q1"]
    assert recent[1].id != a1.id  # the newer q1 answer
    assert await db.answers.answer_dates(GUILD, ALICE) == [
        T0,
        T0 + timedelta(minutes=1),
        T0 + timedelta(minutes=2),
    ]


async def test_coaching_save_replaces_previous_result(db: Database) -> None:
    a = await answer(db, ALICE, "q1", 0)
    await coach(db, a.id, score=40, coverage=0.25, flags=["blame", "vague"])
    star = StarResult(situation=True, task=False, action=True, result=True, quantified_result=False)
    report = CoachingReport(
        question_id="q1",
        question_text="?",
        category="Linux",
        pointers=(
            PointerResult("p1", covered=True, evidence="e"),
            PointerResult("p2", covered=False, evidence=None),
        ),
        red_flags=(FlagResult("blame", "Blames others", "question", "it was them"),),
        star=star,
        score=70,
        summary="ok",
    )
    saved = await db.coaching.save_report(a.id, report, T0 + timedelta(hours=1))
    assert saved.score == 70
    assert saved.coverage == 0.5
    assert (saved.pointers_total, saved.pointers_covered) == (2, 1)
    assert [(f.flag_id, f.scope) for f in saved.red_flags] == [("blame", "question")]
    assert saved.star == star
    assert saved.created_at == T0 + timedelta(hours=1)
    assert await db.coaching.get(a.id) == saved


async def test_coaching_rejects_out_of_range_coverage(db: Database) -> None:
    a = await answer(db, ALICE, "q1", 0)
    with pytest.raises(sqlite3.IntegrityError):
        await coach(db, a.id, score=1, coverage=1.5, flags=["x"])
    assert await db.coaching.get(a.id) is None  # the transaction left nothing behind
    await coach(db, a.id, score=1, coverage=1.0, flags=["x"])  # the connection is usable again
    result = await db.coaching.get(a.id)
    assert result is not None and [f.flag_id for f in result.red_flags] == ["x"]


async def test_progress_summary_numbers(db: Database) -> None:
    old_q1 = await answer(db, ALICE, "q1", 0, category="Linux")
    new_q1 = await answer(db, ALICE, "q1", 10, category="Linux")
    q2 = await answer(db, ALICE, "q2", 20, category="Linux")
    q3 = await answer(db, ALICE, "q3", 30, category="Cloud")
    deleted = await answer(db, ALICE, "q4", 40, category="Cloud")
    uncoached = await answer(db, ALICE, "q5", 50, category="Cloud", thread=None)
    await answer(db, BOB, "q1", 60)  # another member, must not leak into Alice's numbers
    await coach(db, old_q1.id, score=10, coverage=0.0, flags=["vague", "blame"])
    await coach(db, new_q1.id, score=80, coverage=1.0, flags=["vague"])
    await coach(db, q2.id, score=50, coverage=0.5, flags=["vague", "blame"])
    await coach(db, q3.id, score=60, coverage=None, flags=["jargon"])
    await coach(db, deleted.id, score=0, coverage=0.0, flags=["jargon", "jargon2"])
    assert deleted.message_id is not None
    await db.answers.mark_deleted(deleted.message_id, T0)

    summary = await db.progress.summary(GUILD, ALICE)
    assert summary.answered_by_category == {"Linux": 2, "Cloud": 2}
    assert summary.answered_total == 4
    # Latest q1 (1.0) and q2 (0.5); q3 has no coverage, q5 no coaching, q4 is deleted.
    assert summary.average_coverage == pytest.approx(0.75)
    assert summary.top_red_flags == (("vague", 3), ("blame", 2), ("jargon", 1))
    assert [r.id for r in summary.recent_answers] == [uncoached.id, q3.id, q2.id, new_q1.id, old_q1.id]
    assert summary.recent_answers[0].score is None
    assert summary.recent_answers[0].channel_id == 444  # no thread: the channel itself
    assert summary.recent_answers[1].channel_id == 555  # in a thread: the thread
    assert summary.recent_answers[1].score == 60
    assert summary.reviews_received.count == 0 and summary.reviews_given == 0


async def test_progress_summary_of_newcomer_is_empty(db: Database) -> None:
    summary = await db.progress.summary(GUILD, ALICE)
    assert summary.answered_total == 0
    assert summary.average_coverage is None
    assert summary.top_red_flags == ()
    assert summary.recent_answers == ()
