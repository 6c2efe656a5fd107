"""Valid PATCH bodies: any subset of the 21 documented request fields.

The field list is the documentation page's (contracts/SOURCES.md), without the
SDK-only `log_status`; top-level `null` is never sent, because what it does to
the stored log is undocumented (the runner sends it as an "open" exchange).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import cache
from typing import Any

from hypothesis import strategies as st

from ._json import (
    check_argument,
    check_count,
    date_times,
    integers,
    json_maps,
    numbers,
    strings,
)
from ._messages import chat_messages, tool_choices

#: The request fields on the documentation page, in its order.
DOCUMENTED_FIELDS: tuple[str, ...] = (
    "output_message",
    "prompt_tokens",
    "reasoning_tokens",
    "output_tokens",
    "prompt_cost",
    "output_cost",
    "finish_reason",
    "messages",
    "tool_choice",
    "output",
    "created_at",
    "error",
    "provider_latency",
    "stdout",
    "provider_request",
    "provider_response",
    "inputs",
    "source",
    "metadata",
    "start_time",
    "end_time",
)

#: The JSON kind of each field, as the invalid-body module needs it.
FIELD_KINDS: Mapping[str, str] = {
    "output_message": "message",
    "prompt_tokens": "integer",
    "reasoning_tokens": "integer",
    "output_tokens": "integer",
    "prompt_cost": "number",
    "output_cost": "number",
    "finish_reason": "string",
    "messages": "messages",
    "tool_choice": "tool_choice",
    "output": "string",
    "created_at": "date-time",
    "error": "string",
    "provider_latency": "number",
    "stdout": "string",
    "provider_request": "map",
    "provider_response": "map",
    "inputs": "map",
    "source": "string",
    "metadata": "map",
    "start_time": "date-time",
    "end_time": "date-time",
}

_BY_KIND: Mapping[str, st.SearchStrategy[Any]] = {
    "message": chat_messages(),
    "integer": integers,
    "number": numbers,
    "string": strings,
    "messages": st.lists(chat_messages(), max_size=4),
    "tool_choice": tool_choices(),
    "date-time": date_times(),
    "map": json_maps(),
}
FIELD_STRATEGIES: Mapping[str, st.SearchStrategy[Any]] = {
    name: _BY_KIND[kind] for name, kind in FIELD_KINDS.items()
}


#: Most bodies hold at most this many fields; the rest may hold any number.
SMALL_BODY = 4


@st.composite
def _subset_bodies(draw: st.DrawFn, names: st.SearchStrategy[list[str]]) -> dict[str, Any]:
    return {name: draw(FIELD_STRATEGIES[name]) for name in draw(names)}


@cache
def _update_bodies(
    fields: tuple[str, ...], min_fields: int, max_fields: int
) -> st.SearchStrategy[dict[str, Any]]:
    if not fields:
        return st.builds(dict)

    # A drawn key list rather than fixed_dictionaries(optional=...), which
    # would average half of the 21 fields: small bodies let a run send more.
    # Half the draws keep to SMALL_BODY keys; the other half may hold them all.
    def names(most: int) -> st.SearchStrategy[list[str]]:
        return st.lists(st.sampled_from(fields), unique=True, min_size=min_fields, max_size=most)

    small = min(SMALL_BODY, max_fields)
    if small >= max_fields or min_fields > small:
        return _subset_bodies(names(max_fields))
    return _subset_bodies(st.one_of(names(small), names(max_fields)))


def carrier_bodies(fields: Collection[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Small valid bodies over `fields` (at most SMALL_BODY keys), to carry a broken slot."""
    names = tuple(name for name in DOCUMENTED_FIELDS if name in set(fields))
    return _update_bodies(names, 0, min(SMALL_BODY, len(names)))


def update_bodies(
    *, fields: Collection[str] | None = None, min_fields: int = 0
) -> st.SearchStrategy[dict[str, Any]]:
    """Generate contract-valid PATCH bodies: any subset of the documented fields, `{}` included.

    `fields` limits the keys to those names (default: all of
    DOCUMENTED_FIELDS; an unknown name raises InvalidArgument); `min_fields`
    is the fewest keys a body has (at most the number of fields). Bodies are
    kept small so a run can send many: half the draws hold at most 4 keys,
    the others any number (3.5 keys on average); `messages` holds at most 4
    messages. Values: integers in the signed 64-bit range, finite numbers,
    unicode strings without NUL, RFC 3339 date-times, nested JSON maps, chat
    messages and tool choices. Shrinks towards `{}` (or `min_fields` keys,
    those with the simplest values), then towards the simplest value of each
    field.
    """
    names: tuple[str, ...]
    if fields is None:
        names = DOCUMENTED_FIELDS
    else:
        check_argument(
            not isinstance(fields, str | bytes), f"fields={fields!r} must be a collection of names"
        )
        unknown = sorted({str(name) for name in fields} - set(DOCUMENTED_FIELDS))
        check_argument(not unknown, f"unknown fields {unknown!r}; expected DOCUMENTED_FIELDS")
        names = tuple(name for name in DOCUMENTED_FIELDS if name in set(fields))
    check_count("min_fields", min_fields)
    check_argument(
        min_fields <= len(names),
        f"min_fields={min_fields!r} exceeds the {len(names)} fields available",
    )
    return _update_bodies(names, min_fields, len(names))
