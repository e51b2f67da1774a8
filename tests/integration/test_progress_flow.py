"""End to end: /progress for oneself (full) and for someone else (public parts only)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.client import InterviewBot
from tests.integration.harness import BotEnv, answer_by_message, open_thread
from tests.integration.test_answer_flow import HERO_ANSWER, STRONG_INCIDENT_ANSWER


async def test_progress_counts_coverage_flags_and_links(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env, "incident-leadership")
    strong, _ = await answer_by_message(env, env.bob, thread, STRONG_INCIDENT_ANSWER)
    hero, _ = await answer_by_message(env, env.bob, thread, HERO_ANSWER)
    other = await open_thread(env, "crashloopbackoff")
    await answer_by_message(
        env,
        env.bob,
        other,
        "I would check kubectl logs --previous and describe the pod to see the exit code.",
    )

    ix = await env.fake.invoke_command(env.bob, env.channel, "progress")
    await ix.settled()
    assert ix.ephemeral
    embed = ix.embeds[0]
    assert "Answered **2** of 28 questions" in embed["description"]
    assert "**Behavioural**: 1/6" in embed["description"]
    assert "**Technical**: 1/" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Average pointer coverage"].endswith("%")
    assert "Hero culture" in fields["Red flags you show most"]
    links = fields["Last answers"]
    assert f"https://discord.com/channels/{env.guild.id}/{thread.id}/{hero.id}" in links
    assert f"/{strong.id})" in links


async def test_progress_of_someone_else_hides_their_coaching(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env, "incident-leadership")
    await answer_by_message(env, env.bob, thread, HERO_ANSWER)
    ix = await env.fake.invoke_command(env.alice, env.channel, "progress", {"member": env.bob})
    await ix.settled()
    assert ix.ephemeral
    embed = ix.embeds[0]
    assert embed["title"] == "Progress: bob"
    text = str(embed)
    assert "Hero culture" not in text and "coverage" not in text.lower()
    assert "private" in embed["footer"]["text"]
    assert "Answered **1** of 28" in embed["description"]


async def test_progress_with_no_answers_suggests_a_question(env: BotEnv, bot: InterviewBot) -> None:
    ix = await env.fake.invoke_command(env.alice, env.channel, "progress")
    await ix.settled()
    fields = {f["name"]: f["value"] for f in ix.embeds[0]["fields"]}
    assert "/question" in fields["Last answers"]
    assert fields["Average pointer coverage"] == "No coached answers yet."


async def test_streak_in_the_members_zone_and_what_to_practise_next(env: BotEnv, bot: InterviewBot) -> None:
    ix = await env.fake.invoke_command(env.bob, env.channel, "mydata timezone", {"zone": "Asia/Tokyo"})
    await ix.settled()
    assert ix.ephemeral and "Asia/Tokyo" in ix.content
    bad = await env.fake.invoke_command(env.bob, env.channel, "mydata timezone", {"zone": "Mars/Olympus"})
    await bad.settled()
    assert bad.ephemeral and "Mars/Olympus" in bad.content

    env.clock.set(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))  # 23:00 in Tokyo, day 1
    thread = await open_thread(env, "incident-leadership")
    await answer_by_message(env, env.bob, thread, HERO_ANSWER)
    env.clock.set(datetime(2026, 3, 3, 1, 0, tzinfo=UTC))  # 10:00 in Tokyo, day 2
    await answer_by_message(env, env.bob, thread, HERO_ANSWER)

    progress = await env.fake.invoke_command(env.bob, env.channel, "progress")
    await progress.settled()
    fields = {f["name"]: f["value"] for f in progress.embeds[0]["fields"]}
    assert "**2** days (answered today)" in fields["Streak (Asia/Tokyo)"]
    plan = fields["Practise next"]
    assert "not answered yet" in plan and "`incident-leadership`" not in plan

    other = await env.fake.invoke_command(env.alice, env.channel, "progress", {"member": env.bob})
    await other.settled()
    assert "Streak" not in str(other.embeds[0]) and "Practise next" not in str(other.embeds[0])


async def test_timezone_autocomplete(env: BotEnv, bot: InterviewBot) -> None:
    choices = await env.fake.autocomplete(
        env.bob, env.channel, "mydata timezone", focused="zone", value="tokyo"
    )
    assert "Asia/Tokyo" in [c["value"] for c in choices]


async def test_progress_card_is_attached_for_yourself_only(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env, "incident-leadership")
    await answer_by_message(env, env.bob, thread, STRONG_INCIDENT_ANSWER)
    ix = await env.fake.invoke_command(env.bob, env.channel, "progress", {"card": True})
    await ix.settled(timeout=20)
    assert ix.ephemeral
    message = ix.message
    assert message is not None and message.attachments[0]["filename"] == "progress.png"
    assert message.embeds[0]["image"]["url"] == "attachment://progress.png"

    other = await env.fake.invoke_command(
        env.alice, env.channel, "progress", {"member": env.bob, "card": True}
    )
    await other.settled()
    assert other.ephemeral and "private" in other.content
