"""End to end under Discord faults: 429 rate limits and threads a moderator locked.

discord.py retries a 429 itself after ``retry_after``; these tests prove the bot's flows stay
correct across that retry (one thread, one post, one card, no error shown) and that a locked,
archived thread (400 50083 for a bot without Manage Threads) costs the member no data and shows
them a polite message where there is an interaction to answer.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import discord
import pytest

from bot.client import InterviewBot
from bot.cogs.errors import describe_error
from bot.cogs.scheduler import DailyScheduler
from tests.fakediscord import Channel, Message
from tests.integration.harness import BotEnv, answer_by_message, open_thread, replies_to
from tests.integration.test_mock import start_mock, wait_for_question, wait_for_status

ANSWER = (
    "I led the incident as incident commander, rolled back the bad deploy within ten minutes, "
    "kept stakeholders updated every twenty minutes and ran a blameless retro afterwards."
)


def statuses(env: BotEnv, method: str, path_suffix: str, after: int = 0) -> list[int]:
    """Statuses of the requests (from index ``after``) whose path ends with ``path_suffix``."""
    return [
        r.status for r in env.fake.requests[after:] if r.method == method and r.path.endswith(path_suffix)
    ]


def bot_problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Errors, and any record with a traceback, logged by the bot's own code."""
    return [
        r
        for r in caplog.records
        if r.name.startswith("bot.") and (r.levelno >= logging.ERROR or r.exc_info is not None)
    ]


def scheduler_of(bot: InterviewBot) -> DailyScheduler:
    cog = bot.get_cog("Daily")
    assert cog is not None
    scheduler: DailyScheduler = cog.scheduler  # type: ignore[attr-defined]
    return scheduler


# ------------------------------------------------------------------------------------ rate limits


