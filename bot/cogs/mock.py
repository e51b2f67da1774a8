"""`/mock`: a timed mock interview in a private thread, one question at a time.

The session lives in SQLite (questions, current index, budget, timestamps), so a restart in the
middle of an interview simply continues with the next answer. Answers go through the ordinary
answer pipeline (`bot/cogs/answers.py`), which dispatches ``answer_recorded``; this cog listens to
move the session on. Scores are never posted in the thread (moderators can read private threads):
the scorecard is shown only to the member, ephemerally, behind the persistent Results button.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import render
from bot.cogs.choices import category_choices, resolve_category
from bot.cogs.errors import THREAD_ARCHIVED, handle_interaction_error
from bot.cogs.questions import PRIVATE_PERMISSIONS, THREAD_ARCHIVE_MINUTES, missing_permissions
from bot.domain.errors import UserFacingError
from bot.domain.model import Question
from bot.domain.sessions import (
    TurnOutcome,
    average_outcome_score,
    format_duration,
    plan_interview,
    weakest_outcome,
)

if TYPE_CHECKING:
    from bot.client import InterviewBot
    from bot.storage.records import Answer, MockSession, QuestionPost

log = logging.getLogger(__name__)

MAX_QUESTIONS = 10
MAX_MINUTES = 30
ABANDONED_AFTER = timedelta(hours=24)
OVER_TIME = "\N{ALARM CLOCK}"
#: Discord codes that mean "this thread cannot take the bot's posts any more" (not worth retrying):
#: unknown channel, missing access, missing permissions, thread archived (locked by a moderator)
THREAD_UNUSABLE_CODES = frozenset({10003, 50001, 50013, THREAD_ARCHIVED})


def mock_thread_name(display_name: str) -> str:
    return render.clip(f"Mock interview — {display_name}", render.THREAD_NAME_LIMIT)


def _minutes(budget: timedelta) -> str:
    minutes = round(budget.total_seconds() / 60)
    return f"{minutes} minute" + ("" if minutes == 1 else "s")


def intro_text(count: int, budget: timedelta) -> str:
    return (
        f"**Mock interview: {count} question{'s' if count != 1 else ''}, about {_minutes(budget)} each.**\n"
        "How it works: I ask one question at a time. Answer each with **one message** in this thread "
        "(or **/answer** for a long one); your first answer to a question counts and the next question "
        "follows. Going over the time budget is noted on your scorecard, not punished.\n"
        "When it's over, press **Results** for your private scorecard: nothing with scores is posted "
        "here. Press **Stop** to end early."
    )


def question_header(position: int, total: int, asked_at: datetime, budget: timedelta) -> str:
    deadline = discord.utils.format_dt(asked_at + budget, "R")
    return f"**Question {position + 1} of {total}** · You have {_minutes(budget)}: until {deadline}"


class ResultsButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"mock-results:(?P<session_id>[0-9]{1,19})"
):
    """Persistent (works after a restart): the session id is in the custom id."""

    def __init__(self, session_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Results",
                style=discord.ButtonStyle.primary,
                emoji="\N{BAR CHART}",
                custom_id=f"mock-results:{session_id}",
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ResultsButton:
        return cls(int(match["session_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            bot = cast("InterviewBot", interaction.client)
            session = await bot.db.mock_sessions.get(self.session_id)
            if session is None:
                raise UserFacingError("That mock interview no longer exists.")
            if session.member_id != interaction.user.id:
                raise UserFacingError(
                    "These results are private to the member who took this mock interview. "
                    "Start your own with /mock."
                )
            embed = await scorecard_embed(bot, session)
            await interaction.response.send_message(embed=embed, ephemeral=True)
        except Exception as error:  # one error path, as for commands
            await handle_interaction_error(interaction, error)


class StopButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"mock-stop"):
    """On the intro; the session is found by the thread the button is in."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(label="Stop", style=discord.ButtonStyle.secondary, custom_id="mock-stop")
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StopButton:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            bot = cast("InterviewBot", interaction.client)
            assert interaction.channel_id is not None
            session = await bot.db.mock_sessions.by_thread(interaction.channel_id)
            if session is None or session.status != "active":
                raise UserFacingError("This mock interview is already over.")
            if session.member_id != interaction.user.id:
                raise UserFacingError("Only the member taking this mock interview can stop it.")
            if locked_for_bot(interaction.channel, interaction.app_permissions):
                # A moderator locked the thread: nothing can be posted in it, so the stop (and the
                # scorecard the Results button would show) comes back privately instead.
                await end_unreachable(bot, session)
                embed = await scorecard_embed(bot, session)
                await interaction.response.send_message(
                    f"{unreachable_note(session, 'was locked by a moderator')} Here is your scorecard "
                    "so far (only you can see it). Start a new one with /mock whenever you like.",
                    embed=embed,
                    ephemeral=True,
                )
                return
            if not await bot.db.mock_sessions.end(session.id, "stopped", bot.now()):
                raise UserFacingError("This mock interview is already over.")
            answered = sum(t.answered_at is not None for t in session.turns)
            await interaction.response.send_message(
                f"**Mock stopped** after {answered} of {len(session.question_ids)} questions. "
                "Press **Results** for your private scorecard.",
                view=_results_view(session.id),
            )
        except Exception as error:
            await handle_interaction_error(interaction, error)


