"""The real entry point: `python -m bot run` as a process, pointed at the fake Discord."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakediscord import FakeDiscord
from tests.integration.harness import CONTENT_DIR, ROOT, BotEnv, library


def bot_env(fake: FakeDiscord, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "DEV_GUILD", "DATABASE_", "CONTENT_"))
    }
    env.update(
        DISCORD_TOKEN=fake.token,
        DATABASE_PATH=str(tmp_path / "data" / "bot.db"),
        CONTENT_DIR=str(CONTENT_DIR),
        DISCORD_API_BASE_URL=fake.rest_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def registered(fake: FakeDiscord, name: str, guild: object) -> bool:
    try:
        fake.find_command(name, guild)  # type: ignore[arg-type]
    except LookupError:
        return False
    return True


async def start_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=cwd,  # a folder without .env, so a developer's settings cannot leak in
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_bot_process_serves_a_question_and_stops_cleanly(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    guild = fake.add_guild("Process Server")
    channel = fake.add_text_channel(guild, "interviews")
    alice = fake.add_member(guild, "alice")
    proc = await start_bot(bot_env(fake, tmp_path, DEV_GUILD_ID=str(guild.id)), tmp_path)
    try:
        await fake.wait_until(lambda: registered(fake, "question", guild), timeout=30, what="command sync")
        await fake.wait_until(lambda: fake.gateway.sessions, timeout=30, what="gateway session")
        ix = await fake.invoke_command(alice, channel, "question", {"question": "slos-error-budgets"})
        await ix.settled(timeout=10)
        assert ix.embeds[0]["title"].startswith("How do you define and use SLOs")
        thread = await fake.wait_until(lambda: next(iter(fake.threads), None), timeout=10, what="thread")
        await fake.wait_for_message(thread, timeout=10)
        await fake.post_message(alice, thread, "I tie SLIs to what users feel, like checkout latency at p99.")
        await fake.wait_for_message(thread, lambda m: "Coach me" in str(m.components), timeout=10)
    finally:
        proc.send_signal(signal.SIGTERM)
        _stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=20)
    log = stderr.decode()
    assert proc.returncode == 0, log
    assert fake.token not in log, "the token must never be logged"
    assert (tmp_path / "data" / "bot.db").is_file()


async def test_missing_token_exits_with_a_clear_message(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    proc = await start_bot(bot_env(fake_discord, tmp_path, DISCORD_TOKEN=""), tmp_path)
    _stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=20)
    assert proc.returncode == 2
    assert "DISCORD_TOKEN is not set" in stderr.decode()


async def test_broken_pack_stops_start_up_naming_file_and_line(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    good = (CONTENT_DIR / "senior-devops.yaml").read_text(encoding="utf-8")
    broken = good.replace("  kind: primary\n", "  kind: primary\n  bogus: [unclosed\n", 1)
    (content / "broken.yaml").write_text(broken, encoding="utf-8")
    proc = await start_bot(bot_env(fake_discord, tmp_path, CONTENT_DIR=str(content)), tmp_path)
    _stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=20)
    text = stderr.decode()
    assert proc.returncode == 1, text
    assert "broken.yaml:" in text and "did not start" in text
    assert not any(r.path.endswith("/users/@me") for r in fake_discord.requests), (
        "no connection was attempted"
    )


async def test_only_shard_zero_syncs_commands(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    env = BotEnv(fake_discord, tmp_path / "db.sqlite", library())
    async with env.running(shard_id=1, shard_count=2):
        pass
    assert not any(r.method == "PUT" and r.path.endswith("/commands") for r in fake_discord.requests)
    async with env.running(shard_id=0, shard_count=2):
        pass
    assert any(r.method == "PUT" and r.path.endswith("/commands") for r in fake_discord.requests)
