"""`python -m bot run`: wire settings, content, database and the Discord client together.

Start-up fails fast and clearly (exit non-zero) on a broken pack or a missing token, before any
connection to Discord is made.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import discord
import yarl

from bot.client import InterviewBot
from bot.config import DEFAULT_API_BASE_URL, Settings
from bot.domain.packs import PackError, load_library
from bot.storage.database import Database

log = logging.getLogger(__name__)


def point_discord_at(api_base_url: str, gateway_url: str) -> None:
    """Route discord.py's REST and gateway traffic, e.g. through a proxy or to a test double.

    discord.py reads `Route.BASE` per request and the gateway default when it connects, so setting
    both before `login()` is enough.
    """
    if api_base_url != DEFAULT_API_BASE_URL:
        log.info("Using Discord REST base %s", api_base_url)
    discord.http.Route.BASE = api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


async def run(settings: Settings) -> int:
    try:
        library = load_library(settings.content_dir)
    except PackError as error:
        print(f"error: the content pack is invalid, so the bot did not start:\n{error}", file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    point_discord_at(settings.api_base_url, settings.gateway_url)
    async with Database.open(settings.database_path) as db:
        bot = InterviewBot(settings=settings, db=db, library=library)
        loop = asyncio.get_running_loop()
        shutdown: list[asyncio.Future[None]] = []  # keeps a reference to the closing task
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows has no signal handlers
                loop.add_signal_handler(signum, lambda: shutdown.append(asyncio.ensure_future(bot.close())))
        try:
            async with bot:
                await bot.start(settings.token)
        except discord.LoginFailure:
            print(
                "error: Discord rejected DISCORD_TOKEN. Copy the token again from the portal.",
                file=sys.stderr,
            )
            return 1
        except discord.PrivilegedIntentsRequired:
            print(
                "error: enable the Message Content intent for the bot in the Discord developer portal "
                "(Bot → Privileged Gateway Intents).",
                file=sys.stderr,
            )
            return 1
    return 0
