"""The fake's fault hooks: armed 429s and locked archived threads, against the real discord.py client.

These pin the wire format discord.py depends on (a 429 without ``Via`` would be taken for a
Cloudflare ban; a body without ``retry_after`` would crash its retry loop), so the bot-level tests
in tests/integration/test_faults.py exercise discord.py's real retry path.
"""

from __future__ import annotations

import logging

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord.fixtures import running_client

READY_FAST = 0.05


def _client() -> discord.Client:
    intents = discord.Intents.default()
    intents.message_content = True
    return discord.Client(intents=intents, guild_ready_timeout=READY_FAST)


def _statuses(fake: FakeDiscord, method: str, path: str) -> list[int]:
    return [r.status for r in fake.requests if r.method == method and r.path == path]


async def test_429_body_and_headers_are_discords(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    guild = fake.add_guild("Study")
    channel = fake.add_text_channel(guild, "interviews")
    fake.rate_limit("POST", rf"/channels/{channel.id}/messages$", retry_after=0.25)
    fake.rate_limit("GET", r"/gateway/bot$", is_global=True, retry_after=1.5)
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession() as session:
        url = f"{fake.rest_base}/channels/{channel.id}/messages"
        async with session.post(url, json={"content": "hi"}, headers=headers) as resp:
            body = await resp.json()
            assert resp.status == 429
            assert body == {
                "code": 0,
                "message": "You are being rate limited.",
                "retry_after": 0.25,
                "global": False,
            }
            assert resp.headers["Via"] and resp.headers["Retry-After"] == "1"
            assert resp.headers["X-RateLimit-Remaining"] == "0"
            assert resp.headers["X-RateLimit-Reset-After"] == "0.250"
            assert resp.headers["X-RateLimit-Scope"] == "user" and resp.headers["X-RateLimit-Bucket"]
        async with session.post(url, json={"content": "hi"}, headers=headers) as resp:
            assert resp.status == 200, "a rule armed for one 429 is spent after it"
        async with session.get(f"{fake.rest_base}/gateway/bot", headers=headers) as resp:
            body = await resp.json()
            assert resp.status == 429 and body["global"] is True and body["retry_after"] == 1.5
            assert resp.headers["X-RateLimit-Global"] == "true" and resp.headers["Retry-After"] == "2"
            assert "X-RateLimit-Bucket" not in resp.headers
    assert fake.rate_limits.pending == []
    assert [m.content for m in fake.messages_in(channel)] == ["hi"], "a 429 creates nothing"


async def test_discordpy_waits_retry_after_then_retries_once(
    fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    fake = fake_discord
    guild = fake.add_guild("Study")
    channel = fake.add_text_channel(guild, "interviews")
    client = _client()
    async with running_client(client, fake):
        ch = client.get_channel(channel.id)
        assert isinstance(ch, discord.TextChannel)
        rule = fake.rate_limit("POST", r"/messages$", times=2, retry_after=0.1)
        with caplog.at_level(logging.WARNING, logger="discord.http"):
            sent = await ch.send("through the storm")
        path = f"/channels/{channel.id}/messages"
        assert _statuses(fake, "POST", path) == [429, 429, 200]
        times = [r.time for r in fake.requests if r.path == path]
        assert times[1] - times[0] >= 0.09 and times[2] - times[1] >= 0.09, "retry_after honoured"
        assert rule.hits == [path, path] and rule.remaining == 0
        assert [m.id for m in fake.messages_in(channel)] == [sent.id]
        assert "We are being rate limited" in caplog.text

        fake.rate_limit("POST", r"/messages$", is_global=True, retry_after=0.05)
        await ch.send("global too")
        assert _statuses(fake, "POST", path)[-2:] == [429, 200]
        assert [m.content for m in fake.messages_in(channel)] == ["through the storm", "global too"]


async def test_unmatched_requests_are_not_limited(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    guild = fake.add_guild("Study")
    channel = fake.add_text_channel(guild, "interviews")
    client = _client()
    async with running_client(client, fake):
        ch = client.get_channel(channel.id)
        assert isinstance(ch, discord.TextChannel)
        fake.rate_limit("PATCH", r"/messages/\d+$")
        await ch.send("plain")
        assert 429 not in [r.status for r in fake.requests]
        assert len(fake.rate_limits.pending) == 1
    with pytest.raises(ValueError):
        fake.rate_limit("POST", r"/x", times=0)


async def test_locked_archived_thread_refuses_bot_without_manage_threads(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    guild = fake.add_guild("Study")
    fake.set_bot_permissions(guild, deny=["manage_threads"])
    channel = fake.add_text_channel(guild, "interviews")
    client = _client()
    async with running_client(client, fake):
        ch = client.get_channel(channel.id)
        assert isinstance(ch, discord.TextChannel)
        thread = await ch.create_thread(name="q1", type=discord.ChannelType.public_thread)
        state = fake.channels[thread.id]
        await fake.lock_thread(state)
        assert state.locked and state.archived
        update = fake.dispatched("THREAD_UPDATE")[-1]["thread_metadata"]
        assert update["locked"] and update["archived"]
        # discord.py drops archived threads from its cache, as with a real lock
        await fake.wait_until(lambda: client.get_channel(thread.id) is None, what="the bot saw the lock")

        with pytest.raises(discord.HTTPException) as refused:
            await thread.send("too late")
        assert refused.value.status == 400 and refused.value.code == 50083
        assert state.archived and fake.messages_in(state) == []

        fake.set_bot_permissions(guild, allow=["manage_threads"])
        await fake.flush()
        await thread.send("moderator bot reopens it")
        assert not state.archived and state.locked
        assert [m.content for m in fake.messages_in(state)] == ["moderator bot reopens it"]

        unlocked = await ch.create_thread(name="q2", type=discord.ChannelType.public_thread)
        await unlocked.edit(archived=True)
        await unlocked.send("still reopens")  # unlocked archived threads keep reopening on send
        assert not fake.channels[unlocked.id].archived
    with pytest.raises(ValueError):
        await fake.lock_thread(channel)
