"""Operators' endpoints: /healthz reflects gateway and database, /metrics counts interactions."""

from __future__ import annotations

import socket

import aiohttp

from tests.integration.harness import BotEnv


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_healthz_and_metrics(env: BotEnv) -> None:
    port = free_port()
    async with env.running(metrics_port=port), aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200
            body = await response.json()
        assert body["status"] == "ok" and body["database"] is True and body["guilds"] == 1

        ok = await env.fake.invoke_command(env.alice, env.channel, "question")
        await ok.settled()
        thread = await env.fake.wait_until(lambda: next(iter(env.fake.threads), None), what="thread")
        await env.fake.wait_for_message(thread)  # the command handler has finished
        refused = await env.fake.invoke_command(env.alice, env.channel, "question")
        await refused.settled()
        assert refused.ephemeral, refused.content
        async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
            assert response.status == 200
            text = await response.text()
        assert 'interview_bot_interactions_total{command="question",outcome="ok"} 1.0' in text
        assert 'interview_bot_interactions_total{command="question",outcome="refused"} 1.0' in text
        assert "interview_bot_database_up 1.0" in text
        assert "interview_bot_interaction_seconds_count 2.0" in text
        assert 'interview_bot_interactions_received_total{type="application_command"} 2.0' in text


async def test_metrics_are_off_by_default(env: BotEnv) -> None:
    async with env.running() as bot:
        assert bot.get_cog("Health")._runner is None  # type: ignore[union-attr]
