"""`/daily set|show|off|skip|now`: admins schedule a daily question post for their server.

The commands only validate input and store the schedule; posting is the scheduler's job
(``bot/cogs/scheduler.py``), which this cog starts on load, stops on unload and wakes whenever a
schedule changes. The scheduler is reachable as ``bot.get_cog("Daily").scheduler``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs import daily_render
from bot.cogs.choices import category_choices, resolve_category, zone_choices
from bot.cogs.scheduler import DailyScheduler, PostingError, domain_schedule, missing_posting_permissions
from bot.domain.errors import UserFacingError
from bot.domain.schedule import (
    DailySchedule,
    days_to_mask,
    decide,
    format_days,
    next_due,
    parse_schedule,
)
from bot.storage.records import DailySchedule as ScheduleRecord

if TYPE_CHECKING:
    from bot.client import InterviewBot

log = logging.getLogger(__name__)


def _require_manager(interaction: discord.Interaction) -> int:
    """Runtime check behind default_permissions: server admins can override who sees a command."""
    if interaction.guild is None:
        raise UserFacingError("This command only works in a server.")
    if not interaction.permissions.manage_guild:
        raise UserFacingError("You need the Manage Server permission to change the daily question.")
    return interaction.guild.id


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Daily(commands.GroupCog, name="Daily", group_name="daily", group_description="Daily question posts."):
    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot
        self.scheduler = DailyScheduler(bot)

    async def cog_load(self) -> None:
        self.scheduler.start()

    async def cog_unload(self) -> None:
        await self.scheduler.stop()

    # ---------------------------------------------------------------- /daily set
    @app_commands.command(name="set", description="Post a question every day at a local time.")
    @app_commands.describe(
        channel="Where to post the question (a thread is opened on it).",
        time="Local time as HH:MM (24-hour), e.g. 09:00.",
        timezone="IANA time zone, e.g. Europe/London. Start typing to search.",
        role="A role to ping with each post (only this role is mentioned).",
        days="Weekdays, e.g. mon-fri or mon,wed,fri (default: every day).",
        category="Only post questions of this category.",
        grace_hours="If I was offline at post time, still post up to this many hours late (default 6).",
    )
    async def set_(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: str,
        timezone: str,
        role: discord.Role | None = None,
        days: str | None = None,
        category: str | None = None,
        grace_hours: app_commands.Range[int, 0, 24] = 6,
    ) -> None:
        guild_id = _require_manager(interaction)
        guild = interaction.guild
        assert guild is not None
        try:
            schedule = parse_schedule(time, timezone, days or "", grace_hours)
        except ValueError as error:
            raise UserFacingError(str(error)) from None
        category = resolve_category(self.bot.library, category)
        missing = missing_posting_permissions(channel.permissions_for(guild.me))
        if missing:
            raise UserFacingError(
                f"I can't post in {channel.mention}: I'm missing {', '.join(missing)} there. "
                "Grant it (channel settings > Permissions) and run /daily set again."
            )
        warning = None
        if role is not None:
            if role.is_default():
                raise UserFacingError("Pick a specific role to ping; I never ping @everyone.")
            if not role.mentionable and not channel.permissions_for(guild.me).mention_everyone:
                warning = daily_render.role_warning(role)
        record = await self.bot.db.schedules.upsert(
            guild_id,
            channel_id=channel.id,
            local_time=f"{schedule.local_time:%H:%M}",
            timezone=schedule.timezone,
            now=self.bot.now(),
            role_id=role.id if role else None,
            days=days_to_mask(schedule.days),
            category=category,
            grace_hours=grace_hours,
        )
        await self.bot.db.schedules.clear_error(guild_id)
        self.scheduler.wake()
        upcoming = await self._next_due(record, schedule)
        lines = [
            f"Daily question set: {schedule.describe()} in {channel.mention}"
            + (f", pinging {role.mention}" if role else "")
            + (f", category {category}" if category else "")
            + ".",
            f"Next post: {discord.utils.format_dt(upcoming, 'F')} "
            f"({discord.utils.format_dt(upcoming, 'R')}).",
        ]
        if warning:
            lines.append(warning)
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    @set_.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return zone_choices(current)

    @set_.autocomplete("category")
    async def category_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return category_choices(self.bot.library, current)

    async def _next_due(self, record: ScheduleRecord, schedule: DailySchedule) -> datetime:
        """The next post instant, counting days already handled and an admin's skip."""
        now = self.bot.now()
        handled = await self.bot.db.daily_runs.dates_since(record.guild_id, (now - timedelta(days=3)).date())
        skips = [record.skip_date] if record.skip_date else []
        return decide(schedule, now, handled, skip_dates=skips, active_since=now).sleep_until

    async def _record(self, guild_id: int) -> ScheduleRecord:
        record = await self.bot.db.schedules.get(guild_id)
        if record is None or not record.enabled:
            raise UserFacingError("There is no daily question in this server. Set one up with /daily set.")
        return record

    # ---------------------------------------------------------------- /daily show
    @app_commands.command(name="show", description="The daily question settings, next post and last error.")
    async def show(self, interaction: discord.Interaction) -> None:
        guild_id = _require_manager(interaction)
        record = await self.bot.db.schedules.get(guild_id)
        if record is None:
            raise UserFacingError("There is no daily question in this server. Set one up with /daily set.")
        schedule: DailySchedule | None
        try:
            schedule = domain_schedule(record)
        except ValueError:
            schedule = None
        upcoming = await self._next_due(record, schedule) if schedule and record.enabled else None
        last_run = await self.bot.db.daily_runs.last_run(guild_id)
        last_post = None
        if last_run is not None and last_run.post_id is not None:
            last_post = await self.bot.db.posts.get(last_run.post_id)
        embed = daily_render.show_embed(
            record, schedule, next_due=upcoming, last_run=last_run, last_post=last_post
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # ---------------------------------------------------------------- /daily off, skip, now
    @app_commands.command(name="off", description="Stop the daily question (settings are kept).")
    async def off(self, interaction: discord.Interaction) -> None:
        guild_id = _require_manager(interaction)
        await self._record(guild_id)
        await self.bot.db.schedules.disable(guild_id, self.bot.now())
        self.scheduler.wake()
        await interaction.response.send_message(
            "The daily question is off. /daily set turns it back on.", ephemeral=True
        )

    @app_commands.command(name="skip", description="Skip the next scheduled daily question.")
    async def skip(self, interaction: discord.Interaction) -> None:
        guild_id = _require_manager(interaction)
        record = await self._record(guild_id)
        schedule = domain_schedule(record)
        now = self.bot.now()
        if record.skip_date is not None:
            after = await self._next_due(record, schedule)
            raise UserFacingError(
                f"The post of {_day(record.skip_date)} is already skipped; the next one after it is "
                f"{discord.utils.format_dt(after, 'F')}."
            )
        handled = await self.bot.db.daily_runs.dates_since(guild_id, (now - timedelta(days=3)).date())
        upcoming = next_due(schedule, now)
        while upcoming.local_date in handled:
            upcoming = next_due(schedule, upcoming.due_at + timedelta(minutes=1))
        await self.bot.db.schedules.set_skip(guild_id, upcoming.local_date, now)
        self.scheduler.wake()
        await interaction.response.send_message(
            f"Skipping the post of {_day(upcoming.local_date)} "
            f"({discord.utils.format_dt(upcoming.due_at, 'F')}). Days: {format_days(schedule.days)}.",
            ephemeral=True,
        )

    @app_commands.command(name="now", description="Post an extra daily question right away.")
    async def now(self, interaction: discord.Interaction) -> None:
        guild_id = _require_manager(interaction)
        record = await self._record(guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        # Extra post: no (guild, date) claim, so the day's scheduled post still goes out; the lock
        # keeps it from interleaving with a scheduled post (two wrap-ups of the same thread).
        async with self.scheduler.lock(guild_id):
            try:
                posted = await self.scheduler.post_question(record)
            except PostingError as error:
                raise UserFacingError(error.message) from None
        note = f"\n{posted.warning}" if posted.warning else ""
        link = f"https://discord.com/channels/{guild_id}/{posted.post.channel_id}/{posted.post.message_id}"
        await interaction.followup.send(f"Posted: {link}{note}", ephemeral=True)


def _day(day: date) -> str:
    return f"{day:%a %d %b %Y}"


async def setup(bot: InterviewBot) -> None:
    await bot.add_cog(Daily(bot))
