"""A loopback fake Discord for integration tests: the REAL discord.py client connects to it.

Quick start (see README.md in this folder for the whole API)::

    async def test_hello(fake_discord):                 # fixture from tests/fakediscord/fixtures.py
        fake = fake_discord
        guild = fake.add_guild("Study")
        channel = fake.add_text_channel(guild, "interviews")
        alice = fake.add_member(guild, "alice")
        bot = make_bot()                                 # a discord.Client / commands.Bot
        async with running_client(bot, fake):            # login + connect + wait_until_ready + close
            ix = await fake.invoke_command(alice, channel, "question", {"category": "Technical"})
            body = await ix.response()
            assert ix.response_kind == "message" and "Technical" in ix.content

Everything the bot sends is validated against Discord's OpenAPI description; violations and
unknown routes are recorded on the fake and fail the test at teardown (``fake_discord`` fixture).
"""

from .errors import DiscordError
from .interactions import InteractionRecord
from .ratelimits import RateLimitRule
from .rest import RecordedRequest, SpecViolation, UnknownRoute
from .server import FakeDiscord, running_fake
from .state import Channel, Guild, Member, Message, Role, User

__all__ = [
    "Channel",
    "DiscordError",
    "FakeDiscord",
    "Guild",
    "InteractionRecord",
    "Member",
    "Message",
    "RateLimitRule",
    "RecordedRequest",
    "Role",
    "SpecViolation",
    "UnknownRoute",
    "User",
    "running_fake",
]
