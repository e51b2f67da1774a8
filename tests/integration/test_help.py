"""/help lists every command, with admin and moderator ones apart."""

from __future__ import annotations

from bot.client import InterviewBot
from tests.integration.harness import BotEnv


async def test_help_lists_commands_from_the_tree(env: BotEnv, bot: InterviewBot) -> None:
    ix = await env.fake.invoke_command(env.alice, env.channel, "help")
    await ix.settled()
    assert ix.ephemeral
    fields = {f["name"]: f["value"] for f in ix.embeds[0]["fields"]}
    everyone = fields["Commands"]
    for name in (
        "`/question`",
        "`/answer`",
        "`/progress`",
        "`/practice`",
        "`/mock`",
        "`/review`",
        "`/mydata`",
    ):
        assert name in everyone
    assert "Apps → Review answer" in everyone
    admin = fields["For admins and moderators"]
    assert "`/daily`" in admin and "`set`" in admin and "`/settings`" in admin
    assert "Apps → Remove review" in admin
    assert "`/daily`" not in everyone
