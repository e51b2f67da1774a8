"""The fake gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME and dispatches.

Sessions outlive their socket: events dispatched while a client is disconnected are buffered and
replayed on RESUME, as Discord does, so a test can drop the socket and check nothing is lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .core import FakeCore

_log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250
_BUFFER = 2000
GUILD_MEMBERS_INTENT = 1 << 1
MESSAGE_CONTENT_INTENT = 1 << 15


@dataclass
class GatewaySession:
    session_id: str
    shard_id: int = 0
    shard_count: int = 1
    intents: int = 0
    seq: int = 0
    ws: web.WebSocketResponse | None = None
    buffer: list[dict[str, Any]] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def wants_guild(self, guild_id: int | None) -> bool:
        return guild_id is None or (guild_id >> 22) % self.shard_count == self.shard_id

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        async with self.lock:
            self.seq += 1
            frame = {"op": 0, "t": event, "s": self.seq, "d": data}
            self.buffer.append(frame)
            del self.buffer[:-_BUFFER]
            await self._send(frame)

    async def _send(self, frame: dict[str, Any]) -> None:
        ws = self.ws
        if ws is None or ws.closed:
            return
        try:
            await ws.send_str(json.dumps(frame))
        except (ConnectionError, RuntimeError):  # client went away mid-send; RESUME replays it
            _log.debug("gateway send failed for %s", self.session_id)


class Gateway:
    """Per-FakeCore gateway state and the aiohttp websocket handler."""

    def __init__(self, fake: FakeCore) -> None:
        self.fake = fake
        self.sessions: dict[str, GatewaySession] = {}
        self.sockets: set[web.WebSocketResponse] = set()
        self._dropped: set[web.WebSocketResponse] = set()
        self.identify_count = 0
        #: (event, payload) of every dispatch sent to at least one session, in order
        self.log: list[tuple[str, dict[str, Any]]] = []
        self.resume_count = 0
        self._on_change: Callable[[], None] = fake.notify

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None, max_msg_size=0)
        await ws.prepare(request)
        self.sockets.add(ws)
        session: GatewaySession | None = None
        try:
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}))
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                session = await self._on_frame(ws, payload, session)
        finally:
            self.sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
                if ws not in self._dropped:
                    # The client closed the socket itself (discord.py's close() uses 4000, which
                    # Discord would keep resumable). Test clients that close do not come back, so
                    # end the session instead of buffering events for it forever; a RESUME of it
                    # gets INVALID_SESSION and discord.py re-identifies.
                    self.sessions.pop(session.session_id, None)
            self._dropped.discard(ws)
            self._on_change()
        return ws

    async def _on_frame(
        self, ws: web.WebSocketResponse, payload: dict[str, Any], session: GatewaySession | None
    ) -> GatewaySession | None:
        op = payload.get("op")
        d: dict[str, Any] = payload.get("d") or {}
        if op == 1:
            await ws.send_str(json.dumps({"op": 11}))
        elif op == 2:
            session = await self._identify(ws, d)
        elif op == 6:
            session = await self._resume(ws, d)
        elif op == 8 and session is not None:
            await self._request_members(session, d)
        return session

    async def _identify(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> GatewaySession:
        fake = self.fake
        if d.get("token") != fake.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return GatewaySession("invalid")
        shard = d.get("shard") or [0, 1]
        session = GatewaySession(
            secrets.token_hex(16), shard_id=shard[0], shard_count=shard[1], intents=d.get("intents", 0)
        )
        session.ws = ws
        self.sessions[session.session_id] = session
        self.identify_count += 1
        guilds = [g for g in fake.guilds.values() if session.wants_guild(g.id)]
        ready = {
            "v": 10,
            "user": fake.bot_user.to_dict() | {"verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "resume_gateway_url": fake.gateway_url,
            "session_type": "normal",
            "shard": [session.shard_id, session.shard_count],
            "application": {"id": str(fake.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth_session_id_hash": "x",
        }
        await session.dispatch("READY", ready)
        self.log.append(("READY", ready))
        for guild in guilds:
            data = self.guild_create_for(session, guild.id)
            await session.dispatch("GUILD_CREATE", data)
            self.log.append(("GUILD_CREATE", data))
        self._on_change()
        return session

    def guild_create_for(self, session: GatewaySession, guild_id: int) -> dict[str, Any]:
        """Without the GUILD_MEMBERS intent Discord sends only the bot's own member."""
        data = self.fake.guilds[guild_id].gateway_dict()
        if not session.intents & GUILD_MEMBERS_INTENT:
            me = str(self.fake.bot_user.id)
            data["members"] = [m for m in data["members"] if m["user"]["id"] == me]
        return data

    async def _resume(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> GatewaySession | None:
        session = self.sessions.get(d.get("session_id", ""))
        if session is None or d.get("token") != self.fake.token:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return None
        async with session.lock:
            session.ws = ws
            last = int(d.get("seq") or 0)
            for frame in session.buffer:
                if frame["s"] > last:
                    await session._send(frame)
        self.resume_count += 1
        await session.dispatch("RESUMED", {})
        self._on_change()
        return session

    async def _request_members(self, session: GatewaySession, d: dict[str, Any]) -> None:
        guild = self.fake.guilds.get(int(d["guild_id"]))
        if guild is None:
            return
        await session.dispatch(
            "GUILD_MEMBERS_CHUNK",
            {
                "guild_id": str(guild.id),
                "members": [m.to_dict() for m in guild.members.values()],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
                "nonce": d.get("nonce"),
            },
        )

    async def dispatch(
        self, event: str, data: dict[str, Any], guild_id: int | None = None, intent: int = 0
    ) -> None:
        """Send to every session (connected or awaiting RESUME) whose shard owns ``guild_id`` and
        that asked for ``intent``; message content is blanked as Discord does without the
        MESSAGE_CONTENT intent (except the bot's own messages and ones mentioning it)."""
        sent = False
        for session in list(self.sessions.values()):
            if not session.wants_guild(guild_id) or (intent and not session.intents & intent):
                continue
            if not sent:
                self.log.append((event, data))
                sent = True
            if event == "GUILD_CREATE" and guild_id is not None:
                await session.dispatch(event, self.guild_create_for(session, guild_id))
            elif event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
                await session.dispatch(event, self._content_for(session, data))
            else:
                await session.dispatch(event, data)

    def _content_for(self, session: GatewaySession, data: dict[str, Any]) -> dict[str, Any]:
        me = str(self.fake.bot_user.id)
        if session.intents & MESSAGE_CONTENT_INTENT or data.get("author", {}).get("id") == me:
            return data
        if f"<@{me}>" in (data.get("content") or "") or any(
            u.get("id") == me for u in data.get("mentions", [])
        ):
            return data
        return data | {"content": "", "embeds": [], "attachments": [], "components": []}

    async def drop(self, code: int = 4000) -> None:
        """Close every socket with a resumable code; clients RESUME with their session."""
        for ws in list(self.sockets):
            self._dropped.add(ws)
            await ws.close(code=code, message=b"fake: dropped by test")

    async def close_all(self) -> None:
        await self.drop(code=1001)
        self.sessions.clear()

    @property
    def connected(self) -> int:
        return sum(1 for s in self.sessions.values() if s.ws is not None and not s.ws.closed)
