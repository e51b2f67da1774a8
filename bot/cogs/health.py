"""Health and metrics over HTTP for operators: `GET /healthz` and `GET /metrics` (Prometheus).

Off unless METRICS_PORT is set; binds METRICS_HOST (default 127.0.0.1) so it is not exposed by
accident. Also counts every interaction and how long its handler took.
"""

from __future__ import annotations

import json
import logging
import math
from typing import TYPE_CHECKING, Any

import discord
from aiohttp import web
from discord import app_commands
from discord.ext import commands
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

if TYPE_CHECKING:
    from bot.client import InterviewBot
    from bot.metrics import Metrics

log = logging.getLogger(__name__)


def interaction_name(interaction: discord.Interaction) -> str:
    if interaction.command is not None:
        return interaction.command.qualified_name
    data: dict[str, Any] = interaction.data or {}  # type: ignore[assignment]
    custom_id = str(data.get("custom_id", ""))
    return custom_id.split(":", 1)[0] or interaction.type.name


def record_interaction(interaction: discord.Interaction, outcome: str) -> None:
    """Count a handled interaction and how long it took since Discord created it."""
    metrics: Metrics | None = getattr(interaction.client, "metrics", None)
    if metrics is None:
        return
    metrics.interactions.labels(interaction_name(interaction), outcome).inc()
    elapsed = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    metrics.interaction_latency.observe(max(elapsed, 0.0))


class Health(commands.Cog):
    def __init__(self, bot: InterviewBot) -> None:
        self.bot = bot
        self._runner: web.AppRunner | None = None

    async def cog_load(self) -> None:
        port = self.bot.settings.metrics_port
        if port is None:
            return
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.bot.settings.metrics_host, port)
        await site.start()
        log.info("Health and metrics on http://%s:%s/", self.bot.settings.metrics_host, port)

    async def cog_unload(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _refresh(self) -> tuple[bool, bool]:
        metrics = self.bot.metrics
        latency = self.bot.latency
        connected = self.bot.is_ready() and not self.bot.is_closed() and math.isfinite(latency)
        metrics.gateway_latency.set(latency if math.isfinite(latency) else -1)
        metrics.guilds.set(len(self.bot.guilds))
        try:
            database = await self.bot.db.health()
        except Exception:
            log.exception("Database health check failed")
            database = False
        metrics.database_up.set(1 if database else 0)
        return connected, database

    async def healthz(self, request: web.Request) -> web.Response:
        connected, database = await self._refresh()
        healthy = connected and database
        body = {
            "status": "ok" if healthy else "unhealthy",
            "gateway": connected,
            "database": database,
            "latency_ms": round(self.bot.latency * 1000, 1) if math.isfinite(self.bot.latency) else None,
            "guilds": len(self.bot.guilds),
        }
        return web.Response(
            status=200 if healthy else 503, text=json.dumps(body), content_type="application/json"
        )

    async def metrics(self, request: web.Request) -> web.Response:
        await self._refresh()
        payload = generate_latest(self.bot.metrics.registry)
        return web.Response(body=payload, headers={"Content-Type": CONTENT_TYPE_LATEST})

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.bot.metrics.interactions_received.labels(interaction.type.name).inc()

    @commands.Cog.listener()
    async def on_app_command_completion(
        self,
        interaction: discord.Interaction,
        command: app_commands.Command[Any, Any, Any] | app_commands.ContextMenu,
    ) -> None:
        record_interaction(interaction, "ok")


async def setup(bot: InterviewBot) -> None:
    await bot.add_cog(Health(bot))
