"""The variant catalog: which forms the strategies produce, so a run can show what it covered.

The runner counts, per (dimension, variant), what it sent and what the server
gave back; `variants_of` reads a valid body, `invalid_variant` a label's
family and `invalid_kind_variant` its (family, kind) pair. Tests
prove every variant here is drawn within a bounded number of examples, so the
catalog cannot claim coverage a strategy has lost.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import suppress
from types import MappingProxyType
from typing import Any

from promptlog_contract.types import InvalidBody, Label

from ._bodies import DOCUMENTED_FIELDS, FIELD_KINDS
from ._invalid import FAMILY_IDS
from ._kinds import KIND_VARIANTS, bad_value_kind
from ._messages import ALL_ROLES, TOOL_CHOICE_MODES
from ._raw import RAW_REQUESTS
from ._spots import location

_LARGE_INTEGER = 2**31

CATALOG: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "field": DOCUMENTED_FIELDS,
        "tool_choice": (*TOOL_CHOICE_MODES, "function"),
        "role": ALL_ROLES,
        "content": ("string", "parts", "null", "absent"),
        "content_part": ("text", "image_url", "image_url+detail"),
        "thinking": ("thinking", "redacted_thinking", "empty"),
        "tool_calls": ("list", "empty", "null"),
        "date_time": ("Z", "offset", "fraction"),
        "integer": ("zero", "negative", "large"),
        "number": ("integral", "fractional"),
        "json_map": ("empty", "flat", "nested"),
        "string": ("empty", "ascii", "non_ascii"),
        "invalid_rule": FAMILY_IDS,
        "invalid_kind": KIND_VARIANTS,
        "raw": tuple(raw.name for raw in RAW_REQUESTS),
    }
)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _string_variant(text: str) -> str:
    if not text:
        return "empty"
    return "ascii" if text.isascii() else "non_ascii"


def _message_variants(message: dict[str, Any]) -> set[tuple[str, str]]:
    found = {("role", message["role"])}
    content = message.get("content", ...)
    if content is ...:
        found.add(("content", "absent"))
    elif content is None:
        found.add(("content", "null"))
    elif isinstance(content, str):
        found.add(("content", "string"))
    else:
        found.add(("content", "parts"))
        for part in content:
            if part["type"] == "text":
                found.add(("content_part", "text"))
            else:
                detail = "+detail" if "detail" in part["image_url"] else ""
                found.add(("content_part", f"image_url{detail}"))
    if "tool_calls" in message:
        calls = message["tool_calls"]
        found.add(("tool_calls", "null" if calls is None else "list" if calls else "empty"))
    if "thinking" in message:
        blocks = message["thinking"]
        found |= {("thinking", block["type"]) for block in blocks} or {("thinking", "empty")}
    return found


def _value_variants(kind: str, value: Any) -> set[tuple[str, str]]:
    if kind == "integer":
        if value == 0:
            return {("integer", "zero")}
        found = {("integer", "negative")} if value < 0 else set()
        return found | ({("integer", "large")} if abs(value) >= _LARGE_INTEGER else set())
    if kind == "number":
        return {("number", "integral" if isinstance(value, int) else "fractional")}
    if kind == "date-time":
        found = {("date_time", "Z" if value.endswith("Z") else "offset")}
        return found | ({("date_time", "fraction")} if "." in value else set())
    if kind == "map":
        nested = any(isinstance(item, dict | list) for item in value.values())
        return {("json_map", "nested" if nested else "flat" if value else "empty")}
    if kind == "tool_choice":
        return {("tool_choice", value if isinstance(value, str) else "function")}
    if kind == "message":
        return _message_variants(value)
    if kind == "messages":
        return set().union(*(_message_variants(message) for message in value))
    return set()


_KNOWN = frozenset(
    (dimension, variant) for dimension, variants in CATALOG.items() for variant in variants
)


def variants_of(body: Any) -> set[tuple[str, str]]:
    """The catalog variants a valid body (from `update_bodies`) exercises.

    Every pair returned is in CATALOG. Any other JSON value is read as far as
    it goes and never raises: a field whose value has the wrong shape counts
    only as ("field", name), and a non-object body yields an empty set.
    """
    if not isinstance(body, dict):
        return set()
    found: set[tuple[str, str]] = set()
    for name, value in body.items():
        if name in FIELD_KINDS:
            found.add(("field", name))
            # A value not shaped as in a valid body adds no value variants.
            with suppress(AttributeError, KeyError, TypeError):
                found |= _value_variants(FIELD_KINDS[name], value)
    found |= {("string", _string_variant(text)) for text in _strings(body)}
    return found & _KNOWN


def invalid_variant(label: Label) -> tuple[str, str]:
    """The `("invalid_rule", family id)` variant an invalid body's label belongs to.

    Raises ValueError for a label no family produces.
    """
    family = f"{location(label.path)}.{label.rule}"
    if family not in FAMILY_IDS:
        raise ValueError(f"no invalid-body family {family!r} (label {label.to_dict()})")
    return "invalid_rule", family


def invalid_kind_variant(item: Label | InvalidBody) -> tuple[str, str] | None:
    """The `("invalid_kind", "family:kind")` variant of a labelled kind or of an invalid body.

    A label counts only when it names its kind (the sweep's do; None
    otherwise); an `InvalidBody` always counts, its kind read from the body
    when the label has none (`bad_value_kind`). Raises ValueError for a label
    no family produces, or a kind its family does not have.
    """
    if isinstance(item, InvalidBody):
        label, kind = item.label, bad_value_kind(item)
    elif item.kind is None:
        return None
    else:
        label, kind = item, item.kind
    variant = f"{invalid_variant(label)[1]}:{kind}"
    if variant not in _KIND_SET:
        raise ValueError(f"no bad-value kind {variant!r} (label {label.to_dict()})")
    return "invalid_kind", variant


_KIND_SET = frozenset(KIND_VARIANTS)
