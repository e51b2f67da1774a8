"""In-memory Discord objects kept by the fake, and their JSON shapes as Discord sends them.

State lives on the ``FakeDiscord`` object, not on a connection, so a test can stop and restart the
bot and find the same guilds, threads and messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .snowflake import iso_now, new_snowflake, snowflake_time

Json = dict[str, Any]

TEXT = 0
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_dict(self) -> Json:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    mentionable: bool = False
    position: int = 0
    color: int = 0
    managed: bool = False

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def to_dict(self) -> Json:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "mentionable": self.mentionable,
            "position": self.position,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass
class Member:
    """A guild member; ``guild_id`` lets test helpers take a member alone as the acting user."""

    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    def to_dict(self, with_user: bool = True) -> Json:
        data: Json = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "joined_at": self.joined_at,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "avatar": None,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.to_dict()
        return data


@dataclass
class Channel:
    """A text channel or a thread (types 0, 11, 12)."""

    id: int
    guild_id: int
    name: str
    type: int = TEXT
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    #: target id -> (allow, deny, type 0 role / 1 member)
    overwrites: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    archive_timestamp: str = field(default_factory=iso_now)
    member_ids: set[int] = field(default_factory=set)
    message_count: int = 0
    deleted: bool = False
    starter_message_id: int | None = None

    @property
    def is_thread(self) -> bool:
        return self.type in (PUBLIC_THREAD, PRIVATE_THREAD)

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def to_dict(self) -> Json:
        data: Json = {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "type": self.type,
            "flags": 0,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }
        if self.is_thread:
            data.update(
                parent_id=str(self.parent_id),
                owner_id=str(self.owner_id),
                message_count=self.message_count,
                total_message_sent=self.message_count,
                member_count=len(self.member_ids),
                thread_metadata={
                    "archived": self.archived,
                    "locked": self.locked,
                    "invitable": self.invitable,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": self.archive_timestamp,
                    "create_timestamp": snowflake_time(self.id).isoformat(),
                },
            )
        else:
            data.update(
                position=self.position,
                parent_id=None,
                topic=self.topic,
                nsfw=False,
                default_auto_archive_duration=1440,
                permission_overwrites=[
                    {"id": str(k), "type": t, "allow": str(a), "deny": str(d)}
                    for k, (a, d, t) in self.overwrites.items()
                ],
            )
        return data


@dataclass
class Message:
    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[Json] = field(default_factory=list)
    components: list[Json] = field(default_factory=list)
    attachments: list[Json] = field(default_factory=list)
    message_reference: Json | None = None
    #: emoji key ("👍" or "name:id") -> ids of users who reacted
    reactions: dict[str, list[int]] = field(default_factory=dict)
    flags: int = 0
    type: int = 0
    thread_id: int | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: Json | None = None
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    deleted: bool = False
    #: id of the interaction whose (ephemeral) response this is; ephemeral ones are not in the channel
    interaction_id: int | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    def to_dict(self, member: Member | None = None, thread: Channel | None = None) -> Json:
        data: Json = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.to_dict(),
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self.attachments,
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "type": self.type,
            "flags": self.flags | (32 if self.thread_id else 0),
            "reactions": [
                {
                    "emoji": _emoji_dict(key),
                    "count": len(users),
                    "count_details": {"burst": 0, "normal": len(users)},
                    "burst_colors": [],
                    "me": False,
                    "me_burst": False,
                    "burst_me": False,
                    "burst_count": 0,
                }
                for key, users in self.reactions.items()
                if users
            ],
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if member is not None:
            data["member"] = member.to_dict(with_user=False)
        if self.message_reference is not None:
            data["message_reference"] = self.message_reference
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        if thread is not None:
            data["thread"] = thread.to_dict()
        return data


def _emoji_dict(key: str) -> Json:
    if ":" in key:
        name, _, eid = key.partition(":")
        return {"id": eid, "name": name, "animated": False}
    return {"id": None, "name": key}


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    def channels_by_id(self, channel_id: int | None) -> Channel | None:
        return None if channel_id is None else self.channels.get(channel_id)

    def live_channels(self) -> list[Channel]:
        return [c for c in self.channels.values() if not c.deleted]

    def to_dict(self) -> Json:
        """The REST ``GET /guilds/{id}`` shape (no members/channels)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "owner_id": str(self.owner_id),
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "features": [],
            "roles": [r.to_dict() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "vanity_url_code": None,
            "application_id": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
        }

    def gateway_dict(self) -> Json:
        """The full GUILD_CREATE shape, as Discord sends after READY."""
        data = self.to_dict()
        live = self.live_channels()
        data.update(
            unavailable=False,
            large=False,
            joined_at=iso_now(),
            member_count=len(self.members),
            members=[m.to_dict() for m in self.members.values()],
            channels=[c.to_dict() for c in live if not c.is_thread],
            threads=[c.to_dict() for c in live if c.is_thread and not c.archived],
            presences=[],
            voice_states=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
            lazy=True,
        )
        return data


def new_id() -> int:
    return new_snowflake()
