"""`/question` and `/prep`: asking a question on command and showing the pack overview."""

from __future__ import annotations

import logging
import math
import random
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import render
from bot.cogs.choices import category_choices, resolve_category
from bot.domain.cooldown import Cooldown
from bot.domain.errors import UserFacingError
from bot.domain.model import Question
from bot.domain.rotation import choose_for_member

if TYPE_CHECKING:
    from bot.client import InterviewBot

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: members come back to a question over several days
# Starting a thread from the question needs View Channel and Read Message History besides the obvious.
POSTING_PERMISSIONS = (
    "view_channel",
    "read_message_history",
    "create_public_threads",
    "send_messages_in_threads",
    "embed_links",
)
PRIVATE_PERMISSIONS = ("view_channel", "create_private_threads", "send_messages_in_threads", "embed_links")


def missing_permissions(permissions: discord.Permissions, needed: tuple[str, ...]) -> list[str]:
    return [name.replace("_", " ").title() for name in needed if not getattr(permissions, name)]


class Questions(commands.Cog):
    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot
        self.cooldown = Cooldown(timedelta(seconds=bot.settings.question_cooldown_seconds))
        self.rng = random.Random()

    @app_commands.command(
        name="question", description="Post an interview question with a thread to answer in."
    )
    @app_commands.describe(
        category="Only pick from this category (e.g. Behavioural, Technical).",
        question="A specific question: start typing to search.",
    )
    @app_commands.guild_only()
    async def question(
        self,
        interaction: discord.Interaction,
        category: str | None = None,
        question: str | None = None,
    ) -> None:
        key, channel = self._ready_to_post(interaction, POSTING_PERMISSIONS)
        chosen = await self._choose_or_release(key, category, question)
        pack = self.bot.pack_of(chosen)
        await interaction.response.send_message(embed=render.question_embed(chosen, pack))
        message = await interaction.original_response()
        thread = await message.create_thread(
            name=render.thread_name(chosen), auto_archive_duration=THREAD_ARCHIVE_MINUTES
        )
        await self.bot.db.posts.create(
            guild_id=key[0],
            channel_id=channel.id,
            message_id=message.id,
            thread_id=thread.id,
            question_id=chosen.id,
            source="command",
            posted_by=interaction.user.id,
            posted_at=self.bot.now(),
        )
        await thread.send(render.thread_intro(chosen))

    @app_commands.command(
        name="practice", description="Practise a question in a private thread only you can see."
    )
    @app_commands.describe(
        category="Only pick from this category (e.g. Behavioural, Technical).",
        question="A specific question: start typing to search.",
    )
    @app_commands.guild_only()
    async def practice(
        self,
        interaction: discord.Interaction,
        category: str | None = None,
        question: str | None = None,
    ) -> None:
        key, channel = self._ready_to_post(interaction, PRIVATE_PERMISSIONS)
        chosen = await self._choose_or_release(key, category, question)
        await interaction.response.defer(ephemeral=True, thinking=True)
        thread = await channel.create_thread(
            name=render.thread_name(chosen),
            type=discord.ChannelType.private_thread,
            invitable=False,
            auto_archive_duration=THREAD_ARCHIVE_MINUTES,
        )
        message = await thread.send(
            render.thread_intro(chosen), embed=render.question_embed(chosen, self.bot.pack_of(chosen))
        )
        # Recorded before the member is added, so their first answer always finds the post.
        await self.bot.db.posts.create(
            guild_id=key[0],
            channel_id=channel.id,
            message_id=message.id,
            thread_id=thread.id,
            question_id=chosen.id,
            source="practice",
            posted_by=interaction.user.id,
            is_private=True,
            posted_at=self.bot.now(),
        )
        await thread.add_user(interaction.user)
        await interaction.followup.send(
            f"Your private practice thread is ready: {thread.mention}. Only you (and moderators) can see it; "
            "answers there count towards your progress but are never offered for peer review.",
            ephemeral=True,
        )

    def _ready_to_post(
        self, interaction: discord.Interaction, needed: tuple[str, ...]
    ) -> tuple[tuple[int, int], discord.TextChannel]:
        """Refuse early (cooldown, channel type, permissions) before anything is posted."""
        assert interaction.guild_id is not None
        key = (interaction.guild_id, interaction.user.id)
        wait = self.cooldown.retry_after(key, self.bot.now())
        if wait is not None:
            raise UserFacingError(
                f"Easy there: you can ask for another question in {math.ceil(wait)} s, "
                "so the channel isn't flooded. Meanwhile, answer the last one!"
            )
        channel = interaction.channel
        if not isinstance(channel, discord.TextChannel):
            raise UserFacingError(
                "Use this in a regular text channel: I open a thread on the question there."
            )
        missing = missing_permissions(interaction.app_permissions, needed)
        if missing:
            raise UserFacingError(
                f"I can't post questions here: I'm missing {', '.join(missing)} in {channel.mention}. "
                "Ask an admin to grant it."
            )
        # Claimed here, before any await, so a double click cannot post twice; released by
        # _choose_or_release if the request then turns out to be invalid.
        self.cooldown.record(key, self.bot.now())
        return key, channel

    async def _choose_or_release(
        self, key: tuple[int, int], category: str | None, question: str | None
    ) -> Question:
        try:
            return await self._choose(key[0], key[1], category, question)
        except BaseException:
            self.cooldown.forget(key)
            raise

    async def _choose(
        self, guild_id: int, member_id: int, category: str | None, wanted: str | None
    ) -> Question:
        library = self.bot.library
        if wanted:
            found = library.find(wanted)
            if found is None:
                hints = ", ".join(f"`{qid}`" for qid in library.closest_ids(wanted[:200]))
                raise UserFacingError(
                    "I don't know that question. Start typing and pick one from the list"
                    + (f" (closest: {hints})." if hints else ".")
                )
            return found
        wanted_category = resolve_category(library, category)
        candidates = [q for q in library.all_questions if wanted_category in (None, q.category)]
        answered = await self.bot.db.answers.last_answered(guild_id, member_id)
        chosen_id = choose_for_member([q.id for q in candidates], answered, self.rng)
        question = library.question(chosen_id)
        assert question is not None
        return question

    @practice.autocomplete("category")
    @question.autocomplete("category")
    async def category_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return category_choices(self.bot.library, current)

    @practice.autocomplete("question")
    @question.autocomplete("question")
    async def question_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        category = getattr(interaction.namespace, "category", None)
        needle = current.casefold().strip()
        scored: list[tuple[int, int, Question]] = []
        for index, q in enumerate(self.bot.library.all_questions):
            if category and q.category.casefold() != str(category).casefold():
                continue
            haystack = f"{q.id} {q.text}".casefold()
            if needle and needle not in haystack:
                continue
            rank = 0 if not needle or q.text.casefold().startswith(needle) or q.id.startswith(needle) else 1
            scored.append((rank, index, q))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [app_commands.Choice(name=render.clip(q.text, 100), value=q.id) for _, _, q in scored[:25]]

    @app_commands.command(
        name="prep", description="The interview overview: stages, formats, what is screened for."
    )
    async def prep(self, interaction: discord.Interaction) -> None:
        embeds: list[discord.Embed] = []
        total = 0
        for pack in self.bot.library.packs[:10]:
            embed = render.prep_embed(pack)
            if embeds and total + len(embed) > render.EMBED_TOTAL_LIMIT:
                break  # Discord's 6,000-character limit covers all embeds of one message together
            embeds.append(embed)
            total += len(embed)
        await interaction.response.send_message(embeds=embeds, ephemeral=True)


async def setup(bot: InterviewBot) -> None:
    await bot.add_cog(Questions(bot))
