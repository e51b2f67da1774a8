"""Peer review of answers: Review button, "Review answer" / "Remove review" context menus, /review.

Flow: Review (button or context menu) -> ephemeral checklist (rubric, prep pointers, red flags)
-> Score it -> modal -> the review is posted in the thread as a reply to the answer, mentioning
only the author. Reviewing again edits that reply. The database always records the reviewer (for
moderation); with anonymity on, nothing the bot sends names them. Answers in private threads
(/practice, /mock) are never reviewable: their cards have no Review button and every entry point
refuses them, because a moderator can still read those threads.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import render
from bot.cogs.answers import CARD_ITEM_FACTORIES
from bot.cogs.review_render import (
    REMOVED_TEXT,
    Signature,
    checklist_embed,
    queue_embed,
    review_content,
    review_embed,
)
from bot.cogs.review_views import ReviewButton, ReviewModal, ScoreButton, score_view
from bot.domain.errors import UserFacingError
from bot.domain.model import Pack, Question, RubricDimension
from bot.domain.review_rules import (
    ReviewInput,
    parse_review,
    review_dimensions,
    reviewability_problem,
)

if TYPE_CHECKING:
    from bot.client import InterviewBot
    from bot.storage.records import Answer, Review

log = logging.getLogger(__name__)

QUEUE_LIMIT = 10
CARD_CUSTOM_ID = re.compile(r"^(?:coach|review):([0-9]{1,19})$")


def card_answer_id(message: discord.Message) -> int | None:
    """The answer id an answer card (or modal-answer post) carries in its buttons' custom ids."""
    for row in message.components:
        for child in getattr(row, "children", ()):
            match = CARD_CUSTOM_ID.match(getattr(child, "custom_id", None) or "")
            if match:
                return int(match[1])
    return None


