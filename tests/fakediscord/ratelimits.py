"""Rate limits on demand: a test arms a rule and the next matching request(s) get Discord's 429.

Discord itself rate-limits per bucket, per route and globally; the fake does not simulate buckets
(no test wants a 429 it did not ask for). Instead ``fake.rate_limit(method, path_regex, times=...)``
makes the next ``times`` matching requests fail the way Discord fails them, so a test can prove
the bot rides out a 429 without double posting or losing data.

The response is what discord.py 2.7.1 reads (``discord/http.py`` and ``discord/webhook/async_.py``):

- JSON body ``{"code": 0, "message": ..., "retry_after": seconds, "global": bool}`` (the spec's
  ``RatelimitedResponse``: ``Error`` plus the two required fields); discord.py sleeps
  ``retry_after`` and retries, and on ``global`` also holds every other request meanwhile;
- a ``Via`` header: without it discord.py takes a 429 for a Cloudflare ban and raises at once;
- ``Retry-After`` and ``X-RateLimit-Scope`` as Discord sends them; per-route limits also carry
  ``X-RateLimit-Limit/-Remaining/-Reset/-Reset-After/-Bucket``, global ones ``X-RateLimit-Global``.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field

from aiohttp import web

from .errors import json_response

RATE_LIMITED_MESSAGE = "You are being rate limited."
SCOPES = ("user", "shared", "global")


@dataclass
class RateLimitRule:
    """One armed rate limit: ``remaining`` more 429s for requests matching method and path."""

    method: str
    pattern: re.Pattern[str]
    remaining: int
    retry_after: float
    is_global: bool
    scope: str
    bucket: str
    hits: list[str] = field(default_factory=list)  # paths that got a 429 from this rule

    def matches(self, method: str, path: str) -> bool:
        return self.remaining > 0 and method == self.method and bool(self.pattern.search(path))


class RateLimits:
    """The armed rules, first armed first matched; each rule retires when its 429s are spent."""

    def __init__(self) -> None:
        self.rules: list[RateLimitRule] = []

    def arm(
        self,
        method: str,
        path_pattern: str,
        *,
        times: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
        scope: str | None = None,
    ) -> RateLimitRule:
        if times < 1 or retry_after < 0:
            raise ValueError("times must be >= 1 and retry_after >= 0")
        scope = scope or ("global" if is_global else "user")
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}")
        rule = RateLimitRule(
            method.upper(),
            re.compile(path_pattern),
            times,
            retry_after,
            is_global,
            scope,
            bucket=f"fake{len(self.rules):04x}",
        )
        self.rules.append(rule)
        return rule

    @property
    def pending(self) -> list[RateLimitRule]:
        """Rules with 429s still to give (a test can assert none is left unused)."""
        return [r for r in self.rules if r.remaining > 0]

    def check(self, method: str, path: str) -> web.Response | None:
        """The 429 for this request if an armed rule matches it (and spend one of its 429s)."""
        for rule in self.rules:
            if rule.matches(method, path):
                rule.remaining -= 1
                rule.hits.append(path)
                return too_many_requests(rule)
        return None


def too_many_requests(rule: RateLimitRule) -> web.Response:
    body = {
        "code": 0,
        "message": RATE_LIMITED_MESSAGE,
        "retry_after": rule.retry_after,
        "global": rule.is_global,
    }
    response = json_response(body, status=429)
    headers = response.headers
    headers["Via"] = "1.1 google"
    headers["Retry-After"] = str(max(1, math.ceil(rule.retry_after)))
    headers["X-RateLimit-Scope"] = rule.scope
    if rule.is_global:
        headers["X-RateLimit-Global"] = "true"
    else:
        headers["X-RateLimit-Limit"] = "5"
        headers["X-RateLimit-Remaining"] = "0"
        headers["X-RateLimit-Reset"] = f"{time.time() + rule.retry_after:.3f}"
        headers["X-RateLimit-Reset-After"] = f"{rule.retry_after:.3f}"
        headers["X-RateLimit-Bucket"] = rule.bucket
    return response
