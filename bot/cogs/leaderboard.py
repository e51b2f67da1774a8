"""`/leaderboard` and `/mydata leaderboard`: friendly competition, with an opt-out.

Ranks by activity only (distinct questions answered, then answers): coaching scores are private to
each member and never ranked. Names are shown as mentions, which render without pinging anyone
because the bot's messages allow no mentions.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import render

if TYPE_CHECKING:
    from bot.client import InterviewBot
    from bot.storage.records import LeaderboardRow

PERIODS: dict[str, tuple[str, timedelta]] = {
    "week": ("the last 7 days", timedelta(days=7)),
    "month": ("the last 30 days", timedelta(days=30)),
    "all": ("all time", timedelta(days=365 * 100)),
}
MEDALS = ("\N{FIRST PLACE MEDAL}", "\N{SECOND PLACE MEDAL}", "\N{THIRD PLACE MEDAL}")


def leaderboard_embed(rows: list[LeaderboardRow], period_label: str) -> discord.Embed:
    embed = discord.Embed(title=f"Most active: {period_label}", colour=render.BRAND_COLOUR)
    if not rows:
        embed.description = "Nobody has answered yet in this period. Be the first: /question."
        return embed
    lines = []
    for rank, row in enumerate(rows, 1):
        badge = MEDALS[rank - 1] if rank <= len(MEDALS) else f"{rank}."
        lines.append(
            f"{badge} <@{row.member_id}>: {row.questions} question{'s' if row.questions != 1 else ''}"
            f" · {row.answers} answer{'s' if row.answers != 1 else ''}"
        )
    embed.description = "\n".join(lines)
    embed.set_footer(text="Ranked by questions answered. Don't want to appear? /mydata leaderboard")
    return embed


class Leaderboard(commands.Cog):
    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot

    @app_commands.command(name="leaderboard", description="The most active members of this server.")
    @app_commands.describe(period="Which period to rank (default: the last 30 days).")
    @app_commands.guild_only()
    async def leaderboard(
        self, interaction: discord.Interaction, period: Literal["week", "month", "all"] = "month"
    ) -> None:
        assert interaction.guild_id is not None
        label, span = PERIODS[period]
        rows = await self.bot.db.progress.leaderboard(interaction.guild_id, self.bot.now() - span)
        await interaction.response.send_message(embed=leaderboard_embed(rows, label))


async def setup(bot: InterviewBot) -> None:
    await bot.add_cog(Leaderboard(bot))
