"""Pytest fixtures and the ``running_client`` helper; import them from ``tests/conftest.py``::

    from tests.fakediscord.fixtures import fake_discord, fake_discord_unchecked  # noqa: F401

``fake_discord`` fails the test at teardown if the bot sent a body Discord would reject or used a
route Discord (or the fake) does not have; clear ``fake.spec_violations`` / ``fake.unknown_routes``
in a test that provokes one on purpose.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord
import pytest

from .server import FakeDiscord


@contextlib.asynccontextmanager
async def running_client(
    client: discord.Client, fake: FakeDiscord, *, ready_timeout: float = 10.0
) -> AsyncIterator[discord.Client]:
    """Log ``client`` in against ``fake``, connect it in a task, wait until ready; close on exit.

    Give the client a small ``guild_ready_timeout`` (e.g. 0.05): discord.py otherwise waits 2 s
    for more GUILD_CREATEs before firing ready.
    """
    with fake.patch_client():
        try:
            await client.login(fake.token)
        except BaseException:
            await client.close()
            raise
        task = asyncio.create_task(client.connect(reconnect=True), name="fakediscord-client")
        try:
            ready = asyncio.create_task(client.wait_until_ready())
            done, _ = await asyncio.wait(
                {ready, task}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if ready not in done:
                ready.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ready
                if task in done:
                    task.result()  # re-raise the connect error
                raise AssertionError(f"client not ready after {ready_timeout}s")
            yield client
        finally:
            await client.close()
            with contextlib.suppress(asyncio.CancelledError, discord.ConnectionClosed):
                await asyncio.wait_for(task, timeout=5)
            await fake.flush()


def assert_clean(fake: FakeDiscord) -> None:
    """Fail if the bot sent anything Discord would reject as malformed, or used an unknown route."""
    problems = [f"spec violation: {v.method} {v.path}: {v.message}" for v in fake.spec_violations]
    problems += [f"unknown route: {u.method} {u.path} ({u.reason})" for u in fake.unknown_routes]
    if problems:
        pytest.fail("fakediscord recorded problems:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started fake, patched into discord.py; fails the test on spec violations/unknown routes."""
    fake = FakeDiscord()
    await fake.start()
    try:
        with fake.patch_client():
            yield fake
    finally:
        await fake.stop()
    assert_clean(fake)


@pytest.fixture
async def fake_discord_unchecked() -> AsyncIterator[FakeDiscord]:
    """Same as ``fake_discord`` but without the teardown check (for tests of the fake itself)."""
    async with FakeDiscord() as fake, contextlib.nullcontext():
        with fake.patch_client():
            yield fake
