"""`/mydata`: members export or delete what the bot stores about them.

Export returns a JSON file only the member sees. Deletion asks for confirmation with a button that
only the member can press, then removes their answers, coaching and progress in this server (reviews
they wrote keep their scores, unsigned, so other members' averages do not shift).
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.choices import zone_choices
from bot.cogs.errors import handle_interaction_error
from bot.domain.errors import UserFacingError
from bot.domain.schedule import parse_timezone

if TYPE_CHECKING:
    from bot.client import InterviewBot


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class ConfirmDeletion(discord.ui.View):
    def __init__(self, bot: InterviewBot, member_id: int, guild_id: int, origin: discord.Interaction) -> None:
        super().__init__(timeout=120)
        self.bot = bot
        self.member_id = member_id
        self.guild_id = guild_id
        self.origin = origin

    async def on_timeout(self) -> None:
        """Take the buttons away, so a late press is not met with "This interaction failed"."""
        with contextlib.suppress(discord.HTTPException):
            await self.origin.edit_original_response(content="Timed out: nothing was deleted.", view=None)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.member_id:
            await interaction.response.send_message(
                "Only the member who asked can confirm this.", ephemeral=True
            )
            return False
        return True

    @discord.ui.button(label="Delete my data", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        report = await self.bot.db.members.delete_member_data(self.member_id, self.guild_id)
        self.stop()
        await interaction.response.edit_message(
            content=(
                f"Done. Deleted {plural(report.answers_deleted, 'answer')} with their coaching; "
                f"{plural(report.reviews_anonymised, 'review')} you wrote kept without your name. "
                "Messages you posted in threads are yours to delete in Discord."
            ),
            view=None,
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content="Cancelled: nothing was deleted.", view=None)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await handle_interaction_error(interaction, error)


class Privacy(commands.Cog):
    mydata = app_commands.Group(
        name="mydata", description="Your data: time zone, leaderboard, export, deletion.", guild_only=True
    )

    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot

    @mydata.command(name="export", description="Get everything the bot stores about you as a JSON file.")
    async def export(self, interaction: discord.Interaction) -> None:
        data = await self.bot.db.members.export_member_data(interaction.user.id)
        payload = json.dumps(data, indent=2, ensure_ascii=False, default=str).encode("utf-8")
        file = discord.File(io.BytesIO(payload), filename=f"interview-bot-{interaction.user.id}.json")
        await interaction.response.send_message(
            "Here is everything I store about you (only you can see this).", file=file, ephemeral=True
        )

    @mydata.command(name="timezone", description="Your time zone, so streaks count your own days.")
    @app_commands.describe(zone="An IANA time zone such as Europe/London; start typing to search.")
    async def timezone(self, interaction: discord.Interaction, zone: str) -> None:
        assert interaction.guild_id is not None
        try:
            parsed = parse_timezone(zone)
        except ValueError as error:
            raise UserFacingError(str(error)) from None
        await self.bot.db.members.set_timezone(
            interaction.guild_id, interaction.user.id, parsed.key, self.bot.now()
        )
        await interaction.response.send_message(
            f"Saved: your streaks now count days in **{parsed.key}**.", ephemeral=True
        )

    @timezone.autocomplete("zone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return zone_choices(current)

    @mydata.command(name="leaderboard", description="Show or hide yourself on /leaderboard.")
    @app_commands.describe(visible="False hides you from every leaderboard in this server.")
    async def leaderboard(self, interaction: discord.Interaction, visible: bool) -> None:
        assert interaction.guild_id is not None
        await self.bot.db.members.set_leaderboard_opt_out(
            interaction.guild_id, interaction.user.id, not visible, self.bot.now()
        )
        text = (
            "You appear on /leaderboard again." if visible else "Done: you no longer appear on /leaderboard."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @mydata.command(name="delete", description="Delete your answers, coaching and progress in this server.")
    async def delete(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        view = ConfirmDeletion(self.bot, interaction.user.id, interaction.guild_id, interaction)
        await interaction.response.send_message(
            "This permanently deletes your answers, coaching results and progress in this server. Sure?",
            view=view,
            ephemeral=True,
        )


async def setup(bot: InterviewBot) -> None:
    await bot.add_cog(Privacy(bot))
