"""Interaction records: what a test gets back from ``invoke_command``/``press_button``/...

A record collects everything the bot did in answer to one INTERACTION_CREATE: the callback body,
the original response message (edited by followups/PATCH @original), followups, a modal, or
autocomplete choices. Async accessors wait for the bot by watching the fake's change signal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core import FakeCore
    from .state import Message

Json = dict[str, Any]

#: callback type names, for readable assertions
CALLBACK_TYPES = {
    1: "pong",
    4: "message",
    5: "deferred_message",
    6: "deferred_update",
    7: "update_message",
    8: "autocomplete",
    9: "modal",
}


@dataclass
class InteractionRecord:
    id: int
    token: str
    type: int
    payload: Json
    channel_id: int
    user_id: int
    fake: FakeCore = field(repr=False)
    #: monotonic time INTERACTION_CREATE was sent (for the 3 s callback window)
    dispatched_at: float = field(default_factory=time.monotonic)
    callback: Json | None = None
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    #: message a component interaction came from (type 7 updates edit it)
    source_message: Message | None = None
    #: True once a followup has replaced a deferred "thinking" message
    deferred_filled: bool = False

    # ----- state -----
    @property
    def responded(self) -> bool:
        return self.callback is not None

    @property
    def response_type(self) -> int | None:
        return None if self.callback is None else int(self.callback["type"])

    @property
    def response_kind(self) -> str | None:
        """'message', 'deferred_message', 'modal', ... (see CALLBACK_TYPES)."""
        t = self.response_type
        return None if t is None else CALLBACK_TYPES.get(t, str(t))

    @property
    def data(self) -> Json:
        return (self.callback or {}).get("data") or {}

    @property
    def ephemeral(self) -> bool:
        if self.original is not None:
            return self.original.ephemeral
        return bool(int(self.data.get("flags") or 0) & 64)

    @property
    def message(self) -> Message | None:
        """The message the member sees for this interaction (original, or the updated source)."""
        if self.response_type == 7:
            return self.source_message
        return self.original

    @property
    def content(self) -> str | None:
        """Current text of the response the member sees (after followups/edits)."""
        msg = self.message
        return msg.content if msg is not None else self.data.get("content")

    @property
    def embeds(self) -> list[Json]:
        msg = self.message
        return msg.embeds if msg is not None else list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[Json]:
        msg = self.message
        return msg.components if msg is not None else list(self.data.get("components") or [])

    @property
    def modal(self) -> Json | None:
        """The modal's data (custom_id, title, components) if the bot opened one."""
        return self.data if self.response_type == 9 else None

    @property
    def choices(self) -> list[Json] | None:
        """Autocomplete choices if the bot answered an autocomplete."""
        return list(self.data.get("choices") or []) if self.response_type == 8 else None

    @property
    def thinking(self) -> bool:
        """Still showing "Bot is thinking…" (deferred and not yet filled)."""
        return self.response_type == 5 and not self.deferred_filled

    @property
    def all_text(self) -> str:
        """Original and followup contents plus embed titles/descriptions, for loose assertions."""
        parts: list[str] = []
        for msg in [m for m in (self.message, *self.followups) if m is not None]:
            parts.append(msg.content)
            for e in msg.embeds:
                parts.extend(str(e.get(k) or "") for k in ("title", "description"))
                parts.extend(f"{f.get('name')} {f.get('value')}" for f in e.get("fields") or [])
        return "\n".join(p for p in parts if p)

    # ----- waiting -----
    async def response(self, timeout: float = 5.0) -> Json:
        """Wait for the interaction callback and return its body."""
        await self.fake.wait_until(lambda: self.callback is not None, timeout, f"response to {self}")
        assert self.callback is not None
        return self.callback

    async def first_followup(self, timeout: float = 5.0) -> Message:
        """Wait for the first followup; for a deferred response that is the filled original."""

        def ready() -> bool:
            return bool(self.followups) or self.deferred_filled

        await self.fake.wait_until(ready, timeout, f"followup to {self}")
        if self.followups:
            return self.followups[0]
        assert self.original is not None
        return self.original

    async def settled(self, timeout: float = 5.0) -> InteractionRecord:
        """Wait until responded and no longer 'thinking' (a deferred response was filled)."""
        await self.fake.wait_until(
            lambda: self.callback is not None and not self.thinking, timeout, f"final answer to {self}"
        )
        return self

    def __repr__(self) -> str:
        return f"<InteractionRecord id={self.id} type={self.type} response={self.response_kind}>"
