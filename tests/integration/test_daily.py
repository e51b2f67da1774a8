"""End to end: /daily schedules through the fake Discord, with the bot's clock under test control.

The scheduler is driven deterministically with ``await scheduler.run_once()`` after moving
``env.clock``; one test also goes through the real background loop (``wake()``) to prove it runs.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import discord
import pytest

from bot.client import InterviewBot
from bot.cogs.scheduler import RETRY_DELAY, DailyScheduler, PostingError, daily_nonce
from tests.fakediscord import Channel, Guild, Member, Message
from tests.integration.harness import MANAGE_GUILD, BotEnv

MONDAY = date(2026, 3, 2)  # the harness clock starts on Mon 2 Mar 2026 08:00 UTC (London = UTC, NY = UTC-5)


def at(hour: int, minute: int = 0, second: int = 0, day: int = 2, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def scheduler_of(bot: InterviewBot) -> DailyScheduler:
    cog = bot.get_cog("Daily")
    assert cog is not None
    scheduler: DailyScheduler = cog.scheduler  # type: ignore[attr-defined]
    return scheduler


async def manual_passes_only(bot: InterviewBot) -> None:
    """Stop the background loop: a test that simulates the process dying drives every pass itself,
    so the loop (woken by /daily set) cannot run the patched crash path a second time."""
    await scheduler_of(bot).stop()


async def crash_monday_pass(
    env: BotEnv, bot: InterviewBot, monkeypatch: pytest.MonkeyPatch, target: object, name: str
) -> None:
    """Set up the daily post and run Monday's pass with ``target.name`` replaced by the process
    dying there (a Crash); the patch is undone afterwards, ready for the restart."""
    await manual_passes_only(bot)
    await set_daily(env, env.channel)
    env.clock.set(at(9, 0, 1))

    def die(*_: object, **__: object) -> None:
        raise Crash

    monkeypatch.setattr(target, name, die)
    with pytest.raises(Crash):
        await scheduler_of(bot).run_once()
    monkeypatch.undo()


async def daily(env: BotEnv, member: Member, where: Channel, sub: str, /, **options: object):  # type: ignore[no-untyped-def]
    ix = await env.fake.invoke_command(member, where, f"daily {sub}", options or None)
    await ix.settled()
    return ix


async def set_daily(env: BotEnv, target: Channel, admin: Member | None = None, **options: object) -> str:
    options = {"channel": target, "time": "09:00", "timezone": "Europe/London"} | options
    ix = await daily(env, admin or env.admin, target, "set", **options)
    assert ix.ephemeral
    return ix.all_text


def question_posts(env: BotEnv, channel: Channel) -> list:  # type: ignore[type-arg]
    return [m for m in env.fake.messages_in(channel) if m.author.id == env.fake.bot_user.id and m.embeds]


async def second_guild(env: BotEnv, bot: InterviewBot) -> tuple[Guild, Channel, Member]:
    guild = env.fake.add_guild("Night Owls")
    channel = env.fake.add_text_channel(guild, "daily")
    admin = env.fake.add_member(guild, "owl-admin", permissions=MANAGE_GUILD)
    await env.fake.flush()
    await env.fake.wait_until(
        lambda: bot.get_guild(guild.id) and bot.get_guild(guild.id).get_channel(channel.id)
    )  # type: ignore[union-attr]
    return guild, channel, admin


async def test_two_guilds_get_posts_at_their_own_local_times(env: BotEnv, bot: InterviewBot) -> None:
    guild2, channel2, admin2 = await second_guild(env, bot)
    reply = await set_daily(env, env.channel)
    assert "09:00 Europe/London" in reply and "Next post" in reply
    await set_daily(env, channel2, admin2, timezone="America/New_York", days="mon-fri")
    scheduler = scheduler_of(bot)

    env.clock.set(at(8, 59, 30))
    await scheduler.run_once()
    assert question_posts(env, env.channel) == [] and question_posts(env, channel2) == []

    env.clock.set(at(9, 0, 5))  # 09:00 in London, 04:00 in New York
    await scheduler.run_once()
    [london] = question_posts(env, env.channel)
    assert question_posts(env, channel2) == []
    question_id = london.embeds[0]["footer"]["text"].split("id: ")[-1]
    assert bot.library.question(question_id) is not None
    thread = await env.fake.wait_until(lambda: env.fake.channels.get(london.id), what="daily thread")
    assert thread.is_thread and 1 <= len(thread.name) <= 100
    intro = await env.fake.wait_for_message(thread)
    assert "/answer" in intro.content

    # The real loop: move the clock to 09:00 New York (14:00 UTC) and wake it instead of calling run_once.
    env.clock.set(at(14, 0, 10))
    scheduler.wake()
    ny = await env.fake.wait_for_message(channel2, lambda m: bool(m.embeds))
    assert ny.guild_id == guild2.id
    assert len(question_posts(env, env.channel)) == 1  # London is not posted again the same day

    # Both recorded as daily posts, so answers in the threads flow into the answers pipeline.
    post = await bot.db.posts.by_message(london.id)
    assert post is not None and post.source == "daily" and post.thread_id == london.id


async def test_role_is_the_only_mention_and_unmentionable_role_warns(env: BotEnv, bot: InterviewBot) -> None:
    quiet = env.fake.add_role(env.guild, "quiet", mentionable=False)
    await env.fake.flush()
    reply = await set_daily(env, env.channel, role=quiet)
    assert "not mentionable" in reply and "Mention Everyone" in reply

    loud = env.fake.add_role(env.guild, "interviewees", mentionable=True)
    await env.fake.flush()
    reply = await set_daily(env, env.channel, role=loud)
    assert "not mentionable" not in reply
    env.clock.set(at(9, 0, 1))
    await scheduler_of(bot).run_once()
    [post] = question_posts(env, env.channel)
    assert post.content == f"<@&{loud.id}>"
    sent = [
        r
        for r in env.fake.requests
        if r.method == "POST" and r.path.endswith(f"/channels/{env.channel.id}/messages")
    ]
    mentions = sent[-1].json["allowed_mentions"]
    assert mentions["parse"] == []  # never @everyone/@here or users
    assert [int(r) for r in mentions["roles"]] == [loud.id]
    assert not mentions.get("users")


async def test_set_rejects_bad_input_and_names_the_missing_permission(env: BotEnv, bot: InterviewBot) -> None:
    ix = await daily(env, env.admin, env.channel, "set", channel=env.channel, time="9am", timezone="UTC")
    assert ix.ephemeral and "HH:MM" in ix.all_text
    ix = await daily(
        env, env.admin, env.channel, "set", channel=env.channel, time="09:00", timezone="Mars/Base"
    )
    assert "Unknown time zone" in ix.all_text
    ix = await daily(
        env, env.admin, env.channel, "set", channel=env.channel, time="09:00", timezone="UTC", days="funday"
    )
    assert "Unknown day" in ix.all_text
    other = env.fake.add_text_channel(env.guild, "announcements")
    env.fake.set_bot_permissions(other, deny="create_public_threads")
    await env.fake.flush()
    await env.fake.wait_until(lambda: bot.get_channel(other.id))
    ix = await daily(env, env.admin, env.channel, "set", channel=other, time="09:00", timezone="UTC")
    assert "Create Public Threads" in ix.all_text
    assert await bot.db.schedules.get(env.guild.id) is None

    choices = await env.fake.autocomplete(
        env.admin, env.channel, "daily set", focused="timezone", value="new york"
    )
    assert choices[0]["value"] == "America/New_York"

    ix = await daily(env, env.alice, env.channel, "show")  # not an admin
    assert ix.ephemeral and "Manage Server" in ix.all_text


async def test_wrap_up_reveals_pointers_counts_answers_and_archives(env: BotEnv, bot: InterviewBot) -> None:
    await set_daily(env, env.channel, category="Behavioural")
    scheduler = scheduler_of(bot)
    env.clock.set(at(9, 0, 1))
    await scheduler.run_once()
    [first] = question_posts(env, env.channel)
    thread = await env.fake.wait_until(lambda: env.fake.channels.get(first.id), what="daily thread")
    await env.fake.wait_for_message(thread)
    answer = "I led the incident: I set up a bridge, assigned roles and we restored service in 40 minutes."
    await env.fake.post_message(env.alice, thread, answer)
    await env.fake.post_message(env.bob, thread, answer + " Then we wrote a blameless postmortem.")
    post = await bot.db.posts.by_message(first.id)
    assert post is not None
    await env.fake.wait_until(lambda: len(env.fake.messages_in(thread)) >= 5, what="answer cards")

    env.clock.set(at(9, 0, 1, day=3))
    await scheduler.run_once()
    assert len(question_posts(env, env.channel)) == 2
    wrap = await env.fake.wait_for_message(
        thread, lambda m: bool(m.embeds) and "Wrap-up" in m.embeds[0]["title"]
    )
    question = bot.library.question(post.question_id)
    assert question is not None
    text = str(wrap.embeds[0])
    assert "2 members answered" in text
    if question.pointers:
        assert question.pointers[0].text[:40] in text
        for flag in question.avoid:
            assert flag.text[:40] in text
    else:
        assert question.why[:40] in text
    await env.fake.wait_until(lambda: thread.archived, what="thread archived")
    archived = await bot.db.posts.get(post.id)
    assert archived is not None and archived.archived_at is not None


async def test_restart_after_posting_does_not_double(env: BotEnv) -> None:
    async with env.running() as bot:
        await set_daily(env, env.channel)
        env.clock.set(at(9, 0, 2))
        await scheduler_of(bot).run_once()
    assert len(question_posts(env, env.channel)) == 1
    env.clock.set(at(9, 5))
    async with env.running() as bot:
        await scheduler_of(bot).run_once()
        await scheduler_of(bot).run_once()
    assert len(question_posts(env, env.channel)) == 1


class Crash(BaseException):
    """The process dying at a chosen line: not an Exception, so no handler of the bot catches it."""


def daily_sends(env: BotEnv, channel: Channel) -> list:  # type: ignore[type-arg]
    return [
        r
        for r in env.fake.requests
        if r.method == "POST" and r.path.endswith(f"/channels/{channel.id}/messages") and r.status < 300
    ]


async def test_crash_after_claim_before_send_is_posted_once_on_restart(env: BotEnv) -> None:
    async with env.running() as bot:
        await manual_passes_only(bot)
        await set_daily(env, env.channel)
        # What a crash right after the claim leaves behind: a "claimed" row (the dead process's
        # token) and no message.
        env.clock.set(at(9, 0, 1))
        assert (
            await bot.db.daily_runs.claim(env.guild.id, MONDAY, at(9), env.clock(), "dead-proc") is not None
        )
    env.clock.set(at(9, 2))
    async with env.running() as bot:
        scheduler = scheduler_of(bot)
        await scheduler.run_once()  # a foreign token: reconciled at once, no 10-minute wait
        [post] = question_posts(env, env.channel)
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and run.status == "posted" and run.claim_token == scheduler.token
        recorded = await bot.db.posts.by_message(post.id)
        assert recorded is not None and recorded.source == "daily" and run.post_id == recorded.id
        assert recorded.thread_id == post.id
        env.clock.set(at(9, 30))
        await scheduler.run_once()
        await scheduler.run_once()
    assert len(question_posts(env, env.channel)) == 1


async def test_crash_after_send_before_recording_records_the_existing_post(
    env: BotEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with env.running() as bot:
        # the message is out; the process dies before the post row is written
        await crash_monday_pass(env, bot, monkeypatch, bot.db.posts, "create")
    [sent] = question_posts(env, env.channel)
    assert sent.id not in env.fake.channels  # no thread yet either
    env.clock.set(at(9, 3))
    async with env.running() as bot:
        await scheduler_of(bot).run_once()
        assert question_posts(env, env.channel) == [sent]  # nothing new was sent
        assert len(daily_sends(env, env.channel)) == 1
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        post = await bot.db.posts.by_message(sent.id)
        assert post is not None and run is not None and run.status == "posted" and run.post_id == post.id
        assert post.question_id == sent.embeds[0]["footer"]["text"].split("id: ")[-1]
        thread = await env.fake.wait_until(lambda: env.fake.channels.get(sent.id), what="thread")
        assert post.thread_id == thread.id
        intro = await env.fake.wait_for_message(thread)
        assert "/answer" in intro.content
        # Answers in the thread count for the recorded post.
        answer = "I led the incident: set up a bridge, assigned roles, restored service in 40 minutes."
        await env.fake.post_message(env.alice, thread, answer)
        await env.fake.wait_until(lambda: len(env.fake.messages_in(thread)) >= 3, what="answer card")
        assert await bot.db.answers.count_members_for_post(post.id) == 1


async def test_crash_after_thread_before_marking_posted_sends_nothing_more(
    env: BotEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with env.running() as bot:
        await crash_monday_pass(env, bot, monkeypatch, bot.db.daily_runs, "mark_posted")
        first = await bot.db.posts.by_message(question_posts(env, env.channel)[0].id)
        assert first is not None and first.thread_id is not None
    threads_before = len(env.fake.threads)
    env.clock.set(at(9, 2))  # past FOREIGN_CLAIM_GRACE: the dead process's claim is reconciled
    async with env.running() as bot:
        await scheduler_of(bot).run_once()
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and run.status == "posted" and run.post_id == first.id
        ix = await daily(env, env.admin, env.channel, "show")
        assert "posted" in ix.all_text and str(question_posts(env, env.channel)[0].id) in ix.all_text
    assert len(question_posts(env, env.channel)) == 1 and len(daily_sends(env, env.channel)) == 1
    assert len(env.fake.threads) == threads_before  # the existing thread is reused


async def test_tokenless_claim_waits_for_staleness_then_is_reconciled(env: BotEnv) -> None:
    async with env.running() as bot:
        await set_daily(env, env.channel)
        env.clock.set(at(9, 0, 1))  # an older bot's claim: no token, so it might still be alive
        assert await bot.db.daily_runs.claim(env.guild.id, MONDAY, at(9), env.clock()) is not None
    env.clock.set(at(9, 2))
    async with env.running() as bot:
        scheduler = scheduler_of(bot)
        await scheduler.run_once()
        assert question_posts(env, env.channel) == []
        ix = await daily(env, env.admin, env.channel, "show")
        assert "not finished yet" in ix.all_text and "never posted twice" in ix.all_text
        env.clock.set(at(9, 11))
        await scheduler.run_once()
        assert len(question_posts(env, env.channel)) == 1
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and run.status == "posted"


async def test_interrupted_past_grace_fails_with_reason_and_sends_nothing(env: BotEnv) -> None:
    async with env.running() as bot:
        await set_daily(env, env.channel, grace_hours=2)
        env.clock.set(at(9, 0, 1))
        assert (
            await bot.db.daily_runs.claim(env.guild.id, MONDAY, at(9), env.clock(), "dead-proc") is not None
        )
    env.clock.set(at(11, 30))
    async with env.running() as bot:
        await scheduler_of(bot).run_once()
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and run.status == "failed"
        assert "Interrupted" in (run.reason or "") and "grace" in (run.reason or "")
        ix = await daily(env, env.admin, env.channel, "show")
        assert "Interrupted" in ix.all_text
    assert question_posts(env, env.channel) == [] and daily_sends(env, env.channel) == []


async def test_unreadable_history_fails_and_reports_instead_of_resending(env: BotEnv) -> None:
    async with env.running() as bot:
        await set_daily(env, env.channel)
        env.clock.set(at(9, 0, 1))
        assert (
            await bot.db.daily_runs.claim(env.guild.id, MONDAY, at(9), env.clock(), "dead-proc") is not None
        )
    env.fake.set_bot_permissions(env.channel, deny="read_message_history")
    env.clock.set(at(9, 2))
    async with env.running() as bot:
        # As on Discord: without Read Message History the history is 200 and EMPTY (no 403), so an
        # empty answer proves nothing; the bot must check the permission instead of reading.
        assert await bot.http.logs_from(env.channel.id, 50) == []
        reads_before = len(history_reads(env, env.channel))
        await scheduler_of(bot).run_once()
        assert len(history_reads(env, env.channel)) == reads_before  # it did not search blindly
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and run.status == "failed" and "double" in (run.reason or "")
        assert "Read Message History" in (run.reason or "")
        record = await bot.db.schedules.get(env.guild.id)
        assert record is not None and "could not check" in (record.last_error or "")
        ix = await daily(env, env.admin, env.channel, "show")
        assert "could not check" in ix.all_text and "Read Message History" in ix.all_text
    assert question_posts(env, env.channel) == [] and daily_sends(env, env.channel) == []


def history_reads(env: BotEnv, channel: Channel) -> list:  # type: ignore[type-arg]
    return [
        r
        for r in env.fake.requests
        if r.method == "GET" and r.path.endswith(f"/channels/{channel.id}/messages")
    ]


async def test_daily_send_carries_a_per_day_nonce_and_the_fake_dedups_it(
    env: BotEnv, bot: InterviewBot
) -> None:
    await set_daily(env, env.channel)
    env.clock.set(at(9, 0, 1))
    await scheduler_of(bot).run_once()
    [sent] = daily_sends(env, env.channel)
    assert sent.json["nonce"] == daily_nonce(env.guild.id, MONDAY) and sent.json["enforce_nonce"] is True
    assert len(sent.json["nonce"]) <= 25
    assert daily_nonce(env.guild.id, MONDAY) != daily_nonce(env.guild.id, date(2026, 3, 3))
    assert daily_nonce(2**64 - 1, MONDAY).__len__() <= 25
    [posted] = question_posts(env, env.channel)
    assert posted.embeds[0]["footer"]["text"].startswith("Daily 2026-03-02 · ")

    # The fake: the same author and nonce within minutes returns the first message, creates nothing.
    channel = bot.get_channel(env.channel.id)
    assert isinstance(channel, discord.TextChannel)
    again = await channel.send("a retried send", nonce=sent.json["nonce"])
    assert again.id == posted.id and len(question_posts(env, env.channel)) == 1
    other = await channel.send("a different nonce", nonce="another-nonce")
    assert other.id != posted.id
    replay = await channel.send("same nonce again", nonce="another-nonce")
    assert replay.id == other.id and replay.content == "a different nonce"


async def test_down_at_post_time_posts_late_within_grace(env: BotEnv) -> None:
    async with env.running():
        await set_daily(env, env.channel, grace_hours=2)
    env.clock.set(at(10, 45))  # 1 h 45 min late, grace 2 h
    async with env.running() as bot:
        await scheduler_of(bot).run_once()
        assert len(question_posts(env, env.channel)) == 1
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and run.status == "posted"
        ix = await daily(env, env.admin, env.channel, "show")
        assert "(late)" in ix.all_text


async def test_down_past_grace_skips_the_day_and_says_why(env: BotEnv) -> None:
    async with env.running():
        await set_daily(env, env.channel, grace_hours=2)
    env.clock.set(at(11, 30))
    async with env.running() as bot:
        await scheduler_of(bot).run_once()
        assert question_posts(env, env.channel) == []
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and run.status == "skipped" and "offline" in (run.reason or "")
        ix = await daily(env, env.admin, env.channel, "show")
        assert "offline" in ix.all_text and "grace" in ix.all_text
        # The next day posts normally.
        env.clock.set(at(9, 0, 1, day=3))
        await scheduler_of(bot).run_once()
        assert len(question_posts(env, env.channel)) == 1


async def test_deleted_channel_is_reported_and_other_guild_still_posts(
    env: BotEnv, bot: InterviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    guild2, channel2, admin2 = await second_guild(env, bot)
    spare = env.fake.add_text_channel(guild2, "general")
    await set_daily(env, channel2, admin2)
    await set_daily(env, env.channel)
    await env.fake.delete_channel(channel2.id)
    await env.fake.wait_until(lambda: bot.get_channel(channel2.id) is None)
    env.clock.set(at(9, 0, 1))
    with caplog.at_level(logging.WARNING, logger="bot.cogs.scheduler"):
        await scheduler_of(bot).run_once()
    assert len(question_posts(env, env.channel)) == 1
    assert any(
        str(guild2.id) in r.getMessage() and "no longer exists" in r.getMessage() for r in caplog.records
    )
    await env.fake.wait_until(lambda: bot.get_channel(spare.id))
    ix = await daily(env, admin2, spare, "show")
    assert "no longer exists" in ix.all_text
    run = await bot.db.daily_runs.get(guild2.id, MONDAY)
    assert run is not None and run.status == "failed"


async def test_skip_off_and_now(env: BotEnv, bot: InterviewBot) -> None:
    await set_daily(env, env.channel)
    scheduler = scheduler_of(bot)
    ix = await daily(env, env.admin, env.channel, "skip")
    assert "Mon 02 Mar 2026" in ix.all_text
    env.clock.set(at(9, 0, 1))
    await scheduler.run_once()
    assert question_posts(env, env.channel) == []
    run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
    assert run is not None and run.status == "skipped" and "/daily skip" in (run.reason or "")

    ix = await daily(env, env.admin, env.channel, "now")  # an extra post does not use up a day
    assert "Posted" in ix.all_text
    [extra] = question_posts(env, env.channel)
    env.clock.set(at(9, 0, 1, day=3))
    await scheduler.run_once()
    assert len(question_posts(env, env.channel)) == 2
    thread = env.fake.channels[extra.id]
    await env.fake.wait_for_message(thread, lambda m: bool(m.embeds) and "Wrap-up" in m.embeds[0]["title"])

    ix = await daily(env, env.admin, env.channel, "off")
    assert "off" in ix.all_text
    env.clock.set(at(9, 0, 1, day=4))
    await scheduler.run_once()
    assert len(question_posts(env, env.channel)) == 2


async def test_missing_permission_at_post_time_is_named_and_permanent(env: BotEnv, bot: InterviewBot) -> None:
    await set_daily(env, env.channel)
    env.fake.set_bot_permissions(env.channel, deny="embed_links")
    await env.fake.flush()
    await env.fake.wait_until(
        lambda: (
            not bot.get_channel(env.channel.id).permissions_for(bot.get_guild(env.guild.id).me).embed_links
        )
    )  # type: ignore[union-attr]
    env.clock.set(at(9, 0, 1))
    await scheduler_of(bot).run_once()
    assert question_posts(env, env.channel) == []
    run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
    assert run is not None and run.status == "failed" and "Embed Links" in (run.reason or "")
    ix = await daily(env, env.admin, env.channel, "show")
    assert "Embed Links" in ix.all_text


async def test_transient_failure_keeps_the_claim_and_retries_after_checking_the_channel(
    env: BotEnv, bot: InterviewBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await set_daily(env, env.channel)
    scheduler = scheduler_of(bot)
    real = scheduler.post_question
    calls = 0

    async def flaky(record, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 1:
            raise PostingError("Discord error during the daily post (503)", transient=True)
        return await real(record, **kwargs)

    monkeypatch.setattr(scheduler, "post_question", flaky)
    env.clock.set(at(9, 0, 1))
    await scheduler.run_once()
    assert question_posts(env, env.channel) == []
    held = await bot.db.daily_runs.get(env.guild.id, MONDAY)  # kept: the retry looks in the channel first
    assert held is not None and held.status == "claimed" and held.claim_token == scheduler.token
    record = await bot.db.schedules.get(env.guild.id)
    assert record is not None and "retry" in (record.last_error or "")
    await scheduler.run_once()  # not before the retry delay
    assert calls == 1
    history_reads = len([r for r in env.fake.requests if r.method == "GET" and r.path.endswith("/messages")])
    env.clock.advance(seconds=RETRY_DELAY.total_seconds())
    await scheduler.run_once()
    assert calls == 2 and len(question_posts(env, env.channel)) == 1
    reads = len([r for r in env.fake.requests if r.method == "GET" and r.path.endswith("/messages")])
    assert reads > history_reads  # the retry checked the channel before sending
    run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
    assert run is not None and run.status == "posted"
    record = await bot.db.schedules.get(env.guild.id)
    assert record is not None and record.last_error is None  # a success clears the error


async def test_two_shard_processes_each_post_only_their_own_guilds(env: BotEnv) -> None:
    """Two bot instances on one database, shard 0 and shard 1 of 2: each posts only its guilds."""
    channels: dict[int, Channel] = {}
    for _ in range(40):  # snowflakes are time-based: make guilds until both shards have one
        guild = env.fake.add_guild("Shard test")
        channels.setdefault((guild.id >> 22) % 2, env.fake.add_text_channel(guild, "daily"))
        if len(channels) == 2:
            break
    assert len(channels) == 2
    async with env.running(shard_id=0, shard_count=2) as zero, env.running(shard_id=1, shard_count=2) as one:
        for channel in channels.values():
            await zero.db.schedules.upsert(
                channel.guild_id,
                channel_id=channel.id,
                local_time="09:00",
                timezone="Europe/London",
                now=env.clock(),
            )
        env.clock.set(at(9, 0, 30))
        await scheduler_of(zero).run_once()
        await env.fake.flush()
        assert len(question_posts(env, channels[0])) == 1
        assert question_posts(env, channels[1]) == [], "shard 0 must not post for a shard-1 guild"
        other = channels[1].guild_id
        assert await zero.db.daily_runs.get(other, MONDAY) is None, "shard 0 must not even claim its day"
        record = await zero.db.schedules.get(other)
        assert record is not None and record.last_error is None
        await scheduler_of(one).run_once()
        await scheduler_of(zero).run_once()
        await env.fake.flush()
        assert len(question_posts(env, channels[1])) == 1
        assert len(question_posts(env, channels[0])) == 1, "nothing is posted twice"


# ---------------------------------------------------------------- review findings (H3, H4, M1, M3, L5, L6)
TUESDAY = date(2026, 3, 3)


async def post_monday(env: BotEnv, bot: InterviewBot) -> Channel:
    """Monday's post goes out normally (manual passes only); returns its (introduced) thread."""
    await manual_passes_only(bot)
    await set_daily(env, env.channel)
    env.clock.set(at(9, 0, 1))
    await scheduler_of(bot).run_once()
    [monday] = question_posts(env, env.channel)
    thread: Channel = await env.fake.wait_until(lambda: env.fake.channels.get(monday.id), what="thread")
    await env.fake.wait_for_message(thread)
    return thread


