"""The daily-question scheduler: one loop for every guild this process serves.

One task (not one per guild) sleeps until the earliest due post, capped at
:data:`MAX_SLEEP_SECONDS` of real time so a wall clock that jumps (suspend, NTP) is noticed, and
wakes early when a schedule changes (:meth:`DailyScheduler.wake`). Each pass
(:meth:`DailyScheduler.run_once`) asks the pure :func:`bot.domain.schedule.decide` what is due per
guild and acts on it; a failure in one guild is recorded for that guild (``/daily show``, the log)
and the pass carries on with the others.

Restart safety, "never a missed or doubled post": every scheduled post is keyed by (guild, local
date) in ``daily_runs`` (unique) and claimed BEFORE the message is sent, so a second pass, a
restart or a second process finds the row and never starts the day again. A claim alone would be
at-most-once (a crash between claim and finish would lose the day), so an unfinished claim is
RECONCILED instead of given up:

* each scheduler process draws a random :attr:`DailyScheduler.token` and stores it with its claim.
  Posts run under a per-guild lock, so our own ``claimed`` row seen at the start of a pass is an
  attempt of ours that ended early (a transient error): it is reconciled at once. A guild is
  served by one process (shard filter), so another token's claim was left by a process that died,
  except during a deploy overlap, when the old process may still be finishing its send: it is
  reconciled after :data:`FOREIGN_CLAIM_GRACE` (longer than docker-compose's stop grace period).
  A row without a token (an older bot) is reconciled only after :data:`STALE_CLAIM`;
* taking a claim over and finishing it are compare-and-swap on the token (``daily_runs``): a
  process whose claim was taken over changes nothing and does not report the day as its own;
* reconciling = reading the history of the channel the day was CLAIMED for (stored in the claim,
  so a /daily set that moved the schedule between the crash and the restart does not send the
  search to the new channel; claims older than migration 0004 fall back to the schedule's channel)
  after the claim time (at most :data:`RECONCILE_HISTORY_LIMIT` messages) for the bot's own post
  carrying that day's marker (:func:`daily_marker`, in the embed footer). Found: it is recorded as
  the day's post (in that channel; thread opened and introduced if missing, the previous daily
  post, i.e. the newest OTHER than this message, wrapped up) and nothing is sent. Not found: the
  day is posted now in the schedule's current channel if still inside its grace window (the claim
  is first moved to that channel, so a crash during this send is searched for there), else marked
  ``failed`` with a reason. Without Read Message History Discord answers a history read with an
  EMPTY list (not a 403), which would look like "not sent", so the permission is checked first;
  without it (or when the read fails: 403 without View Channel, the claimed channel deleted) the
  run is marked ``failed`` and reported: re-sending blindly, or elsewhere, could double the post;
* the send itself carries a deterministic nonce (:func:`daily_nonce`) with ``enforce_nonce``
  (discord.py sets it for any nonce), so a send retried within Discord's nonce window (a few
  minutes) returns the first message instead of creating a second.

Still not covered: a post deleted by a moderator before the restart looks "not sent" and is posted
again (within grace); a day whose claimed channel was deleted before the restart is failed (with
that reason) even if its post had gone out, since it went with the channel; only the first
:data:`RECONCILE_HISTORY_LIMIT` messages after the claim are searched (the post follows its claim
within seconds, so only a flood in between could hide it, and Discord's nonce window of minutes is
no backstop after a long outage); adopting a claim keeps its ``claimed_at`` (it bounds the search),
so a third process would not give a live successor's adopted claim the :data:`FOREIGN_CLAIM_GRACE`
(the token guard still keeps the loser from rewriting the day); a history read that keeps failing
transiently is retried every :data:`RETRY_DELAY` without end (the day stays "not finished yet" in
/daily show).

A failed send is classified: a transient error (Discord 5xx, rate limit, network) keeps the
claim and the day is reconciled after :data:`RETRY_DELAY` (a timed-out send may have gone out, so
the retry looks in the channel first), posting if still inside the grace window, else failing the
day with a reason that names the repeated errors; a permanent one
(403 missing permission, 404 deleted channel, no questions left in scope) marks the
run ``failed`` and records the error; it would fail the same way on every retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

import aiohttp
import discord

from bot.cogs import daily_render, render
from bot.domain.model import Question
from bot.domain.rotation import choose_question
from bot.domain.schedule import (
    LOOKBACK,
    ON_TIME_SLACK,
    DailySchedule,
    PostNow,
    SkipMissed,
    days_from_mask,
    decide,
    local_due,
    on_shard,
    parse_time,
)
from bot.storage.records import DailyRun, QuestionPost
from bot.storage.records import DailySchedule as ScheduleRecord

if TYPE_CHECKING:
    from bot.client import InterviewBot

log = logging.getLogger(__name__)

MAX_SLEEP_SECONDS = 60.0
MIN_SLEEP_SECONDS = 0.5  # never spin, even if the next due instant is already past
RETRY_DELAY = timedelta(minutes=5)
STALE_CLAIM = timedelta(minutes=10)
#: another process's claim is left alone this long: in a deploy overlap the old process may still
#: be sending (docker-compose.yml's stop_grace_period is 20 s; it must stay below this)
FOREIGN_CLAIM_GRACE = timedelta(seconds=60)
#: how many of a thread's first messages are searched for the bot's intro
INTRO_SEARCH_LIMIT = 10
#: how many messages after an interrupted claim are searched for the day's post
RECONCILE_HISTORY_LIMIT = 50
#: the claim time is ours, message ids are Discord's: search a little earlier than the claim
CLOCK_SLACK = timedelta(minutes=2)
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080

#: (attribute of discord.Permissions, name shown to admins) the bot needs in the daily channel.
POSTING_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("send_messages_in_threads", "Send Messages in Threads"),
    ("create_public_threads", "Create Public Threads"),
    ("embed_links", "Embed Links"),
    ("read_message_history", "Read Message History"),
)


def missing_posting_permissions(permissions: discord.Permissions) -> list[str]:
    """Names of the posting permissions the bot lacks, in the order admins read them."""
    return [label for attr, label in POSTING_PERMISSIONS if not getattr(permissions, attr)]


def daily_nonce(guild_id: int, local_date: date) -> str:
    """Deterministic nonce of a day's post: Discord dedups a repeated send (max 25 chars; <= 25 here)."""
    return f"d{guild_id:x}{local_date:%Y%m%d}"


