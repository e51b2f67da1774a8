"""Discord's permission arithmetic for the fake (base role permissions + channel overwrites).

The fake enforces permissions on the bot the way Discord does so a test can take one permission
away in one channel and see the bot's real error path (HTTP 403, code 50013).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from .state import Channel, Guild

ALL = discord.Permissions.all().value
ADMINISTRATOR = discord.Permissions(administrator=True).value
VIEW_CHANNEL = discord.Permissions(view_channel=True).value
SEND_MESSAGES = discord.Permissions(send_messages=True).value
SEND_IN_THREADS = discord.Permissions(send_messages_in_threads=True).value
CREATE_PUBLIC_THREADS = discord.Permissions(create_public_threads=True).value
CREATE_PRIVATE_THREADS = discord.Permissions(create_private_threads=True).value
EMBED_LINKS = discord.Permissions(embed_links=True).value
ATTACH_FILES = discord.Permissions(attach_files=True).value
ADD_REACTIONS = discord.Permissions(add_reactions=True).value
READ_HISTORY = discord.Permissions(read_message_history=True).value
MANAGE_THREADS = discord.Permissions(manage_threads=True).value
MANAGE_CHANNELS = discord.Permissions(manage_channels=True).value
MANAGE_MESSAGES = discord.Permissions(manage_messages=True).value
MENTION_EVERYONE = discord.Permissions(mention_everyone=True).value

#: What the bot gets by default: a sensible bot invite (no Administrator, so overwrites bite).
DEFAULT_BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    read_message_history=True,
    manage_threads=True,
    use_application_commands=True,
    use_external_emojis=True,
).value

#: @everyone default: members can read and talk, as on a fresh server.
DEFAULT_EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    read_message_history=True,
    use_application_commands=True,
).value


def to_bits(perms: int | str | Iterable[str] | discord.Permissions | None) -> int:
    """Accept an int, a ``discord.Permissions``, a flag name or a list of flag names."""
    if perms is None:
        return 0
    if isinstance(perms, int):
        return perms
    if isinstance(perms, discord.Permissions):
        return perms.value
    if isinstance(perms, str):
        perms = [perms]
    value = 0
    for name in perms:
        if not hasattr(discord.Permissions, name):
            raise ValueError(f"unknown permission flag {name!r}")
        value |= discord.Permissions(**{name: True}).value
    return value


def base_permissions(guild: Guild, user_id: int) -> int:
    """Guild-level permissions: owner/admin get all, else @everyone OR the member's roles."""
    if user_id == guild.owner_id:
        return ALL
    member = guild.members.get(user_id)
    perms = guild.roles[guild.id].permissions
    if member is not None:
        for rid in member.roles:
            role = guild.roles.get(rid)
            if role is not None:
                perms |= role.permissions
    if perms & ADMINISTRATOR:
        return ALL
    return perms


def channel_permissions(guild: Guild, channel: Channel, user_id: int) -> int:
    """Apply overwrites of the channel (a thread uses its parent's) in Discord's order."""
    perms = base_permissions(guild, user_id)
    if perms & ADMINISTRATOR or user_id == guild.owner_id:
        return ALL
    target = guild.channels_by_id(channel.parent_id) if channel.is_thread else channel
    overwrites = target.overwrites if target is not None else {}
    member = guild.members.get(user_id)
    everyone = overwrites.get(guild.id)
    if everyone:
        perms = (perms & ~everyone[1]) | everyone[0]
    allow = deny = 0
    for rid in member.roles if member else []:
        ow = overwrites.get(rid)
        if ow:
            allow |= ow[0]
            deny |= ow[1]
    perms = (perms & ~deny) | allow
    own = overwrites.get(user_id)
    if own:
        perms = (perms & ~own[1]) | own[0]
    if not perms & VIEW_CHANNEL:
        return 0
    if not perms & SEND_MESSAGES and not channel.is_thread:
        # Discord's implicit denials: without Send Messages, mentions/embeds/files go too.
        perms &= ~(MENTION_EVERYONE | EMBED_LINKS | ATTACH_FILES)
    if channel.type == 12 and user_id not in channel.member_ids and not perms & MANAGE_THREADS:
        return 0  # private threads are invisible to non-members without Manage Threads
    return perms