def is_wrap_up(message) -> bool:  # type: ignore[no-untyped-def]
    return bool(message.embeds) and "Wrap-up" in message.embeds[0].get("title", "")


def intros_in(env: BotEnv, thread: Channel) -> list:  # type: ignore[type-arg]
    return [
        m
        for m in env.fake.messages_in(thread)
        if m.author.id == env.fake.bot_user.id and "/answer" in (m.content or "")
    ]


async def test_crash_while_recording_the_thread_still_wraps_up_yesterday(
    env: BotEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """H3: today's post row exists after the crash; yesterday's thread must still be wrapped up."""
    async with env.running() as bot:
        monday_thread = await post_monday(env, bot)
        env.clock.set(at(9, 0, 1, day=3))

        async def die(*_: object, **__: object) -> None:
            raise Crash  # Tuesday is sent, recorded, its thread opened; the process dies here

        monkeypatch.setattr(bot.db.posts, "set_thread", die)
        with pytest.raises(Crash):
            await scheduler_of(bot).run_once()
        monkeypatch.undo()
        tuesday = question_posts(env, env.channel)[-1]
        recorded = await bot.db.posts.by_message(tuesday.id)
        assert recorded is not None and recorded.thread_id is None  # the crash left it half done
    assert not monday_thread.archived
    env.clock.set(at(9, 2, day=3))
    async with env.running() as bot:
        await scheduler_of(bot).run_once()
        wrap = await env.fake.wait_for_message(monday_thread, is_wrap_up)
        assert "answered" in str(wrap.embeds[0])
        await env.fake.wait_until(lambda: monday_thread.archived, what="Monday's thread archived")
        monday = await bot.db.posts.by_thread(monday_thread.id)
        assert monday is not None and monday.archived_at is not None
        run = await bot.db.daily_runs.get(env.guild.id, TUESDAY)
        post = await bot.db.posts.by_message(tuesday.id)
        assert run is not None and post is not None and run.status == "posted" and run.post_id == post.id
        tuesday_thread = env.fake.channels[tuesday.id]
        assert post.thread_id == tuesday_thread.id and not tuesday_thread.archived
        assert len(intros_in(env, tuesday_thread)) == 1  # the existing intro is not repeated
        assert not [m for m in env.fake.messages_in(tuesday_thread) if is_wrap_up(m)]
    assert len(question_posts(env, env.channel)) == 2 and len(daily_sends(env, env.channel)) == 2


async def test_nonce_replay_of_a_recorded_post_wraps_up_yesterday_not_itself(
    env: BotEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """H4: the re-send returns the dead process's (recorded) message; its own thread stays open."""
    async with env.running() as bot:
        monday_thread = await post_monday(env, bot)
        env.clock.set(at(9, 0, 1, day=3))
        scheduler = scheduler_of(bot)

        async def die(*_: object, **__: object) -> None:
            raise Crash  # Tuesday is sent, recorded and has its thread; dies before the wrap-up

        monkeypatch.setattr(scheduler, "_wrap_up", die)
        with pytest.raises(Crash):
            await scheduler.run_once()
        monkeypatch.undo()
    tuesday = question_posts(env, env.channel)[-1]
    tuesday_thread = env.fake.channels[tuesday.id]
    env.clock.set(at(9, 2, day=3))
    async with env.running() as bot:
        scheduler = scheduler_of(bot)

        async def not_found(*_: object) -> None:
            return None  # the history search misses it (a flood of messages): the day is re-sent

        monkeypatch.setattr(scheduler, "_find_daily_message", not_found)
        await scheduler.run_once()
        assert len(daily_sends(env, env.channel)) == 3  # a re-send went out ...
        assert len(question_posts(env, env.channel)) == 2  # ... and Discord's nonce dedup returned Tuesday's
        await env.fake.wait_for_message(monday_thread, is_wrap_up)
        await env.fake.wait_until(lambda: monday_thread.archived, what="Monday's thread archived")
        post = await bot.db.posts.by_message(tuesday.id)
        assert post is not None and post.archived_at is None
        assert not tuesday_thread.archived
        assert not [m for m in env.fake.messages_in(tuesday_thread) if is_wrap_up(m)]
        run = await bot.db.daily_runs.get(env.guild.id, TUESDAY)
        assert run is not None and run.status == "posted" and run.post_id == post.id


class Http503:
    """Enough of an aiohttp response for discord.DiscordServerError."""

    status = 503
    reason = "Service Unavailable"


@pytest.mark.parametrize("lost_reply", ["timeout", "503"])
async def test_send_that_went_out_but_reported_failure_is_recorded_once_after_the_retry(
    env: BotEnv, bot: InterviewBot, monkeypatch: pytest.MonkeyPatch, lost_reply: str
) -> None:
    """M1: Discord created the message but the client saw a timeout / 503."""
    await set_daily(env, env.channel)
    scheduler = scheduler_of(bot)
    real = bot.http.send_message
    failed_sends = 0

    async def lossy(channel_id, *, params):  # type: ignore[no-untyped-def]
        nonlocal failed_sends
        result = await real(channel_id, params=params)  # the message IS created
        if failed_sends == 0:
            failed_sends += 1
            if lost_reply == "timeout":
                raise TimeoutError("read timed out")
            raise discord.DiscordServerError(Http503(), "upstream connect error")  # type: ignore[arg-type]
        return result

    monkeypatch.setattr(bot.http, "send_message", lossy)
    env.clock.set(at(9, 0, 1))
    await scheduler.run_once()
    [sent] = question_posts(env, env.channel)
    held = await bot.db.daily_runs.get(env.guild.id, MONDAY)
    assert held is not None and held.status == "claimed"  # it looks like a failure to the bot
    record = await bot.db.schedules.get(env.guild.id)
    assert record is not None and "retry" in (record.last_error or "")

    env.clock.advance(seconds=RETRY_DELAY.total_seconds())
    await scheduler.run_once()
    await scheduler.run_once()
    assert question_posts(env, env.channel) == [sent]  # exactly one message
    assert len(daily_sends(env, env.channel)) == 1
    thread = await env.fake.wait_until(lambda: env.fake.channels.get(sent.id), what="thread")
    assert [t.id for t in env.fake.threads] == [thread.id]  # exactly one thread
    await env.fake.wait_until(lambda: intros_in(env, thread), what="intro")
    run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
    post = await bot.db.posts.by_message(sent.id)
    assert run is not None and post is not None and run.status == "posted" and run.post_id == post.id
    assert post.thread_id == thread.id
    record = await bot.db.schedules.get(env.guild.id)
    assert record is not None and record.last_error is None


async def test_a_live_foreign_claim_gets_a_grace_before_it_is_reconciled(env: BotEnv) -> None:
    """M3: during a deploy overlap the old process may still be sending: leave its claim alone briefly."""
    async with env.running() as bot:
        await set_daily(env, env.channel)
        env.clock.set(at(9, 0, 1))
        assert await bot.db.daily_runs.claim(env.guild.id, MONDAY, at(9), env.clock(), "old-proc")
    env.clock.set(at(9, 0, 31))
    async with env.running() as bot:
        scheduler = scheduler_of(bot)
        reads = len(history_reads(env, env.channel))
        await scheduler.run_once()
        assert question_posts(env, env.channel) == [] and len(history_reads(env, env.channel)) == reads
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and run.status == "claimed" and run.claim_token == "old-proc"
        env.clock.set(at(9, 1, 2))  # 61 s after the claim: the old process is gone
        await scheduler.run_once()
        assert len(question_posts(env, env.channel)) == 1
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and run.status == "posted" and run.claim_token == scheduler.token


async def test_a_takeover_during_our_send_is_not_overwritten(
    env: BotEnv, bot: InterviewBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """M3: a successor adopted our claim while we were sending: we must not finish the run."""
    await set_daily(env, env.channel)
    scheduler = scheduler_of(bot)

    async def taken_over(record, **kwargs):  # type: ignore[no-untyped-def]
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and await bot.db.daily_runs.adopt(run, "successor") is not None
        raise PostingError("I can't post: missing Send Messages.", transient=False)

    monkeypatch.setattr(scheduler, "post_question", taken_over)
    env.clock.set(at(9, 0, 1))
    await scheduler.run_once()
    run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
    assert run is not None and run.status == "claimed" and run.claim_token == "successor"
    record = await bot.db.schedules.get(env.guild.id)
    assert record is not None and record.last_error is None  # not reported as ours


async def test_repeated_transient_errors_past_grace_say_so(
    env: BotEnv, bot: InterviewBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """L5: the day ends past grace because Discord kept failing, not because the bot stopped."""
    await set_daily(env, env.channel, grace_hours=1)
    scheduler = scheduler_of(bot)
    attempts = 0

    async def always_503(record, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal attempts
        attempts += 1
        raise PostingError("Discord error during the daily post (503): upstream", transient=True)

    monkeypatch.setattr(scheduler, "post_question", always_503)
    env.clock.set(at(9, 0, 1))
    await scheduler.run_once()
    env.clock.advance(seconds=RETRY_DELAY.total_seconds())
    await scheduler.run_once()
    assert attempts == 2
    env.clock.set(at(10, 1))  # past the 1-hour grace
    await scheduler.run_once()
    assert attempts == 2
    run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
    assert run is not None and run.status == "failed"
    reason = run.reason or ""
    assert "kept failing" in reason and "503" in reason and "grace" in reason
    assert "stopped" not in reason and "came back" not in reason
    ix = await daily(env, env.admin, env.channel, "show")
    assert "kept failing" in ix.all_text
    assert question_posts(env, env.channel) == []


async def test_crash_between_opening_the_thread_and_its_intro_sends_the_intro_on_restart(
    env: BotEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """L6: an existing thread without the bot's intro gets it when the post is reconciled."""
    from bot.cogs import render

    async with env.running() as bot:
        # the thread exists; the process dies before introducing it
        await crash_monday_pass(env, bot, monkeypatch, render, "thread_intro")
    [sent] = question_posts(env, env.channel)
    thread = env.fake.channels[sent.id]
    assert intros_in(env, thread) == []
    env.clock.set(at(9, 2))
    async with env.running() as bot:
        await scheduler_of(bot).run_once()
        await env.fake.wait_until(lambda: intros_in(env, thread), what="intro")
        post = await bot.db.posts.by_message(sent.id)
        assert post is not None and post.thread_id == thread.id
        assert len(env.fake.threads) == 1 and len(intros_in(env, thread)) == 1


# ---------------------------------------------------------------- review finding M4
async def crash_after_sending_monday(env: BotEnv, monkeypatch: pytest.MonkeyPatch) -> Message:
    """Monday's post goes out in ``env.channel`` and the process dies before recording anything."""
    async with env.running() as bot:
        # the message is sent; nothing about it is recorded
        await crash_monday_pass(env, bot, monkeypatch, scheduler_of(bot), "_finish_post")
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and run.status == "claimed" and run.channel_id == env.channel.id
    [sent] = question_posts(env, env.channel)
    assert env.fake.channels.get(sent.id) is None  # died before opening the thread
    return sent


async def move_the_daily_channel(env: BotEnv, *, delete_old: bool = False) -> Channel:
    """Another process start: an admin moves the daily channel (and maybe deletes the old one)."""
    env.clock.set(at(9, 0, 30))  # inside the dead claim's grace: this process leaves it alone
    async with env.running() as bot:
        moved = env.fake.add_text_channel(env.guild, "daily-moved")
        await env.fake.flush()
        await env.fake.wait_until(lambda: bot.get_channel(moved.id), what="new channel")
        assert "Next post" in await set_daily(env, moved)
        record = await bot.db.schedules.get(env.guild.id)
        assert record is not None and record.channel_id == moved.id
        if delete_old:
            await env.fake.delete_channel(env.channel.id)
            await env.fake.wait_until(lambda: bot.get_channel(env.channel.id) is None, what="deleted")
    return moved


async def test_crash_after_send_then_channel_moved_records_the_old_post(
    env: BotEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """M4: the claim remembers its channel, so the post in the old channel is found, not re-sent."""
    sent = await crash_after_sending_monday(env, monkeypatch)
    moved = await move_the_daily_channel(env)
    env.clock.set(at(9, 2))
    async with env.running() as bot:
        scheduler = scheduler_of(bot)
        await scheduler.run_once()
        await scheduler.run_once()
        assert len(daily_sends(env, env.channel)) == 1 and question_posts(env, env.channel) == [sent]
        assert daily_sends(env, moved) == [] and question_posts(env, moved) == []
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        post = await bot.db.posts.by_message(sent.id)
        assert run is not None and post is not None
        assert run.status == "posted" and run.post_id == post.id and run.claim_token == scheduler.token
        assert post.channel_id == env.channel.id and post.source == "daily"
        thread = await env.fake.wait_until(lambda: env.fake.channels.get(sent.id), what="thread")
        assert post.thread_id == thread.id
        await env.fake.wait_until(lambda: intros_in(env, thread), what="intro")
        # The next day goes to the new channel and wraps up Monday's thread in the old one.
        env.clock.set(at(9, 0, 1, day=3))
        await scheduler.run_once()
        assert len(question_posts(env, moved)) == 1 and len(daily_sends(env, env.channel)) == 1
        await env.fake.wait_for_message(thread, is_wrap_up)
        tuesday = await bot.db.daily_runs.get(env.guild.id, TUESDAY)
        assert tuesday is not None and tuesday.status == "posted" and tuesday.channel_id == moved.id


async def test_crash_after_send_then_old_channel_deleted_fails_without_sending(
    env: BotEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """M4: the claimed channel is gone, so nobody can tell whether the day went out: fail, say why."""
    await crash_after_sending_monday(env, monkeypatch)
    moved = await move_the_daily_channel(env, delete_old=True)
    env.clock.set(at(9, 2))
    async with env.running() as bot:
        await scheduler_of(bot).run_once()
        await scheduler_of(bot).run_once()
        assert daily_sends(env, moved) == [] and question_posts(env, moved) == []
        assert len(daily_sends(env, env.channel)) == 1  # only the original, before the crash
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and run.status == "failed" and run.post_id is None
        reason = run.reason or ""
        assert "no longer exists" in reason and f"<#{env.channel.id}>" in reason
        assert "double" in reason and "could not check" in reason
        ix = await daily(env, env.admin, moved, "show")
        assert "no longer exists" in ix.all_text
        # The next day posts normally in the new channel.
        env.clock.set(at(9, 0, 1, day=3))
        await scheduler_of(bot).run_once()
        assert len(question_posts(env, moved)) == 1


async def test_claim_not_sent_then_channel_moved_searches_old_and_posts_in_new(env: BotEnv) -> None:
    """M4: nothing went out in the claimed channel: the day is posted once, in the new channel,
    and the claim is moved there before the send (a crash during it is searched for there)."""
    async with env.running() as bot:
        await set_daily(env, env.channel)
        env.clock.set(at(9, 0, 1))
        run = await bot.db.daily_runs.claim(
            env.guild.id, MONDAY, at(9), env.clock(), "dead-proc", channel_id=env.channel.id
        )
        assert run is not None
    moved = await move_the_daily_channel(env)
    env.clock.set(at(9, 2))
    async with env.running() as bot:
        old_reads = len(history_reads(env, env.channel))
        moves: list[int] = []
        real_move = bot.db.daily_runs.move_claim

        async def spy(run_id: int, channel_id: int, *, token: str):  # type: ignore[no-untyped-def]
            moves.append(channel_id)
            assert daily_sends(env, moved) == []  # moved BEFORE the send
            return await real_move(run_id, channel_id, token=token)

        bot.db.daily_runs.move_claim = spy  # type: ignore[method-assign]
        await scheduler_of(bot).run_once()
        assert len(history_reads(env, env.channel)) > old_reads  # the claimed channel was searched
        assert moves == [moved.id]
        assert question_posts(env, env.channel) == [] and len(question_posts(env, moved)) == 1
        run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
        assert run is not None and run.status == "posted" and run.channel_id == moved.id


async def _fails_at_send_and_is_never_retried(env: BotEnv, bot: InterviewBot, expected: str) -> None:
    """Monday's pass meets the fault at send time; later passes (within grace, and after the
    retry delay) neither retry nor double-post; /daily show names the reason."""
    sends = f"/channels/{env.channel.id}/messages"
    scheduler = scheduler_of(bot)
    env.clock.set(at(9, 0, 1))
    await scheduler.run_once()
    attempts = [r for r in env.fake.requests if r.method == "POST" and r.path.endswith(sends)]
    assert [r.status for r in attempts] == [404 if "no longer exists" in expected else 403]
    run = await bot.db.daily_runs.get(env.guild.id, MONDAY)
    assert run is not None and run.status == "failed" and expected in (run.reason or "")
    for minutes in (0, 10, 60):  # still inside the 6-hour grace window
        env.clock.set(at(10 + minutes // 60, minutes % 60, 1))
        await scheduler.run_once()
    again = [r for r in env.fake.requests if r.method == "POST" and r.path.endswith(sends)]
    assert len(again) == 1, "the day is not retried"
    record = await bot.db.schedules.get(env.guild.id)
    assert record is not None and expected in (record.last_error or "")
    assert "/daily set" in (record.last_error or "") or "permission" in (record.last_error or "")


async def test_channel_deleted_just_before_the_post_fails_the_day_once(
    env: BotEnv, bot: InterviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    await manual_passes_only(bot)
    await set_daily(env, env.channel)
    env.channel.deleted = True  # deleted, and the bot's cache has not heard yet: the send gets 10003
    await _fails_at_send_and_is_never_retried(env, bot, "no longer exists")
    spare = env.fake.add_text_channel(env.guild, "general")
    await env.fake.wait_until(lambda: bot.get_channel(spare.id))
    ix = await daily(env, env.admin, spare, "show")
    assert "no longer exists" in ix.all_text and "/daily set" in ix.all_text
    assert not [r for r in caplog.records if r.name.startswith("bot.") and r.levelno >= logging.ERROR]


async def test_permission_removed_just_before_the_post_fails_the_day_once(
    env: BotEnv, bot: InterviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    await manual_passes_only(bot)
    await set_daily(env, env.channel)
    # Send Messages removed, and the bot's cache has not heard yet: the send gets 403 50013.
    env.channel.overwrites[env.fake.bot_user.id] = (0, int(discord.Permissions(send_messages=True).value), 1)
    await _fails_at_send_and_is_never_retried(env, bot, "missing permission")
    ix = await daily(env, env.admin, env.channel, "show")
    assert "missing permission" in ix.all_text and "Last error" in ix.all_text
    assert not [r for r in caplog.records if r.name.startswith("bot.") and r.levelno >= logging.ERROR]
