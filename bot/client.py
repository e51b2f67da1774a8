"""The discord.py bot object: owns nothing global, receives its collaborators from `python -m bot run`.

Database, content library and clock are passed in (explicit lifetimes, no module globals), so tests
can build the same bot on a temporary SQLite file with a controllable clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import discord
from discord.ext import commands

from bot.config import Settings
from bot.domain.model import Pack, Question
from bot.domain.packs import Library
from bot.metrics import Metrics
from bot.storage.database import Database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

EXTENSIONS = (
    "bot.cogs.errors",
    "bot.cogs.health",
    "bot.cogs.questions",
    "bot.cogs.answers",
    "bot.cogs.progress",
    "bot.cogs.privacy",
    "bot.cogs.leaderboard",
    "bot.cogs.help",
    "bot.cogs.daily",
    "bot.cogs.reviews",
    "bot.cogs.settings",
    "bot.cogs.mock",
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def no_prefix(bot: commands.Bot, message: discord.Message) -> list[str]:
    return []


def make_intents() -> discord.Intents:
    """Guild and message events plus Message Content (privileged: enable it in the developer portal)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    return intents


class InterviewBot(commands.Bot):
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        library: Library,
        clock: Clock = utc_now,
        extensions: tuple[str, ...] = EXTENSIONS,
        sync_commands: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(
            # Slash commands only: no text prefix, so "@bot hi" is not a CommandNotFound error.
            command_prefix=no_prefix,
            intents=make_intents(),
            # Member text is echoed in embeds and replies: nothing the bot sends may ping by default.
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            shard_id=settings.shard_id,
            shard_count=settings.shard_count,
            **options,
        )
        self.settings = settings
        self.db = db
        self.library = library
        self.clock = clock
        self.metrics = Metrics()
        self._extensions = extensions
        self._sync_commands = sync_commands
        self._background: set[asyncio.Task[Any]] = set()

    def pack_of(self, question: Question) -> Pack:
        """The pack a loaded question belongs to (always present: questions come from the library)."""
        pack = self.library.pack_of(question.id)
        if pack is None:
            raise LookupError(f"question {question.id!r} is not in the loaded content")
        return pack

    def now(self) -> datetime:
        """The bot's notion of the current instant: aware UTC, replaceable in tests."""
        return self.clock()

    async def setup_hook(self) -> None:
        for extension in self._extensions:
            await self.load_extension(extension)
        # Commands are per application, not per shard: when shards run as separate processes, only
        # shard 0 syncs, so N processes do not race N identical bulk overwrites at start-up.
        if self._sync_commands and self.settings.shard_id in (None, 0):
            await self.sync_application_commands()

    async def sync_application_commands(self) -> None:
        """Sync to DEV_GUILD_ID for instant availability while developing, else globally."""
        if self.settings.dev_guild_id is not None:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("Synced %d commands to guild %s", len(synced), self.settings.dev_guild_id)
        else:
            synced = await self.tree.sync()
            log.info("Synced %d global commands", len(synced))

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        """Run work in the background, keeping a reference and logging any exception it raises."""
        task = asyncio.create_task(coro, name=name)
        self._background.add(task)
        task.add_done_callback(self._background_done)
        return task

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("Background task %s failed", task.get_name(), exc_info=exc)

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await super().close()

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("Ready as %s (%s) in %d guilds", self.user, self.user.id, len(self.guilds))
