"""Interaction callbacks and the followup webhook routes, with Discord's 3 s and one-response rules."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from .errors import (
    DiscordError,
    already_acknowledged,
    invalid_form,
    json_response,
    unknown_interaction,
    unknown_message,
    unknown_webhook,
)
from .interactions import InteractionRecord
from .limits import check_message
from .rest import Ctx, Router
from .state import Message

Json = dict[str, Any]

LOADING = 128
EPHEMERAL = 64


def _check_limits(body: Json) -> None:
    errors = check_message(body)
    if errors:
        raise invalid_form(errors)


async def callback(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    rec = fake.interactions.get(ctx.int_param("id"))
    if rec is None or rec.token != ctx.params["token"]:
        raise unknown_interaction()
    if rec.responded:
        raise already_acknowledged()
    if time.monotonic() - rec.dispatched_at > fake.interaction_timeout:
        raise unknown_interaction()
    body = ctx.json
    ctype = int(body.get("type", 0))
    data: Json = body.get("data") or {}
    message: Message | None = None
    if ctype in (4, 7):
        _check_limits(data)
    if ctype == 4:
        message = await fake.create_response_message(rec, data, loading=False)
    elif ctype == 5:
        message = await fake.create_response_message(rec, data, loading=True)
    elif ctype in (6, 7):
        if rec.source_message is None:
            raise DiscordError(400, 40004, "Interaction type does not support this response type")
        if ctype == 7:
            await fake.edit_message_from_body(rec.source_message, data)
            message = rec.source_message
    elif ctype == 8:
        if rec.type != 4:
            raise DiscordError(400, 40004, "Interaction type does not support this response type")
    elif ctype == 9:
        if rec.type == 5:
            raise DiscordError(400, 40004, "Interaction type does not support this response type")
    elif ctype != 1:
        raise invalid_form({"type": {"_errors": [{"code": "BASE_TYPE_CHOICES", "message": "Bad type"}]}})
    rec.callback = {"type": ctype, "data": data}
    fake.notify()
    if ctx.query.get("with_response") not in ("1", "true", "True"):
        return web.Response(status=204)
    ephemeral = message.ephemeral if message is not None else False
    interaction: Json = {
        "id": str(rec.id),
        "type": rec.type,
        "response_message_loading": ctype == 5,
        "response_message_ephemeral": ephemeral,
    }
    resource: Json = {"type": ctype}
    if message is not None:
        interaction["response_message_id"] = str(message.id)
        resource["message"] = fake.message_payload(message)
    return json_response({"interaction": interaction, "resource": resource})


def _record(ctx: Ctx) -> InteractionRecord:
    fake = ctx.fake
    rec = fake.interactions_by_token.get(ctx.params["token"])
    if ctx.int_param("app") != fake.application_id or rec is None or not rec.responded:
        raise unknown_webhook()
    return rec


def _target(ctx: Ctx, rec: InteractionRecord) -> Message:
    which = ctx.params.get("message", "@original")
    if which == "@original":
        msg = rec.original or (rec.source_message if rec.response_type in (6, 7) else None)
    else:
        wanted = ctx.int_param("message")
        candidates = [m for m in [rec.original, *rec.followups] if m is not None]
        msg = next((m for m in candidates if m.id == wanted), None)
    if msg is None or msg.deleted:
        raise unknown_message()
    return msg


async def post_followup(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    rec = _record(ctx)
    body = ctx.json
    _check_limits(body)
    if rec.response_type == 5 and not rec.deferred_filled and rec.original is not None:
        await fake.fill_deferred(rec, body, ctx.files)
        msg = rec.original
    else:
        if not any(body.get(k) for k in ("content", "embeds", "components", "attachments")) and not ctx.files:
            raise DiscordError(400, 50006, "Cannot send an empty message")
        msg = await fake.create_followup(rec, body, ctx.files)
    if ctx.query.get("wait") in ("0", "false", "False"):
        return web.Response(status=204)
    return json_response(fake.message_payload(msg))


async def get_webhook_message(ctx: Ctx) -> web.Response:
    rec = _record(ctx)
    return json_response(ctx.fake.message_payload(_target(ctx, rec)))


async def patch_webhook_message(ctx: Ctx) -> web.Response:
    fake = ctx.fake
    rec = _record(ctx)
    msg = _target(ctx, rec)
    _check_limits(ctx.json)
    if msg is rec.original and rec.response_type == 5 and not rec.deferred_filled:
        await fake.fill_deferred(rec, ctx.json, ctx.files)
    else:
        await fake.edit_message_from_body(msg, ctx.json)
    return json_response(fake.message_payload(msg))


async def delete_webhook_message(ctx: Ctx) -> web.Response:
    rec = _record(ctx)
    await ctx.fake.remove_message(_target(ctx, rec))
    return web.Response(status=204)


def register(router: Router) -> None:
    router.add("POST", "/interactions/{id}/{token}/callback", callback)
    w = "/webhooks/{app}/{token}"
    router.add("POST", w, post_followup)
    for path in (w + "/messages/@original", w + "/messages/{message}"):
        router.add("GET", path, get_webhook_message)
        router.add("PATCH", path, patch_webhook_message)
        router.add("DELETE", path, delete_webhook_message)
