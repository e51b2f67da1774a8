"""`/progress`: a member's answers, coverage, red flags and reviews.

Coaching is private to its author, so another member's coverage and red flags are never shown:
looking someone else up shows only what is already public in threads (answers and reviews).
"""

from __future__ import annotations

import asyncio
import io
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import render
from bot.cogs.progress_card import CardData, render_card
from bot.cogs.review_render import dimension_names
from bot.domain.errors import UserFacingError
from bot.domain.packs import Library
from bot.domain.progress import LastAttempt, Streak, Suggestion, practice_plan, streak
from bot.storage.records import ProgressSummary

if TYPE_CHECKING:
    from bot.client import InterviewBot


def flag_text(library: Library, flag_id: str) -> str:
    for pack in library.packs:
        for flag in pack.red_flags:
            if flag.id == flag_id:
                return flag.text
        for question in pack.questions:
            for flag in question.avoid:
                if flag.id == flag_id:
                    return flag.text
    return flag_id


def jump_url(guild_id: int, channel_id: int | None, message_id: int | None) -> str | None:
    if channel_id is None:
        return None
    suffix = f"/{message_id}" if message_id is not None else ""
    return f"https://discord.com/channels/{guild_id}/{channel_id}{suffix}"


@dataclass(frozen=True, slots=True)
class Coaching:
    """The private part of /progress: only ever built for the member themself."""

    streak: Streak
    zone: str
    plan: list[Suggestion]


def progress_embed(
    summary: ProgressSummary,
    library: Library,
    member: discord.abc.User,
    guild_id: int,
    *,
    private_view: bool,
    coaching: Coaching | None = None,
) -> discord.Embed:
    embed = discord.Embed(title=f"Progress: {member.display_name}", colour=render.BRAND_COLOUR)
    totals = Counter(q.category for q in library.all_questions)
    lines = [
        f"**{category}**: {summary.answered_by_category.get(category, 0)}/{total}"
        for category, total in totals.items()
    ]
    embed.description = (
        f"Answered **{summary.answered_total}** of {sum(totals.values())} questions.\n" + "\n".join(lines)
    )
    if private_view:
        coverage = summary.average_coverage
        embed.add_field(
            name="Average pointer coverage",
            value="No coached answers yet." if coverage is None else f"{coverage:.0%}",
            inline=True,
        )
        flags = [
            f"{render.FLAG} {render.clip(flag_text(library, fid), 150)} ×{n}"
            for fid, n in summary.top_red_flags
        ]
        embed.add_field(
            name="Red flags you show most",
            value=render.bullet_lines(flags) if flags else "None so far.",
            inline=False,
        )
    if private_view and coaching is not None:
        add_coaching_fields(embed, coaching, library)
    received = summary.reviews_received
    # Reviews given stay private: with anonymous reviews on, watching someone's count go up would
    # reveal who wrote an anonymous review.
    given = f"\nGiven {summary.reviews_given}" if private_view else ""
    if received.count:
        names = dimension_names(library)
        averages = "\n".join(
            f"• {names.get(dim, dim)}: {avg:.1f}/5" for dim, avg in received.averages.items()
        )
        reviews = f"Received {received.count}, average per dimension:\n{averages}{given}"
    else:
        reviews = f"Received 0{given}"
    embed.add_field(name="Peer reviews", value=render.clip(reviews, render.FIELD_LIMIT), inline=True)
    recent = []
    for answer in summary.recent_answers:
        if answer.private and not private_view:
            continue  # private practice stays private
        question = library.question(answer.question_id)
        title = render.clip(question.text if question else answer.question_id, 70)
        url = jump_url(guild_id, answer.channel_id, answer.message_id)
        when = discord.utils.format_dt(answer.created_at, "R")
        score = f" · {answer.score}/100" if private_view and answer.score is not None else ""
        recent.append(f"[{title}]({url}) {when}{score}" if url else f"{title} {when}{score}")
    embed.add_field(
        name="Last answers",
        value=render.bullet_lines(recent) if recent else "No answers yet: try /question.",
        inline=False,
    )
    if not private_view:
        embed.set_footer(text="Coaching results are private to each member, so they are not shown here.")
    return render.fit(embed)


