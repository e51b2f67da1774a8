"""Peer reviews: upsert, moderation, averages and the review queue, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import Database
from bot.storage.records import Answer, Review

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
GUILD = 100
ALICE, BOB, CAROL, DAVE, MOD = 1, 2, 3, 4, 99


_message_ids = iter(range(30_000, 40_000))


async def answer(db: Database, member: int, question: str, minutes: int, guild: int = GUILD) -> Answer:
    return await db.answers.record(
        guild_id=guild,
        question_id=question,
        category="Linux",
        member_id=member,
        text="text",
        source="modal",
        created_at=T0 + timedelta(minutes=minutes),
        message_id=next(_message_ids),
    )


async def review(
    db: Database, answer_id: int, reviewer: int, clarity: int, depth: int = 3, guild: int = GUILD
) -> tuple[Review, bool]:
    scores = {"clarity": clarity, "depth": depth}
    return await db.reviews.upsert(answer_id, reviewer, guild, scores, "nice", False, T0)


async def test_upsert_twice_keeps_one_row_and_updates_it(db: Database) -> None:
    a = await answer(db, ALICE, "q1", 0)
    first, created = await review(db, a.id, BOB, 2)
    assert created is True
    assert first.scores == {"clarity": 2, "depth": 3}
    later = T0 + timedelta(hours=1)
    second, created_again = await db.reviews.upsert(a.id, BOB, GUILD, {"clarity": 5}, "better", True, later)
    assert created_again is False
    assert second.id == first.id
    assert second.scores == {"clarity": 5}  # dimensions are replaced, not merged
    assert (second.comment, second.anonymous) == ("better", True)
    assert second.created_at == T0 and second.updated_at == later
    assert await db.reviews.count_for_answer(a.id) == 1
    assert await db.reviews.get_for(a.id, BOB) == second


async def test_scores_outside_1_to_5_are_rejected_without_writing(db: Database) -> None:
    a = await answer(db, ALICE, "q1", 0)
    with pytest.raises(ValueError, match="1-5"):
        await review(db, a.id, BOB, 6)
    assert await db.reviews.get_for(a.id, BOB) is None


async def test_review_of_unknown_answer_violates_foreign_key(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await review(db, 12345, BOB, 3)


async def test_set_message_and_lookup_by_message(db: Database) -> None:
    a = await answer(db, ALICE, "q1", 0)
    r, _ = await review(db, a.id, BOB, 4)
    updated = await db.reviews.set_message(r.id, 777)
    assert updated is not None and updated.message_id == 777
    assert await db.reviews.get_by_message(777) == updated
    assert await db.reviews.get_by_message(778) is None


async def test_averages_given_count_and_removed_reviews(db: Database) -> None:
    a1 = await answer(db, ALICE, "q1", 0)
    a2 = await answer(db, ALICE, "q2", 1)
    await review(db, a1.id, BOB, 2, depth=4)
    await review(db, a2.id, BOB, 4, depth=4)
    carol_review, _ = await review(db, a1.id, CAROL, 1, depth=1)
    await review(db, (await answer(db, ALICE, "q3", 2, guild=999)).id, BOB, 5, guild=999)

    removed = await db.reviews.remove(carol_review.id, MOD, T0 + timedelta(hours=2))
    assert removed is not None and removed.is_removed and removed.removed_by == MOD
    again = await db.reviews.remove(carol_review.id, 12, T0 + timedelta(hours=3))
    assert again is not None and again.removed_by == MOD  # first removal kept

    averages = await db.reviews.received_averages(GUILD, ALICE)
    assert averages.count == 2
    assert averages.averages == {"clarity": pytest.approx(3.0), "depth": pytest.approx(4.0)}
    assert await db.reviews.given_count(GUILD, BOB) == 2
    assert await db.reviews.given_count(GUILD, CAROL) == 0
    assert await db.reviews.count_for_answer(a1.id) == 1

    assert a2.message_id is not None
    await db.answers.mark_deleted(a2.message_id, T0)
    after_delete = await db.reviews.received_averages(GUILD, ALICE)
    assert after_delete.count == 1 and after_delete.averages == {"clarity": 2.0, "depth": 4.0}


async def test_removed_review_can_be_replaced_by_a_fresh_one(db: Database) -> None:
    a = await answer(db, ALICE, "q1", 0)
    r, _ = await review(db, a.id, BOB, 1)
    await db.reviews.set_message(r.id, 4242)
    await db.reviews.remove(r.id, MOD, T0)
    fresh, created = await db.reviews.upsert(
        a.id, BOB, GUILD, {"clarity": 4}, "redo", False, T0 + timedelta(days=1)
    )
    assert created is True
    assert fresh.removed_at is None and fresh.removed_by is None and fresh.message_id is None
    assert fresh.created_at == T0 + timedelta(days=1)
    assert await db.reviews.count_for_answer(a.id) == 1


async def test_queue_order_and_exclusions(db: Database) -> None:
    own = await answer(db, DAVE, "q0", 0)  # Dave's own answer: never in his queue
    oldest_two_reviews = await answer(db, ALICE, "q1", 1)
    newer_no_reviews = await answer(db, BOB, "q2", 5)
    older_no_reviews = await answer(db, CAROL, "q3", 3)
    one_review_removed = await answer(db, ALICE, "q4", 2)  # its only review is removed -> counts 0
    already_reviewed = await answer(db, BOB, "q5", 0)
    deleted = await answer(db, CAROL, "q6", 0)
    await answer(db, ALICE, "q7", 0, guild=999)  # other guild

    await review(db, oldest_two_reviews.id, BOB, 3)
    await review(db, oldest_two_reviews.id, CAROL, 3)
    removed, _ = await review(db, one_review_removed.id, BOB, 3)
    await db.reviews.remove(removed.id, MOD, T0)
    await review(db, already_reviewed.id, DAVE, 3)
    assert deleted.message_id is not None
    await db.answers.mark_deleted(deleted.message_id, T0)

    queue = await db.reviews.queue(GUILD, DAVE)
    assert [(entry.answer.id, entry.review_count) for entry in queue] == [
        (one_review_removed.id, 0),
        (older_no_reviews.id, 0),
        (newer_no_reviews.id, 0),
        (oldest_two_reviews.id, 2),
    ]
    assert own.id not in {entry.answer.id for entry in queue}
    assert len(await db.reviews.queue(GUILD, DAVE, limit=2)) == 2


async def test_queue_offers_answer_again_after_own_review_removed(db: Database) -> None:
    a = await answer(db, ALICE, "q1", 0)
    r, _ = await review(db, a.id, BOB, 3)
    assert await db.reviews.queue(GUILD, BOB) == []
    await db.reviews.remove(r.id, MOD, T0)
    assert [entry.answer.id for entry in await db.reviews.queue(GUILD, BOB)] == [a.id]