class Reviews(commands.Cog):
    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot
        self.review_menu = app_commands.ContextMenu(name="Review answer", callback=self.review_message)
        self.review_menu.guild_only = True
        self.remove_menu = app_commands.ContextMenu(name="Remove review", callback=self.remove_review)
        self.remove_menu.guild_only = True
        self.remove_menu.default_permissions = discord.Permissions(manage_messages=True)
        # One lock per (answer, reviewer): two modals submitted together must not both see "no
        # earlier review" and each post a reply. Weak values: a lock lives only while in use.
        self._submit_locks: weakref.WeakValueDictionary[tuple[int, int], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ReviewButton, ScoreButton)
        if ReviewButton not in CARD_ITEM_FACTORIES:
            CARD_ITEM_FACTORIES.append(ReviewButton)
        self.bot.tree.add_command(self.review_menu)
        self.bot.tree.add_command(self.remove_menu)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ReviewButton, ScoreButton)
        if ReviewButton in CARD_ITEM_FACTORIES:
            CARD_ITEM_FACTORIES.remove(ReviewButton)
        self.bot.tree.remove_command(self.review_menu.name, type=self.review_menu.type)
        self.bot.tree.remove_command(self.remove_menu.name, type=self.remove_menu.type)

    # -- loading and checks ------------------------------------------------------------------------

    async def _reviewable(
        self, interaction: discord.Interaction, answer_id: int
    ) -> tuple[Answer, Question, Pack]:
        answer = await self.bot.db.answers.get(answer_id)
        if answer is None or answer.guild_id != interaction.guild_id:
            raise UserFacingError("I can't find that answer any more, so it can't be reviewed.")
        problem = reviewability_problem(
            author_id=answer.member_id,
            reviewer_id=interaction.user.id,
            answer_deleted=answer.deleted_at is not None,
        )
        if problem:
            raise UserFacingError(problem)
        post = None if answer.post_id is None else await self.bot.db.posts.get(answer.post_id)
        if post is not None and post.is_private:
            raise UserFacingError(
                "That answer was given in a private thread (practice or mock interview), "
                "and private answers are never open for peer review."
            )
        question = self.bot.library.question(answer.question_id)
        if question is None:
            raise UserFacingError("That question is no longer in the content pack, so it can't be reviewed.")
        return answer, question, self.bot.pack_of(question)

    def _submit_lock(self, answer_id: int, reviewer_id: int) -> asyncio.Lock:
        key = (answer_id, reviewer_id)
        lock = self._submit_locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._submit_locks[key] = lock
        return lock

    async def _live_review(self, answer_id: int, reviewer_id: int) -> Review | None:
        review = await self.bot.db.reviews.get_for(answer_id, reviewer_id)
        return None if review is None or review.is_removed else review

    # -- checklist and modal -----------------------------------------------------------------------

    async def show_checklist(self, interaction: discord.Interaction, answer_id: int) -> None:
        """Ephemeral rubric + prep pointers + red flags, so reviewers judge against one checklist."""
        answer, question, pack = await self._reviewable(interaction, answer_id)
        previous = await self._live_review(answer.id, interaction.user.id)
        embed = checklist_embed(
            question, pack, review_dimensions(pack, question), answer, already_reviewed=previous is not None
        )
        await interaction.response.send_message(embed=embed, view=score_view(answer.id), ephemeral=True)

    async def open_modal(self, interaction: discord.Interaction, answer_id: int) -> None:
        answer, question, pack = await self._reviewable(interaction, answer_id)
        previous = await self._live_review(answer.id, interaction.user.id)
        modal = ReviewModal(
            self,
            answer.id,
            review_dimensions(pack, question),
            previous_scores=previous.scores if previous else None,
            previous_comment=previous.comment if previous else None,
        )
        await interaction.response.send_modal(modal)

    # -- submission --------------------------------------------------------------------------------

    async def submit_review(
        self,
        interaction: discord.Interaction,
        answer_id: int,
        dimensions: Sequence[RubricDimension],
        raw_scores: Mapping[str, str | None],
        raw_comment: str,
    ) -> None:
        try:
            answer, _question, _pack = await self._reviewable(interaction, answer_id)
            review_input = parse_review(dimensions, raw_scores, raw_comment)
        except UserFacingError as error:
            raise UserFacingError(_with_comment(error.message, raw_comment)) from error
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        settings = await self.bot.db.guilds.get(interaction.guild_id)
        anonymous = settings is not None and settings.anonymous_reviews
        signature = (
            Signature()
            if anonymous
            else Signature(name=interaction.user.display_name, icon_url=interaction.user.display_avatar.url)
        )
        async with self._submit_lock(answer.id, interaction.user.id):
            # Read, publish and save as one step: a concurrent submission waits, then edits this reply.
            previous, message_id = await self._publish_and_save(
                interaction, answer, dimensions, review_input, signature, anonymous, raw_comment
            )
        verb = "updated" if previous is not None else "posted"
        how = " anonymously" if anonymous else ""
        url = _message_url(answer, message_id)
        await interaction.followup.send(f"Your review is {verb}{how}: {url}", ephemeral=True)

    async def _publish_and_save(
        self,
        interaction: discord.Interaction,
        answer: Answer,
        dimensions: Sequence[RubricDimension],
        review_input: ReviewInput,
        signature: Signature,
        anonymous: bool,
        raw_comment: str,
    ) -> tuple[Review | None, int]:
        """Post (or edit) the reply, then store it; returns the earlier review and the message id."""
        assert interaction.guild_id is not None
        previous = await self._live_review(answer.id, interaction.user.id)
        embed = review_embed(
            dimensions, review_input.scores, review_input.comment, signature, edited=previous is not None
        )
        try:
            message_id = await self._publish(answer, embed, previous)
        except discord.HTTPException as error:
            log.warning("Could not post review of answer %s: %s", answer.id, error)
            if isinstance(error, discord.NotFound) or _unknown_reference(error):
                await self._forget_deleted(answer)
                reason = "That answer was deleted, so it can't be reviewed any more."
            else:
                reason = (
                    "I couldn't post your review in the thread (it may be locked, or I lack a permission)."
                )
            raise UserFacingError(_with_comment(f"{reason} Nothing was saved.", raw_comment)) from error
        review, _created = await self.bot.db.reviews.upsert(
            answer.id,
            interaction.user.id,
            interaction.guild_id,
            review_input.scores,
            review_input.comment,
            anonymous,
            self.bot.now(),
        )
        await self.bot.db.reviews.set_message(review.id, message_id)
        return previous, message_id

    async def _publish(self, answer: Answer, embed: discord.Embed, previous: Review | None) -> int:
        """Edit the reviewer's earlier reply when it still exists, else reply to the answer."""
        channel_id = answer.jump_channel_id
        if channel_id is None or answer.message_id is None:
            raise UserFacingError("That answer has no message in a thread, so a review can't be posted.")
        channel = self.bot.get_partial_messageable(channel_id, guild_id=answer.guild_id)
        content = review_content(answer.member_id)
        mentions = discord.AllowedMentions(
            everyone=False, roles=False, users=[discord.Object(id=answer.member_id)], replied_user=False
        )
        if previous is not None and previous.message_id is not None:
            try:
                edited = await channel.get_partial_message(previous.message_id).edit(
                    content=content, embed=embed, allowed_mentions=mentions
                )
                return edited.id
            except discord.NotFound:
                log.info("Review message %s is gone; posting a new one", previous.message_id)
        reference = discord.MessageReference(
            message_id=answer.message_id,
            channel_id=channel_id,
            guild_id=answer.guild_id,
            fail_if_not_exists=True,
        )
        posted = await channel.send(content, embed=embed, reference=reference, allowed_mentions=mentions)
        return posted.id

    async def _forget_deleted(self, answer: Answer) -> None:
        if answer.message_id is not None:
            await self.bot.db.answers.mark_deleted(answer.message_id, self.bot.now())

    # -- context menus -----------------------------------------------------------------------------

    async def review_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """ "Review answer" on a member's answer, on its answer card, or on a modal-answer post."""
        answer = await self.bot.db.answers.by_message(message.id)
        if answer is None and self.bot.user is not None and message.author.id == self.bot.user.id:
            card_id = card_answer_id(message)
            answer = await self.bot.db.answers.get(card_id) if card_id is not None else None
        if answer is None:
            raise UserFacingError(
                "That message isn't an answer I recorded. Use this on an answer in a question thread, "
                "or use /review to find answers to review."
            )
        await self.show_checklist(interaction, answer.id)

    async def remove_review(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Moderator removal: the review leaves every average, its message says it was removed."""
        if not interaction.permissions.manage_messages:
            raise UserFacingError("Removing a review needs the Manage Messages permission.")
        review = await self.bot.db.reviews.get_by_message(message.id)
        if review is None:
            raise UserFacingError("That message isn't a peer review, so there is nothing to remove.")
        if review.is_removed:
            raise UserFacingError("That review was already removed.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.db.reviews.remove(review.id, interaction.user.id, self.bot.now())
        try:
            await message.edit(
                content=REMOVED_TEXT, embeds=[], allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException as error:
            log.info("Could not edit removed review message %s: %s", message.id, error)
        await interaction.followup.send(
            "Review removed: it no longer counts towards any average.", ephemeral=True
        )

    # -- /review -----------------------------------------------------------------------------------

    @app_commands.command(name="review", description="Answers in this server waiting for your review.")
    @app_commands.guild_only()
    async def review(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        entries = await self.bot.db.reviews.queue(interaction.guild_id, interaction.user.id, QUEUE_LIMIT)
        if not entries:
            await interaction.response.send_message(
                "Nothing waiting for your review right now: you've reviewed every answer by others here "
                "(or nobody has answered yet). Try /question to start a new thread.",
                ephemeral=True,
            )
            return
        embed = queue_embed(entries, self.bot.library, interaction.guild_id)
        await interaction.response.send_message(embed=embed, ephemeral=True)


def _with_comment(message: str, comment: str) -> str:
    """Append the reviewer's comment so a refused submission does not lose their text."""
    if not comment.strip():
        return message
    return f"{message}\nYour comment, to copy:\n{render.code_block(comment, 1500)}"


def _unknown_reference(error: discord.HTTPException) -> bool:
    return error.code == 50035 and "message_reference" in str(error.text)


def _message_url(answer: Answer, message_id: int) -> str:
    return f"https://discord.com/channels/{answer.guild_id}/{answer.jump_channel_id}/{message_id}"


async def setup(bot: InterviewBot) -> None:
    await bot.add_cog(Reviews(bot))