def add_coaching_fields(embed: discord.Embed, coaching: Coaching, library: Library) -> None:
    streak = coaching.streak
    today = "answered today" if streak.answered_today else "answer today to keep it going"
    value = (
        f"**{streak.current}** day{'s' if streak.current != 1 else ''} ({today}); best {streak.best}"
        if streak.current
        else f"No current streak; best {streak.best}. Answer a question today to start one."
    )
    embed.add_field(name=f"Streak ({coaching.zone})", value=value, inline=True)
    lines = []
    for suggestion in coaching.plan:
        question = library.question(suggestion.question_id)
        title = render.clip(question.text if question else suggestion.question_id, 90)
        lines.append(f"• {title} — {suggestion.reason} (`{suggestion.question_id}`)")
    embed.add_field(
        name="Practise next",
        value=render.bullet_lines(lines) if lines else "You're up to date: nothing is due. Try /question.",
        inline=False,
    )


class Progress(commands.Cog):
    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot

    @app_commands.command(name="progress", description="Your answers, coverage, red flags and reviews.")
    @app_commands.describe(
        member="Someone else's public progress (their coaching stays private).",
        card="Add a PNG progress card (your own progress only).",
    )
    @app_commands.guild_only()
    async def progress(
        self, interaction: discord.Interaction, member: discord.Member | None = None, card: bool = False
    ) -> None:
        assert interaction.guild_id is not None
        target: discord.abc.User = member or interaction.user
        private_view = target.id == interaction.user.id
        if card and not private_view:
            raise UserFacingError("Progress cards show coaching results, which are private: make your own.")
        if card:
            await interaction.response.defer(ephemeral=True, thinking=True)
        summary = await self.bot.db.progress.summary(
            interaction.guild_id, target.id, public_only=not private_view
        )
        coaching = await self._coaching(interaction.guild_id, target.id) if private_view else None
        embed = progress_embed(
            summary,
            self.bot.library,
            target,
            interaction.guild_id,
            private_view=private_view,
            coaching=coaching,
        )
        if not card:
            await interaction.response.send_message(embed=embed, ephemeral=True)
            return
        assert coaching is not None
        png = await asyncio.to_thread(
            render_card, await self._card_data(interaction.guild_id, target, summary, coaching)
        )
        embed.set_image(url="attachment://progress.png")
        await interaction.followup.send(
            embed=embed, file=discord.File(io.BytesIO(png), filename="progress.png"), ephemeral=True
        )

    async def _card_data(
        self, guild_id: int, member: discord.abc.User, summary: ProgressSummary, coaching: Coaching
    ) -> CardData:
        totals = Counter(q.category for q in self.bot.library.all_questions)
        return CardData(
            member_name=member.display_name,
            answered_by_category=summary.answered_by_category,
            totals_by_category=dict(totals),
            scores=await self.bot.db.progress.score_history(guild_id, member.id),
            streak_days=coaching.streak.current,
            average_coverage=summary.average_coverage,
        )

    async def _coaching(self, guild_id: int, member_id: int) -> Coaching:
        zone = await self.member_zone(guild_id, member_id)
        now = self.bot.now()
        moments = await self.bot.db.answers.answer_dates(guild_id, member_id)
        attempts = {
            qid: LastAttempt(answered_at, score)
            for qid, (answered_at, score) in (
                await self.bot.db.progress.latest_attempts(guild_id, member_id)
            ).items()
        }
        plan = practice_plan(self.bot.library.all_questions, attempts, now)
        return Coaching(streak(moments, now, zone), zone.key, plan)

    async def member_zone(self, guild_id: int, member_id: int) -> ZoneInfo:
        """The member's own zone, else the server's daily-post zone, else UTC."""
        settings = await self.bot.db.members.get(guild_id, member_id)
        if settings is not None and settings.timezone:
            return ZoneInfo(settings.timezone)
        schedule = await self.bot.db.schedules.get(guild_id)
        if schedule is not None:
            return ZoneInfo(schedule.timezone)
        return ZoneInfo("UTC")


async def setup(bot: InterviewBot) -> None:
    await bot.add_cog(Progress(bot))
