"""Answers in question threads: plain messages, the `/answer` modal, edits, deletes, and "Coach me".

Every answer becomes a row in SQLite and is coached off the event loop. The member gets an answer
card (a reply for message answers, the posted embed itself for modal answers) whose buttons keep
working after a restart because they are `DynamicItem`s carrying the answer id.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import render
from bot.cogs.errors import THREAD_ARCHIVED, handle_interaction_error
from bot.domain.coaching import coach
from bot.domain.coaching_types import CoachingReport
from bot.domain.errors import UserFacingError
from bot.domain.model import Question

if TYPE_CHECKING:
    from bot.client import InterviewBot
    from bot.storage.records import Answer, AnswerSource, QuestionPost

log = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 4000
MIN_MESSAGE_ANSWER_CHARS = 20
ANSWER_REACTION = "\N{MEMO}"


def answer_card_view(answer_id: int, *, reviewable: bool = True) -> discord.ui.View:
    """Buttons under every answer: Coach me always; items for others (Review) only when public.

    Private answers (/practice, /mock threads) are never offered for peer review, so their cards
    get ``reviewable=False`` and carry only Coach me.
    """
    view = discord.ui.View(timeout=None)
    view.add_item(CoachButton(answer_id))
    if reviewable:
        for factory in CARD_ITEM_FACTORIES:
            view.add_item(factory(answer_id))
    return view


# Other cogs append callables building more persistent buttons for a public answer's card
# (e.g. "Review"); private answers' cards leave them out.
CARD_ITEM_FACTORIES: list[Any] = []


def validate_answer_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise UserFacingError("Your answer is empty. Write it out and submit again; nothing was saved.")
    if len(text) > MAX_ANSWER_CHARS:
        raise UserFacingError(
            f"Your answer is {len(text):,} characters; the limit is {MAX_ANSWER_CHARS:,}. "
            "Trim it and submit again; nothing was saved."
        )
    return text


class CoachButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"coach:(?P<answer_id>[0-9]{1,19})"
):
    def __init__(self, answer_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Coach me",
                style=discord.ButtonStyle.primary,
                emoji="\N{SPEECH BALLOON}",
                custom_id=f"coach:{answer_id}",
            )
        )
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CoachButton:
        return cls(int(match["answer_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self._coach(interaction)
        except Exception as error:  # one error path, as for commands
            await handle_interaction_error(interaction, error)

    async def _coach(self, interaction: discord.Interaction) -> None:
        bot = cast("InterviewBot", interaction.client)
        answer = await bot.db.answers.get(self.answer_id)
        if answer is None or answer.deleted_at is not None:
            raise UserFacingError("That answer was deleted, so there is nothing to coach.")
        if answer.member_id != interaction.user.id:
            raise UserFacingError(
                "Coaching is private to the answer's author. Post your own answer in this thread "
                "and press Coach me on it to get yours."
            )
        question = bot.library.question(answer.question_id)
        if question is None:
            raise UserFacingError("That question is no longer in the content pack, so I can't coach it.")
        # Coaching runs in a worker thread; acknowledge first so a busy pool can never miss Discord's 3 s.
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await coach_off_loop(question, bot, answer.text)
        embed = render.coaching_embed(report, question, bot.pack_of(question))
        await interaction.followup.send(embed=embed, ephemeral=True)


async def coach_off_loop(question: Question, bot: InterviewBot, text: str) -> CoachingReport:
    """Coaching is CPU work: keep the event loop (heartbeats, other interactions) free."""
    pack = bot.pack_of(question)
    with bot.metrics.coaching_seconds.time():
        return await asyncio.to_thread(coach, question, pack, text)


class AnswerModal(discord.ui.Modal):
    def __init__(self, cog: Answers, post: QuestionPost, question: Question) -> None:
        super().__init__(title="Your answer", timeout=30 * 60)
        self.cog = cog
        self.post = post
        self.question = question
        self.text: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            custom_id="answer",
            placeholder=render.clip(question.text, 100),
            max_length=MAX_ANSWER_CHARS,
            required=True,
        )
        self.add_item(discord.ui.Label(text="Answer", component=self.text))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.cog.submit_modal_answer(interaction, self.post, self.question, self.text.value)

    async def on_error(  # type: ignore[override]  # Modal.on_error has no item argument
        self, interaction: discord.Interaction, error: Exception, /
    ) -> None:
        await handle_interaction_error(interaction, error)


class Answers(commands.Cog):
    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(CoachButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(CoachButton)

    async def record_and_coach(
        self,
        *,
        post: QuestionPost,
        question: Question,
        member_id: int,
        text: str,
        message_id: int | None,
        source: AnswerSource,
    ) -> tuple[Answer, CoachingReport]:
        answer = await self.bot.db.answers.record(
            guild_id=post.guild_id,
            post_id=post.id,
            question_id=question.id,
            category=question.category,
            channel_id=post.channel_id,
            thread_id=post.thread_id,
            message_id=message_id,
            member_id=member_id,
            text=text,
            source=source,
            created_at=self.bot.now(),
        )
        self.bot.metrics.answers.labels(source).inc()
        report = await coach_off_loop(question, self.bot, text)
        await self.bot.db.coaching.save_report(answer.id, report, self.bot.now())
        return answer, report

    async def _post_for_thread(self, channel: object) -> tuple[QuestionPost, Question] | None:
        if not isinstance(channel, discord.Thread):
            return None
        post = await self.bot.db.posts.by_thread(channel.id)
        if post is None:  # a /mock thread: answers belong to the question the session asked last
            post_id = await self.bot.db.mock_sessions.current_post_id(channel.id)
            post = None if post_id is None else await self.bot.db.posts.get(post_id)
        if post is None:
            return None
        question = self.bot.library.question(post.question_id)
        if question is None:
            return None
        return post, question

    # -- message answers -------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None or message.guild is None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        found = await self._post_for_thread(message.channel)
        if found is None:
            return
        post, question = found
        text = message.content.strip()
        if not text:
            if message.attachments:
                await self._safe_reply(
                    message,
                    "I can only read answers written as text. Type your answer here, or use /answer "
                    "for a long one.",
                )
            return
        if len(text) < MIN_MESSAGE_ANSWER_CHARS or self._is_reply_to_someone_else(message):
            return  # short chatter and replies to others are discussion, not answers
        try:
            answer, _report = await self.record_and_coach(
                post=post,
                question=question,
                member_id=message.author.id,
                text=text[:MAX_ANSWER_CHARS],
                message_id=message.id,
                source="message",
            )
        except Exception:
            log.exception("Could not record answer %s in thread %s", message.id, message.channel.id)
            await self._safe_reply(
                message,
                "Sorry, I couldn't record this answer (an error on my side, now logged). Your text is "
                "still here: please post it again in a minute.",
            )
            return
        await self._react(message)
        await self._safe_reply(
            message,
            render.answer_card_text(message.author, reviewable=not post.is_private),
            view=answer_card_view(answer.id, reviewable=not post.is_private),
        )
        self.bot.dispatch("answer_recorded", answer, post)  # e.g. a /mock session moves on

    def _is_reply_to_someone_else(self, message: discord.Message) -> bool:
        ref = message.reference
        if ref is None or ref.message_id is None:
            return False
        resolved = ref.resolved
        if isinstance(resolved, discord.Message):
            return resolved.author.id not in (message.author.id, self.bot.user.id if self.bot.user else 0)
        return False

    async def _react(self, message: discord.Message) -> None:
        try:
            await message.add_reaction(ANSWER_REACTION)
        except discord.HTTPException as error:
            log.info("Could not react to answer %s: %s", message.id, error)

    async def _safe_reply(self, message: discord.Message, content: str, **kwargs: Any) -> None:
        try:
            await message.reply(content, mention_author=False, **kwargs)
        except discord.HTTPException as error:
            log.warning("Could not reply in thread %s: %s", message.channel.id, error)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        content = payload.data.get("content")
        if content is None:
            return
        answer = await self.bot.db.answers.by_message(payload.message_id)
        if answer is None or answer.deleted_at is not None or answer.source != "message":
            return
        text = content.strip()[:MAX_ANSWER_CHARS]
        if not text or text == answer.text:
            return
        updated = await self.bot.db.answers.update_text(payload.message_id, text, self.bot.now())
        question = self.bot.library.question(answer.question_id)
        if updated is None or question is None:
            return
        report = await coach_off_loop(question, self.bot, text)
        current = await self.bot.db.answers.get(updated.id)
        if current is None or current.text != text:
            return  # a newer edit arrived while this one was being coached; its coaching wins
        await self.bot.db.coaching.save_report(updated.id, report, self.bot.now())

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self.bot.db.answers.mark_deleted(payload.message_id, self.bot.now())

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        for message_id in payload.message_ids:
            await self.bot.db.answers.mark_deleted(message_id, self.bot.now())

    # -- /answer -----------------------------------------------------------------------------------

    @app_commands.command(
        name="answer", description="Answer this thread's question in a form (long answers)."
    )
    @app_commands.guild_only()
    async def answer(self, interaction: discord.Interaction) -> None:
        found = await self._post_for_thread(interaction.channel)
        if found is None:
            raise UserFacingError(
                "Use /answer inside a question's thread. Start one with /question, then answer in its thread."
            )
        post, question = found
        await interaction.response.send_modal(AnswerModal(self, post, question))

    async def submit_modal_answer(
        self, interaction: discord.Interaction, post: QuestionPost, question: Question, raw: str
    ) -> None:
        text = validate_answer_text(raw)
        await interaction.response.defer(ephemeral=True, thinking=True)
        thread = interaction.channel
        if not isinstance(thread, discord.Thread):
            raise UserFacingError("This thread is gone, so I couldn't post your answer. Nothing was saved.")
        embed = discord.Embed(description=text, colour=render.BRAND_COLOUR)
        embed.set_author(name=interaction.user.display_name, icon_url=interaction.user.display_avatar.url)
        embed.set_footer(text="Answered with /answer")
        posted: discord.Message | None
        try:
            posted = await thread.send(
                content=f"Answer by {interaction.user.mention}",
                embed=embed,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as error:
            log.warning("Could not post a modal answer in thread %s: %s", thread.id, error)
            if error.code != THREAD_ARCHIVED:
                raise UserFacingError(
                    "I couldn't post your answer in this thread (I may lack a permission). "
                    "Nothing was saved, so here is your text to keep:\n" + render.code_block(text, 1700)
                ) from error
            # A moderator locked the thread while the member was typing: posting again will not
            # help, so keep the answer (without a public message) rather than lose their work.
            posted = None
        answer, report = await self.record_and_coach(
            post=post,
            question=question,
            member_id=interaction.user.id,
            text=text,
            message_id=posted.id if posted else None,
            source="modal",
        )
        self.bot.dispatch("answer_recorded", answer, post)
        if posted is not None:
            await posted.edit(view=answer_card_view(answer.id, reviewable=not post.is_private))
            intro = f"Your answer is posted in {thread.mention}. Here is your private coaching:"
        else:
            intro = (
                f"{thread.mention} is locked, so I couldn't post your answer there. I saved it to your "
                "progress (only you see it) and here is your private coaching:"
            )
            if post.source == "mock":  # the interview can't go on in a locked thread
                intro += "\nYour mock interview there is paused: run /mock to close it and see the scorecard."
        embed = render.coaching_embed(report, question, self.bot.pack_of(question))
        await interaction.followup.send(intro, embed=embed, ephemeral=True)


async def setup(bot: InterviewBot) -> None:
    await bot.add_cog(Answers(bot))