def daily_marker(local_date: date) -> str:
    """The footer prefix that makes a message recognisable as that day's scheduled post."""
    return f"Daily {local_date.isoformat()}"


def is_daily_post(message: discord.Message, bot_id: int, local_date: date) -> bool:
    """The bot's own scheduled post for ``local_date`` (an extra /daily now post has no marker)."""
    if message.author.id != bot_id:
        return False
    marker = daily_marker(local_date) + " · "
    return any((embed.footer.text or "").startswith(marker) for embed in message.embeds)


def _question_id_of(message: discord.Message) -> str | None:
    for embed in message.embeds:
        text = embed.footer.text or ""
        if "id: " in text:
            return text.rsplit("id: ", 1)[-1].strip()
    return None


def domain_schedule(record: ScheduleRecord) -> DailySchedule:
    """The stored row as the pure domain schedule (ValueError if the row is corrupt)."""
    return DailySchedule(
        local_time=parse_time(record.local_time),
        timezone=record.timezone,
        days=days_from_mask(record.days),
        grace=timedelta(hours=record.grace_hours),
    )


class PostingError(Exception):
    """Posting failed; ``transient`` says whether a retry later could succeed."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


@dataclass(frozen=True, slots=True)
class Posted:
    post: QuestionPost
    question_id: str
    warning: str | None  # a partial failure after the question went out (thread, wrap-up)


def _classify(error: BaseException, where: str) -> PostingError:
    if isinstance(error, PostingError):
        return error
    if isinstance(error, discord.Forbidden):
        return PostingError(
            f"Discord refused {where} (missing permission: {error.text or error.status}). "
            "Check my role's permissions in that channel.",
            transient=False,
        )
    if isinstance(error, discord.NotFound):
        return PostingError(
            f"{where.capitalize()} failed: the channel no longer exists. Use /daily set to choose another.",
            transient=False,
        )
    if isinstance(error, discord.HTTPException):
        transient = error.status >= 500 or error.status == 429
        return PostingError(
            f"Discord error during {where} ({error.status}): {error.text}", transient=transient
        )
    if isinstance(error, aiohttp.ClientError | TimeoutError | OSError):
        return PostingError(f"Network error during {where}: {error!r}", transient=True)
    return PostingError(f"Unexpected error during {where}: {error!r}", transient=False)


class DailyScheduler:
    """Decides and posts the daily questions of every guild on this process's shards."""

    def __init__(self, bot: InterviewBot, *, rng: random.Random | None = None) -> None:
        self.bot = bot
        self.rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._locks: dict[int, asyncio.Lock] = {}
        self._retry_at: dict[int, datetime] = {}
        #: guild -> the last transient error of its pending post, so a day that ends past grace
        #: after repeated errors says so (and not "the bot stopped")
        self._last_transient: dict[int, str] = {}
        #: this process's claim token: a claimed row under another token was left by a dead process
        self.token = secrets.token_hex(8)
        self.passes = 0  # completed passes, so tests can wait for "the loop has looked"

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop(), name="daily-scheduler")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        """A schedule changed (or a test moved the clock): re-decide now instead of at the next due time."""
        self._wake.set()

    async def _loop(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            self._wake.clear()
            next_at: datetime | None = None
            try:
                next_at = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Daily scheduler pass failed; retrying in %.0f s", MAX_SLEEP_SECONDS)
            delay = MAX_SLEEP_SECONDS
            if next_at is not None:
                delay = (next_at - self.bot.now()).total_seconds()
                delay = min(max(delay, MIN_SLEEP_SECONDS), MAX_SLEEP_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    # ---------------------------------------------------------------- one pass
    def owns(self, guild_id: int) -> bool:
        """Shard filter: only guilds on this process's shard(s) are scheduled here."""
        settings = self.bot.settings
        if settings.shard_count is not None:
            return on_shard(guild_id, settings.shard_id, settings.shard_count)
        return on_shard(guild_id, self.bot.shard_id, self.bot.shard_count)

    def lock(self, guild_id: int) -> asyncio.Lock:
        """Per-guild lock: a scheduled post and /daily now never interleave (two wrap-ups)."""
        return self._locks.setdefault(guild_id, asyncio.Lock())

    async def run_once(self) -> datetime | None:
        """One pass over every enabled schedule on our shards; returns when the next pass is due."""
        earliest: datetime | None = None
        for record in await self.bot.db.schedules.enabled():
            if not self.owns(record.guild_id):
                continue
            try:
                async with self.lock(record.guild_id):
                    wake_at = await self._run_guild(record)
            except Exception:
                log.exception("Daily scheduler failed for guild %s", record.guild_id)
                wake_at = self.bot.now() + RETRY_DELAY
            if wake_at is not None and (earliest is None or wake_at < earliest):
                earliest = wake_at
        self.passes += 1
        return earliest

    async def _run_guild(self, record: ScheduleRecord) -> datetime | None:
        db = self.bot.db
        now = self.bot.now()
        guild_id = record.guild_id
        try:
            schedule = domain_schedule(record)
        except ValueError as error:
            await self._record_error(guild_id, f"The stored schedule is invalid ({error}). Use /daily set.")
            return None
        retry_at = self._retry_at.get(guild_id)
        if retry_at is not None and now < retry_at:
            return retry_at
        self._retry_at.pop(guild_id, None)
        pending = await db.daily_runs.claims_to_reconcile(
            guild_id,
            token=self.token,
            foreign_before=now - FOREIGN_CLAIM_GRACE,
            tokenless_before=now - STALE_CLAIM,
        )
        for run in pending:
            await self._reconcile(record, schedule, run, now)

        since = (now - LOOKBACK - schedule.grace - timedelta(days=2)).date()
        handled = await db.daily_runs.dates_since(guild_id, since)
        skip_dates: list[date] = []
        if record.skip_date is not None:
            skip_due = local_due(schedule, record.skip_date)
            if skip_due <= now:
                # The skipped day has come: turn the admin's skip into a run row (history for
                # /daily show) and clear it so a later /daily skip can pick the next day.
                await db.daily_runs.mark_skipped(
                    guild_id, record.skip_date, "Skipped by an admin with /daily skip.", now, due_at=skip_due
                )
                await db.schedules.set_skip(guild_id, None, now)
                handled.add(record.skip_date)
            else:
                skip_dates.append(record.skip_date)

        # Occurrences due before the schedule's last change are not acted on: setting a 09:00
        # schedule at noon must not post today's question late or log yesterday as missed.
        decision = decide(schedule, now, handled, skip_dates=skip_dates, active_since=record.updated_at)
        for action in decision.actions:
            if isinstance(action, SkipMissed):
                if await db.daily_runs.mark_skipped(
                    guild_id, action.local_date, action.reason, now, action.due_at
                ):
                    self.bot.metrics.daily_posts.labels("skipped").inc()
                    log.warning(
                        "Guild %s: daily post of %s skipped: %s", guild_id, action.local_date, action.reason
                    )
            elif isinstance(action, PostNow):
                await self._post_scheduled(record, action, now)
        wake_at = decision.sleep_until
        retry_at = self._retry_at.get(guild_id)
        if retry_at is not None and retry_at < wake_at:
            wake_at = retry_at
        return wake_at

    async def _post_scheduled(self, record: ScheduleRecord, action: PostNow, now: datetime) -> None:
        """Claim (guild, local date), then post; see the module docstring for why in that order."""
        # The claim names the channel this send goes to: reconciliation searches that one even if
        # /daily set moves the schedule before a restart.
        run = await self.bot.db.daily_runs.claim(
            record.guild_id, action.local_date, action.due_at, now, self.token, channel_id=record.channel_id
        )
        if run is None:
            return  # another pass or process already owns this day
        await self._post_run(record, run, late=action.late)

    async def _post_run(self, record: ScheduleRecord, run: DailyRun, *, late: bool) -> None:
        """Send the day's post for a run we hold, then mark it posted (or handle the failure)."""
        guild_id = record.guild_id
        try:
            posted = await self.post_question(record, local_date=run.local_date)
        except Exception as error:
            failure = _classify(error, "the daily post")
            await self._after_failure(record, run, failure)
            if not isinstance(error, PostingError | discord.HTTPException):
                log.exception("Guild %s: unexpected error posting the daily question", guild_id)
            return
        await self._finish_run(record, run, posted, "late" if late else "posted")
        log.info(
            "Guild %s: posted daily question %s for %s%s",
            guild_id,
            posted.question_id,
            run.local_date,
            " (late)" if late else "",
        )

    async def _finish_run(self, record: ScheduleRecord, run: DailyRun, posted: Posted, outcome: str) -> None:
        db = self.bot.db
        self._last_transient.pop(record.guild_id, None)
        if await db.daily_runs.mark_posted(run.id, posted.post.id, self.bot.now(), token=self.token) is None:
            # Another process adopted the run meanwhile (it thought us dead): the day is its to
            # finish; it finds this same post in the channel, so nothing is lost or doubled.
            log.warning(
                "Guild %s: daily run of %s was taken over by another process; not marking it posted",
                record.guild_id,
                run.local_date,
            )
            return
        self.bot.metrics.daily_posts.labels(outcome).inc()
        if posted.warning:
            await self._record_error(record.guild_id, posted.warning)
        elif record.last_error:
            await db.schedules.clear_error(record.guild_id)

    async def _after_failure(self, record: ScheduleRecord, run: DailyRun, failure: PostingError) -> None:
        db = self.bot.db
        now = self.bot.now()
        if failure.transient:
            # Keep the claim: a send that timed out or got a 5xx may still have gone out. After
            # RETRY_DELAY the pass reconciles it (looks in the channel first, then posts if the
            # day is still inside its grace window), so the retry cannot double the post.
            self._retry_at[record.guild_id] = now + RETRY_DELAY
            self._last_transient[record.guild_id] = failure.message
            message = f"{failure.message} I will retry in {int(RETRY_DELAY.total_seconds() // 60)} minutes."
        else:
            self._last_transient.pop(record.guild_id, None)
            if await db.daily_runs.mark_failed(run.id, failure.message, now, token=self.token) is None:
                log.warning(
                    "Guild %s: daily run of %s was taken over by another process; not marking it failed",
                    record.guild_id,
                    run.local_date,
                )
                return
            message = failure.message
        self.bot.metrics.daily_posts.labels("retrying" if failure.transient else "failed").inc()
        log.warning("Guild %s: daily post of %s failed: %s", record.guild_id, run.local_date, message)
        await self._record_error(record.guild_id, message)

    # ---------------------------------------------------------------- reconciling an unfinished claim
    async def _reconcile(
        self, record: ScheduleRecord, schedule: DailySchedule, run: DailyRun, now: datetime
    ) -> None:
        """Finish a claim that a dead process (or our own failed attempt) left: find, post or fail it."""
        db = self.bot.db
        guild_id = record.guild_id
        # Our own token: this process's earlier attempt ended early (a transient error, which is
        # remembered, or an unexpected one), not a crash; the reasons below must not say "stopped".
        own = run.claim_token == self.token
        retried = self._last_transient.get(guild_id, "an unexpected error, see the log") if own else None
        started = (
            f"My attempt to post this day's question failed ({retried})"
            if retried
            else "Interrupted: the bot stopped while posting this day's question"
        )
        try:
            message = await self._find_daily_message(record, run)
        except Exception as error:
            failure = _classify(error, "reading the daily channel's history")
            if failure.transient:
                self._retry_at[guild_id] = now + RETRY_DELAY
                log.warning(
                    "Guild %s: cannot reconcile %s yet: %s", guild_id, run.local_date, failure.message
                )
                return
            adopted_run = await db.daily_runs.adopt(run, self.token)
            if adopted_run is None:
                return
            await self._fail_interrupted(
                record,
                adopted_run,
                f"{started} and I could not check the channel for it ({failure.message}). "
                "I did not post it again, to avoid a double post.",
            )
            return
        adopted = await db.daily_runs.adopt(run, self.token)
        if adopted is None:
            return  # another process took it over meanwhile
        if message is not None:
            posted = await self._record_post(record, run, message)
            await self._finish_run(record, adopted, posted, "reconciled")
            log.info("Guild %s: recorded the interrupted daily post of %s", guild_id, run.local_date)
            return
        if now - run.due_at <= max(schedule.grace, ON_TIME_SLACK):
            log.info(
                "Guild %s: interrupted daily post of %s was not sent; posting it", guild_id, run.local_date
            )
            if adopted.channel_id != record.channel_id:
                # Not in the channel it was claimed for, and /daily set has moved the schedule since:
                # the post goes to the new channel, so the claim must name it before the send (a
                # crash during it would otherwise be reconciled against the old channel again).
                adopted = await db.daily_runs.move_claim(adopted.id, record.channel_id, token=self.token)
                if adopted is None:
                    return  # another process took it over meanwhile
            await self._post_run(record, adopted, late=now - run.due_at > ON_TIME_SLACK)
            return
        hours = schedule.grace.total_seconds() / 3600
        if retried:
            reason = (
                f"My attempts to post this day's question kept failing (last error: {retried}) "
                f"until its {hours:g}-hour grace window had passed, so nothing was posted that day."
            )
        else:
            reason = (
                "Interrupted: this day's post was started but never sent, and the bot came back after "
                f"the {hours:g}-hour grace window, so nothing was posted that day."
            )
        await self._fail_interrupted(record, adopted, reason)

    async def _fail_interrupted(self, record: ScheduleRecord, run: DailyRun, reason: str) -> None:
        self._last_transient.pop(record.guild_id, None)
        if await self.bot.db.daily_runs.mark_failed(run.id, reason, self.bot.now(), token=self.token) is None:
            log.warning(
                "Guild %s: daily run of %s was taken over by another process; not failing it",
                record.guild_id,
                run.local_date,
            )
            return
        self.bot.metrics.daily_posts.labels("failed").inc()
        await self._record_error(record.guild_id, f"Daily post of {run.local_date:%a %d %b %Y}: {reason}")
        log.warning(
            "Guild %s: interrupted daily post of %s failed: %s", record.guild_id, run.local_date, reason
        )

    async def _find_daily_message(self, record: ScheduleRecord, run: DailyRun) -> discord.Message | None:
        """The bot's own post for ``run``'s day sent after the claim, or None (raises if unreadable).

        The channel searched is the one the day was claimed for (:meth:`_claimed_channel`), not the
        schedule's current one: /daily set may have moved it between the crash and the restart.
        Discord answers a history read without Read Message History with 200 and an empty list
        (403 only without View Channel), which would read as "not sent" and lead to a second post;
        so the permission is checked first and its absence is a permanent error.
        """
        guild, channel = self._claimed_channel(record, run)
        if not channel.permissions_for(guild.me).read_message_history:
            raise PostingError(
                f"I'm missing Read Message History in {channel.mention}, so I can't see whether the "
                "post went out. Ask an admin to grant it.",
                transient=False,
            )
        after = run.claimed_at - CLOCK_SLACK
        async for message in channel.history(limit=RECONCILE_HISTORY_LIMIT, after=after, oldest_first=True):
            if is_daily_post(message, guild.me.id, run.local_date):
                return message
        return None

    async def _record_post(self, record: ScheduleRecord, run: DailyRun, message: discord.Message) -> Posted:
        """Record a found post exactly as if we had just sent it (a row may exist from before the crash).

        The post is recorded in the channel it was found in (the claimed one), which may no longer
        be the schedule's channel.
        """
        guild, channel = self._claimed_channel(record, run)
        question_id = _question_id_of(message) or "unknown"
        question = self.bot.library.question(question_id)
        existing = await self.bot.db.posts.by_message(message.id)
        # Not simply the newest daily post: a crash after recording this message makes that row
        # the newest, and yesterday's thread would never be wrapped up.
        previous = await self.bot.db.posts.latest_daily(guild.id, exclude_message_id=message.id)
        return await self._finish_post(
            guild, channel, message, question_id, question, previous, existing=existing
        )

    def _daily_channel(self, record: ScheduleRecord) -> tuple[discord.Guild, discord.TextChannel]:
        """The schedule's channel: where new posts go."""
        return self._text_channel(
            record.guild_id,
            record.channel_id,
            "The daily channel no longer exists (or is not a text channel). "
            "Use /daily set to choose another.",
        )

    def _claimed_channel(
        self, record: ScheduleRecord, run: DailyRun
    ) -> tuple[discord.Guild, discord.TextChannel]:
        """The channel ``run`` was claimed for: where an interrupted post of that day would be.

        Claims made before migration 0004 carry no channel and fall back to the schedule's. A
        claimed channel that is gone is a permanent error, never a reason to look (or post)
        elsewhere: the day's post may have gone out there.
        """
        if run.channel_id is None or run.channel_id == record.channel_id:
            return self._daily_channel(record)
        return self._text_channel(
            record.guild_id,
            run.channel_id,
            f"The channel this day's post was started in (<#{run.channel_id}>, the daily channel "
            "before the last /daily set) no longer exists (or is not a text channel), so I can't "
            "see whether the post went out there.",
        )

    def _text_channel(
        self, guild_id: int, channel_id: int, missing: str
    ) -> tuple[discord.Guild, discord.TextChannel]:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            raise PostingError("I can't see this server right now.", transient=True)
        channel = guild.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise PostingError(missing, transient=False)
        return guild, channel

    async def _record_error(self, guild_id: int, message: str) -> None:
        await self.bot.db.schedules.record_error(guild_id, message, self.bot.now())

    # ---------------------------------------------------------------- posting (also /daily now)
    async def post_question(self, record: ScheduleRecord, *, local_date: date | None = None) -> Posted:
        """Post the next question of the rotation in the guild's daily channel, then wrap up the last one.

        With ``local_date`` (a scheduled post) the embed carries that day's marker and the send a
        deterministic nonce, so the post can be found again after a crash and a repeated send is
        deduplicated by Discord; an extra /daily now post has neither.
        Raises :class:`PostingError` (or a discord error) only BEFORE the question message is sent;
        problems after that (thread, wrap-up) are returned as ``warning`` because the post exists.
        """
        guild, channel = self._daily_channel(record)
        missing = missing_posting_permissions(channel.permissions_for(guild.me))
        if missing:
            raise PostingError(
                f"I can't post in {channel.mention}: I'm missing {', '.join(missing)}. "
                "Ask an admin to grant it.",
                transient=False,
            )
        question = await self._choose(record)
        role = guild.get_role(record.role_id) if record.role_id else None
        embed = render.question_embed(question, self.bot.pack_of(question))
        # discord.py sends every nonce with enforce_nonce=True; an extra post gets a random one,
        # which is what discord.py would draw itself.
        nonce: str | int = secrets.randbits(64)
        if local_date is not None:
            embed.set_footer(text=f"{daily_marker(local_date)} · {embed.footer.text or ''}")
            nonce = daily_nonce(guild.id, local_date)
        try:
            message = await channel.send(
                content=role.mention if role else None,
                embed=embed,
                # Only the configured role may ever be pinged; never @everyone or users.
                allowed_mentions=discord.AllowedMentions(everyone=False, users=False, roles=[role])
                if role
                else discord.AllowedMentions.none(),
                nonce=nonce,
            )
        except Exception as error:
            raise _classify(error, f"posting in #{channel.name}") from error
        # A nonce replay returns the earlier message: it may already be recorded, and it carries the
        # question chosen then, which is the one to record.
        existing = await self.bot.db.posts.by_message(message.id)
        # Read after the send, excluding this message: a replayed message may already be recorded
        # as the newest daily post, and wrapping "the previous post" up would archive its own thread.
        previous = await self.bot.db.posts.latest_daily(guild.id, exclude_message_id=message.id)
        question_id = _question_id_of(message) or question.id
        found = question if question_id == question.id else self.bot.library.question(question_id)
        return await self._finish_post(
            guild, channel, message, question_id, found, previous, existing=existing
        )

    async def _finish_post(
        self,
        guild: discord.Guild,
        channel: discord.TextChannel,
        message: discord.Message,
        question_id: str,
        question: Question | None,
        previous: QuestionPost | None,
        *,
        existing: QuestionPost | None,
    ) -> Posted:
        """Record the sent question, open its thread if it has none yet, wrap up the previous one."""
        post = existing or await self.bot.db.posts.create(
            guild_id=guild.id,
            channel_id=channel.id,
            message_id=message.id,
            question_id=question_id,
            source="daily",
            posted_at=self.bot.now(),
        )
        warnings: list[str] = []
        if post.thread_id is None:
            try:
                thread = await self._open_thread(message, question_id, question)
                post = await self.bot.db.posts.set_thread(post.id, thread.id) or post
            except discord.HTTPException as error:
                log.warning("Guild %s: daily question posted but its thread failed: %s", guild.id, error)
                warnings.append(f"The question was posted but I couldn't open its thread ({error.status}).")
        if previous is not None:
            problem = await self._wrap_up(guild, previous)
            if problem:
                warnings.append(problem)
        return Posted(post=post, question_id=question_id, warning=" ".join(warnings) or None)

    async def _open_thread(
        self, message: discord.Message, question_id: str, question: Question | None
    ) -> discord.Thread:
        """The message's thread, introduced: the existing one (a crash after creating it) or a new one.

        An existing thread gets the intro if it lacks one: the crash may have come between creating
        the thread and introducing it, and members would not know how to answer.
        """
        existing = message.thread
        if existing is None and message.flags.has_thread:
            existing = await message.fetch_thread()
        if existing is not None:
            if question is not None and not await self._has_intro(existing, question):
                await existing.send(render.thread_intro(question))
            return existing
        name = render.thread_name(question) if question is not None else question_id
        thread = await message.create_thread(name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        if question is not None:
            await thread.send(render.thread_intro(question))
        return thread

    async def _has_intro(self, thread: discord.Thread, question: Question) -> bool:
        """Whether the bot's intro is among the thread's first messages (it is sent right after creation)."""
        intro = render.thread_intro(question)
        me = thread.guild.me.id
        async for sent in thread.history(limit=INTRO_SEARCH_LIMIT, oldest_first=True):
            if sent.author.id == me and sent.content == intro:
                return True
        return False

    async def _choose(self, record: ScheduleRecord) -> Question:
        library = self.bot.library
        candidates = list(library.all_questions)
        if record.category:
            wanted = record.category.casefold()
            candidates = [q for q in candidates if q.category.casefold() == wanted]
        if not candidates:
            raise PostingError(
                f"There are no questions in the category {record.category!r} any more. Use /daily set.",
                transient=False,
            )
        history = await self.bot.db.posts.posted_question_ids(record.guild_id)
        counts = await self.bot.db.answers.count_by_question(record.guild_id)
        chosen = library.question(choose_question([q.id for q in candidates], history, counts, self.rng))
        assert chosen is not None
        return chosen

    async def _wrap_up(self, guild: discord.Guild, post: QuestionPost) -> str | None:
        """Reveal the last daily question's pointers in its thread and archive it; a problem is returned."""
        db = self.bot.db
        if post.thread_id is None or post.archived_at is not None:
            return None
        question = self.bot.library.question(post.question_id)
        try:
            thread = guild.get_thread(post.thread_id) or await guild.fetch_channel(post.thread_id)
        except discord.NotFound:
            thread = None
        except discord.HTTPException as error:
            return f"I couldn't open the previous daily thread for its wrap-up ({error.status})."
        if not isinstance(thread, discord.Thread):
            await db.posts.archive(post.id, self.bot.now())  # the thread is gone: nothing to wrap up
            return None
        try:
            if question is not None:
                answered = await db.answers.count_members_for_post(post.id)
                embed = daily_render.wrap_up_embed(question, self.bot.pack_of(question), answered)
                await thread.send(embed=embed)
            await thread.edit(archived=True)
        except discord.HTTPException as error:
            log.warning("Guild %s: daily wrap-up in thread %s failed: %s", guild.id, thread.id, error)
            return f"I couldn't post the wrap-up in {thread.mention} ({error.status})."
        await db.posts.archive(post.id, self.bot.now())
        return None
