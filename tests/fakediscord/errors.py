"""Discord-shaped error responses: ``{"code": N, "message": "..."}`` with the right HTTP status."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


class DiscordError(Exception):
    """Raised by route handlers; turned into the JSON error body Discord would send."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def response(self) -> web.Response:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return json_response(body, status=self.status)


def json_response(data: Any, status: int = 200) -> web.Response:
    """discord.py only parses JSON when the content type is exactly ``application/json``.

    ``web.Response(text=...)`` (and ``json_response``) append ``; charset=utf-8``, so send bytes.
    """
    return web.Response(body=json.dumps(data).encode(), status=status, content_type="application/json")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def missing_access() -> DiscordError:
    return DiscordError(403, 50001, "Missing Access")


def unknown_channel() -> DiscordError:
    return DiscordError(404, 10003, "Unknown Channel")


def unknown_message() -> DiscordError:
    return DiscordError(404, 10008, "Unknown Message")


def unknown_interaction() -> DiscordError:
    return DiscordError(404, 10062, "Unknown interaction")


def unknown_webhook() -> DiscordError:
    return DiscordError(404, 10015, "Unknown Webhook")


def already_acknowledged() -> DiscordError:
    return DiscordError(400, 40060, "Interaction has already been acknowledged.")


def invalid_form(errors: dict[str, Any]) -> DiscordError:
    return DiscordError(400, 50035, "Invalid Form Body", errors)


def thread_archived() -> DiscordError:
    return DiscordError(400, 50083, "Thread is archived")
