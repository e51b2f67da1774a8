"""``FakeDiscord``: the loopback Discord server (lifecycle, builders, observation helpers).

State and state-changing helpers live in ``core.py`` (``FakeCore``); acting as members lives in
``actions.py`` (``MemberActions``); REST handlers in ``routes_*.py``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import discord
import yarl
from aiohttp import web

from . import permissions as P
from .actions import MemberActions
from .gateway import GUILD_MEMBERS_INTENT
from .ratelimits import RateLimitRule
from .rest import RecordedRequest, handle_request
from .snowflake import new_snowflake
from .state import Channel, Guild, Member, Message, Role, User

Json = dict[str, Any]
POLL_INTERVAL = 0.01
PermsLike = int | str | Iterable[str] | discord.Permissions | None


class FakeDiscord(MemberActions):
    """A Discord that the real discord.py client talks to over 127.0.0.1.

    State is in memory on this object and survives client disconnects; start/stop only the server.
    """

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_route("GET", "/", self.gateway.handle)
        app.router.add_route("*", "/api/{tail:.*}", self._handle_rest)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        await self.flush()
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _handle_rest(self, request: web.Request) -> web.Response:
        return await handle_request(self, request)

    @contextlib.contextmanager
    def patch_client(self) -> Any:
        """Point discord.py's REST base and gateway at this fake; restore them afterwards."""
        old_base = discord.http.Route.BASE
        old_gw = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.rest_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield self
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gw

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close the bot's socket(s) with a resumable code; the client RESUMEs (see ``wait_for_resume``)."""
        await self.gateway.drop(code)

    async def wait_for_resume(self, resumes_before: int, timeout: float = 5.0) -> None:
        await self.wait_until(lambda: self.gateway.resume_count > resumes_before, timeout, "RESUME")

    def dispatched(self, event: str) -> list[Json]:
        """Payloads of ``event`` the fake sent to the bot (once per event, in order, across restarts)."""
        return [d for (e, d) in self.gateway.log if e == event]

    # ------------------------------------------------------------------ builders
    def add_user(self, name: str, *, bot: bool = False) -> User:
        user = User(new_snowflake(), name, bot=bot, global_name=name)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str = "Study Server",
        *,
        owner: User | None = None,
        everyone_permissions: PermsLike = P.DEFAULT_EVERYONE_PERMISSIONS,
        bot_permissions: PermsLike = P.DEFAULT_BOT_PERMISSIONS,
    ) -> Guild:
        """A guild with @everyone, a managed bot role, the bot member and the owner member."""
        owner = owner or self.owner_user
        guild = Guild(new_snowflake(), name, owner.id)
        guild.roles[guild.id] = Role(guild.id, guild.id, "@everyone", P.to_bits(everyone_permissions))
        bot_role = Role(
            new_snowflake(), guild.id, self.bot_user.username, P.to_bits(bot_permissions), position=1
        )
        bot_role.managed = True
        guild.roles[bot_role.id] = bot_role
        guild.members[self.bot_user.id] = Member(self.bot_user, guild.id, [bot_role.id])
        guild.members[owner.id] = Member(owner, guild.id)
        self.users[owner.id] = owner
        self.guilds[guild.id] = guild
        self._spawn(self.dispatch("GUILD_CREATE", guild.gateway_dict(), guild.id))
        return guild

    def bot_role(self, guild: Guild) -> Role:
        return next(r for r in guild.roles.values() if r.managed)

    def add_role(
        self, guild: Guild, name: str, permissions: PermsLike = 0, *, mentionable: bool = False
    ) -> Role:
        role = Role(
            new_snowflake(), guild.id, name, P.to_bits(permissions), mentionable, position=len(guild.roles)
        )
        guild.roles[role.id] = role
        self._spawn(
            self.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.to_dict()}, guild.id)
        )
        return role

    def add_member(
        self,
        guild: Guild,
        name: str,
        *,
        permissions: PermsLike = None,
        roles: Iterable[Role | int] = (),
        user: User | None = None,
    ) -> Member:
        """A human member; ``permissions`` creates a personal role with exactly those extra bits."""
        user = user or self.add_user(name)
        role_ids = [r.id if isinstance(r, Role) else int(r) for r in roles]
        if permissions is not None:
            role_ids.append(self.add_role(guild, f"{name}-perms", permissions).id)
        member = Member(user, guild.id, role_ids)
        guild.members[user.id] = member
        data = member.to_dict() | {"guild_id": str(guild.id)}
        self._spawn(self.dispatch("GUILD_MEMBER_ADD", data, guild.id, GUILD_MEMBERS_INTENT))
        return member

    def add_text_channel(self, guild: Guild, name: str, *, topic: str | None = None) -> Channel:
        channel = Channel(new_snowflake(), guild.id, name, topic=topic, position=len(guild.channels))
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        self._spawn(self.dispatch("CHANNEL_CREATE", channel.to_dict(), guild.id))
        return channel

    def set_permissions(
        self,
        channel: Channel,
        target: Member | Role | User,
        *,
        allow: PermsLike = None,
        deny: PermsLike = None,
    ) -> None:
        """Set a channel overwrite (threads use their parent's) and tell the bot (CHANNEL_UPDATE)."""
        if channel.is_thread:
            channel = self.channels[channel.parent_id or 0]
        kind = 0 if isinstance(target, Role) else 1
        channel.overwrites[target.id] = (P.to_bits(allow), P.to_bits(deny), kind)
        self._spawn(self.dispatch("CHANNEL_UPDATE", channel.to_dict(), channel.guild_id))

    def set_bot_permissions(
        self, target: Channel | Guild, *, allow: PermsLike = None, deny: PermsLike = None
    ) -> None:
        """Guild: change the bot role's permissions. Channel/thread: a member overwrite for the bot."""
        if isinstance(target, Guild):
            role = self.bot_role(target)
            role.permissions = (role.permissions | P.to_bits(allow)) & ~P.to_bits(deny)
            self._spawn(
                self.dispatch(
                    "GUILD_ROLE_UPDATE", {"guild_id": str(target.id), "role": role.to_dict()}, target.id
                )
            )
        else:
            self.set_permissions(target, self.bot_user, allow=allow, deny=deny)

    async def lock_thread(self, thread: Channel, *, archived: bool = True) -> None:
        """A moderator locks (and by default archives) a thread; the bot gets THREAD_UPDATE.

        The state changes before the first await, so a test can lock a thread "just after" a member
        posted: whatever the bot sends in reaction then meets the locked thread (400 50083 without
        Manage Threads).
        """
        if not thread.is_thread:
            raise ValueError(f"#{thread.name} is not a thread")
        await self.update_channel(thread, {"locked": True, "archived": archived})

    # ------------------------------------------------------------------ faults
    def rate_limit(
        self,
        method: str,
        path_pattern: str,
        *,
        times: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
        scope: str | None = None,
    ) -> RateLimitRule:
        r"""Make the next ``times`` requests matching ``method`` and the path regex get a 429.

        ``path_pattern`` is searched in the path after ``/api/v10`` (e.g. ``r"/messages/\d+/threads$"``).
        The 429s show up in ``fake.requests`` with status 429 and in the returned rule's ``hits``;
        ``fake.rate_limits.pending`` lists rules not yet spent.
        """
        return self.rate_limits.arm(
            method, path_pattern, times=times, retry_after=retry_after, is_global=is_global, scope=scope
        )

    # ------------------------------------------------------------------ observation
    async def wait_for_message(
        self,
        channel: Channel | int,
        predicate: Callable[[Message], bool] | None = None,
        timeout: float = 5.0,
        *,
        from_bot: bool = True,
    ) -> Message:
        """First visible message in the channel matching ``predicate`` (by default: sent by the bot)."""

        def find() -> Message | None:
            for m in self.messages_in(channel):
                if from_bot and m.author.id != self.bot_user.id:
                    continue
                if predicate is None or predicate(m):
                    return m
            return None

        result: Message = await self.wait_until(find, timeout, f"a message in {channel}")
        return result

    async def wait_for_request(
        self,
        method: str,
        path_regex: str,
        timeout: float = 5.0,
        *,
        after: int = 0,
    ) -> RecordedRequest:
        """First recorded request (index >= ``after``) with this method whose path matches the regex."""
        rx = re.compile(path_regex)

        def find() -> RecordedRequest | None:
            for r in self.requests[after:]:
                if r.method == method.upper() and rx.search(r.path) and r.status:
                    return r
            return None

        result: RecordedRequest = await self.wait_until(find, timeout, f"{method} {path_regex}")
        return result

    @property
    def threads(self) -> list[Channel]:
        return [c for c in self.channels.values() if c.is_thread and not c.deleted]

    def reactions_on(self, message: Message) -> dict[str, list[int]]:
        return {k: list(v) for k, v in message.reactions.items() if v}


@contextlib.asynccontextmanager
async def running_fake(**kwargs: Any) -> AsyncIterator[FakeDiscord]:
    """``async with running_fake() as fake:`` started, patched into discord.py, stopped after."""
    fake = FakeDiscord(**kwargs)
    await fake.start()
    try:
        with fake.patch_client():
            yield fake
    finally:
        await fake.stop()
