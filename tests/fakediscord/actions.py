"""Acting as guild members: slash/context commands, autocomplete, buttons, selects, modals, messages.

Each interaction helper builds the INTERACTION_CREATE payload Discord would send (shape checked
against what discord.py 2.7.1 parses), dispatches it and returns an ``InteractionRecord``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from typing import Any

from . import permissions as P
from .core import FakeCore
from .interactions import InteractionRecord
from .snowflake import iso_now, new_snowflake
from .state import Channel, Member, Message, Role, User

Json = dict[str, Any]

_SUBCOMMAND, _GROUP = 1, 2
_STRING, _INTEGER, _BOOLEAN, _USER, _CHANNEL, _ROLE, _MENTIONABLE, _NUMBER = 3, 4, 5, 6, 7, 8, 9, 10
_VALUE_ITEMS = {3, 5, 6, 7, 8, 22}  # selects and checkbox groups submit "values"


def walk_components(components: list[Json]) -> Iterator[Json]:
    """Every component, depth first (rows, containers, sections, labels)."""
    for comp in components:
        yield comp
        children = list(comp.get("components") or [])
        if comp.get("component"):
            children.append(comp["component"])
        if comp.get("accessory"):
            children.append(comp["accessory"])
        yield from walk_components(children)


class MemberActions(FakeCore):
    """Everything a test does *as a member* (``FakeDiscord`` inherits it)."""

    # ----- messages -------------------------------------------------------------------
    async def post_message(
        self,
        member: Member,
        channel: Channel,
        content: str,
        *,
        reply_to: Message | None = None,
        embeds: list[Json] | None = None,
    ) -> Message:
        """A member sends a message; the bot gets MESSAGE_CREATE with ``member`` as Discord sends."""
        guild = self.guilds[channel.guild_id]
        perms = P.channel_permissions(guild, channel, member.id)
        send = P.SEND_IN_THREADS if channel.is_thread else P.SEND_MESSAGES
        if not perms & P.VIEW_CHANNEL or not perms & send:
            raise PermissionError(f"{member.user.username} cannot send messages in #{channel.name}")
        if channel.is_thread and channel.archived:
            if channel.locked:
                raise PermissionError(f"thread #{channel.name} is locked")
            await self.update_channel(channel, {"archived": False})
        msg = Message(
            new_snowflake(),
            channel.id,
            channel.guild_id,
            member.user,
            content=content,
            embeds=list(embeds or []),
        )
        if reply_to is not None:
            msg.type = 19
            msg.message_reference = {
                "type": 0,
                "message_id": str(reply_to.id),
                "channel_id": str(reply_to.channel_id),
                "guild_id": str(channel.guild_id),
            }
        if channel.is_thread:
            channel.member_ids.add(member.id)
        return await self._publish(msg)

    async def edit_message(self, message: Message, content: str) -> Message:
        """A member edits their message -> MESSAGE_UPDATE."""
        await self.edit_message_from_body(message, {"content": content})
        return message

    async def delete_message(self, message: Message) -> None:
        """The message is deleted (by its author or a moderator) -> MESSAGE_DELETE."""
        await self.remove_message(message)

    async def add_reaction(self, member: Member, message: Message, emoji: str) -> None:
        """A member reacts -> MESSAGE_REACTION_ADD."""
        await self.react(message, member.id, emoji, add=True)

    async def join_thread(self, member: Member, thread: Channel) -> None:
        await self.set_thread_member(thread, member.id, True)

    # ----- interactions ---------------------------------------------------------------
    def _member_payload(self, member: Member, channel: Channel) -> Json:
        perms = P.channel_permissions(self.guilds[channel.guild_id], channel, member.id)
        return member.to_dict() | {"permissions": str(perms)}

    async def _interact(
        self,
        itype: int,
        member: Member,
        channel: Channel,
        data: Json,
        message: Message | None = None,
    ) -> InteractionRecord:
        if not self.gateway.sessions:
            raise AssertionError("fakediscord: no bot session; connect the client first (running_client)")
        guild = self.guilds[channel.guild_id]
        iid = new_snowflake()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(32)
        payload: Json = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": channel.to_dict(),
            "member": self._member_payload(member, channel),
            "token": token,
            "version": 1,
            "app_permissions": str(self.bot_permissions_in(channel)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = self.message_payload(message)
        rec = InteractionRecord(iid, token, itype, payload, channel.id, member.id, self)
        rec.source_message = message
        self.interactions[iid] = rec
        self.interactions_by_token[token] = rec
        rec.dispatched_at = time.monotonic()
        await self.dispatch("INTERACTION_CREATE", payload, guild.id)
        return rec

    def _resolve_option(self, spec: Json, value: Any, resolved: Json, channel: Channel) -> Any:
        otype = spec["type"]
        if otype == _INTEGER:
            return int(value)
        if otype == _NUMBER:
            return float(value)
        if otype == _BOOLEAN:
            return bool(value)
        if otype in (_USER, _MENTIONABLE) and isinstance(value, Member | User):
            member = value if isinstance(value, Member) else self.member_of(channel.guild_id, value.id)
            user = value.user if isinstance(value, Member) else value
            resolved.setdefault("users", {})[str(user.id)] = user.to_dict()
            if member is not None:
                perms = P.channel_permissions(self.guilds[channel.guild_id], channel, member.id)
                resolved.setdefault("members", {})[str(user.id)] = member.to_dict(with_user=False) | {
                    "permissions": str(perms)
                }
            return str(user.id)
        if otype in (_ROLE, _MENTIONABLE) and isinstance(value, Role):
            resolved.setdefault("roles", {})[str(value.id)] = value.to_dict()
            return str(value.id)
        if otype == _CHANNEL and isinstance(value, Channel):
            data = value.to_dict() | {"permissions": str(self.bot_permissions_in(value))}
            resolved.setdefault("channels", {})[str(value.id)] = data
            return str(value.id)
        if otype == _STRING:
            return str(value)
        return value

    def _command_data(
        self,
        channel: Channel,
        name: str,
        options: dict[str, Any] | None,
        focused: str | None = None,
    ) -> Json:
        parts = name.split()
        cmd = self.find_command(parts[0], self.guilds[channel.guild_id])
        data: Json = {"id": cmd["id"], "name": cmd["name"], "type": 1}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        specs = list(cmd.get("options") or [])
        container = data
        for part in parts[1:]:
            sub = next((o for o in specs if o["name"] == part and o["type"] in (_SUBCOMMAND, _GROUP)), None)
            if sub is None:
                raise LookupError(
                    f"{cmd['name']!r} has no subcommand {part!r}; options: {[o['name'] for o in specs]}"
                )
            node: Json = {"type": sub["type"], "name": part, "options": []}
            container.setdefault("options", []).append(node)
            container = node
            specs = list(sub.get("options") or [])
        resolved: Json = {}
        leaf: list[Json] = container.setdefault("options", [])
        for key, value in (options or {}).items():
            spec = next((o for o in specs if o["name"] == key), None)
            if spec is None:
                raise LookupError(
                    f"command {name!r} has no option {key!r}; options: {[o['name'] for o in specs]}"
                )
            if key == focused:
                leaf.append({"name": key, "type": spec["type"], "value": str(value), "focused": True})
            else:
                leaf.append(
                    {
                        "name": key,
                        "type": spec["type"],
                        "value": self._resolve_option(spec, value, resolved, channel),
                    }
                )
        if focused is not None and focused not in (options or {}):
            raise LookupError(f"focused option {focused!r} must be in options")
        if resolved:
            data["resolved"] = resolved
        return data

    async def invoke_command(
        self, member: Member, channel: Channel, name: str, options: dict[str, Any] | None = None
    ) -> InteractionRecord:
        """Run ``/name`` (``"daily set"`` for subcommands) as ``member`` in ``channel``."""
        return await self._interact(2, member, channel, self._command_data(channel, name, options))

    async def autocomplete(
        self,
        member: Member,
        channel: Channel,
        name: str,
        *,
        focused: str,
        value: str,
        options: dict[str, Any] | None = None,
        timeout: float = 5.0,
    ) -> list[Json]:
        """Type ``value`` into option ``focused``; returns the bot's choices ({name, value})."""
        opts = dict(options or {}) | {focused: value}
        rec = await self._interact(4, member, channel, self._command_data(channel, name, opts, focused))
        await rec.response(timeout)
        return rec.choices or []

    async def _context_command(
        self,
        member: Member,
        channel: Channel,
        name: str,
        ctype: int,
        target_id: int,
        resolved: Json,
        message: Message | None = None,
    ) -> InteractionRecord:
        cmd = self.find_command(name, self.guilds[channel.guild_id], ctype)
        data: Json = {
            "id": cmd["id"],
            "name": name,
            "type": ctype,
            "target_id": str(target_id),
            "resolved": resolved,
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return await self._interact(2, member, channel, data)

    async def invoke_message_command(self, member: Member, message: Message, name: str) -> InteractionRecord:
        """Right-click ``message`` -> Apps -> ``name`` (type 3 context menu)."""
        channel = self.channels[message.channel_id]
        resolved = {"messages": {str(message.id): self.message_payload(message)}}
        return await self._context_command(member, channel, name, 3, message.id, resolved)

    async def invoke_user_command(
        self, member: Member, target: Member, channel: Channel, name: str
    ) -> InteractionRecord:
        """Right-click ``target`` -> Apps -> ``name`` (type 2 context menu)."""
        resolved = {
            "users": {str(target.id): target.user.to_dict()},
            "members": {str(target.id): target.to_dict(with_user=False) | {"permissions": "0"}},
        }
        return await self._context_command(member, channel, name, 2, target.id, resolved)

    def _component(self, message: Message, custom_id: str) -> Json:
        for comp in walk_components(message.components):
            if comp.get("custom_id") == custom_id:
                if comp.get("disabled"):
                    raise AssertionError(f"component {custom_id!r} is disabled; a member cannot use it")
                return comp
        ids = [c["custom_id"] for c in walk_components(message.components) if c.get("custom_id")]
        raise LookupError(f"message {message.id} has no component {custom_id!r}; it has {ids}")

    async def press_button(self, member: Member, message: Message, custom_id: str) -> InteractionRecord:
        """Click a button on a message (it must exist there and be enabled)."""
        comp = self._component(message, custom_id)
        data = {"custom_id": custom_id, "component_type": comp["type"], "id": comp.get("id", 1)}
        return await self._interact(3, member, self.channels[message.channel_id], data, message)

    async def choose(
        self, member: Member, message: Message, custom_id: str, values: list[str]
    ) -> InteractionRecord:
        """Pick ``values`` in a select menu on a message."""
        comp = self._component(message, custom_id)
        data = {
            "custom_id": custom_id,
            "component_type": comp["type"],
            "values": values,
            "id": comp.get("id", 1),
        }
        return await self._interact(3, member, self.channels[message.channel_id], data, message)

    async def submit_modal(
        self,
        member: Member,
        channel: Channel,
        custom_id: str | None = None,
        values: dict[str, Any] | None = None,
        *,
        from_interaction: InteractionRecord | None = None,
    ) -> InteractionRecord:
        """Submit a modal. With ``from_interaction`` (the record that opened it) the submission
        mirrors the modal's layout: Label-wrapped (type 18) or action-row (type 1) components with
        text inputs (``value``), selects/checkbox groups (``values``), radio groups/checkboxes (``value``).
        """
        values = dict(values or {})
        modal = from_interaction.modal if from_interaction is not None else None
        if from_interaction is not None and modal is None:
            raise AssertionError(
                f"{from_interaction} did not open a modal (response: {from_interaction.response_kind})"
            )
        if modal is not None:
            custom_id = custom_id or modal["custom_id"]
            layout = list(modal.get("components") or [])
        else:
            layout = [
                {"type": 18, "label": k, "component": {"type": 4, "custom_id": k, "style": 1}} for k in values
            ]
        if custom_id is None:
            raise ValueError("custom_id is required without from_interaction")
        used: set[str] = set()
        submitted = [c for c in (self._submit_component(comp, values, used) for comp in layout) if c]
        unknown = set(values) - used
        if unknown:
            raise LookupError(f"modal {custom_id!r} has no inputs {sorted(unknown)}")
        data: Json = {"custom_id": custom_id, "components": submitted}
        source = from_interaction.source_message if from_interaction else None
        return await self._interact(5, member, channel, data, source)

    def _submit_component(self, comp: Json, values: dict[str, Any], used: set[str]) -> Json | None:
        ctype = comp.get("type")
        if ctype == 1:
            return {
                "type": 1,
                "components": [self._submit_item(c, values, used) for c in comp.get("components", [])],
            }
        if ctype == 18:
            out: Json = {"type": 18, "component": self._submit_item(comp["component"], values, used)}
            if "id" in comp:
                out["id"] = comp["id"]
            return out
        if ctype == 10:
            return {"type": 10, "id": comp.get("id", 0)}
        return None

    @staticmethod
    def _submit_item(comp: Json, values: dict[str, Any], used: set[str]) -> Json:
        cid = comp.get("custom_id", "")
        ctype = comp["type"]
        out: Json = {"type": ctype, "custom_id": cid}
        if "id" in comp:
            out["id"] = comp["id"]
        if cid in values:
            used.add(cid)
        raw = values.get(cid)
        if ctype in _VALUE_ITEMS:
            out["values"] = [] if raw is None else ([raw] if isinstance(raw, str) else list(raw))
        elif ctype == 23:
            out["value"] = bool(raw)
        else:
            out["value"] = "" if raw is None else raw
        return out


__all__ = ["MemberActions", "iso_now", "walk_components"]
