"""Discord limits the OpenAPI document does not (or not exactly) encode, checked as Discord does.

Each check returns a Discord-shaped ``errors`` tree for a 50035 Invalid Form Body, or None.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_FIELDS = 25
MAX_EMBED_TOTAL = 6000
THREAD_NAME_MIN, THREAD_NAME_MAX = 1, 100


def _err(code: str, message: str) -> Json:
    return {"_errors": [{"code": code, "message": message}]}


def embed_length(embed: Json) -> int:
    """Characters Discord counts towards the 6,000 total of one embed."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    for f in embed.get("fields") or []:
        total += len(f.get("name") or "") + len(f.get("value") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    return total


def check_message(body: Json) -> Json | None:
    """Content, embed count, field count and embed total length of a message create/edit body."""
    errors: Json = {}
    content = body.get("content")
    if isinstance(content, str) and len(content) > MAX_CONTENT:
        errors["content"] = _err("BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CONTENT} or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > MAX_EMBEDS:
        errors["embeds"] = _err("BASE_TYPE_MAX_LENGTH", f"Must be {MAX_EMBEDS} or fewer in length.")
    embed_errors: Json = {}
    for i, embed in enumerate(embeds if isinstance(embeds, list) else []):
        if not isinstance(embed, dict):
            continue
        if len(embed.get("fields") or []) > MAX_FIELDS:
            embed_errors[str(i)] = {
                "fields": _err("BASE_TYPE_MAX_LENGTH", f"Must be {MAX_FIELDS} or fewer in length.")
            }
    if embed_errors:
        errors["embeds"] = embed_errors
    total = sum(embed_length(e) for e in embeds if isinstance(e, dict))
    if total > MAX_EMBED_TOTAL:
        errors.setdefault("embeds", {}).update(
            _err("MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        )
    return errors or None


def is_empty_message(body: Json) -> bool:
    """Discord rejects (50006) a new message with nothing to show."""
    keys = ("content", "embeds", "components", "attachments", "sticker_ids", "poll")
    return not any(body.get(k) for k in keys)


def check_thread_name(name: Any) -> Json | None:
    if not isinstance(name, str) or not THREAD_NAME_MIN <= len(name) <= THREAD_NAME_MAX:
        return {
            "name": _err(
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between {THREAD_NAME_MIN} and {THREAD_NAME_MAX} in length.",
            )
        }
    return None
