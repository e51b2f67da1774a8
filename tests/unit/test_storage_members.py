"""Member settings and the privacy operations (export / delete), on a real SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import Database
from bot.storage.records import Answer

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
GUILD, OTHER_GUILD = 100, 200
ALICE, BOB, MOD = 1, 2, 99


_message_ids = iter(range(50_000, 60_000))


async def answer(db: Database, member: int, question: str, guild: int = GUILD) -> Answer:
    return await db.answers.record(
        guild_id=guild,
        question_id=question,
        category="Linux",
        member_id=member,
        text=f"{member} says hi",
        source="message",
        created_at=T0,
        message_id=next(_message_ids),
    )


async def test_member_settings_upsert(db: Database) -> None:
    assert await db.members.get(GUILD, ALICE) is None
    tz = await db.members.set_timezone(GUILD, ALICE, "Europe/Berlin", T0)
    assert tz.timezone == "Europe/Berlin" and tz.leaderboard_opt_out is False
    later = T0 + timedelta(hours=1)
    opted = await db.members.set_leaderboard_opt_out(GUILD, ALICE, True, later)
    assert opted.timezone == "Europe/Berlin" and opted.leaderboard_opt_out is True
    assert opted.created_at == T0 and opted.updated_at == later
    assert await db.members.get(OTHER_GUILD, ALICE) is None


async def _populate(db: Database) -> dict[str, int]:
    alice_answer = await answer(db, ALICE, "q1")
    alice_other_guild = await answer(db, ALICE, "q2", guild=OTHER_GUILD)
    bob_answer = await answer(db, BOB, "q1")
    await db.coaching.save(
        alice_answer.id,
        score=60,
        coverage=0.5,
        pointers_total=2,
        pointers_covered=1,
        red_flags=[("vague", "global")],
        star=None,
        now=T0,
    )
    received, _ = await db.reviews.upsert(alice_answer.id, BOB, GUILD, {"clarity": 4}, "from bob", False, T0)
    written, _ = await db.reviews.upsert(bob_answer.id, ALICE, GUILD, {"clarity": 2}, "from alice", True, T0)
    await db.posts.create(
        guild_id=GUILD,
        channel_id=1,
        message_id=77,
        question_id="q1",
        source="command",
        posted_at=T0,
        posted_by=ALICE,
    )
    await db.members.set_timezone(GUILD, ALICE, "UTC", T0)
    await db.members.set_timezone(OTHER_GUILD, ALICE, "UTC", T0)
    return {
        "alice_answer": alice_answer.id,
        "alice_other_guild": alice_other_guild.id,
        "bob_answer": bob_answer.id,
        "received": received.id,
        "written": written.id,
    }


async def test_export_member_data_is_json_and_complete(db: Database) -> None:
    ids = await _populate(db)
    data = await db.members.export_member_data(ALICE)
    json.dumps(data)  # must be JSON-able as is
    assert data["member_id"] == ALICE
    assert sorted(a["id"] for a in data["answers"]) == sorted([ids["alice_answer"], ids["alice_other_guild"]])
    coached = next(a for a in data["answers"] if a["id"] == ids["alice_answer"])
    assert coached["score"] == 60 and coached["red_flags"] == ["vague"] and coached["text"] == "1 says hi"
    assert [(r["id"], r["scores"], r["anonymous"]) for r in data["reviews_given"]] == [
        (ids["written"], {"clarity": 2}, True)
    ]
    assert [r["comment"] for r in data["reviews_received"]] == ["from bob"]
    assert "reviewer_id" not in data["reviews_received"][0]  # someone else's identity
    assert [p["message_id"] for p in data["question_posts"]] == [77]
    assert {s["guild_id"] for s in data["settings"]} == {GUILD, OTHER_GUILD}


async def test_delete_member_data_in_one_guild(db: Database) -> None:
    ids = await _populate(db)
    report = await db.members.delete_member_data(ALICE, guild_id=GUILD)
    assert (report.answers_deleted, report.reviews_anonymised, report.posts_unlinked) == (1, 1, 1)
    assert report.member_rows_deleted == 1

    assert await db.answers.get(ids["alice_answer"]) is None
    assert await db.coaching.get(ids["alice_answer"]) is None  # cascaded
    assert await db.reviews.get(ids["received"]) is None  # reviews of her answers go with them
    anonymised = await db.reviews.get(ids["written"])
    assert anonymised is not None and anonymised.reviewer_id is None and anonymised.comment == ""
    assert anonymised.scores == {"clarity": 2}  # Bob's averages stay stable
    assert (await db.reviews.received_averages(GUILD, BOB)).averages == {"clarity": 2.0}
    post = await db.posts.by_message(77)
    assert post is not None and post.posted_by is None
    # The other guild is untouched.
    assert await db.answers.get(ids["alice_other_guild"]) is not None
    assert await db.members.get(OTHER_GUILD, ALICE) is not None
    assert await db.members.get(GUILD, ALICE) is None


async def test_delete_member_data_everywhere_leaves_nothing_to_export(db: Database) -> None:
    ids = await _populate(db)
    removed, _ = await db.reviews.upsert(ids["bob_answer"], MOD, GUILD, {"clarity": 1}, "x", False, T0)
    await db.reviews.remove(removed.id, ALICE, T0)  # Alice acted as moderator
    report = await db.members.delete_member_data(ALICE)
    assert report.answers_deleted == 2 and report.member_rows_deleted == 2
    data = await db.members.export_member_data(ALICE)
    assert data["answers"] == data["reviews_given"] == data["reviews_received"] == []
    assert data["question_posts"] == data["settings"] == []
    moderated = await db.reviews.get(removed.id)
    assert moderated is not None and moderated.removed_by is None and moderated.is_removed
    assert await db.answers.get(ids["bob_answer"]) is not None


@pytest.mark.parametrize("guild_id", [GUILD, None])
async def test_delete_of_unknown_member_is_a_no_op(db: Database, guild_id: int | None) -> None:
    await _populate(db)
    report = await db.members.delete_member_data(12345, guild_id=guild_id)
    assert report.answers_deleted == report.reviews_anonymised == report.member_rows_deleted == 0
