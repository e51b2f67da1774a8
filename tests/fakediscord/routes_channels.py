"""Channel, message, thread and reaction routes, with the bot's permissions enforced."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import permissions as P
from .errors import (
    DiscordError,
    invalid_form,
    json_response,
    missing_permissions,
    thread_archived,
    unknown_message,
)
from .limits import check_message, check_thread_name
from .rest import Ctx, Router
from .state import PRIVATE_THREAD, PUBLIC_THREAD, Channel, Message

Json = dict[str, Any]


def _channel(ctx: Ctx, *needed: int) -> Channel:
    channel = ctx.fake.channel_or_404(ctx.int_param("channel"))
    ctx.fake.require(channel, P.VIEW_CHANNEL, *needed)
    return channel


def _message(ctx: Ctx, channel: Channel) -> Message:
    msg = ctx.fake.messages.get(ctx.int_param("message"))
    if msg is None or msg.deleted or msg.channel_id != channel.id or msg.ephemeral:
        raise unknown_message()
    return msg


def _check_limits(body: Json) -> None:
    errors = check_message(body)
    if errors:
        raise invalid_form(errors)


def _no_content(body: Json) -> bool:
    return not any(
        body.get(k) for k in ("content", "embeds", "components", "attachments", "sticker_ids", "poll")
    )


async def post_message(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    channel = _channel(ctx)
    fake.require(channel, P.SEND_IN_THREADS if channel.is_thread else P.SEND_MESSAGES)
    body = ctx.json
    _check_limits(body)
    if body.get("embeds"):
        fake.require(channel, P.EMBED_LINKS)
    if ctx.files:
        fake.require(channel, P.ATTACH_FILES)
    ref = body.get("message_reference")
    if ref:
        fake.require(channel, P.READ_HISTORY)
        target = fake.messages.get(int(ref.get("message_id") or 0))
        if (target is None or target.deleted) and ref.get("fail_if_not_exists", True):
            raise invalid_form(
                {
                    "message_reference": {
                        "_errors": [
                            {"code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "message": "Unknown message"}
                        ]
                    }
                }
            )
    if _no_content(body) and not ctx.files:
        raise DiscordError(400, 50006, "Cannot send an empty message")
    # Message create: with enforce_nonce, a nonce the same author used in the past few minutes
    # returns that earlier message and creates nothing.
    nonce = None if body.get("nonce") is None else str(body["nonce"])
    if nonce is not None and body.get("enforce_nonce"):
        earlier = fake.message_for_nonce(fake.bot_user.id, nonce)
        if earlier is not None:
            return json_response(fake.message_payload(earlier))
    await fake.unarchive_for_send(channel)
    msg = await fake.create_bot_message(channel, body, ctx.files)
    if nonce is not None:
        fake.remember_nonce(msg, nonce)
    return json_response(fake.message_payload(msg))


async def get_messages(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    channel = _channel(ctx)
    if not fake.can(channel, P.READ_HISTORY):
        # Discord: without Read Message History (but with View Channel) the history is 200 and
        # EMPTY, not a 403; only a missing View Channel is refused.
        return json_response([])
    msgs = fake.messages_in(channel.id)
    if "before" in ctx.query:
        msgs = [m for m in msgs if m.id < int(ctx.query["before"])]
    if "after" in ctx.query:
        msgs = [m for m in msgs if m.id > int(ctx.query["after"])]
    limit = int(ctx.query.get("limit", 50))
    if "after" in ctx.query:
        page = msgs[:limit]
    elif "around" in ctx.query:
        pivot = int(ctx.query["around"])
        older = [m for m in msgs if m.id <= pivot][-(limit // 2 + 1) :]
        page = older + [m for m in msgs if m.id > pivot][: limit - len(older)]
    else:
        page = msgs[-limit:] if limit else []
    return json_response([fake.message_payload(m) for m in sorted(page, key=lambda m: -m.id)])


async def get_message(ctx: Ctx) -> web.Response:
    channel = _channel(ctx, P.READ_HISTORY)
    return json_response(ctx.fake.message_payload(_message(ctx, channel)))


async def patch_message(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    channel = _channel(ctx)
    msg = _message(ctx, channel)
    if msg.author.id != fake.bot_user.id:
        allowed = set(ctx.json) <= {"flags"}
        if not allowed:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        fake.require(channel, P.MANAGE_MESSAGES)
    _check_limits(ctx.json)
    if ctx.json.get("embeds"):
        fake.require(channel, P.EMBED_LINKS)
    await fake.edit_message_from_body(msg, ctx.json)
    return json_response(fake.message_payload(msg))


async def delete_message(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    channel = _channel(ctx)
    msg = _message(ctx, channel)
    if msg.author.id != fake.bot_user.id:
        fake.require(channel, P.MANAGE_MESSAGES)
    await fake.remove_message(msg)
    return web.Response(status=204)


async def thread_from_message(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    channel = _channel(ctx, P.CREATE_PUBLIC_THREADS, P.READ_HISTORY)
    if channel.is_thread:
        raise DiscordError(400, 50024, "Cannot execute action on this channel type")
    msg = _message(ctx, channel)
    errors = check_thread_name(ctx.json.get("name"))
    if errors:
        raise invalid_form(errors)
    if msg.thread_id is not None:
        raise DiscordError(400, 160004, "A thread has already been created for this message")
    thread = await fake.create_thread(
        channel,
        ctx.json["name"],
        PUBLIC_THREAD,
        starter=msg,
        auto_archive=int(ctx.json.get("auto_archive_duration") or 1440),
    )
    return json_response(thread.to_dict(), status=201)


async def thread_without_message(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    body = ctx.json
    ttype = int(body.get("type") or PRIVATE_THREAD)
    needed = P.CREATE_PRIVATE_THREADS if ttype == PRIVATE_THREAD else P.CREATE_PUBLIC_THREADS
    channel = _channel(ctx, needed)
    if channel.is_thread or ttype not in (PUBLIC_THREAD, PRIVATE_THREAD):
        raise DiscordError(400, 50024, "Cannot execute action on this channel type")
    errors = check_thread_name(body.get("name"))
    if errors:
        raise invalid_form(errors)
    thread = await fake.create_thread(
        channel,
        body["name"],
        ttype,
        auto_archive=int(body.get("auto_archive_duration") or 1440),
        invitable=bool(body.get("invitable", True)),
    )
    return json_response(thread.to_dict(), status=201)


async def get_channel(ctx: Ctx) -> web.Response:
    return json_response(_channel(ctx).to_dict())


async def patch_channel(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    channel = _channel(ctx)
    body = ctx.json
    if not channel.is_thread:
        fake.require(channel, P.MANAGE_CHANNELS)
    else:
        own = channel.owner_id == fake.bot_user.id
        needs_manage = "locked" in body or "invitable" in body or not own
        if channel.locked and channel.archived:
            needs_manage = True
        if needs_manage:
            fake.require(channel, P.MANAGE_THREADS)
    if "name" in body:
        errors = check_thread_name(body["name"]) if channel.is_thread else None
        if errors:
            raise invalid_form(errors)
    await fake.update_channel(channel, body)
    return json_response(channel.to_dict())


async def delete_channel(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    channel = _channel(ctx)
    fake.require(channel, P.MANAGE_THREADS if channel.is_thread else P.MANAGE_CHANNELS)
    data = channel.to_dict()
    await fake.delete_channel(channel.id)
    return json_response(data)


def _thread(ctx: Ctx) -> Channel:
    channel = _channel(ctx)
    if not channel.is_thread:
        raise DiscordError(400, 50024, "Cannot execute action on this channel type")
    return channel


async def join_thread(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    thread = _thread(ctx)
    user_raw = ctx.params.get("user", "@me")
    user_id = fake.bot_user.id if user_raw == "@me" else ctx.int_param("user")
    if thread.archived:
        raise thread_archived()
    if user_id != fake.bot_user.id:
        fake.require(thread, P.SEND_IN_THREADS)
        guild = fake.guilds[thread.guild_id]
        if user_id not in guild.members:
            raise DiscordError(404, 10007, "Unknown Member")
    await fake.set_thread_member(thread, user_id, True)
    return web.Response(status=204)


async def leave_thread(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    thread = _thread(ctx)
    user_raw = ctx.params.get("user", "@me")
    user_id = fake.bot_user.id if user_raw == "@me" else ctx.int_param("user")
    if user_id != fake.bot_user.id and thread.owner_id != fake.bot_user.id:
        fake.require(thread, P.MANAGE_THREADS)
    await fake.set_thread_member(thread, user_id, False)
    return web.Response(status=204)


def _emoji_key(raw: str) -> str:
    return raw  # aiohttp already percent-decoded it; custom emoji stay "name:id"


async def add_reaction(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    channel = _channel(ctx, P.READ_HISTORY)
    msg = _message(ctx, channel)
    key = _emoji_key(ctx.params["emoji"])
    if not msg.reactions.get(key):
        fake.require(channel, P.ADD_REACTIONS)
    if channel.archived:
        raise thread_archived()
    await fake.react(msg, fake.bot_user.id, key, add=True)
    return web.Response(status=204)


async def remove_reaction(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    channel = _channel(ctx, P.READ_HISTORY)
    msg = _message(ctx, channel)
    await fake.react(msg, fake.bot_user.id, _emoji_key(ctx.params["emoji"]), add=False)
    return web.Response(status=204)


async def typing(ctx: Ctx) -> web.Response:
    channel = _channel(ctx)
    if not ctx.fake.can(channel, P.SEND_IN_THREADS if channel.is_thread else P.SEND_MESSAGES):
        raise missing_permissions()
    return web.Response(status=204)


def register(router: Router) -> None:
    c = "/channels/{channel}"
    m = c + "/messages/{message}"
    router.add("GET", c + "/messages", get_messages)
    router.add("POST", c + "/messages", post_message)
    router.add("GET", m, get_message)
    router.add("PATCH", m, patch_message)
    router.add("DELETE", m, delete_message)
    router.add("POST", m + "/threads", thread_from_message)
    router.add("PUT", m + "/reactions/{emoji}/@me", add_reaction)
    router.add("DELETE", m + "/reactions/{emoji}/@me", remove_reaction)
    router.add("POST", c + "/threads", thread_without_message)
    router.add("POST", c + "/typing", typing)
    router.add("GET", c, get_channel)
    router.add("PATCH", c, patch_channel)
    router.add("DELETE", c, delete_channel)
    router.add("PUT", c + "/thread-members/@me", join_thread)
    router.add("DELETE", c + "/thread-members/@me", leave_thread)
    router.add("PUT", c + "/thread-members/{user}", join_thread)
    router.add("DELETE", c + "/thread-members/{user}", leave_thread)
