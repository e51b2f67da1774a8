"""End to end: /leaderboard ranks by activity, never pings, and honours the opt-out."""

from __future__ import annotations

from datetime import timedelta

from bot.client import InterviewBot
from tests.integration.harness import BotEnv


async def record(
    bot: InterviewBot, env: BotEnv, member_id: int, question_id: str, days_ago: float = 0
) -> None:
    question = bot.library.question(question_id)
    assert question is not None
    await bot.db.answers.record(
        guild_id=env.guild.id,
        question_id=question_id,
        category=question.category,
        member_id=member_id,
        text="an answer long enough to count",
        source="message",
        created_at=env.clock() - timedelta(days=days_ago),
    )


async def test_ranking_period_and_opt_out(env: BotEnv, bot: InterviewBot) -> None:
    await record(bot, env, env.alice.id, "mentoring")
    await record(bot, env, env.bob.id, "mentoring")
    await record(bot, env, env.bob.id, "toil-automation")
    await record(bot, env, env.alice.id, "legacy-platform", days_ago=20)
    await record(bot, env, env.alice.id, "slos-error-budgets", days_ago=20)

    week = await env.fake.invoke_command(env.alice, env.channel, "leaderboard", {"period": "week"})
    await week.settled()
    assert not week.ephemeral
    lines = week.embeds[0]["description"].splitlines()
    assert f"<@{env.bob.id}>: 2 questions" in lines[0] and f"<@{env.alice.id}>: 1 question" in lines[1]
    request = next(r for r in reversed(env.fake.requests) if r.path.endswith("/callback"))
    assert request.json["data"]["allowed_mentions"]["parse"] == []

    month = await env.fake.invoke_command(env.alice, env.channel, "leaderboard")
    await month.settled()
    assert f"<@{env.alice.id}>: 3 questions" in month.embeds[0]["description"].splitlines()[0]

    hide = await env.fake.invoke_command(env.bob, env.channel, "mydata leaderboard", {"visible": False})
    await hide.settled()
    assert hide.ephemeral and "no longer appear" in hide.content
    again = await env.fake.invoke_command(env.alice, env.channel, "leaderboard", {"period": "week"})
    await again.settled()
    assert str(env.bob.id) not in again.embeds[0]["description"]


async def test_empty_leaderboard_invites_a_first_answer(env: BotEnv, bot: InterviewBot) -> None:
    ix = await env.fake.invoke_command(env.alice, env.channel, "leaderboard")
    await ix.settled()
    assert "/question" in ix.embeds[0]["description"]
