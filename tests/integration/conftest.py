from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.client import InterviewBot
from tests.fakediscord import FakeDiscord
from tests.integration.harness import BotEnv, library


@pytest.fixture(scope="session")
def content_library():  # type: ignore[no-untyped-def]
    return library()


@pytest.fixture
async def env(fake_discord: FakeDiscord, tmp_path: Path, content_library) -> BotEnv:  # type: ignore[no-untyped-def]
    return BotEnv(fake_discord, tmp_path / "interview.db", content_library)


@pytest.fixture
async def bot(env: BotEnv) -> AsyncIterator[InterviewBot]:
    async with env.running() as running:
        yield running
