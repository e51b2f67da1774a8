"""`/help`: what the bot can do, generated from the registered commands so it never goes stale."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import render

if TYPE_CHECKING:
    from bot.client import InterviewBot


def command_lines(tree: app_commands.CommandTree[Any]) -> tuple[list[str], list[str]]:
    """(everyone's commands, admin/moderator commands), one line each, sorted by name."""
    members: list[str] = []
    admins: list[str] = []
    for command in sorted(tree.get_commands(), key=lambda c: c.name):
        if isinstance(command, app_commands.ContextMenu):
            line = f"*Apps → {command.name}* (right-click a message)"
            needs = command.default_permissions
        elif isinstance(command, app_commands.Group):
            subs = ", ".join(f"`{sub.name}`" for sub in command.commands)
            line = f"`/{command.name}` {subs}: {command.description}"
            needs = command.default_permissions
        else:
            line = f"`/{command.name}`: {command.description}"
            needs = command.default_permissions
        (admins if needs is not None and needs.value else members).append(line)
    return members, admins


class Help(commands.Cog):
    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What this bot does and how to use it.")
    async def help(self, interaction: discord.Interaction) -> None:
        members, admins = command_lines(self.bot.tree)
        embed = discord.Embed(
            title="Interview practice",
            colour=render.BRAND_COLOUR,
            description=(
                "Ask for a question with **/question**, answer in its thread (a message, or **/answer** for "
                "a long one), then press **Coach me** for private feedback and **Review** to score others."
            ),
        )
        embed.add_field(name="Commands", value=render.bullet_lines(members), inline=False)
        if admins:
            embed.add_field(name="For admins and moderators", value=render.bullet_lines(admins), inline=False)
        await interaction.response.send_message(embed=render.fit(embed), ephemeral=True)


async def setup(bot: InterviewBot) -> None:
    await bot.add_cog(Help(bot))
