"""REST entry point: record, check against the OpenAPI description, then route to a handler.

Every request is recorded in ``fake.requests``. Bodies violating Discord's OpenAPI schema get the
400/50035 Discord would send and land in ``fake.spec_violations``; paths Discord does not have (or
the fake does not serve) get 404 and land in ``fake.unknown_routes``. Both fail a test at teardown
(see ``fixtures.py``), which is how the suite notices the bot speaking bad Discord. A 429 armed
with ``fake.rate_limit(...)`` (``ratelimits.py``) is answered before validation, as Discord does.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from .errors import DiscordError, json_response

if TYPE_CHECKING:
    from .core import FakeCore

Json = dict[str, Any]
API_PREFIX = "/api/v10"


@dataclass
class RecordedRequest:
    method: str
    path: str
    json: Any
    time: float
    query: dict[str, str] = field(default_factory=dict)
    status: int = 0

    def __repr__(self) -> str:
        return f"<{self.method} {self.path} -> {self.status}>"


@dataclass
class SpecViolation:
    method: str
    path: str
    message: str


@dataclass
class UnknownRoute:
    method: str
    path: str
    reason: str


@dataclass
class Ctx:
    """What a route handler gets: the fake, path params, query and parsed body."""

    fake: FakeCore
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    files: list[tuple[str, bytes, str]] = field(default_factory=list)

    def int_param(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise DiscordError(404, 0, "404: Not Found") from None

    @property
    def json(self) -> Json:
        return self.body if isinstance(self.body, dict) else {}


Handler = Callable[[Ctx], Awaitable[web.Response]]


class Router:
    """A tiny method + regex router; route patterns use ``{name}`` for one path segment."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"
        self._routes.append((method, re.compile(regex), handler))

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for m, regex, handler in self._routes:
            if m == method:
                hit = regex.match(path)
                if hit:
                    return handler, hit.groupdict()
        return None


async def _parse_body(request: web.Request) -> tuple[str, Any, list[tuple[str, bytes, str]]]:
    ctype = request.content_type
    files: list[tuple[str, bytes, str]] = []
    if not request.can_read_body:
        return "application/json", None, files
    if ctype == "multipart/form-data":
        body: Any = None
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue  # nested multipart: Discord does not use it
            data = await part.read()
            if part.name == "payload_json":
                body = json.loads(data)
            else:
                files.append((part.filename or part.name or "file", bytes(data), part.name or ""))
        return ctype, body, files
    raw = await request.read()
    if not raw:
        return "application/json", None, files
    try:
        return "application/json", json.loads(raw), files
    except ValueError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None


async def handle_request(fake: FakeCore, request: web.Request) -> web.Response:
    path = request.path
    if not path.startswith(API_PREFIX):
        fake.unknown_routes.append(UnknownRoute(request.method, path, "not under /api/v10"))
        return json_response({"code": 0, "message": "404: Not Found"}, status=404)
    path = path[len(API_PREFIX) :] or "/"
    record = RecordedRequest(request.method, path, None, time.monotonic(), dict(request.query))
    fake.requests.append(record)
    try:
        response = await _handle(fake, request, path, record)
    except DiscordError as exc:
        response = exc.response()
    record.status = response.status
    fake.notify()
    return response


async def _handle(fake: FakeCore, request: web.Request, path: str, record: RecordedRequest) -> web.Response:
    auth = request.headers.get("Authorization")
    if auth is not None and auth != f"Bot {fake.token}":
        raise DiscordError(401, 0, "401: Unauthorized")
    ctype, body, files = await _parse_body(request)
    record.json = body
    method = request.method
    limited = fake.rate_limits.check(method, path)
    if limited is not None:
        return limited
    spec = fake.spec
    if spec is not None:
        op = spec.match(method, path)
        if op is None:
            fake.unknown_routes.append(UnknownRoute(method, path, "no such operation in Discord's OpenAPI"))
            raise DiscordError(404, 0, "404: Not Found")
        if body is not None:
            problem = spec.validate(op, ctype, body)
            if problem is not None:
                fake.spec_violations.append(SpecViolation(method, path, problem))
                raise DiscordError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {"_errors": [{"code": "SPEC_VALIDATION", "message": problem}]},
                )
    resolved = fake.router.resolve(method, path)
    if resolved is None:
        fake.unknown_routes.append(UnknownRoute(method, path, "valid Discord route not served by the fake"))
        raise DiscordError(404, 0, "404: Not Found")
    handler, params = resolved
    ctx = Ctx(fake, method, path, params, dict(request.query), body, files)
    return await handler(ctx)
