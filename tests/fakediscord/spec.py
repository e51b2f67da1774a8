"""Validate request bodies against Discord's OpenAPI description, like Discord's 50035 checks.

The 1.2 MB document is loaded and compiled once per process (``get_spec()``), validators are cached
per (operation, content type), so per-request cost is one ``iter_errors`` pass.

Two deliberate deviations from the raw document, both matching what Discord accepts:
- snowflakes may be JSON integers (discord.py sends ``message_reference.message_id`` as an int);
- nothing else: limits stricter than the spec are enforced separately in ``limits.py``.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema  # type: ignore[import-untyped]  # no types-jsonschema in the venv
import referencing
import referencing.jsonschema
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

_log = logging.getLogger(__name__)

DEFAULT_SPEC_PATH = Path(os.environ.get("FAKEDISCORD_OPENAPI", "/work/shared/discord-api-spec/openapi.json"))
_DOC_URI = "urn:discord-openapi"
_METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    params: dict[str, str]


def _widen_snowflakes(node: Any) -> Any:
    """Let every snowflake-typed string also be a non-negative integer."""
    if isinstance(node, dict):
        if node.get("format") == "snowflake" and node.get("type") == "string":
            return {"anyOf": [node, {"type": "integer", "minimum": 0}]}
        return {k: _widen_snowflakes(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_widen_snowflakes(v) for v in node]
    return node


def _pointer(*parts: str) -> str:
    return "".join("/" + quote(p.replace("~", "~0").replace("/", "~1"), safe="") for p in parts)


class OpenApiSpec:
    """Route matching and request-body validation over one loaded OpenAPI document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = _widen_snowflakes(document)
        resource = referencing.jsonschema.DRAFT202012.create_resource(self.document)
        self.registry: referencing.Registry[Any] = referencing.Registry().with_resource(_DOC_URI, resource)
        # segment count -> [(segments, template)]; literal segments are preferred when matching.
        self._by_len: dict[int, list[tuple[list[str], str]]] = {}
        for template in self.document["paths"]:
            segs = template.strip("/").split("/")
            self._by_len.setdefault(len(segs), []).append((segs, template))
        self._validators: dict[tuple[str, str, str], jsonschema.protocols.Validator | None] = {}

    def match(self, method: str, path: str) -> Operation | None:
        """Find the operation for a concrete path (without the ``/api/v10`` prefix)."""
        segs = path.strip("/").split("/")
        best: tuple[int, str, dict[str, str]] | None = None
        for tsegs, template in self._by_len.get(len(segs), []):
            if method.lower() not in self.document["paths"][template]:
                continue
            score = 0
            params: dict[str, str] = {}
            for t, s in zip(tsegs, segs, strict=True):
                if t.startswith("{") and t.endswith("}"):
                    params[t[1:-1]] = s
                elif t == s:
                    score += 1
                else:
                    break
            else:
                if best is None or score > best[0]:
                    best = (score, template, params)
        if best is None:
            return None
        return Operation(best[1], method.lower(), best[2])

    def _validator(self, op: Operation, content_type: str) -> jsonschema.protocols.Validator | None:
        key = (op.template, op.method, content_type)
        if key not in self._validators:
            body = self.document["paths"][op.template][op.method].get("requestBody")
            if body is None or content_type not in body.get("content", {}):
                self._validators[key] = None
            else:
                ref = (
                    _DOC_URI
                    + "#"
                    + _pointer(
                        "paths", op.template, op.method, "requestBody", "content", content_type, "schema"
                    )
                )
                self._validators[key] = jsonschema.Draft202012Validator({"$ref": ref}, registry=self.registry)
        return self._validators[key]

    def has_body_schema(self, op: Operation, content_type: str) -> bool:
        return self._validator(op, content_type) is not None

    def validate(self, op: Operation, content_type: str, body: Any) -> str | None:
        """Return the best error message, or None when the body is valid (or has no schema)."""
        validator = self._validator(op, content_type)
        if validator is None:
            return None
        error = best_match(validator.iter_errors(body))
        if error is None:
            return None
        error = _drill(error)
        where = "/".join(str(p) for p in error.absolute_path) or "<body>"
        return f"{where}: {error.message}"


def _drill(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """Descend into anyOf/oneOf errors, skipping branches rejected only by their discriminator.

    Discord's unions are tagged by ``type``; "4 is not one of [8]" from the wrong branch is noise.
    """
    while error.context:
        branches: dict[Any, list[jsonschema.ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0] if sub.schema_path else None, []).append(sub)
        candidates = [
            sub
            for subs in branches.values()
            if not any(
                list(s.relative_path)[-1:] == ["type"] and s.validator in ("enum", "const") for s in subs
            )
            for sub in subs
        ]
        nxt = best_match(candidates or error.context)
        if nxt is None:
            break
        error = nxt
    return error


@functools.cache
def get_spec(path: Path = DEFAULT_SPEC_PATH) -> OpenApiSpec | None:
    """Load once per process; None (with a visible warning) if the file is missing."""
    if not path.exists():
        msg = f"fakediscord: OpenAPI spec {path} not found; request bodies are NOT validated"
        warnings.warn(msg, stacklevel=2)
        _log.warning(msg)
        return None
    with path.open(encoding="utf-8") as fh:
        return OpenApiSpec(json.load(fh))