def locked_for_bot(channel: object, permissions: discord.Permissions) -> bool:
    """A locked, archived thread: without Manage Threads Discord refuses every post (50083)."""
    return (
        isinstance(channel, discord.Thread)
        and channel.locked
        and channel.archived
        and not permissions.manage_threads
    )


def unreachable_note(session: MockSession, why: str) -> str:
    """Tell the member what happened to an interview whose thread can no longer be posted in."""
    answered = sum(t.answered_at is not None for t in session.turns)
    saved = (
        f"your {answered} answer{'s' if answered != 1 else ''} there {'are' if answered != 1 else 'is'} "
        "saved and count towards your progress"
        if answered
        else "no answers had been given yet"
    )
    return f"Your mock interview in <#{session.thread_id}> {why}, so I ended it there: {saved}."


async def end_unreachable(bot: InterviewBot, session: MockSession) -> None:
    """End a session whose thread is unusable: 'finished' when every question was answered."""
    answered_all = len(session.turns) == len(session.question_ids) and all(
        t.answered_at is not None for t in session.turns
    )
    await bot.db.mock_sessions.end(session.id, "finished" if answered_all else "stopped", bot.now())


def _results_view(session_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ResultsButton(session_id))
    return view


def _stop_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(StopButton())
    return view


async def session_outcomes(bot: InterviewBot, session: MockSession) -> list[TurnOutcome]:
    """Asked questions with their stored coaching (the latest, so an edited answer counts as edited)."""
    outcomes: list[TurnOutcome] = []
    for turn in session.turns:
        question = bot.library.question(turn.question_id)
        if question is None:
            continue  # removed from the content since; nothing meaningful to show
        took = None if turn.answered_at is None else turn.answered_at - turn.asked_at
        answer = None if turn.answer_id is None else await bot.db.answers.get(turn.answer_id)
        result = None
        if answer is not None and answer.deleted_at is None:
            result = await bot.db.coaching.get(answer.id)
        if result is None:
            outcomes.append(TurnOutcome(question, took, None))
        else:
            outcomes.append(
                TurnOutcome(
                    question,
                    took,
                    result.score,
                    result.pointers_covered,
                    result.pointers_total,
                    len(result.red_flags),
                )
            )
    return outcomes


async def scorecard_embed(bot: InterviewBot, session: MockSession) -> discord.Embed:
    outcomes = await session_outcomes(bot, session)
    average = average_outcome_score(outcomes)
    answered = sum(o.score is not None for o in outcomes)
    plural = "s" if answered != 1 else ""
    summary = (
        f"Average score **{average:.0f}/100** over {answered} answered question{plural}."
        if average is not None
        else "No coached answers in this mock interview."
    )
    embed = discord.Embed(
        title="Your mock interview scorecard", description=summary, colour=render.BRAND_COLOUR
    )
    for index, outcome in enumerate(outcomes[:20], start=1):
        embed.add_field(
            name=render.clip(f"Q{index} · {outcome.question.category}", 256),
            value=_outcome_line(outcome, session.budget),
            inline=False,
        )
    weakest = weakest_outcome(outcomes)
    if weakest is not None:
        embed.add_field(
            name="Practise next",
            value=render.clip(
                f"{weakest.question.text} (score {weakest.score}/100, id `{weakest.question.id}`)",
                render.FIELD_LIMIT,
            ),
            inline=False,
        )
    embed.set_footer(text="Only you can see this. Press Coach me on an answer for the full coaching.")
    return render.fit(embed)


