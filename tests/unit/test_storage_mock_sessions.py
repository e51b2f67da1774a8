"""Mock interview sessions on a real SQLite file: one active per member, turn claims, advancing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Database
from bot.storage.records import MockSession

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
GUILD, CHANNEL = 100, 200
ALICE, BOB = 1, 2

_ids = iter(range(50_000, 60_000))


async def post(db: Database, question_id: str, thread: int) -> int:
    created = await db.posts.create(
        guild_id=GUILD,
        channel_id=thread,
        message_id=next(_ids),
        question_id=question_id,
        source="mock",
        posted_at=T0,
        is_private=True,
    )
    return created.id


async def start(
    db: Database, member: int = ALICE, thread: int = 900, guild: int = GUILD
) -> MockSession | None:
    return await db.mock_sessions.create(
        guild_id=guild,
        channel_id=CHANNEL,
        thread_id=thread,
        member_id=member,
        question_ids=("q-one", "q-two"),
        budget=timedelta(minutes=4),
        first_post_id=await post(db, "q-one", thread),
        started_at=T0,
    )


async def answer(db: Database, post_id: int, member: int = ALICE) -> int:
    recorded = await db.answers.record(
        guild_id=GUILD,
        post_id=post_id,
        question_id="q-one",
        category="Technical",
        member_id=member,
        text="an answer long enough to count",
        source="message",
        message_id=next(_ids),
        created_at=T0,
    )
    return recorded.id


async def test_create_records_the_session_and_its_first_turn(db: Database) -> None:
    session = await start(db)
    assert session is not None
    assert session.status == "active" and session.current_index == 0
    assert session.question_ids == ("q-one", "q-two") and session.budget == timedelta(minutes=4)
    assert [t.question_id for t in session.turns] == ["q-one"]
    assert session.current_turn is not None and session.current_turn.asked_at == T0
    assert not session.is_last_question
    assert await db.mock_sessions.by_thread(900) == session
    assert await db.mock_sessions.active_for(GUILD, ALICE) == session
    assert await db.mock_sessions.current_post_id(900) == session.turns[0].post_id
    assert session.turns[0].post_id is not None
    assert await db.mock_sessions.by_post(session.turns[0].post_id) == session
    assert await db.mock_sessions.by_post(999_999) is None


async def test_one_active_session_per_member_and_guild(db: Database) -> None:
    first = await start(db)
    assert first is not None
    assert await start(db, thread=901) is None, "a second active session is refused by the index"
    assert await db.mock_sessions.by_thread(901) is None
    assert await start(db, member=BOB, thread=902) is not None
    assert await start(db, guild=GUILD + 1, thread=903) is not None
    assert await db.mock_sessions.end(first.id, "stopped", T0 + timedelta(minutes=1))
    again = await start(db, thread=904)
    assert again is not None and again.id != first.id


async def test_a_turn_is_claimed_once_and_advancing_checks_the_position(db: Database) -> None:
    session = await start(db)
    assert session is not None
    first_post = session.turns[0].post_id
    assert first_post is not None
    answer_id = await answer(db, first_post)
    later = T0 + timedelta(minutes=5)
    assert await db.mock_sessions.record_answer(session.id, 0, answer_id, later)
    assert not await db.mock_sessions.record_answer(session.id, 0, answer_id, later), "already claimed"

    second_post = await post(db, "q-two", 900)
    moved = await db.mock_sessions.advance(session.id, 1, "q-two", second_post, later)
    assert moved is not None and moved.current_index == 1 and moved.is_last_question
    assert moved.turns[0].answer_id == answer_id and moved.turns[0].answered_at == later
    assert moved.current_turn is not None and moved.current_turn.question_id == "q-two"
    assert await db.mock_sessions.current_post_id(900) == second_post
    assert await db.mock_sessions.advance(session.id, 1, "q-two", second_post, later) is None, (
        "no double move"
    )
    assert await db.mock_sessions.advance(session.id, 3, "q-two", second_post, later) is None


async def test_ended_sessions_stop_routing_answers(db: Database) -> None:
    session = await start(db)
    assert session is not None
    assert await db.mock_sessions.end(session.id, "finished", T0 + timedelta(minutes=9))
    assert not await db.mock_sessions.end(session.id, "stopped", T0), "ending twice is a no-op"
    ended = await db.mock_sessions.get(session.id)
    assert ended is not None and ended.status == "finished"
    assert ended.ended_at == T0 + timedelta(minutes=9)
    assert await db.mock_sessions.current_post_id(900) is None
    assert await db.mock_sessions.active_for(GUILD, ALICE) is None
    assert await db.mock_sessions.advance(session.id, 1, "q-two", 1, T0) is None
    with pytest.raises(ValueError):
        await db.mock_sessions.end(session.id, "active", T0)


async def test_deleting_member_data_removes_their_sessions_and_turns(db: Database) -> None:
    session = await start(db)
    assert session is not None
    first_post = session.turns[0].post_id
    assert first_post is not None
    answer_id = await answer(db, first_post)
    assert await db.mock_sessions.record_answer(session.id, 0, answer_id, T0)
    await db.members.delete_member_data(ALICE, GUILD)
    assert await db.mock_sessions.get(session.id) is None


async def test_invalid_sessions_are_refused(db: Database) -> None:
    with pytest.raises(ValueError):
        await db.mock_sessions.create(
            guild_id=GUILD,
            channel_id=CHANNEL,
            thread_id=1,
            member_id=ALICE,
            question_ids=(),
            budget=timedelta(minutes=1),
            first_post_id=1,
            started_at=T0,
        )
    with pytest.raises(ValueError):
        await start_with_budget(db, timedelta(0))


async def start_with_budget(db: Database, budget: timedelta) -> MockSession | None:
    return await db.mock_sessions.create(
        guild_id=GUILD,
        channel_id=CHANNEL,
        thread_id=77,
        member_id=ALICE,
        question_ids=("q-one",),
        budget=budget,
        first_post_id=await post(db, "q-one", 77),
        started_at=T0,
    )


async def test_member_data_export_and_delete_cover_mock_sessions(tmp_path: Path) -> None:
    async with Database.open(tmp_path / "db.sqlite") as db:
        post = await db.posts.create(
            guild_id=1,
            channel_id=2,
            message_id=3,
            question_id="mentoring",
            source="mock",
            posted_at=T0,
            is_private=True,
        )
        session = await db.mock_sessions.create(
            guild_id=1,
            channel_id=2,
            thread_id=4,
            member_id=5,
            question_ids=["mentoring"],
            budget=timedelta(minutes=4),
            first_post_id=post.id,
            started_at=T0,
        )
        assert session is not None
        exported = await db.members.export_member_data(5)
        assert exported["mock_interviews"][0]["question_ids"] == ["mentoring"]
        assert exported["mock_interviews"][0]["turns"][0]["question_id"] == "mentoring"
        await db.members.delete_member_data(5, 1)
        assert await db.mock_sessions.get(session.id) is None
        assert (await db.members.export_member_data(5))["mock_interviews"] == []
