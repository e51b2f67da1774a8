"""End to end: /mydata export and delete, confirmed only by the member."""

from __future__ import annotations

import json

from bot.client import InterviewBot
from tests.integration.harness import BotEnv, answer_by_message, open_thread
from tests.integration.test_answer_flow import HERO_ANSWER


async def test_export_sends_only_the_members_data_as_a_private_file(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env, "incident-leadership")
    await answer_by_message(env, env.bob, thread, HERO_ANSWER)
    ix = await env.fake.invoke_command(env.bob, env.channel, "mydata export")
    await ix.settled()
    assert ix.ephemeral
    request = next(
        r
        for r in reversed(env.fake.requests)
        if r.path.endswith("/callback") and "interview-bot-" in str(r.json)
    )
    assert request.json["data"]["attachments"][0]["filename"] == f"interview-bot-{env.bob.id}.json"
    data = await bot.db.members.export_member_data(env.bob.id)
    assert HERO_ANSWER in json.dumps(data)


async def test_delete_needs_the_members_own_confirmation(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env, "incident-leadership")
    await answer_by_message(env, env.bob, thread, HERO_ANSWER)
    ix = await env.fake.invoke_command(env.bob, env.channel, "mydata delete")
    await ix.settled()
    assert ix.ephemeral and "permanently deletes" in ix.content
    confirm = next(
        c["custom_id"]
        for row in ix.components
        for c in row["components"]
        if c.get("label") == "Delete my data"
    )
    assert ix.message is not None
    done = await env.fake.press_button(env.bob, ix.message, confirm)
    await done.settled()
    assert "Deleted 1 answer with" in (done.content or "")
    summary = await bot.db.progress.summary(env.guild.id, env.bob.id)
    assert summary.answered_total == 0
