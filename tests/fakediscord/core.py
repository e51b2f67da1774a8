"""``FakeCore``: the fake's state and the state-changing helpers shared by REST routes and tests.

Every state change goes through one helper here that also sends the gateway dispatch Discord would
send, so REST handlers (``routes_*.py``) and member actions (``actions.py``) stay consistent.
Waiting helpers take a ``timeout`` argument on purpose (ruff's ASYNC109 would object): a test
reads better as ``await fake.wait_for_message(ch, pred, timeout=2)`` than wrapped in
``asyncio.timeout``, and the timeout error names what was awaited.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any

import discord
from aiohttp import web

from . import permissions as P
from . import routes_channels, routes_interactions, routes_misc
from .errors import missing_permissions, thread_archived, unknown_channel
from .gateway import Gateway
from .interactions import InteractionRecord
from .ratelimits import RateLimits
from .rest import RecordedRequest, Router, SpecViolation, UnknownRoute
from .snowflake import iso_now, new_snowflake
from .spec import DEFAULT_SPEC_PATH, OpenApiSpec, get_spec
from .state import PRIVATE_THREAD, Channel, Guild, Member, Message, User

Json = dict[str, Any]
POLL_INTERVAL = 0.01
PermsLike = int | str | Iterable[str] | discord.Permissions | None
#: Discord checks an enforced nonce for uniqueness "in the past few minutes"
NONCE_WINDOW_SECONDS = 300.0


class FakeCore:
    """State, change signal and the helpers that mutate state and dispatch gateway events."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        bot_name: str = "interview-bot",
        interaction_timeout: float = 3.0,
        validate: bool = True,
        spec_path: Path = DEFAULT_SPEC_PATH,
    ) -> None:
        self.token = token
        #: seconds after INTERACTION_CREATE during which a callback is accepted (Discord: 3 s)
        self.interaction_timeout = interaction_timeout
        self.application_id = new_snowflake()
        self.bot_user = User(self.application_id, bot_name, bot=True)
        self.owner_user = User(new_snowflake(), "owner")
        self.users: dict[int, User] = {u.id: u for u in (self.bot_user, self.owner_user)}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        #: guild id (None = global) -> registered application commands as Discord returns them
        self.commands: dict[int | None, list[Json]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.requests: list[RecordedRequest] = []
        #: (author id, nonce) -> (message id, monotonic time) for enforce_nonce deduplication
        self.nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self.spec_violations: list[SpecViolation] = []
        self.unknown_routes: list[UnknownRoute] = []
        self.recommended_shards = 1
        #: armed 429s (``fake.rate_limit(...)``); checked before validation, as Discord does
        self.rate_limits = RateLimits()
        self.spec: OpenApiSpec | None = get_spec(spec_path) if validate else None
        self.router = Router()
        routes_misc.register(self.router)
        routes_channels.register(self.router)
        routes_interactions.register(self.router)
        self.gateway = Gateway(self)
        self._waiters: set[asyncio.Event] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def rest_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    # ------------------------------------------------------------------ change signal / waiting
    def notify(self) -> None:
        """Wake every waiter; called after any state change or request."""
        for ev in self._waiters:
            ev.set()

    async def wait_until(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,
        what: str = "condition",
    ) -> Any:
        """Re-check ``predicate`` on every change of the fake until truthy; AssertionError after ``timeout``.

        Conditions on the *client's* side (an event handler ran, a cache updated) change without
        the fake noticing, so the predicate is also re-checked every ``POLL_INTERVAL`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            ev = asyncio.Event()
            self._waiters.add(ev)
            try:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"fakediscord: timed out after {timeout}s waiting for {what}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ev.wait(), min(remaining, POLL_INTERVAL))
            finally:
                self._waiters.discard(ev)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a dispatch from sync builder code; ``flush()``/``stop()`` await it (no leaked tasks)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            coro.close()
            return
        task = loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        """Wait until dispatches queued by sync builders have been sent."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def dispatch(self, event: str, data: Json, guild_id: int | None = None, intent: int = 0) -> None:
        """Send a gateway event to the bot session(s) that would receive it on Discord."""
        await self.gateway.dispatch(event, data, guild_id, intent)
        self.notify()

    def find_command(self, name: str, guild: Guild | None = None, ctype: int = 1) -> Json:
        """A registered command by top-level name; LookupError lists what the bot registered."""
        for key in ([guild.id] if guild else []) + [None]:
            for cmd in self.commands.get(key, []):
                if cmd["name"] == name and cmd["type"] == ctype:
                    return cmd
        names = sorted({(c["name"], c["type"]) for cmds in self.commands.values() for c in cmds})
        raise LookupError(f"no type-{ctype} command {name!r} registered; registered: {names}")

    # ------------------------------------------------------------------ helpers used by routes
    def messages_in(self, channel: Channel | int) -> list[Message]:
        """Visible (non-deleted, non-ephemeral) messages of a channel or thread, oldest first."""
        cid = channel if isinstance(channel, int) else channel.id
        return [
            m for m in self.messages.values() if m.channel_id == cid and not m.deleted and not m.ephemeral
        ]

    async def delete_channel(self, channel_id: int) -> None:
        """Delete a channel (and its threads) as an admin would; the bot gets CHANNEL/THREAD_DELETE."""
        channel = self.channel_or_404(channel_id)
        victims = [channel] + [
            c for c in self.channels.values() if c.parent_id == channel.id and not c.deleted
        ]
        for c in victims:
            c.deleted = True
        for c in reversed(victims):
            if c.is_thread:
                data = {
                    "id": str(c.id),
                    "guild_id": str(c.guild_id),
                    "parent_id": str(c.parent_id),
                    "type": c.type,
                }
                await self.dispatch("THREAD_DELETE", data, c.guild_id)
            else:
                await self.dispatch("CHANNEL_DELETE", c.to_dict(), c.guild_id)

    def channel_or_404(self, channel_id: int) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None or channel.deleted:
            raise unknown_channel()
        return channel

    def bot_permissions_in(self, channel: Channel) -> int:
        return P.channel_permissions(self.guilds[channel.guild_id], channel, self.bot_user.id)

    def can(self, channel: Channel, *needed: int) -> bool:
        perms = self.bot_permissions_in(channel)
        return all(perms & bit == bit for bit in needed)

    def require(self, channel: Channel, *needed: int) -> None:
        perms = self.bot_permissions_in(channel)
        if not perms & P.VIEW_CHANNEL:
            raise unknown_channel() if channel.type == PRIVATE_THREAD else missing_permissions()
        if not all(perms & bit == bit for bit in needed):
            raise missing_permissions()

    def member_of(self, guild_id: int | None, user_id: int) -> Member | None:
        guild = self.guilds.get(guild_id or 0)
        return guild.members.get(user_id) if guild else None

    def message_payload(self, msg: Message) -> Json:
        thread = self.channels.get(msg.thread_id) if msg.thread_id else None
        member = None if msg.webhook_id else self.member_of(msg.guild_id, msg.author.id)
        return msg.to_dict(member=member, thread=thread if thread and not thread.deleted else None)

    @staticmethod
    def _attachments(files: list[tuple[str, bytes, str]]) -> list[Json]:
        out = []
        for name, data, _field in files:
            aid = new_snowflake()
            url = f"https://cdn.fake/attachments/{aid}/{name}"
            out.append({"id": str(aid), "filename": name, "size": len(data), "url": url, "proxy_url": url})
        return out

    async def _publish(self, msg: Message) -> Message:
        self.messages[msg.id] = msg
        channel = self.channels.get(msg.channel_id)
        if channel is not None and channel.is_thread:
            channel.message_count += 1
        if not msg.ephemeral:
            await self.dispatch("MESSAGE_CREATE", self.message_payload(msg), msg.guild_id)
        self.notify()
        return msg

    def _bot_message(
        self, channel: Channel, body: Json, files: list[tuple[str, bytes, str]], **fields: Any
    ) -> Message:
        """A message by the bot from a create body (content, embeds, components, files, flags)."""
        fields.setdefault("flags", int(body.get("flags") or 0))
        return Message(
            new_snowflake(),
            channel.id,
            channel.guild_id,
            self.bot_user,
            content=body.get("content") or "",
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            attachments=self._attachments(files),
            **fields,
        )

    async def create_bot_message(
        self, channel: Channel, body: Json, files: list[tuple[str, bytes, str]]
    ) -> Message:
        msg = self._bot_message(
            channel,
            body,
            files,
            flags=int(body.get("flags") or 0) & ~64,
            type=19 if body.get("message_reference") else 0,
        )
        ref = body.get("message_reference")
        if ref:
            msg.message_reference = {
                "type": 0,
                "message_id": str(ref.get("message_id")),
                "channel_id": str(ref.get("channel_id") or channel.id),
                "guild_id": str(channel.guild_id),
            }
        return await self._publish(msg)

    def message_for_nonce(self, author_id: int, nonce: str) -> Message | None:
        """The author's message created with ``nonce`` within the nonce window (enforce_nonce)."""
        seen = self.nonces.get((author_id, nonce))
        if seen is None or time.monotonic() - seen[1] > NONCE_WINDOW_SECONDS:
            return None
        msg = self.messages.get(seen[0])
        return None if msg is None or msg.deleted else msg

    def remember_nonce(self, msg: Message, nonce: str) -> None:
        self.nonces[(msg.author.id, nonce)] = (msg.id, time.monotonic())

    async def unarchive_for_send(self, channel: Channel) -> None:
        """Sending into an archived thread reopens it, unless it is locked.

        A locked archived thread only reopens for a sender with Manage Threads; anyone else gets
        Discord's 400 50083 "Thread is archived" (not a 403: the permission is not what is missing).
        """
        if channel.is_thread and channel.archived:
            if channel.locked and not self.can(channel, P.MANAGE_THREADS):
                raise thread_archived()
            await self.update_channel(channel, {"archived": False})

    async def edit_message_from_body(self, msg: Message, body: Json) -> None:
        for key in ("content", "embeds", "components", "attachments"):
            if key in body:
                value = body[key]
                setattr(msg, key, (value or "") if key == "content" else list(value or []))
        if "flags" in body and body["flags"] is not None:
            msg.flags = (msg.flags & (64 | 128)) | (int(body["flags"]) & ~(64 | 128))
        msg.edited_timestamp = iso_now()
        if not msg.ephemeral:
            await self.dispatch("MESSAGE_UPDATE", self.message_payload(msg), msg.guild_id)
        self.notify()

    async def remove_message(self, msg: Message) -> None:
        msg.deleted = True
        if not msg.ephemeral:
            data = {"id": str(msg.id), "channel_id": str(msg.channel_id), "guild_id": str(msg.guild_id)}
            await self.dispatch("MESSAGE_DELETE", data, msg.guild_id)
        self.notify()

    def _thread_member(self, thread: Channel, user_id: int) -> Json:
        return {"id": str(thread.id), "user_id": str(user_id), "join_timestamp": iso_now(), "flags": 0}

    async def create_thread(
        self,
        parent: Channel,
        name: str,
        ttype: int,
        *,
        starter: Message | None = None,
        auto_archive: int = 1440,
        invitable: bool = True,
        owner_id: int | None = None,
    ) -> Channel:
        owner = owner_id or self.bot_user.id
        thread = Channel(
            starter.id if starter else new_snowflake(),
            parent.guild_id,
            name,
            type=ttype,
            parent_id=parent.id,
            owner_id=owner,
            auto_archive_duration=auto_archive,
            invitable=invitable,
            member_ids={owner},
            starter_message_id=starter.id if starter else None,
        )
        self.channels[thread.id] = thread
        self.guilds[parent.guild_id].channels[thread.id] = thread
        if starter is not None:
            starter.thread_id = thread.id
        data = thread.to_dict() | {"newly_created": True}
        if owner == self.bot_user.id:
            data["member"] = self._thread_member(thread, owner)
        await self.dispatch("THREAD_CREATE", data, parent.guild_id)
        return thread

    async def update_channel(self, channel: Channel, body: Json) -> None:
        for key in ("name", "topic", "archived", "locked", "invitable", "auto_archive_duration"):
            if key in body and body[key] is not None:
                setattr(channel, key, body[key])
        if "archived" in body:
            channel.archive_timestamp = iso_now()
        event = "THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE"
        await self.dispatch(event, channel.to_dict(), channel.guild_id)

    async def set_thread_member(self, thread: Channel, user_id: int, add: bool) -> None:
        if add == (user_id in thread.member_ids):
            return
        data: Json = {"id": str(thread.id), "guild_id": str(thread.guild_id)}
        if add:
            thread.member_ids.add(user_id)
            member = self.member_of(thread.guild_id, user_id)
            tm = self._thread_member(thread, user_id)
            if member is not None:
                tm["member"] = member.to_dict()
            data["added_members"] = [tm]
        else:
            thread.member_ids.discard(user_id)
            data["removed_member_ids"] = [str(user_id)]
        data["member_count"] = len(thread.member_ids)
        await self.dispatch("THREAD_MEMBERS_UPDATE", data, thread.guild_id)

    async def react(self, msg: Message, user_id: int, key: str, *, add: bool) -> None:
        users = msg.reactions.setdefault(key, [])
        if add == (user_id in users):
            return
        if add:
            users.append(user_id)
        else:
            users.remove(user_id)
        emoji = _emoji(key)
        data: Json = {
            "user_id": str(user_id),
            "channel_id": str(msg.channel_id),
            "message_id": str(msg.id),
            "guild_id": str(msg.guild_id),
            "emoji": emoji,
            "burst": False,
            "type": 0,
        }
        if add:
            member = self.member_of(msg.guild_id, user_id)
            if member is not None:
                data["member"] = member.to_dict()
            data["message_author_id"] = str(msg.author.id)
        await self.dispatch("MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE", data, msg.guild_id)

    # interaction responses ---------------------------------------------------------------
    def _response_message(
        self, rec: InteractionRecord, body: Json, files: list[tuple[str, bytes, str]]
    ) -> Message:
        channel = self.channels[rec.channel_id]
        user = self.users[rec.user_id]
        return self._bot_message(
            channel,
            body,
            files,
            type=20 if rec.type == 2 else 0,
            webhook_id=self.application_id,
            application_id=self.application_id,
            interaction_id=rec.id,
            interaction_metadata={
                "id": str(rec.id),
                "type": rec.type,
                "user": user.to_dict(),
                "authorizing_integration_owners": {"0": str(channel.guild_id)},
            },
        )

    async def create_response_message(self, rec: InteractionRecord, data: Json, *, loading: bool) -> Message:
        msg = self._response_message(rec, {} if loading else data, [])
        if loading:
            msg.flags = 128 | (int(data.get("flags") or 0) & 64)
        rec.original = msg
        return await self._publish(msg)

    async def fill_deferred(
        self, rec: InteractionRecord, body: Json, files: list[tuple[str, bytes, str]]
    ) -> None:
        """First followup/PATCH @original after a deferred response replaces "thinking"."""
        assert rec.original is not None
        msg = rec.original
        msg.flags &= ~128
        msg.attachments = self._attachments(files) or msg.attachments
        rec.deferred_filled = True
        await self.edit_message_from_body(msg, body)

    async def create_followup(
        self, rec: InteractionRecord, body: Json, files: list[tuple[str, bytes, str]]
    ) -> Message:
        msg = self._response_message(rec, body, files)
        msg.type = 0
        rec.followups.append(msg)
        return await self._publish(msg)


def _emoji(key: str) -> Json:
    if ":" in key:
        name, _, eid = key.partition(":")
        return {"id": eid, "name": name, "animated": False}
    return {"id": None, "name": key}