def _outcome_line(outcome: TurnOutcome, budget: timedelta) -> str:
    text = render.clip(outcome.question.text, 200)
    if outcome.took is None:
        return f"{text}\nNot answered"
    timing = f"took {format_duration(outcome.took)} of {format_duration(budget)}"
    if outcome.over_budget(budget):
        timing = f"{OVER_TIME} **over time**: {timing}"
    if outcome.score is None:
        return f"{text}\nAnswer deleted · {timing}"
    return (
        f"{text}\nScore **{outcome.score}/100** · pointers covered {outcome.pointers_covered}/"
        f"{outcome.pointers_total} · red flags {outcome.red_flags} · {timing}"
    )


class Mock(commands.Cog):
    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot
        self.rng = random.Random()
        self._locks: dict[int, asyncio.Lock] = {}
        self._starting: set[tuple[int, int]] = set()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ResultsButton, StopButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ResultsButton, StopButton)

    @app_commands.command(name="mock", description="A timed mock interview in a private thread.")
    @app_commands.describe(
        count="How many questions (1-10).",
        category="Only ask from this category (e.g. Behavioural, Technical).",
        minutes="Time budget per question, in minutes (1-30).",
    )
    @app_commands.guild_only()
    async def mock(
        self,
        interaction: discord.Interaction,
        count: app_commands.Range[int, 1, MAX_QUESTIONS] = 3,
        category: str | None = None,
        minutes: app_commands.Range[int, 1, MAX_MINUTES] = 4,
    ) -> None:
        assert interaction.guild_id is not None
        key = (interaction.guild_id, interaction.user.id)
        channel = self._refuse_unusable(interaction)
        if key in self._starting:
            raise UserFacingError("Your mock interview is being set up; the link follows in a moment.")
        # Claimed before the first await, so a double submit cannot pass the check above twice.
        self._starting.add(key)
        try:
            closed = await self._refuse_active(key)
            wanted = resolve_category(self.bot.library, category)
            answered = await self.bot.db.answers.last_answered(*key)
            try:
                questions = plan_interview(
                    self.bot.library.all_questions,
                    count,
                    self.rng,
                    category=wanted,
                    answered=frozenset(answered),
                )
            except ValueError as error:
                raise UserFacingError(str(error)) from error
            await interaction.response.defer(ephemeral=True, thinking=True)
            thread = await self._open(interaction, channel, questions, minutes)
        finally:
            self._starting.discard(key)
        ready = (
            f"Your mock interview is ready: {thread.mention}. Only you (and moderators) can see it; "
            "your scorecard stays private to you."
        )
        if closed is None:
            await interaction.followup.send(ready, ephemeral=True)
            return
        previous, why = closed
        # The old thread can't show its Results button any more: its scorecard comes along here.
        await interaction.followup.send(
            f"{unreachable_note(previous, why)} Its scorecard is below.\n{ready}",
            embed=await scorecard_embed(self.bot, previous),
            ephemeral=True,
        )

    def _abandoned(self, session: MockSession) -> bool:
        last_activity = max(
            [session.started_at]
            + [t.asked_at for t in session.turns]
            + [t.answered_at for t in session.turns if t.answered_at is not None]
        )
        return self.bot.now() - last_activity > ABANDONED_AFTER

    def _refuse_unusable(self, interaction: discord.Interaction) -> discord.TextChannel:
        """Refuse before anything is created: wrong channel or missing permissions."""
        channel = interaction.channel
        if not isinstance(channel, discord.TextChannel):
            raise UserFacingError("Use /mock in a regular text channel: I open a private thread there.")
        missing = missing_permissions(interaction.app_permissions, PRIVATE_PERMISSIONS)
        if missing:
            raise UserFacingError(
                f"I can't start a mock interview here: I'm missing {', '.join(missing)} in "
                f"{channel.mention}. Ask an admin to grant it."
            )
        return channel

    async def _refuse_active(self, key: tuple[int, int]) -> tuple[MockSession, str] | None:
        """One interview at a time per member; one untouched for a day no longer counts.

        An active interview whose thread can no longer be posted in (locked by a moderator,
        deleted, hidden from the bot) is closed too, and returned with the reason, so the member
        hears what happened to it instead of being sent back to a thread they cannot use.
        """
        active = await self.bot.db.mock_sessions.active_for(*key)
        if active is not None and self._abandoned(active):
            # An interview nobody touched for a day is over in all but name: close it rather than
            # making the member hunt for its Stop button.
            await self.bot.db.mock_sessions.end(active.id, "stopped", self.bot.now())
            active = None
        if active is not None:
            why = await self._thread_problem(active.thread_id)
            if why is not None:
                await end_unreachable(self.bot, active)
                return active, why
            raise UserFacingError(
                f"You already have a mock interview in progress: <#{active.thread_id}>. "
                "Finish it, or press **Stop** on its first message, before starting another."
            )
        return None

    async def _thread_problem(self, thread_id: int) -> str | None:
        """Why the bot can no longer post in a mock thread, or None when it can (or can't tell).

        Archived threads leave discord.py's cache, so an unknown one is fetched. A transient error
        answers None: an interview is never ended on a guess.
        """
        channel = self.bot.get_channel(thread_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(thread_id)
            except discord.NotFound:
                return "was deleted"
            except discord.Forbidden:
                return "is no longer visible to me"
            except discord.HTTPException as error:
                log.info("Could not check mock thread %s: %s", thread_id, error)
                return None
        if isinstance(channel, discord.Thread):
            permissions = channel.permissions_for(channel.guild.me)
            if locked_for_bot(channel, permissions):
                return "was locked by a moderator"
            if not (permissions.view_channel and permissions.send_messages_in_threads):
                return "is no longer open to me (a permission was removed)"
        return None

    async def _open(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        questions: tuple[Question, ...],
        minutes: int,
    ) -> discord.Thread:
        member = interaction.user
        thread = await channel.create_thread(
            name=mock_thread_name(member.display_name),
            type=discord.ChannelType.private_thread,
            invitable=False,
            auto_archive_duration=THREAD_ARCHIVE_MINUTES,
        )
        try:
            await self._set_up(thread, channel, member, questions, timedelta(minutes=minutes))
        except Exception as error:
            await self._discard(thread)
            if isinstance(error, UserFacingError):
                raise
            log.warning("Could not set up mock interview in thread %s: %s", thread.id, error)
            raise UserFacingError(
                "Sorry, I couldn't set up your mock interview (the thread may be gone, or I lack a "
                "permission), so nothing was started. Try /mock again in a moment."
            ) from error
        return thread

    async def _set_up(
        self,
        thread: discord.Thread,
        channel: discord.TextChannel,
        member: discord.abc.User,
        questions: tuple[Question, ...],
        budget: timedelta,
    ) -> None:
        """Intro, first question, session row, then the member: any failure is undone by `_open`."""
        intro = await thread.send(intro_text(len(questions), budget), view=_stop_view())
        now = self.bot.now()
        post = await self._ask(
            thread, channel.guild.id, questions[0], 0, len(questions), budget, member.id, now
        )
        session = await self.bot.db.mock_sessions.create(
            guild_id=channel.guild.id,
            channel_id=channel.id,
            thread_id=thread.id,
            member_id=member.id,
            question_ids=[q.id for q in questions],
            budget=budget,
            first_post_id=post.id,
            started_at=now,
            intro_message_id=intro.id,
        )
        if session is None:  # another process started one in between: the index refused this one
            raise UserFacingError("You already have a mock interview in progress; finish that one first.")
        # Added only now, so the member's first answer always finds the recorded session.
        await thread.add_user(member)

    async def _discard(self, thread: discord.Thread) -> None:
        """Undo a half-made interview: end its session (if recorded) and delete the bot's new thread."""
        try:
            session = await self.bot.db.mock_sessions.by_thread(thread.id)
            if session is not None:
                await self.bot.db.mock_sessions.end(session.id, "stopped", self.bot.now())
        except Exception:  # keep going: the thread should still go, and the member hear why
            log.exception("Could not end half-made mock session in thread %s", thread.id)
        try:
            await thread.delete()
        except discord.HTTPException as error:  # e.g. no Manage Threads: the member was never added
            log.info("Could not delete half-made mock thread %s: %s", thread.id, error)

    async def _ask(
        self,
        channel: discord.abc.Messageable,
        guild_id: int,
        question: Question,
        position: int,
        total: int,
        budget: timedelta,
        member_id: int,
        now: datetime,
    ) -> QuestionPost:
        """Post one question (the standard embed plus its deadline) and record it as a private post."""
        message = await channel.send(
            question_header(position, total, now, budget),
            embed=render.question_embed(question, self.bot.pack_of(question)),
        )
        return await self.bot.db.posts.create(
            guild_id=guild_id,
            # The message lives in the thread, so jump links to its answers point there; thread_id
            # stays NULL (UNIQUE column): the session row is what ties the thread to the interview.
            channel_id=message.channel.id,
            message_id=message.id,
            question_id=question.id,
            source="mock",
            posted_by=member_id,
            is_private=True,
            posted_at=now,
        )

    # -- moving on ---------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_answer_recorded(self, answer: Answer, post: QuestionPost) -> None:
        if post.source != "mock":
            return
        session = await self.bot.db.mock_sessions.by_post(post.id)
        if session is None or session.status != "active" or answer.member_id != session.member_id:
            return
        lock = self._locks.setdefault(session.id, asyncio.Lock())
        async with lock:  # two quick answers: the second waits and then sees the session moved on
            try:
                await self._advance(session.id, answer, post)
            except discord.HTTPException as error:
                self._log_send_failure(session.id, error)

    def _log_send_failure(self, session_id: int, error: discord.HTTPException) -> None:
        """One warning, no retry: the answer is already stored and the turn recorded.

        A thread the bot can't post in any more (locked, deleted, permission removed) pauses the
        session where it is; the member's next interaction (/mock, Stop) explains and closes it,
        and a moderator reopening the thread resumes it (``on_raw_thread_update``).
        """
        if error.code in THREAD_UNUSABLE_CODES:
            log.warning(
                "Mock session %s paused: its thread can't be posted in (%s %s)",
                session_id,
                error.status,
                error.code,
            )
        else:
            log.warning("Could not move mock session %s on: %s", session_id, error)

    async def _advance(self, session_id: int, answer: Answer, post: QuestionPost) -> None:
        session = await self.bot.db.mock_sessions.get(session_id)
        if session is None or session.status != "active":
            return
        turn = session.current_turn
        if turn is None or turn.post_id != post.id:
            return  # an answer to an earlier question: recorded and coached, but it moves nothing
        if turn.answered_at is None:
            await self.bot.db.mock_sessions.record_answer(
                session.id, turn.position, answer.id, answer.created_at
            )
        await self._move_on(session)

    async def _move_on(self, session: MockSession) -> None:
        """Ask the next question (or close the interview) after the current turn was answered.

        Reached also when the turn was answered but a crash, or a locked thread, stopped us
        before the next question went out.
        """
        channel = self.bot.get_partial_messageable(session.thread_id, guild_id=session.guild_id)
        position = session.current_index + 1
        question = self._next_question(session, position)
        if question is None:
            await channel.send(
                "**Mock complete.** Well done for finishing. Press **Results** for your private "
                "scorecard (only you can see it).",
                view=_results_view(session.id),
            )
            await self.bot.db.mock_sessions.end(session.id, "finished", self.bot.now())
            self._locks.pop(session.id, None)
            return
        now = self.bot.now()
        total = len(session.question_ids)
        next_post = await self._ask(
            channel, session.guild_id, question, position, total, session.budget, session.member_id, now
        )
        await self.bot.db.mock_sessions.advance(session.id, position, question.id, next_post.id, now)

    def _next_question(self, session: MockSession, position: int) -> Question | None:
        """The question at ``position``; None when the plan is done (or it left the content: end early)."""
        if position >= len(session.question_ids):
            return None
        question = self.bot.library.question(session.question_ids[position])
        if question is None:
            log.warning(
                "Mock session %s: question %r is gone; ending early",
                session.id,
                session.question_ids[position],
            )
        return question

    @commands.Cog.listener()
    async def on_raw_thread_update(self, payload: discord.RawThreadUpdateEvent) -> None:
        """A moderator reopened a paused interview's thread: ask the question that never went out."""
        metadata = payload.data.get("thread_metadata", {})
        if metadata.get("archived") or metadata.get("locked"):
            return
        session = await self.bot.db.mock_sessions.by_thread(payload.thread_id)
        if session is None or session.status != "active":
            return
        lock = self._locks.setdefault(session.id, asyncio.Lock())
        async with lock:
            current = await self.bot.db.mock_sessions.get(session.id)
            turn = None if current is None else current.current_turn
            if current is None or current.status != "active" or turn is None or turn.answered_at is None:
                return  # not paused: the member owes an answer, nothing to resume
            try:
                await self._move_on(current)
            except discord.HTTPException as error:
                self._log_send_failure(current.id, error)

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        """A deleted thread ends its session, so the member is not told to finish a vanished one."""
        session = await self.bot.db.mock_sessions.by_thread(payload.thread_id)
        if session is not None:
            await self.bot.db.mock_sessions.end(session.id, "stopped", self.bot.now())

    @mock.autocomplete("category")
    async def category_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return category_choices(self.bot.library, current)


async def setup(bot: InterviewBot) -> None:
    await bot.add_cog(Mock(bot))
