"""Prometheus metrics for operators, on a registry owned by the bot (no process-wide globals).

Counters and histograms are updated by the cogs; gauges that describe live state (gateway latency,
guild count, database health) are read at scrape time by the health server.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.interactions = Counter(
            "interview_bot_interactions_total",
            "Interactions handled, by command (or component) and outcome.",
            ("command", "outcome"),
            registry=self.registry,
        )
        self.interactions_received = Counter(
            "interview_bot_interactions_received_total",
            "Interactions received, by type (application_command, component, modal_submit, autocomplete).",
            ("type",),
            registry=self.registry,
        )
        self.interaction_latency = Histogram(
            "interview_bot_interaction_seconds",
            "Seconds from an interaction being created to the end of its handler (Discord allows 3 s).",
            registry=self.registry,
            buckets=LATENCY_BUCKETS,
        )
        self.answers = Counter(
            "interview_bot_answers_total",
            "Answers recorded, by how they were given.",
            ("source",),
            registry=self.registry,
        )
        self.coaching_seconds = Histogram(
            "interview_bot_coaching_seconds",
            "Seconds spent analysing one answer (off the event loop).",
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
        )
        self.daily_posts = Counter(
            "interview_bot_daily_posts_total",
            "Scheduled daily posts, by outcome (posted, late, reconciled, skipped, retrying, failed).",
            ("outcome",),
            registry=self.registry,
        )
        self.gateway_latency = Gauge(
            "interview_bot_gateway_latency_seconds",
            "Heartbeat latency to the Discord gateway.",
            registry=self.registry,
        )
        self.guilds = Gauge("interview_bot_guilds", "Guilds this process serves.", registry=self.registry)
        self.database_up = Gauge(
            "interview_bot_database_up", "1 when the SQLite database answers a query.", registry=self.registry
        )
