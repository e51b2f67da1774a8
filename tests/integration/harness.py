"""Run the real InterviewBot against the fake Discord on a real SQLite file, with a test clock.

`BotEnv` owns one fake guild (a text channel, two members and an admin) and can start, stop and
restart the bot on the same database file, the way a crash or deploy would.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.client import InterviewBot
from bot.config import Settings
from bot.domain.packs import Library, load_library
from bot.storage import Database
from tests.fakediscord import Channel, FakeDiscord, Guild, Member, Message
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


async def open_thread(env: BotEnv, question_id: str, member: Member | None = None) -> Channel:
    """Ask /question for `question_id` and wait until its thread is open and introduced."""
    before = len(env.fake.threads)
    ix = await env.fake.invoke_command(
        member or env.alice, env.channel, "question", {"question": question_id}
    )
    await ix.settled()
    thread: Channel = await env.fake.wait_until(
        lambda: env.fake.threads[before] if len(env.fake.threads) > before else None, what="thread"
    )
    await env.fake.wait_for_message(thread)
    env.clock.advance(minutes=5)  # past the /question cooldown
    return thread


def replies_to(message: Message) -> Callable[[Message], bool]:
    return lambda m: str((m.message_reference or {}).get("message_id")) == str(message.id)


async def answer_by_message(
    env: BotEnv, member: Member, thread: Channel, text: str
) -> tuple[Message, Message]:
    """Post an answer; returns the member's message and the bot's answer card replying to it."""
    message = await env.fake.post_message(member, thread, text)
    card = await env.fake.wait_for_message(thread, lambda m: replies_to(message)(m) and bool(m.components))
    return message, card
