"""Run the real InterviewBot against the fake Discord on a real SQLite file, with a test clock.

`BotEnv` owns one fake guild (a text channel, two members and an admin) and can start, stop and
restart the bot on the same database file, the way a crash or deploy would.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.client import InterviewBot
from bot.config import Settings
from bot.domain.packs import Library, load_library
from bot.storage import Database
from tests.fakediscord import Channel, FakeDiscord, Guild, Member
from tests.fakediscord.fixtures import running_client

ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = ROOT / "content"
MANAGE_GUILD = 1 << 5


@dataclass
class TestClock:
    """A controllable aware-UTC clock; the bot reads it through `bot.now()`."""

    current: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 8, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> datetime:
        self.current += timedelta(**kwargs)
        return self.current

    def set(self, when: datetime) -> None:
        assert when.tzinfo is not None
        self.current = when


class BotEnv:
    def __init__(self, fake: FakeDiscord, db_path: Path, library: Library) -> None:
        self.fake = fake
        self.db_path = db_path
        self.library = library
        self.clock = TestClock()
        self.guild: Guild = fake.add_guild("Study Server")
        self.channel: Channel = fake.add_text_channel(self.guild, "interviews")
        self.alice: Member = fake.add_member(self.guild, "alice")
        self.bob: Member = fake.add_member(self.guild, "bob")
        self.admin: Member = fake.add_member(self.guild, "admin", permissions=MANAGE_GUILD)
        self.settings = Settings(token=fake.token, database_path=db_path, question_cooldown_seconds=120)
        self._bot: InterviewBot | None = None

    @property
    def bot(self) -> InterviewBot:
        assert self._bot is not None, "the bot is not running"
        return self._bot

    @contextlib.asynccontextmanager
    async def running(self, **settings_overrides: object) -> AsyncIterator[InterviewBot]:
        """Start the bot on this env's database; stop it (cleanly) on exit."""
        settings = self.settings
        if settings_overrides:
            settings = Settings(**{**_settings_dict(settings), **settings_overrides})  # type: ignore[arg-type]
        async with Database.open(self.db_path) as db:
            bot = InterviewBot(
                settings=settings, db=db, library=self.library, clock=self.clock, guild_ready_timeout=0.05
            )
            async with running_client(bot, self.fake):
                self._bot = bot
                try:
                    yield bot
                finally:
                    self._bot = None


def _settings_dict(settings: Settings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in Settings.__dataclass_fields__}


def library() -> Library:
    return load_library(CONTENT_DIR)
