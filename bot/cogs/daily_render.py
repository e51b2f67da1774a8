"""Embeds for the daily question: the wrap-up posted in yesterday's thread and `/daily show`.

Kept beside the daily cog (not in ``render.py``) because only the daily feature uses them; the
question itself is posted with the shared ``render.question_embed`` so a daily post looks exactly
like a /question post.
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot.cogs import render
from bot.domain.model import Pack, Question
from bot.domain.schedule import DailySchedule
from bot.storage.records import DailyRun, QuestionPost
from bot.storage.records import DailySchedule as ScheduleRecord

WRAP_UP_COLOUR = discord.Colour.teal()
ERROR_COLOUR = discord.Colour.red()
OFF_COLOUR = discord.Colour.light_grey()


def _members(count: int) -> str:
    return "1 member" if count == 1 else f"{count} members"


def wrap_up_embed(question: Question, pack: Pack, answered: int) -> discord.Embed:
    """The reveal posted in a daily thread when the next daily question goes out.

    Pointers and red flags stay hidden while the question is open (members answer before they
    see the checklist); the wrap-up shows them to everyone. A practice question has no pointers
    of its own, so its "why this comes up" and the pack's red flags are shown instead.
    """
    embed = discord.Embed(
        title="Wrap-up: " + render.clip(question.text, 240),
        description=(
            f"**{_members(answered)} answered** this question. "
            "Here is what a strong answer covers; compare it with yours."
            if answered
            else "Nobody answered this one yet; you can still practise it with /question."
        ),
        colour=WRAP_UP_COLOUR,
    )
    if question.pointers and not question.is_practice:
        render._add_long_field(
            embed,
            "Prep pointers",
            [f"{render.GOOD} {render.clip(p.text, 300)}" for p in question.pointers],
        )
        if question.avoid:
            render._add_long_field(
                embed,
                "Avoid",
                [f"{render.FLAG} {render.clip(flag.text, 300)}" for flag in question.avoid],
            )
    else:
        embed.add_field(
            name="Why this comes up", value=render.clip(question.why, render.FIELD_LIMIT), inline=False
        )
        if pack.red_flags:
            render._add_long_field(
                embed,
                "Red flags to avoid",
                [f"{render.FLAG} {render.clip(flag.text, 300)}" for flag in pack.red_flags],
            )
    embed.set_footer(text=f"This thread is now archived · id: {question.id}")
    return render.fit(embed)


def role_warning(role: discord.Role) -> str:
    return (
        f"Warning: {role.mention} is not mentionable and I lack Mention Everyone, so the daily post "
        "will show the role without pinging anyone. Make the role mentionable or grant me Mention Everyone."
    )


def _run_line(run: DailyRun, post: QuestionPost | None) -> str:
    day = f"{run.local_date:%a %d %b %Y}"
    if run.status == "posted":
        when = discord.utils.format_dt(run.posted_at, "f") if run.posted_at else "?"
        link = ""
        if post is not None:
            link = f" · https://discord.com/channels/{post.guild_id}/{post.channel_id}/{post.message_id}"
        late = run.posted_at is not None and (run.posted_at - run.due_at).total_seconds() > 120
        return f"{day}: posted {when}{' (late)' if late else ''}{link}"
    if run.status == "claimed":
        return (
            f"{day}: started {discord.utils.format_dt(run.claimed_at, 'R')} and not finished yet. "
            "I check the channel for it and finish it on my next pass: it is recorded if it went out, "
            "posted if not (within the grace window), and never posted twice."
        )
    reason = render.clip(run.reason or "no reason recorded", 600)
    return f"{day}: {run.status}. {reason}"


def show_embed(
    record: ScheduleRecord,
    schedule: DailySchedule | None,
    *,
    next_due: datetime | None,
    last_run: DailyRun | None,
    last_post: QuestionPost | None,
) -> discord.Embed:
    """`/daily show`: the settings, when the next post goes out, the last run and any error."""
    enabled = record.enabled and schedule is not None
    embed = discord.Embed(
        title="Daily question" + ("" if enabled else " (off)"),
        description=schedule.describe() if schedule else f"{record.local_time} {record.timezone}",
        colour=render.BRAND_COLOUR if enabled else OFF_COLOUR,
    )
    embed.add_field(name="Channel", value=f"<#{record.channel_id}>", inline=True)
    embed.add_field(
        name="Role ping", value=f"<@&{record.role_id}>" if record.role_id else "none", inline=True
    )
    embed.add_field(name="Category", value=record.category or "all", inline=True)
    if enabled and next_due is not None:
        value = f"{discord.utils.format_dt(next_due, 'F')} ({discord.utils.format_dt(next_due, 'R')})"
        if record.skip_date is not None:
            value += f"\nSkipping {record.skip_date:%a %d %b %Y} (/daily skip)."
        embed.add_field(name="Next post", value=value, inline=False)
    elif not enabled:
        embed.add_field(name="Next post", value="None: the daily post is off. Use /daily set.", inline=False)
    embed.add_field(
        name="Last run",
        value=_run_line(last_run, last_post) if last_run else "No daily post yet.",
        inline=False,
    )
    if record.last_error:
        when = f"\n{discord.utils.format_dt(record.last_error_at, 'f')}" if record.last_error_at else ""
        embed.add_field(name="Last error", value=render.clip(record.last_error, 900) + when, inline=False)
        embed.colour = ERROR_COLOUR
    return render.fit(embed)
