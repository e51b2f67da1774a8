"""One error path for every interaction.

Domain errors carry a message safe to show: it goes back ephemerally to whoever caused it. Known
discord.py check failures get a plain-language reply. Anything else is logged with its traceback
and context, and the member gets a short apology rather than "The application did not respond".
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.health import record_interaction
from bot.domain.errors import UserFacingError

if TYPE_CHECKING:
    from bot.client import InterviewBot

log = logging.getLogger(__name__)

UNKNOWN_INTERACTION = 10062
THREAD_ARCHIVED = 50083  # "Thread is archived": locked by a moderator, and I can't reopen it
MESSAGE_LIMIT = 2000
APOLOGY = "Sorry, something went wrong on my side. It has been logged; please try again in a moment."


async def reply_ephemeral(interaction: discord.Interaction, message: str) -> None:
    """Answer the interaction ephemerally, whether or not it was already responded to or deferred.

    Messages can echo member input, so they are clipped to Discord's 2,000 characters here, once,
    rather than at every place that builds one.
    """
    message = message if len(message) <= MESSAGE_LIMIT else message[: MESSAGE_LIMIT - 1] + "…"
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("Could not deliver an error message for interaction %s", interaction.id, exc_info=True)


def describe_error(error: BaseException) -> str | None:
    """The text to show for an expected error, or None for an unexpected one."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        error = error.__cause__ or error
    if isinstance(error, UserFacingError):
        return error.message
    if isinstance(error, app_commands.CommandOnCooldown):
        wait = math.ceil(error.retry_after)
        return f"Easy there: you can ask for another question in {wait} s, so the channel isn't flooded."
    if isinstance(error, app_commands.MissingPermissions):
        missing = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {missing} permission to use this command."
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"I'm missing the {missing} permission in this channel. Ask an admin to grant it."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    if isinstance(error, discord.Forbidden):
        return (
            "Discord refused that: I'm missing a permission in this channel. Ask an admin to check my role."
        )
    if isinstance(error, discord.HTTPException) and error.code == THREAD_ARCHIVED:
        return "This thread is locked, so I can't post in it. A moderator can reopen it."
    if isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION:
        return None  # the 3-second window was missed: an operator must see this, not the member
    if isinstance(error, discord.NotFound):
        return "That channel, thread or message no longer exists."
    return None


async def handle_interaction_error(interaction: discord.Interaction, error: BaseException) -> None:
    message = describe_error(error)
    record_interaction(interaction, "refused" if message is not None else "error")
    if message is None:
        command = interaction.command.qualified_name if interaction.command else interaction.data
        log.error(
            "Unhandled error in interaction %s (command %s, guild %s, user %s)",
            interaction.id,
            command,
            interaction.guild_id,
            interaction.user.id,
            exc_info=error,
        )
        message = APOLOGY
    await reply_ephemeral(interaction, message)


class ErrorHandler(commands.Cog):
    """Installs the tree-wide error handler for the bot's lifetime."""

    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot
        self._previous = bot.tree.on_error

    async def cog_load(self) -> None:
        async def on_tree_error(
            interaction: discord.Interaction, error: app_commands.AppCommandError
        ) -> None:
            await handle_interaction_error(interaction, error)

        self.bot.tree.on_error = on_tree_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous  # type: ignore[method-assign]


async def setup(bot: InterviewBot) -> None:
    await bot.add_cog(ErrorHandler(bot))
