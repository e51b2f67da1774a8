"""End to end: `/mock` timed interviews in private threads, through the fake Discord."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import discord

from bot.client import InterviewBot
from bot.storage.records import MockSession
from tests.fakediscord import Channel, Member, Message
from tests.integration.harness import BotEnv, answer_by_message

CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
ANSWER_ONE = (
    "I led the incident as commander: rolled back the deploy, posted stakeholder updates every 20 "
    "minutes, found the root cause and ran a blameless retro that added a canary stage."
)
ANSWER_TWO = (
    "I would start from the symptoms, check recent changes and dashboards, form a hypothesis, "
    "test it safely in staging, then roll out the fix gradually with monitoring and a rollback plan."
)


async def start_mock(env: BotEnv, member: Member, **options: Any) -> tuple[Any, Channel]:
    """Invoke /mock and wait for its private thread and first question."""
    before = len(env.fake.threads)
    ix = await env.fake.invoke_command(member, env.channel, "mock", options or None)
    await ix.settled()
    assert ix.ephemeral and "mock interview is ready" in ix.all_text, ix.all_text
    thread: Channel = await env.fake.wait_until(
        lambda: env.fake.threads[before] if len(env.fake.threads) > before else None, what="mock thread"
    )
    await wait_for_question(env, thread, 1)
    return ix, thread


async def wait_for_question(env: BotEnv, thread: Channel, number: int) -> Message:
    """The question message, once the session records it as current (a human reads before answering)."""
    message = await env.fake.wait_for_message(
        thread, lambda m: f"**Question {number} of" in m.content and bool(m.embeds)
    )
    for _ in range(200):
        post = await env.bot.db.posts.by_message(message.id)
        if post is not None and await env.bot.db.mock_sessions.current_post_id(thread.id) == post.id:
            return message
        await asyncio.sleep(0.01)
    raise AssertionError(f"question {number} was posted but never became the session's current one")


async def wait_for_results_button(env: BotEnv, thread: Channel, heading: str = "Mock complete") -> Message:
    return await env.fake.wait_for_message(thread, lambda m: heading in m.content and bool(m.components))


async def wait_for_status(env: BotEnv, thread: Channel, status: str) -> MockSession:
    """The session, once its status is written (right after the closing message is posted)."""
    for _ in range(200):
        session = await env.bot.db.mock_sessions.by_thread(thread.id)
        if session is not None and session.status == status:
            return session
        await asyncio.sleep(0.01)
    raise AssertionError(f"the mock session never became {status!r}")


def custom_ids(message: Message) -> list[str]:
    return [str(c.get("custom_id")) for row in message.components for c in row.get("components", [])]


def thread_text(env: BotEnv, thread: Channel) -> str:
    return "\n".join(f"{m.content} {m.embeds}" for m in env.fake.messages_in(thread))


async def test_two_question_mock_runs_in_order_and_results_are_private(
    env: BotEnv, bot: InterviewBot
) -> None:
    ix, thread = await start_mock(env, env.alice, count=2)
    assert f"<#{thread.id}>" in ix.all_text
    assert thread.type == 12 and not thread.invitable and thread.parent_id == env.channel.id
    assert thread.name == "Mock interview — alice"
    assert env.alice.id in thread.member_ids and env.bob.id not in thread.member_ids
    session = await bot.db.mock_sessions.active_for(env.guild.id, env.alice.id)
    assert session is not None and len(session.question_ids) == 2
    first_q, second_q = (bot.library.question(qid) for qid in session.question_ids)
    assert first_q is not None and second_q is not None
    intro = env.fake.messages_in(thread)[0]
    assert (
        "one message" in intro.content and "4 minutes" in intro.content and "mock-stop" in custom_ids(intro)
    )

    q1 = await wait_for_question(env, thread, 1)
    start_ts = int(env.clock().timestamp())
    assert f"You have 4 minutes: until <t:{start_ts + 240}:R>" in q1.content
    assert q1.embeds[0]["footer"]["text"].endswith(f"id: {first_q.id}")
    post1 = await bot.db.posts.by_message(q1.id)
    assert post1 is not None and (post1.source, post1.is_private, post1.thread_id) == ("mock", True, None)

    env.clock.advance(minutes=2)
    message1, card1 = await answer_by_message(env, env.alice, thread, ANSWER_ONE)
    assert [c.split(":")[0] for c in custom_ids(card1)] == ["coach"], "private: never offered for review"
    assert "Review" not in card1.content
    q2 = await wait_for_question(env, thread, 2)
    assert q2.embeds[0]["footer"]["text"].endswith(f"id: {second_q.id}")
    stored1 = await bot.db.answers.by_message(message1.id)
    assert stored1 is not None and stored1.post_id == post1.id and stored1.question_id == first_q.id

    env.clock.advance(minutes=5)  # over the 4-minute budget
    message2, _card = await answer_by_message(env, env.alice, thread, ANSWER_TWO)
    done = await wait_for_results_button(env, thread)
    stored2 = await bot.db.answers.by_message(message2.id)
    assert stored2 is not None and stored2.question_id == second_q.id
    finished = await wait_for_status(env, thread, "finished")
    assert [t.answer_id for t in finished.turns] == [stored1.id, stored2.id]
    assert "/100" not in thread_text(env, thread) and "Score" not in thread_text(env, thread)

    results_id = f"mock-results:{session.id}"
    assert custom_ids(done) == [results_id]
    refused = await env.fake.press_button(env.bob, done, results_id)
    await refused.settled()
    assert refused.ephemeral and "private to the member" in refused.content and not refused.embeds

    shown = await env.fake.press_button(env.alice, done, results_id)
    await shown.settled()
    assert shown.ephemeral
    card = shown.embeds[0]
    fields = {f["name"]: f["value"] for f in card["fields"]}
    first_result = await bot.db.coaching.get(stored1.id)
    second_result = await bot.db.coaching.get(stored2.id)
    assert first_result is not None and second_result is not None
    q1_line = fields[f"Q1 · {first_q.category}"]
    assert f"Score **{first_result.score}/100**" in q1_line
    assert f"pointers covered {first_result.pointers_covered}/{first_result.pointers_total}" in q1_line
    assert f"red flags {len(first_result.red_flags)}" in q1_line
    assert "took 2m00s of 4m00s" in q1_line and "over time" not in q1_line
    q2_line = fields[f"Q2 · {second_q.category}"]
    assert "**over time**: took 5m00s of 4m00s" in q2_line
    average = (first_result.score + second_result.score) / 2
    assert f"Average score **{average:.0f}/100** over 2 answered questions" in card["description"]
    weakest = first_q if first_result.score <= second_result.score else second_q
    assert f"id `{weakest.id}`" in fields["Practise next"]


async def test_a_second_concurrent_mock_is_refused_until_stopped(env: BotEnv, bot: InterviewBot) -> None:
    _ix, thread = await start_mock(env, env.alice, count=2, minutes=2)
    again = await env.fake.invoke_command(env.alice, env.channel, "mock")
    await again.settled()
    assert again.ephemeral and "already have a mock interview in progress" in again.content
    assert f"<#{thread.id}>" in again.content
    assert len(env.fake.threads) == 1

    intro = env.fake.messages_in(thread)[0]
    not_yours = await env.fake.press_button(env.bob, intro, "mock-stop")
    await not_yours.settled()
    assert not_yours.ephemeral and "Only the member" in not_yours.content
    stop = await env.fake.press_button(env.alice, intro, "mock-stop")
    await stop.settled()
    assert not stop.ephemeral and "Mock stopped" in stop.content and "after 0 of 2" in stop.content
    # After a stop the thread no longer routes answers to a question.
    assert await bot.db.mock_sessions.current_post_id(thread.id) is None

    results = await env.fake.press_button(env.alice, stop.message, custom_ids(stop.message)[0])
    await results.settled()
    assert results.ephemeral and "Not answered" in str(results.embeds[0])

    _ix, second = await start_mock(env, env.alice, count=1)
    assert second.id != thread.id
    other = await env.fake.invoke_command(env.bob, env.channel, "mock", {"count": 1})
    await other.settled()
    assert other.ephemeral and "is ready" in other.all_text, "the limit is per member"


async def test_missing_create_private_threads_is_named(env: BotEnv, bot: InterviewBot) -> None:
    env.fake.set_bot_permissions(env.channel, deny=CREATE_PRIVATE_THREADS)
    await env.fake.flush()
    ix = await env.fake.invoke_command(env.alice, env.channel, "mock")
    await ix.settled()
    assert ix.ephemeral and "Create Private Threads" in ix.content
    assert env.fake.threads == []
    assert await bot.db.mock_sessions.active_for(env.guild.id, env.alice.id) is None


async def test_a_restart_in_the_middle_continues_the_session(env: BotEnv) -> None:
    async with env.running():
        _ix, thread = await start_mock(env, env.alice, count=2, category="Behavioural")
        first, _card = await answer_by_message(env, env.alice, thread, ANSWER_ONE)
        await wait_for_question(env, thread, 2)
    async with env.running() as bot:
        env.clock.advance(minutes=1)
        message, _card = await answer_by_message(env, env.alice, thread, ANSWER_TWO)
        done = await wait_for_results_button(env, thread)
        session = await wait_for_status(env, thread, "finished")
        stored = await bot.db.answers.by_message(message.id)
        assert stored is not None and stored.question_id == session.question_ids[1]
        shown = await env.fake.press_button(env.alice, done, f"mock-results:{session.id}")
        await shown.settled()
        assert "over 2 answered questions" in shown.embeds[0]["description"]

        # Deletes keep flowing through the answer pipeline: the scorecard stops counting that answer.
        await env.fake.delete_message(first)
        for _ in range(200):
            gone = await bot.db.answers.by_message(first.id)
            if gone is not None and gone.deleted_at is not None:
                break
            await asyncio.sleep(0.01)
        again = await env.fake.press_button(env.alice, done, f"mock-results:{session.id}")
        await again.settled()
        q1_line = again.embeds[0]["fields"][0]["value"]
        assert "Answer deleted" in q1_line and "over 1 answered question." in again.embeds[0]["description"]


async def test_a_modal_answer_moves_the_mock_on_too(env: BotEnv, bot: InterviewBot) -> None:
    _ix, thread = await start_mock(env, env.alice, count=1, minutes=1)
    opened = await env.fake.invoke_command(env.alice, thread, "answer")
    await opened.response()
    assert opened.modal is not None
    submitted = await env.fake.submit_modal(
        env.alice, thread, values={"answer": ANSWER_TWO}, from_interaction=opened
    )
    await submitted.settled()
    posted = await env.fake.wait_for_message(
        thread, lambda m: "Answered with /answer" in str(m.embeds) and bool(m.components)
    )
    assert [c.split(":")[0] for c in custom_ids(posted)] == ["coach"]
    await wait_for_results_button(env, thread)
    session = await wait_for_status(env, thread, "finished")
    assert session.turns[0].answer_id is not None


async def test_category_autocomplete_and_unknown_category(env: BotEnv, bot: InterviewBot) -> None:
    choices = await env.fake.autocomplete(env.alice, env.channel, "mock", focused="category", value="beh")
    assert [c["value"] for c in choices] == ["Behavioural"]
    ix = await env.fake.invoke_command(env.alice, env.channel, "mock", {"category": "Astrology"})
    await ix.settled()
    assert ix.ephemeral and "Behavioural" in ix.content and env.fake.threads == []


async def test_a_mock_abandoned_for_a_day_no_longer_blocks_a_new_one(env: BotEnv, bot: InterviewBot) -> None:
    first = await env.fake.invoke_command(env.bob, env.channel, "mock", {"count": 2})
    await first.settled()
    assert "ready" in first.all_text
    blocked = await env.fake.invoke_command(env.bob, env.channel, "mock", {"count": 2})
    await blocked.settled()
    assert "already have a mock interview" in blocked.all_text
    env.clock.advance(hours=25)
    again = await env.fake.invoke_command(env.bob, env.channel, "mock", {"count": 2})
    await again.settled()
    assert "ready" in again.all_text


async def test_a_double_submit_opens_exactly_one_thread(env: BotEnv, bot: InterviewBot) -> None:
    first, second = await asyncio.gather(
        env.fake.invoke_command(env.alice, env.channel, "mock", {"count": 1}),
        env.fake.invoke_command(env.alice, env.channel, "mock", {"count": 1}),
    )
    await asyncio.gather(first.settled(), second.settled())
    texts = sorted((first.all_text, second.all_text), key=lambda t: "ready" in t)
    assert "is ready" in texts[1], texts
    assert "being set up" in texts[0] or "already have a mock interview" in texts[0], texts
    await env.fake.flush()
    assert len(env.fake.threads) == 1
    assert len([r for r in env.fake.requests if r.method == "POST" and r.path.endswith("/threads")]) == 1
    session = await bot.db.mock_sessions.active_for(env.guild.id, env.alice.id)
    assert session is not None and session.thread_id == env.fake.threads[0].id


async def _assert_undone(env: BotEnv, bot: InterviewBot, ix: Any) -> None:
    """The member is told, the half-made thread is deleted and no session stays active."""
    assert ix.ephemeral and "couldn't set up your mock interview" in ix.all_text, ix.all_text
    assert "ready" not in ix.all_text
    created = [r for r in env.fake.requests if r.method == "POST" and r.path.endswith("/threads")]
    assert len(created) == 1, "a thread was created, then removed"
    await env.fake.wait_until(lambda: env.fake.threads == [] or None, what="thread deleted")
    assert await bot.db.mock_sessions.active_for(env.guild.id, env.alice.id) is None


async def test_a_failure_after_the_thread_exists_deletes_it_and_ends_the_session(
    env: BotEnv, bot: InterviewBot, monkeypatch: Any
) -> None:
    async def refuse(self: discord.Thread, user: discord.abc.Snowflake) -> None:
        raise discord.Forbidden(SimpleNamespace(status=403, reason="Forbidden"), "Missing Permissions")

    monkeypatch.setattr(discord.Thread, "add_user", refuse)  # fails after the session row exists
    ix = await env.fake.invoke_command(env.alice, env.channel, "mock", {"count": 1})
    await ix.settled()
    await _assert_undone(env, bot, ix)
    [stopped] = await _sessions(env, bot)
    assert stopped.status == "stopped"

    monkeypatch.undo()
    await start_mock(env, env.alice, count=1)  # nothing left blocks a fresh start


async def test_a_permission_lost_before_the_first_message_undoes_the_thread(
    env: BotEnv, bot: InterviewBot, monkeypatch: Any
) -> None:
    original = discord.Thread.send

    async def deny_then_send(self: discord.Thread, *args: Any, **kwargs: Any) -> discord.Message:
        # An admin removes Send Messages in Threads right after the thread is created.
        env.fake.set_bot_permissions(env.channel, deny=SEND_MESSAGES_IN_THREADS)
        await env.fake.flush()
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(discord.Thread, "send", deny_then_send)
    ix = await env.fake.invoke_command(env.alice, env.channel, "mock", {"count": 1})
    await ix.settled()
    await _assert_undone(env, bot, ix)
    assert await _sessions(env, bot) == [], "no session row was written"


async def _sessions(env: BotEnv, bot: InterviewBot) -> list[MockSession]:
    """Sessions recorded for every thread ever created, deleted ones included."""
    thread_ids = [c.id for c in env.fake.channels.values() if c.is_thread]
    found = [await bot.db.mock_sessions.by_thread(thread_id) for thread_id in thread_ids]
    return [s for s in found if s is not None]
