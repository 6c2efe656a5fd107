"""Kinds of bad value: for each invalid family, every kind of wrong value the contract tells apart.

A family (`prompt_tokens.type`) says *where* and *which rule*; whether a
fractional number, a numeric string or a boolean was ever sent there is left
to chance by the drawn bodies. The sweep here builds one body per (family,
kind) pair, directly and deterministically, from one valid carrier body that
holds every nested slot, so a run can send each pair on every run for the
price of a few hundred requests. Each body keeps only the part of the carrier
that holds its slot: a server bug in some other slot of the carrier (a crash
on any `redacted_thinking` block, say) would otherwise answer every body of
the sweep the same way and hide what the kinds were sent to find.

Severity follows AMBIGUITIES A4: `lax-coercible` when pydantic v1 or v2 lax
accepts the value without changing what it means, `must-reject` otherwise
(a fractional count, which v1 truncates, is must-reject: A4's exception).
Not kinds, because the contract accepts them (A26): an integral float for an
integer, an integer beyond 64 bits, a negative count.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from promptlog_contract.types import InvalidBody, JSONPath, Label, Severity

from . import _spots as spots
from ._bodies import FIELD_KINDS
from ._invalid import FAMILIES, FAMILY_IDS, RULES
from ._json import check_argument
from ._messages import ALL_ROLES, TOOL_CHOICE_MODES

_TEXT = {"type": "text", "text": "hello"}
_IMAGE = {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}}
_CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
_THINKING = {"type": "thinking", "thinking": "hmm", "signature": "sig"}
_REDACTED = {"type": "redacted_thinking", "data": "xyz"}
_CARRIER: dict[str, Any] = {
    "messages": [
        {
            "role": "assistant",
            "content": [_TEXT, _IMAGE],
            "name": "bot",
            "tool_call_id": "call_0",
            "tool_calls": [_CALL],
            "thinking": [_THINKING, _REDACTED],
        }
    ],
    "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
}
#: The one valid body every nested slot is broken in (top-level fields are added to it).
CARRIER: Mapping[str, Any] = MappingProxyType(_CARRIER)


@dataclass(frozen=True)
class _Slot:
    path: JSONPath
    shape: str
    required: bool = False
    members: tuple[str, ...] = ()


_M: JSONPath = ("messages", 0)
#: Where each family location sits in CARRIER, what JSON shape it holds, and its choices.
_NESTED: Mapping[str, _Slot] = {
    "message": _Slot(_M, "item"),
    "message.role": _Slot((*_M, "role"), "choice", True, ALL_ROLES),
    "message.content": _Slot((*_M, "content"), "content"),
    "message.name": _Slot((*_M, "name"), "string"),
    "message.tool_call_id": _Slot((*_M, "tool_call_id"), "string"),
    "message.tool_calls": _Slot((*_M, "tool_calls"), "list"),
    "message.thinking": _Slot((*_M, "thinking"), "list"),
    "message.content[]": _Slot((*_M, "content", 0), "item"),
    "message.content[].type": _Slot(
        (*_M, "content", 0, "type"), "choice", True, ("text", "image_url")
    ),
    "message.content[].text": _Slot((*_M, "content", 0, "text"), "string", True),
    "message.content[].image_url": _Slot((*_M, "content", 1, "image_url"), "object", True),
    "message.content[].image_url.url": _Slot(
        (*_M, "content", 1, "image_url", "url"), "string", True
    ),
    "message.content[].image_url.detail": _Slot(
        (*_M, "content", 1, "image_url", "detail"), "choice", False, ("high", "low", "auto")
    ),
    "message.tool_calls[]": _Slot((*_M, "tool_calls", 0), "item"),
    "message.tool_calls[].id": _Slot((*_M, "tool_calls", 0, "id"), "string", True),
    "message.tool_calls[].type": _Slot(
        (*_M, "tool_calls", 0, "type"), "choice", True, ("function",)
    ),
    "message.tool_calls[].function": _Slot((*_M, "tool_calls", 0, "function"), "object", True),
    "message.tool_calls[].function.name": _Slot(
        (*_M, "tool_calls", 0, "function", "name"), "string", True
    ),
    "message.tool_calls[].function.arguments": _Slot(
        (*_M, "tool_calls", 0, "function", "arguments"), "string"
    ),
    "message.thinking[]": _Slot((*_M, "thinking", 0), "item"),
    "message.thinking[].type": _Slot(
        (*_M, "thinking", 0, "type"), "choice", True, ("thinking", "redacted_thinking")
    ),
    "message.thinking[].thinking": _Slot((*_M, "thinking", 0, "thinking"), "string", True),
    "message.thinking[].signature": _Slot((*_M, "thinking", 0, "signature"), "string", True),
    "message.thinking[].data": _Slot((*_M, "thinking", 1, "data"), "string", True),
    "tool_choice.type": _Slot(("tool_choice", "type"), "choice", True, ("function",)),
    "tool_choice.function": _Slot(("tool_choice", "function"), "object", True),
    "tool_choice.function.name": _Slot(("tool_choice", "function", "name"), "string", True),
}
_TOP_SHAPES = {"messages": "list", "map": "object", "tool_choice": "tool_choice"}

_MUST: Severity = "must-reject"
_LAX: Severity = "lax-coercible"
_OBJECT_VALUE = {"a": 1}
_LIST_VALUE = [1]
#: Kind -> (value, severity) for a `type` family, by the slot's JSON shape.
_TYPE_KINDS: Mapping[str, Mapping[str, tuple[Any, Severity]]] = {
    "integer": {
        "fractional": (1.5, _MUST),  # pydantic v2: int_from_float; v1 truncates (A4)
        "numeric_string": ("12", _LAX),
        "boolean": (True, _LAX),
        "string": ("abc", _MUST),
        "object": (_OBJECT_VALUE, _MUST),
        "list": (_LIST_VALUE, _MUST),
    },
    "number": {
        "numeric_string": ("1.5", _LAX),
        "boolean": (True, _LAX),
        "string": ("abc", _MUST),
        "object": (_OBJECT_VALUE, _MUST),
        "list": (_LIST_VALUE, _MUST),
    },
    "string": {
        "number": (5, _LAX),  # pydantic v1 makes it "5"
        "boolean": (True, _LAX),
        "object": (_OBJECT_VALUE, _MUST),
        "list": (_LIST_VALUE, _MUST),
    },
    "date-time": {
        "timestamp": (1_700_000_000, _LAX),
        "boolean": (True, _LAX),
        "object": (_OBJECT_VALUE, _MUST),
        "list": (_LIST_VALUE, _MUST),
    },
    "object": {
        "string": ("abc", _MUST),
        "number": (5, _MUST),
        "boolean": (True, _MUST),
        "list": (_LIST_VALUE, _MUST),
    },
    "list": {
        "object": (_OBJECT_VALUE, _MUST),
        "string": ("abc", _MUST),
        "number": (5, _MUST),
        "boolean": (True, _MUST),
    },
    "content": {
        "object": (_OBJECT_VALUE, _MUST),
        "number": (5, _LAX),
        "boolean": (True, _LAX),
    },
    "item": {
        "string": ("abc", _MUST),
        "number": (5, _MUST),
        "boolean": (True, _MUST),
        "null": (None, _MUST),
        "list": (_LIST_VALUE, _MUST),
    },
    "choice": {
        "number": (5, _MUST),
        "boolean": (True, _MUST),
        "object": (_OBJECT_VALUE, _MUST),
        "list": (_LIST_VALUE, _MUST),
    },
    "tool_choice": {
        "number": (5, _MUST),
        "boolean": (True, _MUST),
        "list": (_LIST_VALUE, _MUST),
    },
}
_FORMAT_KINDS: Mapping[str, tuple[Any, Severity]] = {
    "not_a_date_time": ("yesterday", _MUST),
    "impossible_date": ("2024-02-30T10:00:00Z", _MUST),
    "date_only": ("2024-01-15", _LAX),
    "naive": ("2024-01-15T09:30:00", _LAX),
    "numeric_string": ("1700000000", _LAX),
}
#: Shapes whose `null` is a wrong type when the key is required.
_NULL_WHEN_REQUIRED = frozenset({"string", "object", "choice"})
_MISSING: Any = spots.ABSENT


def _slot(location: str) -> _Slot:
    if location in _NESTED:
        return _NESTED[location]
    kind = FIELD_KINDS[location]
    members = TOOL_CHOICE_MODES if kind == "tool_choice" else ()
    return _Slot((location,), _TOP_SHAPES.get(kind, kind), members=members)


def _choice_kinds(slot: _Slot, rule: str) -> dict[str, tuple[Any, Severity]]:
    current = spots.value_at(_CARRIER, slot.path)
    base = current if isinstance(current, str) else slot.members[0]
    kinds: dict[str, tuple[Any, Severity]] = {
        "unknown": (f"{slot.members[0]}_v2", _MUST),
        "wrong_case": (base.capitalize() if base.capitalize() != base else base.upper(), _MUST),
        "empty": ("", _MUST),
    }
    if rule == "discriminator":
        kinds["other_member"] = (next(m for m in slot.members if m != base), _MUST)
    return kinds


def _family_kinds(location: str, rule: str) -> dict[str, tuple[Any, Severity]]:
    slot = _slot(location)
    if rule == "required":
        return {"missing": (_MISSING, _MUST)}
    if rule in ("enum", "const", "discriminator"):
        return _choice_kinds(slot, rule)
    if rule == "format":
        return dict(_FORMAT_KINDS)
    kinds = dict(_TYPE_KINDS[slot.shape])
    if slot.required and slot.shape in _NULL_WHEN_REQUIRED:
        kinds["null"] = (None, _MUST)
    return kinds


def _split(family: str) -> tuple[str, str]:
    location, rule = family.rsplit(".", 1)
    return location, rule


@dataclass(frozen=True)
class _Pair:
    family: str
    kind: str
    invalid: InvalidBody


@cache
def _pairs() -> tuple[_Pair, ...]:
    pairs = []
    for family in FAMILIES:
        location, rule = _split(family.id)
        path = _slot(location).path
        lean = spots.holding(_CARRIER, path)
        for kind, (value, severity) in _family_kinds(location, rule).items():
            body = (
                spots.deleted(lean, path)
                if value is _MISSING
                else spots.replaced(lean, path, value)
            )
            label = Label(path, family.rule, severity, kind)
            # Deep copies: edits share the untouched parts with the carrier.
            pairs.append(_Pair(family.id, kind, InvalidBody(copy.deepcopy(body), label)))
    return tuple(pairs)


@cache
def _kinds_by_family() -> Mapping[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {family: [] for family in FAMILY_IDS}
    for pair in _pairs():
        found[pair.family].append(pair.kind)
    return MappingProxyType({family: tuple(kinds) for family, kinds in found.items()})


def bad_value_kinds() -> Mapping[str, tuple[str, ...]]:
    """Every invalid family (`CATALOG['invalid_rule']`) and the kinds of bad value that apply.

    `{"prompt_tokens.type": ("fractional", "numeric_string", "boolean", ...), ...}`,
    families in catalog order. A family's kinds depend on its slot's JSON
    shape and rule: `missing` for `required`; `unknown`, `wrong_case`, `empty`
    (and `other_member` for a discriminator) for enums; `not_a_date_time`,
    `impossible_date`, `date_only`, `naive`, `numeric_string` for date-time
    formats; wrong JSON types (and `null` where a key is required) otherwise.
    """
    return _kinds_by_family()


def bad_value_sweep(
    *, families: Collection[str] | None = None, kinds: Collection[str] | None = None
) -> tuple[InvalidBody, ...]:
    """One invalid body per applicable (family, kind) pair: a tuple, not a strategy.

    Each body is the part of CARRIER that holds one slot (a top-level field
    alone; in the message, its role and the one field), with that slot
    replaced or removed; its label carries the kind. `families` keeps the
    families whose id or rule (one of RULES) is named, `kinds` the kinds
    named; an unknown name, or a selection with no pair, raises
    InvalidArgument. Deterministic and cheap (no Hypothesis draw): the same
    tuple on every call, families in catalog order.
    """
    pairs = _pairs()
    if families is not None:
        check_argument(not isinstance(families, str | bytes), "families must be a collection")
        unknown = sorted(str(f) for f in families if f not in FAMILY_IDS and f not in RULES)
        check_argument(not unknown, f"unknown families {unknown!r}: use CATALOG['invalid_rule']")
        pairs = tuple(p for p in pairs if p.family in families or p.invalid.label.rule in families)
    if kinds is not None:
        check_argument(not isinstance(kinds, str | bytes), "kinds must be a collection")
        known = {p.kind for p in _pairs()}
        unknown = sorted(str(k) for k in kinds if k not in known)
        check_argument(not unknown, f"unknown kinds {unknown!r}: see bad_value_kinds()")
        pairs = tuple(p for p in pairs if p.kind in kinds)
    check_argument(bool(pairs), "no (family, kind) pair matches the selection")
    return tuple(pair.invalid for pair in pairs)


#: Every "family:kind" pair, as the coverage matrix's `invalid_kind` dimension.
KIND_VARIANTS: tuple[str, ...] = tuple(f"{p.family}:{p.kind}" for p in _pairs())


_INTEGRAL = re.compile(r"\s*[+-]?\d+\s*")
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?")
_WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _format_kind(value: str) -> str:
    if _DATE_ONLY.fullmatch(value):
        return "date_only"
    if value.isdigit():
        return "numeric_string"
    if _NAIVE.fullmatch(value):
        return "naive"
    return "impossible_date" if _WITH_OFFSET.fullmatch(value) else "not_a_date_time"


def _string_kind(shape: str, value: str) -> str:
    if shape == "integer" and _INTEGRAL.fullmatch(value):
        return "numeric_string"
    if shape == "number" and _is_number_text(value):
        return "numeric_string"
    return "string"


def _type_kind(shape: str, value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return _string_kind(shape, value)
    if shape == "date-time":
        return "timestamp"
    return "fractional" if shape == "integer" else "number"


def _choice_kind(slot: _Slot, value: Any) -> str:
    if value == "":
        return "empty"
    if value in slot.members:
        return "other_member"
    folded = {member.casefold() for member in slot.members}
    return "wrong_case" if str(value).casefold() in folded else "unknown"


def bad_value_kind(invalid: InvalidBody) -> str:
    """The kind of bad value an invalid body holds: its label's `kind`, else read from the body.

    Lets a run count drawn bodies (`invalid_update_bodies()`, whose labels
    carry no kind) on the same `invalid_kind` axis as the sweep. Raises
    ValueError for a label no family produces.
    """
    label = invalid.label
    if label.kind is not None:
        return label.kind
    where = spots.location(label.path)
    family = f"{where}.{label.rule}"
    if family not in FAMILY_IDS:
        raise ValueError(f"no invalid-body family {family!r} (label {label.to_dict()})")
    if label.rule == "required":
        return "missing"
    slot, value = _slot(where), spots.value_at(invalid.body, label.path)
    if label.rule in ("enum", "const", "discriminator"):
        return _choice_kind(slot, value)
    if label.rule == "format":
        return _format_kind(value) if isinstance(value, str) else _type_kind(slot.shape, value)
    return _type_kind(slot.shape, value)