async def test_question_thread_creation_rate_limited_once_still_opens_one_thread(
    env: BotEnv, bot: InterviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    rule = env.fake.rate_limit("POST", r"^/channels/\d+/messages/\d+/threads$", retry_after=0.05)
    thread = await open_thread(env, "incident-leadership")

    assert rule.remaining == 0 and len(rule.hits) == 1
    assert statuses(env, "POST", "/threads") == [429, 201], "one 429, then one successful retry"
    assert [t.id for t in env.fake.threads] == [thread.id]
    posts = [m for m in env.fake.messages_in(env.channel) if m.embeds]
    assert len(posts) == 1 and posts[0].id == thread.id, "one question post, the thread's starter"
    intros = [m for m in env.fake.messages_in(thread) if "/answer" in m.content]
    assert len(intros) == 1
    post = await bot.db.posts.by_thread(thread.id)
    assert post is not None and post.message_id == posts[0].id
    assert bot_problems(caplog) == []


async def test_coaching_card_rate_limited_once_still_arrives_once(
    env: BotEnv, bot: InterviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    thread = await open_thread(env, "incident-leadership")
    after = len(env.fake.requests)
    env.fake.rate_limit("POST", rf"^/channels/{thread.id}/messages$", retry_after=0.05)
    message, card = await answer_by_message(env, env.bob, thread, ANSWER)

    assert statuses(env, "POST", f"/channels/{thread.id}/messages", after) == [429, 200]
    cards = [m for m in env.fake.messages_in(thread) if replies_to(message)(m)]
    assert [c.id for c in cards] == [card.id], "exactly one card, no duplicate from the retry"
    stored = await bot.db.answers.by_message(message.id)
    assert stored is not None and f"coach:{stored.id}" in str(card.components)
    assert await bot.db.coaching.get(stored.id) is not None
    assert bot_problems(caplog) == []


async def test_daily_post_rate_limited_once_goes_out_exactly_once(
    env: BotEnv, bot: InterviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    ix = await env.fake.invoke_command(
        env.admin,
        env.channel,
        "daily set",
        {"channel": env.channel, "time": "09:00", "timezone": "Europe/London"},
    )
    await ix.settled()
    assert ix.ephemeral and "09:00" in ix.all_text
    env.fake.rate_limit("POST", rf"^/channels/{env.channel.id}/messages$", retry_after=0.05)
    env.fake.rate_limit("POST", r"^/channels/\d+/messages/\d+/threads$", retry_after=0.05)
    env.clock.advance(hours=1, seconds=5)  # 09:00:05 London
    await scheduler_of(bot).run_once()
    await scheduler_of(bot).run_once()  # a second pass must not post again

    posts = [m for m in env.fake.messages_in(env.channel) if m.embeds]
    assert len(posts) == 1
    assert statuses(env, "POST", f"/channels/{env.channel.id}/messages") == [429, 200]
    assert statuses(env, "POST", "/threads") == [429, 201]
    daily = await bot.db.posts.latest_daily(env.guild.id)
    assert daily is not None and daily.message_id == posts[0].id and daily.thread_id == posts[0].id
    assert env.fake.rate_limits.pending == []
    assert bot_problems(caplog) == []


# ------------------------------------------------------------------------- locked archived threads


async def lock(env: BotEnv, thread: Channel) -> None:
    """A moderator locks and archives the thread; the bot (as invited) has no Manage Threads."""
    env.fake.set_bot_permissions(env.guild, deny=["manage_threads"])
    await env.fake.flush()
    await env.fake.lock_thread(thread)
    await env.fake.flush()


async def test_answer_modal_in_a_locked_thread_is_saved_and_coached_privately(
    env: BotEnv, bot: InterviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    thread = await open_thread(env, "incident-leadership")
    await lock(env, thread)
    opened = await env.fake.invoke_command(env.bob, thread, "answer")
    await opened.response()
    assert opened.modal is not None
    before = len(env.fake.messages_in(thread))
    submitted = await env.fake.submit_modal(
        env.bob, thread, values={"answer": ANSWER}, from_interaction=opened
    )
    await submitted.settled()

    assert submitted.ephemeral
    text = submitted.all_text
    assert "locked" in text and "saved" in text.lower()
    assert "Prep pointers" in text, "the member still gets their coaching"
    assert "went wrong" not in text
    assert statuses(env, "POST", f"/channels/{thread.id}/messages")[-1] == 400
    assert len(env.fake.messages_in(thread)) == before and thread.archived and thread.locked
    summary = await bot.db.progress.summary(env.guild.id, env.bob.id)
    assert summary.answered_total == 1, "the answer counts towards progress"
    assert bot_problems(caplog) == []
    assert any(r.name == "bot.cogs.answers" and r.levelno == logging.WARNING for r in caplog.records)


async def test_message_answer_just_before_a_lock_is_stored_without_a_card(
    env: BotEnv, bot: InterviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    thread = await open_thread(env, "incident-leadership")
    env.fake.set_bot_permissions(env.guild, deny=["manage_threads"])
    await env.fake.flush()
    after = len(env.fake.requests)
    message: Message = await env.fake.post_message(env.bob, thread, ANSWER)
    await env.fake.lock_thread(thread)  # before the bot can reply: its card meets the lock

    refused = await env.fake.wait_for_request("POST", rf"^/channels/{thread.id}/messages$", after=after)
    assert refused.status == 400
    stored = await bot.db.answers.by_message(message.id)  # recorded before the card was tried
    assert stored is not None and stored.text == ANSWER and stored.member_id == env.bob.id
    assert await bot.db.coaching.get(stored.id) is not None
    assert [m for m in env.fake.messages_in(thread) if replies_to(message)(m)] == []
    await env.fake.wait_until(
        lambda: any(r.name == "bot.cogs.answers" and r.levelno == logging.WARNING for r in caplog.records),
        what="a warning about the card",
    )
    assert bot_problems(caplog) == []


def test_thread_archived_error_reads_politely_on_the_one_error_path() -> None:
    response = SimpleNamespace(status=400, reason="Bad Request")
    error = discord.HTTPException(response, {"code": 50083, "message": "Thread is archived"})  # type: ignore[arg-type]
    message = describe_error(error)
    assert message is not None and "locked" in message and "moderator" in message
    other = discord.HTTPException(response, {"code": 50035, "message": "Invalid Form Body"})  # type: ignore[arg-type]
    assert describe_error(other) is None, "other 400s stay unexpected: logged with their traceback"


# ------------------------------------------------------------------ a /mock thread locked mid-interview


async def _mock_answered_then_locked(
    env: BotEnv, caplog: pytest.LogCaptureFixture, *, over_time: bool = False
) -> tuple[Channel, Message]:
    """Start a 2-question mock; Alice answers Q1 and a moderator locks the thread before the bot
    replies: the card and the next question both meet 50083. Returns the thread and her message."""
    _ix, thread = await start_mock(env, env.alice, count=2)
    env.fake.set_bot_permissions(env.guild, deny=["manage_threads"])
    await env.fake.flush()
    if over_time:
        env.clock.advance(minutes=6)  # the 4-minute budget ran out before she answered
    after = len(env.fake.requests)
    message: Message = await env.fake.post_message(env.alice, thread, ANSWER)
    await env.fake.lock_thread(thread)
    await env.fake.wait_until(
        lambda: statuses(env, "POST", f"/channels/{thread.id}/messages", after).count(400) >= 2 or None,
        what="the card and the next question refused",
    )
    await env.fake.wait_until(
        lambda: any(r.name == "bot.cogs.mock" and "paused" in r.getMessage() for r in caplog.records) or None,
        what="the pause logged",
    )
    return thread, message


async def test_mock_thread_locked_after_an_answer_keeps_it_and_mock_again_explains(
    env: BotEnv, bot: InterviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    thread, message = await _mock_answered_then_locked(env, caplog, over_time=True)

    stored = await bot.db.answers.by_message(message.id)
    assert stored is not None and stored.text == ANSWER, "the answer is not lost"
    assert await bot.db.coaching.get(stored.id) is not None
    session = await bot.db.mock_sessions.by_thread(thread.id)
    assert session is not None and session.status == "active", "paused, not crashed or retried"
    assert session.turns[0].answer_id == stored.id and len(session.turns) == 1
    assert not any("**Question 2 of" in m.content for m in env.fake.messages_in(thread))
    posts_after_pause = len(statuses(env, "POST", f"/channels/{thread.id}/messages"))

    again = await env.fake.invoke_command(env.alice, env.channel, "mock", {"count": 1})
    await again.settled()
    text = again.all_text
    assert again.ephemeral and f"<#{thread.id}>" in text and "locked by a moderator" in text, text
    assert "1 answer there is saved" in text and "is ready" in text
    card = again.embeds[0]
    assert card["title"] == "Your mock interview scorecard"
    q1_line = card["fields"][0]["value"]
    assert "over time" in q1_line and "took 6m00s of 4m00s" in q1_line, "the timer still counts"
    first = bot.library.question(session.question_ids[0])
    assert first is not None
    asked = [f["name"] for f in card["fields"] if f["name"].startswith("Q")]
    assert asked == [f"Q1 · {first.category}"], "only the question that was asked"
    ended = await bot.db.mock_sessions.by_thread(thread.id)
    assert ended is not None and ended.status == "stopped"
    fresh = await bot.db.mock_sessions.active_for(env.guild.id, env.alice.id)
    assert fresh is not None and fresh.thread_id != thread.id
    assert len(statuses(env, "POST", f"/channels/{thread.id}/messages")) == posts_after_pause, "no retries"
    assert bot_problems(caplog) == []


async def test_stop_in_a_locked_mock_thread_answers_privately_with_the_scorecard(
    env: BotEnv, bot: InterviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    thread, _message = await _mock_answered_then_locked(env, caplog)
    before = len(env.fake.messages_in(thread))
    intro = env.fake.messages_in(thread)[0]

    stop = await env.fake.press_button(env.alice, intro, "mock-stop")
    await stop.settled()
    assert stop.ephemeral and "locked by a moderator" in stop.content and "/mock" in stop.content
    assert stop.embeds and "over 1 answered question." in stop.embeds[0]["description"]
    assert len(env.fake.messages_in(thread)) == before, "nothing posted in the locked thread"
    session = await bot.db.mock_sessions.by_thread(thread.id)
    assert session is not None and session.status == "stopped"
    again = await env.fake.press_button(env.alice, intro, "mock-stop")
    await again.settled()
    assert again.ephemeral and "already over" in again.content
    assert bot_problems(caplog) == []


async def test_a_moderator_reopening_the_thread_resumes_the_paused_mock(
    env: BotEnv, bot: InterviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    thread, _message = await _mock_answered_then_locked(env, caplog)
    await env.fake.update_channel(thread, {"locked": False, "archived": False})
    await wait_for_question(env, thread, 2)
    session = await bot.db.mock_sessions.by_thread(thread.id)
    assert session is not None and session.status == "active" and session.current_index == 1
    _msg, _card = await answer_by_message(env, env.alice, thread, ANSWER)
    await wait_for_status(env, thread, "finished")
    assert bot_problems(caplog) == []


async def test_a_last_answer_given_with_the_modal_in_a_locked_mock_thread_finishes_it(
    env: BotEnv, bot: InterviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    _ix, thread = await start_mock(env, env.alice, count=1)
    await lock(env, thread)
    opened = await env.fake.invoke_command(env.alice, thread, "answer")
    await opened.response()
    submitted = await env.fake.submit_modal(
        env.alice, thread, values={"answer": ANSWER}, from_interaction=opened
    )
    await submitted.settled()
    assert submitted.ephemeral and "locked" in submitted.all_text and "saved" in submitted.all_text
    assert "mock interview there is paused: run /mock" in submitted.all_text
    await env.fake.wait_until(
        lambda: any(r.name == "bot.cogs.mock" and "paused" in r.getMessage() for r in caplog.records) or None,
        what="the closing message refused and the pause logged",
    )
    session = await bot.db.mock_sessions.by_thread(thread.id)
    assert session is not None and session.status == "active" and session.turns[0].answer_id is not None

    again = await env.fake.invoke_command(env.alice, env.channel, "mock", {"count": 1})
    await again.settled()
    assert "locked by a moderator" in again.all_text and "is ready" in again.all_text
    done = await bot.db.mock_sessions.by_thread(thread.id)
    assert done is not None and done.status == "finished", "every question was answered"
    assert bot_problems(caplog) == []
