"""Login, gateway discovery, application commands and guild read routes."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .errors import DiscordError, json_response
from .rest import Ctx, Router
from .snowflake import new_snowflake

Json = dict[str, Any]


async def get_me(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    return json_response(fake.bot_user.to_dict() | {"verified": True, "mfa_enabled": False, "flags": 0})


async def get_application(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    return json_response(
        {
            "id": str(fake.application_id),
            "name": fake.bot_user.username,
            "icon": None,
            "description": "interview-bot under test",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": fake.owner_user.to_dict(),
            "team": None,
            "bot": fake.bot_user.to_dict(),
            "rpc_origins": [],
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(fake.guilds),
        }
    )


async def get_gateway(ctx: Ctx) -> web.Response:
    return json_response({"url": ctx.fake.gateway_url})


async def get_gateway_bot(ctx: Ctx) -> web.Response:
    return json_response(
        {
            "url": ctx.fake.gateway_url,
            "shards": ctx.fake.recommended_shards,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
        }
    )


def _check_app(ctx: Ctx) -> None:
    if ctx.int_param("app") != ctx.fake.application_id:
        raise DiscordError(403, 50001, "Missing Access")


def _commands_key(ctx: Ctx) -> int | None:
    _check_app(ctx)
    if "guild" not in ctx.params:
        return None
    gid = ctx.int_param("guild")
    if gid not in ctx.fake.guilds:
        raise DiscordError(404, 10004, "Unknown Guild")
    return gid


def _store_command(ctx: Ctx, key: int | None, body: Json, existing: list[Json]) -> Json:
    ctype = int(body.get("type") or 1)
    old = next((c for c in existing if c["name"] == body["name"] and c["type"] == ctype), None)
    cmd: Json = {
        "id": old["id"] if old else str(new_snowflake()),
        "application_id": str(ctx.fake.application_id),
        "version": str(new_snowflake()),
        "default_member_permissions": None,
        "type": ctype,
        "nsfw": False,
        "description": "",
        "dm_permission": True,
        "contexts": None,
        "integration_types": [0],
        "options": [],
    } | body
    cmd["type"] = ctype
    if key is not None:
        cmd["guild_id"] = str(key)
    return cmd


async def put_commands(ctx: Ctx) -> web.Response:
    """Bulk overwrite: ids are kept for commands whose (name, type) already existed."""
    key = _commands_key(ctx)
    existing = ctx.fake.commands.get(key, [])
    body = ctx.body if isinstance(ctx.body, list) else []
    new = [_store_command(ctx, key, c, existing) for c in body]
    ctx.fake.commands[key] = new
    return json_response(new)


async def post_command(ctx: Ctx) -> web.Response:
    key = _commands_key(ctx)
    existing = ctx.fake.commands.setdefault(key, [])
    cmd = _store_command(ctx, key, ctx.json, existing)
    existing[:] = [c for c in existing if c["id"] != cmd["id"]] + [cmd]
    return json_response(cmd, status=201)


async def get_commands(ctx: Ctx) -> web.Response:
    return json_response(ctx.fake.commands.get(_commands_key(ctx), []))


def _guild(ctx: Ctx) -> Any:
    guild = ctx.fake.guilds.get(ctx.int_param("guild"))
    if guild is None or ctx.fake.bot_user.id not in guild.members:
        raise DiscordError(404, 10004, "Unknown Guild")
    return guild


async def get_guild(ctx: Ctx) -> web.Response:
    guild = _guild(ctx)
    data = guild.to_dict()
    if ctx.query.get("with_counts") in ("true", "1"):
        data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
    return json_response(data)


async def get_guild_channels(ctx: Ctx) -> web.Response:
    guild = _guild(ctx)
    return json_response([c.to_dict() for c in guild.live_channels() if not c.is_thread])


async def get_guild_roles(ctx: Ctx) -> web.Response:
    return json_response([r.to_dict() for r in _guild(ctx).roles.values()])


async def get_guild_member(ctx: Ctx) -> web.Response:
    guild = _guild(ctx)
    member = guild.members.get(ctx.int_param("user"))
    if member is None:
        raise DiscordError(404, 10007, "Unknown Member")
    return json_response(member.to_dict())


async def get_user(ctx: Ctx) -> web.Response:
    user = ctx.fake.users.get(ctx.int_param("user"))
    if user is None:
        raise DiscordError(404, 10013, "Unknown User")
    return json_response(user.to_dict())


def register(router: Router) -> None:
    router.add("GET", "/users/@me", get_me)
    router.add("GET", "/users/{user}", get_user)
    router.add("GET", "/oauth2/applications/@me", get_application)
    router.add("GET", "/applications/@me", get_application)
    router.add("GET", "/gateway", get_gateway)
    router.add("GET", "/gateway/bot", get_gateway_bot)
    for base in ("/applications/{app}/commands", "/applications/{app}/guilds/{guild}/commands"):
        router.add("PUT", base, put_commands)
        router.add("GET", base, get_commands)
        router.add("POST", base, post_command)
    router.add("GET", "/guilds/{guild}", get_guild)
    router.add("GET", "/guilds/{guild}/channels", get_guild_channels)
    router.add("GET", "/guilds/{guild}/roles", get_guild_roles)
    router.add("GET", "/guilds/{guild}/members/{user}", get_guild_member)
