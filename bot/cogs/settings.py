"""`/settings`: per-server options, changed by members with Manage Server.

Discord hides the command from others through `default_permissions`, but server admins can
override that in Integrations settings, so the permission is checked again at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import render
from bot.domain.errors import UserFacingError

if TYPE_CHECKING:
    from bot.client import InterviewBot
    from bot.storage.records import GuildSettings


def settings_embed(settings: GuildSettings | None, *, changed: bool) -> discord.Embed:
    anonymous = settings is not None and settings.anonymous_reviews
    pack = settings.pack_id if settings is not None and settings.pack_id else "all loaded packs"
    embed = discord.Embed(
        title="Server settings updated" if changed else "Server settings", colour=render.BRAND_COLOUR
    )
    embed.add_field(
        name="Anonymous reviews",
        value=(
            "On: reviews are signed \u201canonymous reviewer\u201d (moderators can still act on them)."
            if anonymous
            else "Off: reviews are signed with the reviewer's name."
        ),
        inline=False,
    )
    embed.add_field(name="Content pack", value=pack, inline=False)
    embed.set_footer(text="Change with /settings anonymous_reviews:<true|false> (Manage Server).")
    return embed


class SettingsCog(commands.Cog, name="Settings"):
    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot

    @app_commands.command(name="settings", description="Show or change this server's interview-bot settings.")
    @app_commands.describe(anonymous_reviews="Sign peer reviews as 'anonymous reviewer' instead of by name.")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def settings(self, interaction: discord.Interaction, anonymous_reviews: bool | None = None) -> None:
        assert interaction.guild_id is not None
        if not interaction.permissions.manage_guild:
            raise UserFacingError("Changing or viewing server settings needs the Manage Server permission.")
        if anonymous_reviews is None:
            current = await self.bot.db.guilds.get(interaction.guild_id)
            await interaction.response.send_message(
                embed=settings_embed(current, changed=False), ephemeral=True
            )
            return
        updated = await self.bot.db.guilds.set_anonymous_reviews(
            interaction.guild_id, anonymous_reviews, self.bot.now()
        )
        await interaction.response.send_message(embed=settings_embed(updated, changed=True), ephemeral=True)


async def setup(bot: InterviewBot) -> None:
    await bot.add_cog(SettingsCog(bot))
